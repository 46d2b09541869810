"""Waves: create, settings, open, close; invitation codes; headcounts; response rates; import."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.admin import bp
from survey.admin.files import codes_csv, download, optional_upload, uploaded_bytes
from survey.admin.forms import (
    CloseWaveForm,
    ConfirmForm,
    ImportForm,
    IssueCodesForm,
    UploadForm,
    WaveDatesForm,
    WaveForm,
    WaveSettingsForm,
    choices,
)
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Instrument, Role, Wave, WaveState
from survey.security import code_hash_key
from survey.services import DomainError
from survey.services import audit as events
from survey.services import waves as wave_ops
from survey.services.audit import record
from survey.services.codes import issue_codes, settle_codes
from survey.services.headcounts import (
    force_headcount,
    headcount_template,
    replace_headcounts,
    wave_headcounts,
)
from survey.services.imports import CsvRejected, import_past_wave
from survey.services.monitor import response_rates


def _wave(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    return wave


@bp.get("/waves")
def waves():
    listed = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.id.desc()))
    return render_template("admin/waves.html", waves=listed.all())


@bp.route("/waves/new", methods=["GET", "POST"])
def new_wave():
    form = WaveForm()
    instruments = select(Instrument).order_by(Instrument.code, Instrument.version)
    by_id = {i.id: i for i in db.session.scalars(instruments)}
    form.instrument.choices = choices((i.id, i.label) for i in by_id.values())
    problem = None
    if form.validate_on_submit():
        try:
            wave = wave_ops.create_wave(
                form.code.data, form.title.data, by_id[form.instrument.data], form.opens_on.data,
                form.closes_on.data, form.threshold.data, form.comment_threshold.data,
            )
        except DomainError as error:
            db.session.rollback()
            problem = str(error)
        else:
            record(events.WAVE_CREATED, current_user, wave=wave.code, k=wave.threshold)
            db.session.commit()
            flash(f"Created draft wave {wave.code}. Choose its breakdowns, then open it.")
            return redirect(url_for("admin.wave", wave_id=wave.id))
    status = 422 if problem or form.errors else 200
    return render_template("admin/wave_new.html", form=form, problem=problem), status


@bp.route("/waves/<int:wave_id>", methods=["GET", "POST"])
def wave(wave_id: int):
    wave = _wave(wave_id)
    definition = Definition(wave.instrument.definition)
    draft = wave.state == WaveState.DRAFT
    form = (WaveSettingsForm if draft else WaveDatesForm)(obj=wave)
    if draft:
        form.breakdowns.choices = choices(
            (code, b["title"]) for code, b in definition.breakdowns.items()
        )
    problem = None
    if wave.state != WaveState.CLOSED and form.validate_on_submit():
        changes = {field.name: field.data for field in form if field.name != "csrf_token"}
        try:
            wave_ops.update_wave(wave, **changes)
        except DomainError as error:
            db.session.rollback()
            problem = str(error)
        else:
            record(events.WAVE_CHANGED, current_user, wave=wave.code, fields=sorted(changes))
            db.session.commit()
            flash("Saved the wave's settings.")
            return redirect(url_for("admin.wave", wave_id=wave.id))
    status = 422 if problem or form.errors else 200
    return render_template(
        "admin/wave.html", wave=wave, definition=definition, form=form, problem=problem,
        action=ConfirmForm(),
        breakdown_titles=[definition.breakdowns[c]["title"] for c in wave.breakdowns
                          if c in definition.breakdowns],
    ), status


@bp.post("/waves/<int:wave_id>/open")
def open_wave(wave_id: int):
    wave = _wave(wave_id)
    if ConfirmForm().validate_on_submit():
        try:
            wave_ops.open_wave(wave)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            record(events.WAVE_OPENED, current_user, wave=wave.code, k=wave.threshold,
                   breakdowns=wave.breakdowns)
            db.session.commit()
            flash(f"Opened {wave.code}. Its questionnaire, k and breakdowns are now fixed.")
    return redirect(url_for("admin.wave", wave_id=wave.id))


@bp.route("/waves/<int:wave_id>/close", methods=["GET", "POST"])
def close_wave(wave_id: int):
    """Confirm, then close: publish every response at once, purge codes and pending spends."""
    wave = _wave(wave_id)
    if wave.state != WaveState.OPEN:
        flash(f"Wave {wave.code} is {wave.state.value}: only an open wave can be closed.", "error")
        return redirect(url_for("admin.wave", wave_id=wave.id))
    form = CloseWaveForm()
    if form.validate_on_submit():
        responses = wave_ops.close_wave(wave)
        record(events.WAVE_CLOSED, current_user, wave=wave.code, responses=responses,
               codes_purged=wave.codes_issued)
        db.session.commit()
        flash(f"Closed {wave.code}: its {responses:,} responses are published and every "
              "invitation code was deleted.")
        return redirect(url_for("admin.wave", wave_id=wave.id))
    return render_template(
        "admin/wave_close.html", wave=wave, form=form
    ), 422 if form.errors else 200


@bp.route("/waves/<int:wave_id>/codes", methods=["GET", "POST"])
def codes(wave_id: int):
    """Issue codes: the CSV in this response is the only copy there will ever be."""
    wave = _wave(wave_id)
    form = IssueCodesForm()
    problem = None
    if form.validate_on_submit():
        try:
            issued = issue_codes(wave, form.count.data, code_hash_key(current_app),
                                 override=form.override.data)
        except DomainError as error:
            db.session.rollback()
            problem = str(error)
        else:
            record(events.CODES_ISSUED, current_user, wave=wave.code, count=len(issued),
                   after_opening=wave.state == WaveState.OPEN, override=form.override.data)
            db.session.commit()
            settle_codes(wave.id)
            text = codes_csv(issued, current_app.config["BASE_URL"])
            return download(text, f"{wave.code}-codes-{wave.codes_issued}.csv")
    status = 422 if problem or form.errors else 200
    return render_template(
        "admin/codes.html", wave=wave, form=form, problem=problem,
        headcount=force_headcount(wave),
    ), status


@bp.route("/waves/<int:wave_id>/headcounts", methods=["GET", "POST"])
def headcounts(wave_id: int):
    wave = _wave(wave_id)
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            count = replace_headcounts(wave, uploaded_bytes(form))
        except CsvRejected as error:
            db.session.rollback()
            problems = error.problems
        else:
            record(events.HEADCOUNTS_LOADED, current_user, wave=wave.code, rows=count)
            db.session.commit()
            flash(f"Loaded {count} headcounts for {wave.code}, replacing any loaded before.")
            return redirect(url_for("admin.headcounts", wave_id=wave.id))
    status = 422 if problems or form.errors else 200
    return render_template(
        "admin/headcounts.html", wave=wave, form=form, problems=problems,
        rows=wave_headcounts(wave),
    ), status


@bp.get("/headcounts/template.csv")
def headcount_template_csv():
    return download(headcount_template(), "headcounts-template.csv")


@bp.get("/waves/<int:wave_id>/monitor")
def monitor(wave_id: int):
    wave = _wave(wave_id)
    scope = current_user.unit_scope if current_user.role == Role.HR else None
    return render_template("admin/monitor.html", wave=wave, table=response_rates(wave, scope),
                           scoped=scope is not None)


@bp.route("/waves/<int:wave_id>/import", methods=["GET", "POST"])
def import_wave(wave_id: int):
    """Load a past wave's responses into this draft wave, which is then closed."""
    wave = _wave(wave_id)
    form = ImportForm()
    problems: list[str] = []
    if wave.state == WaveState.DRAFT and form.validate_on_submit():
        mapping = optional_upload(form.mapping)
        try:
            result = import_past_wave(wave, uploaded_bytes(form), mapping)
        except CsvRejected as error:
            problems = error.problems
        except DomainError as error:
            problems = [str(error)]
        else:
            record(events.WAVE_IMPORTED, current_user, wave=wave.code, responses=result.responses,
                   mapping=mapping is not None)
            db.session.commit()
            skipped = f" {result.blank_rows} empty rows were skipped." if result.blank_rows else ""
            flash(f"Imported {result.responses} responses into {wave.code}, which is now closed."
                  + skipped)
            return redirect(url_for("admin.wave", wave_id=wave.id))
        db.session.rollback()
    status = 422 if problems or form.errors else 200
    return render_template(
        "admin/import.html", wave=wave, form=form, problems=problems
    ), status
