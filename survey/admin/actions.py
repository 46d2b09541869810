"""Actions on results ("you said, we did") for results readers (hr, pao): record an
action against a measure of a closed wave, change it, add progress notes. Each view
calls one service and commits once; the services audit every change."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from survey.admin import bp
from survey.admin.action_forms import ActionEditForm, ActionForm, NoteForm
from survey.admin.forms import choices
from survey.extensions import db
from survey.models import Action
from survey.services import DomainError, NotFound
from survey.services.actions import (
    STATUS_NAMES,
    actions_by_wave,
    add_note,
    closed_wave,
    closed_waves,
    create_action,
    get_action,
    update_action,
    wave_measures,
)


@bp.app_template_filter("action_status")
def _action_status(status) -> str:
    return STATUS_NAMES.get(status, str(status))


@bp.get("/actions")
def actions():
    return render_template("admin/actions.html", grouped=actions_by_wave(),
                           waves=closed_waves(), title="Actions on results")


@bp.route("/actions/new", methods=["GET", "POST"])
def new_action():
    code = request.args.get("wave", "")
    try:
        wave = closed_wave(code)
    except NotFound:
        return render_template("admin/action_wave.html", waves=closed_waves(),
                               title="Record an action")
    measures = wave_measures(wave)
    form = ActionForm()
    form.measure.choices = choices(measures.items())
    if form.validate_on_submit():
        try:
            row = create_action(current_user, wave, form.measure.data, form.action_text())
        except DomainError as error:
            abort(422, description=str(error))
        db.session.commit()
        flash("Recorded the action. It is now on the public “You said, we did” page.")
        return redirect(url_for("admin.action", action_id=row.id))
    status = 422 if form.errors else 200
    return render_template("admin/action_new.html", form=form, wave=wave,
                           title="Record an action"), status


def _action(action_id: int) -> Action:
    try:
        return get_action(action_id)
    except NotFound:
        abort(404)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
def action(action_id: int):
    row = _action(action_id)
    form = ActionEditForm(obj=row, status=row.status.value)
    if form.validate_on_submit():
        changed = update_action(current_user, row, form.action_text())
        db.session.commit()
        flash("Saved the changes." if changed else "Nothing had changed.")
        return redirect(url_for("admin.action", action_id=row.id))
    return _action_page(row, form, NoteForm(formdata=None))


@bp.post("/actions/<int:action_id>/notes")
def action_note(action_id: int):
    row = _action(action_id)
    form = NoteForm()
    if form.validate_on_submit():
        add_note(current_user, row, form.text.data.strip())
        db.session.commit()
        flash("Added the progress note.")
        return redirect(url_for("admin.action", action_id=row.id))
    return _action_page(row, ActionEditForm(obj=row, formdata=None), form)


def _action_page(row: Action, form: ActionEditForm, note_form: NoteForm):
    status = 422 if form.errors or note_form.errors else 200
    measure = wave_measures(row.wave).get(row.measure, row.measure)
    return render_template("admin/action.html", row=row, form=form, note_form=note_form,
                           measure=measure, title="Action on results"), status
