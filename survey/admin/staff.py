"""Staff accounts and the audit log (administrators only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.admin import bp
from survey.admin.forms import PasswordForm, UserEditForm, UserForm, choices
from survey.extensions import db
from survey.models import Unit
from survey.services import DomainError, NotFound
from survey.services import audit as events
from survey.services.audit import describe, events_page, record
from survey.services.instruments import unit_choices
from survey.services.users import create_user, get_user, list_users, set_password, update_user


def _scope_choices() -> list[tuple[str, str]]:
    return choices(unit_choices()) if db.session.scalar(select(Unit.id).limit(1)) else []


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    form.unit_scope.choices = _scope_choices()
    problem = None
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.role.data,
                               form.unit_scope.data)
        except DomainError as error:
            db.session.rollback()
            problem = str(error)
        else:
            record(events.USER_CREATED, current_user, email=user.email, role=user.role.value,
                   unit_scope=user.unit_scope)
            db.session.commit()
            flash(f"Created an account for {user.email}.")
            return redirect(url_for("admin.users"))
    status = 422 if problem or form.errors else 200
    return render_template(
        "admin/users.html", form=form, problem=problem, users=list_users()
    ), status


def _user(user_id: int):
    try:
        return get_user(user_id)
    except NotFound:
        abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    account = _user(user_id)
    form = UserEditForm(obj=account, role=account.role.value, unit_scope=account.unit_scope or [])
    form.unit_scope.choices = _scope_choices()
    problem = None
    if form.validate_on_submit():
        try:
            changes = update_user(account, form.role.data, form.unit_scope.data, form.active.data)
        except DomainError as error:
            db.session.rollback()
            problem = str(error)
        else:
            if changes:
                action = events.USER_DEACTIVATED if changes.get("active") is False \
                    else events.USER_CHANGED
                record(action, current_user, email=account.email, changes=changes)
            db.session.commit()
            flash(f"Saved {account.email}." if changes else "Nothing was changed.")
            return redirect(url_for("admin.users"))
    status = 422 if problem or form.errors else 200
    return render_template(
        "admin/user.html", account=account, form=form, password_form=PasswordForm(),
        problem=problem,
    ), status


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    account = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        set_password(account, form.password.data)
        record(events.PASSWORD_CHANGED, current_user, email=account.email)
        db.session.commit()
        flash(f"Set a new password for {account.email}; their sessions have ended.")
        return redirect(url_for("admin.user", user_id=account.id))
    edit = UserEditForm(obj=account, role=account.role.value, unit_scope=account.unit_scope or [])
    edit.unit_scope.choices = _scope_choices()
    return render_template(
        "admin/user.html", account=account, form=edit, password_form=form, problem=None
    ), 422


@bp.get("/audit")
def audit():
    page = request.args.get("page", 1, type=int)
    listed, pages = events_page(page)
    return render_template(
        "admin/audit.html", events=listed, page=min(max(page, 1), pages), pages=pages,
        describe=describe,
    )
