"""Respondent pages: landing and code entry, one page per section, review, submit.

The invitation code reaches the server only in POST bodies: the link carries it in the
URL fragment, which take.js copies into the form (or the person types it). Everything
is a plain form, so the whole journey works without JavaScript.

No page tells a spent code from an unknown one before the person has answered: any
well-formed code starts the survey, and the only refusal comes at submission, in the same
words and after the same time for every reason. Refusals are throttled per client.

Each POST to /survey carries the encrypted progress (which page the person is on and
their answers so far), that page's answers and a `nav` button: next, back, review or
section-N. Pages are the sections in order, then the review page. Once a journey is
submitted, the browser's `answered` cookie names it, and its progress shows nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from survey.extensions import db, limiter
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
from survey.services.actions import any_actions
from survey.services.codes import normalise_code
from survey.services.instruments import (
    OpenWave,
    cached_open_wave,
    wave_definition,
    wave_unit_choices,
)
from survey.services.responses import CodeRefused, InvalidAnswers, submit_response, wave_for_code
from survey.services.waves import open_waves

ANSWERED_COOKIE = "answered"
NOT_A_CODE = (
    "That is not an invitation code. Codes have 28 letters and digits, like "
    "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345. Check the code in your invitation."
)
NO_OPEN_SURVEY = "No survey is open at the moment, so there is nothing to answer."
log = logging.getLogger(__name__)

UNREADABLE = (
    "Your answers in progress could not be read. Nothing was saved. Start again with your code."
)
TAMPERED = "The form contained answers this survey does not have. Nothing was saved."
UNKNOWN_NAV = "The page did not say where to go next. Nothing was saved. Go back and try again."


@bp.app_template_global()
def wave_breakdown_titles(wave: Wave) -> list[str]:
    breakdowns = wave_definition(wave).breakdowns
    return [breakdowns[code]["title"] for code in wave.breakdowns if code in breakdowns]


@bp.errorhandler(CodeRefused)
def refused(refusal: CodeRefused):
    """Unknown, spent, other-wave, closed-wave or malformed: one page, one status, and
    never sooner than RESPONSE_REFUSAL_SECONDS after the request began, so the time a
    refusal takes does not tell one reason from another."""
    db.session.rollback()
    floor = current_app.config["RESPONSE_REFUSAL_SECONDS"]
    time.sleep(max(0.0, floor - (time.monotonic() - _started())))
    return render_template("respond/refused.html", message=str(refusal)), 403


@bp.before_request
def _mark_start() -> None:
    request.environ["survey.started"] = time.monotonic()


def _started() -> float:
    return request.environ.get("survey.started", time.monotonic())


def client_key() -> str:
    """The throttling key for a client: a keyed hash of its address, never the address.

    It lives only in the limiter's memory (or Redis) for the length of the window."""
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "").encode()
    return hmac.new(secret, b"respond-throttle:" + address, hashlib.sha256).hexdigest()[:16]


def _log_breach(limit) -> None:
    log.warning(
        "A client passed %s refused invitation codes; its submissions are refused until "
        "the window ends (client key %s, no address kept).", limit.limit, client_key()
    )


@bp.get("/")
def index():
    return redirect(url_for("respond.take"))


@bp.get("/take")
def take():
    return _landing(CodeForm())


@bp.post("/take")
def start():
    """Start the survey for any well-formed code: nothing here depends on its state."""
    form = CodeForm()
    if not form.validate():
        return _landing(form), 400
    code = normalise_code(form.code.data)
    wave = wave_for_code(form.code.data, code_hash_key(current_app)) if code else None
    if wave is None:
        form.code.errors = [NOT_A_CODE if code is None else NO_OPEN_SURVEY]
        return _landing(form), 400
    return _render_page(wave, wave_definition(wave), Progress(code, wave.id))


def _landing(form: CodeForm) -> str:
    return render_template("respond/landing.html", form=form, waves=open_waves(),
                           actions_published=any_actions())


@bp.post("/survey")
def section():
    progress = _progress()
    if _already_answered(progress):
        return render_template("respond/answered.html")
    wave = _open_wave(progress)
    definition = wave_definition(wave)
    review_page = len(definition.sections)
    if progress.page > review_page:
        abort(400, description=UNREADABLE)
    current = definition.sections[progress.page] if progress.page < review_page else None
    destination = _destination(request.form.get("nav", "next"), progress.page, review_page)
    if unexpected_fields(request.form, page_fields(current)):
        abort(400, description=TAMPERED)
    if current is not None:
        form = _posted_section(wave, definition, current)
        if form.errors:
            return _render_section(wave, definition, progress, form), 422
        merge_section(current, form, progress)
    progress.page = destination
    return _render_page(wave, definition, progress)


@bp.post("/survey/submit")
@limiter.limit(
    lambda: current_app.config["RESPONSE_REFUSALS_LIMIT"],
    key_func=client_key,
    deduct_when=lambda response: response.status_code == 403,
    on_breach=_log_breach,
)
def submit():
    progress = _progress()
    if _already_answered(progress):
        return render_template("respond/answered.html")
    if unexpected_fields(request.form, SUBMIT_CONTROLS):
        abort(400, description=TAMPERED)
    try:
        submit_response(
            progress.code,
            code_hash_key(current_app),
            progress.wave,
            progress.answers,
            progress.comments,
        )
    except InvalidAnswers:
        abort(400, description=TAMPERED)
    response = make_response(redirect(url_for("respond.done"), code=303))
    response.set_cookie(
        ANSWERED_COOKIE,
        progress.journey,
        max_age=current_app.config["RESPONSE_STATE_MAX_AGE"],
        path="/survey",
        secure=current_app.config["PREFER_HTTPS"],
        httponly=True,
        samesite="Strict",
    )
    return response


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


def _already_answered(progress: Progress) -> bool:
    """This browser submitted this very journey: its answers must not be shown again."""
    answered = request.cookies.get(ANSWERED_COOKIE, "")
    return hmac.compare_digest(answered.encode(), progress.journey.encode())


def _open_wave(progress: Progress) -> OpenWave:
    wave = cached_open_wave(progress.wave)
    if wave is None:
        raise CodeRefused
    return wave


def _posted_section(wave: OpenWave, definition: Definition, current: dict):
    """The section's form as posted and validated. The only error a person can make is
    a comment that is too long; a radio answer outside its choices is an edited request."""
    form = section_form(definition, current, wave_unit_choices(wave), request.form)
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


def _render_page(wave: Wave | OpenWave, definition: Definition, progress: Progress):
    if progress.page < len(definition.sections):
        return _render_section(wave, definition, progress)
    progress.reviewed = True
    return render_template(
        "respond/review.html",
        form=_state_form(StateForm(), progress),
        sections=answered_sections(definition, progress, wave_unit_choices(wave)),
        steps=len(definition.sections) + 1,
    )


def _render_section(wave: Wave | OpenWave, definition: Definition, progress: Progress, form=None):
    current = definition.sections[progress.page]
    if form is None:
        form = section_form(definition, current, wave_unit_choices(wave))
        prefill(current, form, progress)
    return render_template(
        "respond/section.html",
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
