"""Respondent pages: landing and code entry, one page per section, review, submit.

The invitation code reaches the server only in POST bodies: the link carries it in the
URL fragment, which take.js copies into the form (or the person types it).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from survey.extensions import db
from survey.forms import CodeForm, StateForm, section_form
from survey.instruments import Definition
from survey.models import Wave
from survey.respond import bp
from survey.respond.answers import answered_sections, merge_section, unexpected_fields
from survey.respond.state import Progress, StateInvalid, dump_progress, load_progress
from survey.security import code_hash_key
from survey.services.instruments import unit_choices
from survey.services.responses import CodeRefused, submit_response, wave_for_code
from survey.services.waves import open_waves


@bp.app_template_global()
def wave_breakdown_titles(wave: Wave) -> list[str]:
    breakdowns = Definition(wave.instrument.definition).breakdowns
    return [breakdowns[code]["title"] for code in wave.breakdowns if code in breakdowns]


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
    return _render_section(wave, Progress(code=code, wave=wave.id))


@bp.post("/survey")
def section():
    progress = _progress()
    wave = _wave(progress)
    definition = Definition(wave.instrument.definition)
    current = definition.sections[progress.section]
    form = section_form(definition, current, unit_choices(), request.form)
    valid = form.validate()
    if unexpected_fields(request.form, current) or _tampered_choice(form):
        abort(400, description="The form contained answers this survey does not have.")
    if not valid:
        return _render_section(wave, progress, form), 422
    merge_section(definition, current, form, progress)
    return _navigate(wave, definition, progress, request.form.get("nav", "next"))


@bp.post("/survey/submit")
def submit():
    progress = _progress()
    wave = _wave(progress)
    try:
        submit_response(
            progress.code, code_hash_key(current_app), wave.id, progress.answers, progress.comments
        )
    except CodeRefused as refusal:
        db.session.rollback()
        return render_template("respond/refused.html", message=str(refusal)), 403
    db.session.commit()
    return redirect(url_for("respond.done"), code=303)


@bp.get("/done")
def done():
    return render_template("respond/done.html", waves=open_waves())


def _progress() -> Progress:
    try:
        return load_progress(
            request.form.get("state"),
            current_app.config["SECRET_KEY"],
            current_app.config["RESPONSE_STATE_MAX_AGE"],
        )
    except StateInvalid:
        abort(400, description="Your answers in progress could not be read. Start again with your code.")


def _wave(progress: Progress) -> Wave:
    wave = db.session.get(Wave, progress.wave)
    if wave is None or not wave.is_open:
        abort(403, description="This survey is closed.")
    return wave


def _tampered_choice(form) -> bool:
    """Radio answers outside the choices can only come from an edited request."""
    return any(
        field.type == "OptionalRadioField" and field.errors for field in form if field.name != "state"
    )


def _navigate(wave: Wave, definition: Definition, progress: Progress, nav: str):
    last = len(definition.sections) - 1
    if nav == "back":
        progress.section = max(progress.section - 1, 0)
    elif nav == "review" or (nav == "next" and progress.section == last):
        return _render_review(wave, definition, progress)
    elif nav.startswith("goto-") and nav[5:].isdigit() and int(nav[5:]) <= last:
        progress.section = int(nav[5:])
    elif nav == "next":
        progress.section += 1
    else:
        abort(400, description="Unknown navigation.")
    return _render_section(wave, progress)


def _render_section(wave: Wave, progress: Progress, form=None):
    definition = Definition(wave.instrument.definition)
    current = definition.sections[progress.section]
    if form is None:
        form = section_form(definition, current, unit_choices())
        for item in current["items"]:
            stored = {**progress.answers, **progress.comments}.get(item["code"])
            if stored is not None:
                form[item["code"]].data = str(stored)
    form.state.data = dump_progress(progress, current_app.config["SECRET_KEY"])
    return render_template(
        "respond/section.html",
        wave=wave,
        definition=definition,
        section=current,
        form=form,
        step=progress.section + 1,
        steps=len(definition.sections) + 1,
    )


def _render_review(wave: Wave, definition: Definition, progress: Progress):
    form = StateForm()
    form.state.data = dump_progress(progress, current_app.config["SECRET_KEY"])
    return render_template(
        "respond/review.html",
        wave=wave,
        form=form,
        sections=answered_sections(definition, progress, unit_choices()),
        steps=len(definition.sections) + 1,
    )
