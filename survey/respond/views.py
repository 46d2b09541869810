"""Respondent pages: landing and code entry, one page per section, review, submit.

The invitation code reaches the server only in POST bodies: the link carries it in the
URL fragment, which take.js copies into the form (or the person types it). Everything
is a plain form, so the whole journey works without JavaScript.

Each POST to /survey carries the signed progress (which page the person is on and their
answers so far), that page's answers and a `nav` button: next, back, review or
section-N. Pages are the sections in order, then the review page.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from survey.extensions import db
from survey.forms import CodeForm, OptionalRadioField, StateForm, section_form
from survey.instruments import Definition
from survey.models import Wave
from survey.respond import bp
from survey.respond.answers import (
    SUBMIT_CONTROLS,
    answered_sections,
    merge_section,
    page_fields,
    prefill,
    unexpected_fields,
)
from survey.respond.state import Progress, StateInvalid, dump_progress, load_progress
from survey.security import code_hash_key
from survey.services.instruments import unit_choices
from survey.services.responses import CodeRefused, InvalidAnswers, submit_response, wave_for_code
from survey.services.waves import open_waves

UNREADABLE = (
    "Your answers in progress could not be read. Nothing was saved. Start again with your code."
)
TAMPERED = "The form contained answers this survey does not have. Nothing was saved."
UNKNOWN_NAV = "The page did not say where to go next. Nothing was saved. Go back and try again."


@bp.app_template_global()
def wave_breakdown_titles(wave: Wave) -> list[str]:
    breakdowns = Definition(wave.instrument.definition).breakdowns
    return [breakdowns[code]["title"] for code in wave.breakdowns if code in breakdowns]


@bp.errorhandler(CodeRefused)
def refused(refusal: CodeRefused):
    """Unknown, spent, other-wave, closed-wave or malformed: one page, one status."""
    db.session.rollback()
    return render_template("respond/refused.html", message=str(refusal)), 403


@bp.get("/")
def index():
    return redirect(url_for("respond.take"))


@bp.get("/take")
def take():
    return render_template("respond/landing.html", form=CodeForm(), waves=open_waves())


@bp.post("/take")
def start():
    form = CodeForm()
    if not form.validate():
        return render_template("respond/landing.html", form=form, waves=open_waves()), 400
    try:
        wave, code = wave_for_code(form.code.data, code_hash_key(current_app))
    except CodeRefused as refusal:
        form.code.errors = [str(refusal)]
        return render_template("respond/landing.html", form=form, waves=open_waves()), 403
    return _render_page(wave, Definition(wave.instrument.definition), Progress(code, wave.id))


@bp.post("/survey")
def section():
    progress = _progress()
    wave = _open_wave(progress)
    definition = Definition(wave.instrument.definition)
    review_page = len(definition.sections)
    if progress.page > review_page:
        abort(400, description=UNREADABLE)
    current = definition.sections[progress.page] if progress.page < review_page else None
    destination = _destination(request.form.get("nav", "next"), progress.page, review_page)
    if unexpected_fields(request.form, page_fields(current)):
        abort(400, description=TAMPERED)
    if current is not None:
        form = _posted_section(definition, current)
        if form.errors:
            return _render_section(wave, definition, progress, form), 422
        merge_section(current, form, progress)
    progress.page = destination
    return _render_page(wave, definition, progress)


@bp.post("/survey/submit")
def submit():
    progress = _progress()
    if unexpected_fields(request.form, SUBMIT_CONTROLS):
        abort(400, description=TAMPERED)
    wave = _open_wave(progress)
    try:
        submit_response(
            progress.code, code_hash_key(current_app), wave.id, progress.answers, progress.comments
        )
    except InvalidAnswers:
        db.session.rollback()
        abort(400, description=TAMPERED)
    db.session.commit()
    return redirect(url_for("respond.done"), code=303)


@bp.get("/done")
def done():
    return render_template("respond/done.html")


def _progress() -> Progress:
    try:
        return load_progress(
            request.form.get("state"),
            current_app.config["SECRET_KEY"],
            current_app.config["RESPONSE_STATE_MAX_AGE"],
        )
    except StateInvalid:
        abort(400, description=UNREADABLE)


def _open_wave(progress: Progress) -> Wave:
    wave = db.session.get(Wave, progress.wave)
    if wave is None or not wave.is_open:
        raise CodeRefused
    return wave


def _posted_section(definition: Definition, current: dict):
    """The section's form as posted and validated. The only error a person can make is
    a comment that is too long; a radio answer outside its choices is an edited request."""
    form = section_form(definition, current, unit_choices(), request.form)
    form.validate()
    if any(isinstance(field, OptionalRadioField) and field.errors for field in form):
        abort(400, description=TAMPERED)
    return form


def _destination(nav: str, page: int, review_page: int) -> int:
    """The page a `nav` button leads to; anything else is an edited request."""
    targets = {"next": page + 1, "back": page - 1, "review": review_page}
    targets.update({f"section-{number}": number for number in range(review_page)})
    if nav not in targets:
        abort(400, description=UNKNOWN_NAV)
    return min(max(targets[nav], 0), review_page)


def _render_page(wave: Wave, definition: Definition, progress: Progress):
    if progress.page < len(definition.sections):
        return _render_section(wave, definition, progress)
    progress.reviewed = True
    return render_template(
        "respond/review.html",
        wave=wave,
        form=_state_form(StateForm(), progress),
        sections=answered_sections(definition, progress, unit_choices()),
        steps=len(definition.sections) + 1,
    )


def _render_section(wave: Wave, definition: Definition, progress: Progress, form=None):
    current = definition.sections[progress.page]
    if form is None:
        form = section_form(definition, current, unit_choices())
        prefill(current, form, progress)
    return render_template(
        "respond/section.html",
        wave=wave,
        definition=definition,
        section=current,
        form=_state_form(form, progress),
        step=progress.page + 1,
        steps=len(definition.sections) + 1,
        reviewed=progress.reviewed,
    )


def _state_form(form, progress: Progress):
    form.state.data = dump_progress(progress, current_app.config["SECRET_KEY"])
    return form
