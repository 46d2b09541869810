"""Staff accounts: the CLI never takes a password from argv; the admin pages manage users."""

from __future__ import annotations

from sqlalchemy import select

from survey import cli
from survey.cli import create_user_command, set_password_command
from survey.extensions import db
from survey.models import AuditEvent, Role, User
from survey.services.audit import (
    PASSWORD_CHANGED,
    USER_CHANGED,
    USER_CREATED,
    USER_DEACTIVATED,
)
from survey.services.auth import authenticate
from tests.staff_accounts import PASSWORD


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).filter_by(email=email))


def test_users_create_reads_the_password_from_standard_input(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "New.Admin@Force.test", "--role", "admin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account new.admin@force.test." in result.output
    assert PASSWORD not in result.output
    created = user("new.admin@force.test")
    assert created.role == Role.ADMIN and created.password_hash.startswith("$argon2id$")
    assert authenticate("new.admin@force.test", PASSWORD) is not None
    event = db.session.scalar(select(AuditEvent).filter_by(action=USER_CREATED))
    assert event.actor_email == "command line"


def test_users_create_never_takes_a_password_from_the_arguments(app):
    runner = app.test_cli_runner()
    for args in (["users", "create", "x@force.test", "--role", "hr", "--password", PASSWORD],
                 ["users", "create", "x@force.test", PASSWORD, "--role", "hr"]):
        result = runner.invoke(args=args, input="")
        assert result.exit_code != 0
    assert user("x@force.test") is None
    options = {p.name for p in create_user_command.params} | {
        p.name for p in set_password_command.params}
    assert "password" not in options


def test_at_a_terminal_the_password_is_prompted_for_hidden_and_twice(monkeypatch):
    asked = {}

    class Terminal:
        def isatty(self):
            return True

    def prompt(text, **options):
        asked.update(options, text=text)
        return PASSWORD

    monkeypatch.setattr(cli.sys, "stdin", Terminal())
    monkeypatch.setattr(cli.click, "prompt", prompt)
    assert cli._read_password() == PASSWORD
    assert asked == {"text": "Password", "hide_input": True, "confirmation_prompt": True}


def test_users_create_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "short@force.test", "--role", "pao"], input="too short\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert user("short@force.test") is None


def test_an_hr_account_can_be_scoped_from_the_command_line(app, instrument):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "hr2@force.test", "--role", "hr", "--unit", "north_lpa"],
        input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert user("hr2@force.test").unit_scope == ["north_lpa"]


def test_set_password_and_deactivate_from_the_command_line(app, staff):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", "hr@force.test"],
                           input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert authenticate("hr@force.test", "a brand new password") is not None
    result = runner.invoke(args=["users", "deactivate", "hr@force.test"])
    assert result.exit_code == 0, result.output
    assert user("hr@force.test").active is False
    assert "hr@force.test\thr\tall units\tdeactivated" in runner.invoke(
        args=["users", "list"]).output


def test_an_administrator_creates_a_scoped_hr_account(admin_client, form_token, instrument):
    response = admin_client.post("/admin/users", data={
        "csrf_token": form_token(admin_client, "/admin/users"), "email": "Partner@Force.test",
        "role": "hr", "unit_scope": ["north_lpa", "south_lpa"], "password": PASSWORD,
        "confirm": PASSWORD})
    assert response.status_code == 302
    created = user("partner@force.test")
    assert created.role == Role.HR and created.unit_scope == ["north_lpa", "south_lpa"]
    event = db.session.scalar(select(AuditEvent).filter_by(action=USER_CREATED))
    assert event.actor_email == "admin@force.test"
    assert event.detail == {"email": "partner@force.test", "role": "hr",
                            "unit_scope": ["north_lpa", "south_lpa"]}
    assert PASSWORD not in str(event.detail)


def test_account_form_errors(admin_client, form_token, staff):
    token = form_token(admin_client, "/admin/users")
    for data, message in [
        ({"password": "short", "confirm": "short"}, "at least 12 characters"),
        ({"confirm": "something else entirely"}, "The passwords differ"),
        ({"email": "hr@force.test"}, "already an account"),
    ]:
        response = admin_client.post("/admin/users", data={
            "csrf_token": token, "email": "someone@force.test", "role": "pao",
            "password": PASSWORD, "confirm": PASSWORD, **data})
        assert response.status_code == 422 and message in response.text, data
    assert user("someone@force.test") is None


def test_changing_a_role_and_deactivating_are_audited(admin_client, form_token, staff):
    pao = staff[Role.PAO]
    url = f"/admin/users/{pao.id}"
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url), "role": "hr", "active": "y"})
    assert response.status_code == 302
    assert user("pao@force.test").role == Role.HR
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url), "role": "hr"})
    assert response.status_code == 302
    assert user("pao@force.test").active is False
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_([USER_CHANGED, USER_DEACTIVATED]))
        .order_by(AuditEvent.id)).all()
    assert actions == [USER_CHANGED, USER_DEACTIVATED]


def test_the_last_administrator_cannot_be_removed(admin_client, form_token, staff):
    admin = staff[Role.ADMIN]
    url = f"/admin/users/{admin.id}"
    for data in ({"role": "hr", "active": "y"}, {"role": "admin"}):
        response = admin_client.post(url, data={"csrf_token": form_token(admin_client, url),
                                                **data})
        assert response.status_code == 422 and "only active administrator" in response.text
    assert user("admin@force.test").role == Role.ADMIN and user("admin@force.test").active


def test_an_administrator_sets_a_new_password(admin_client, form_token, staff, new_client, login):
    hr_client = new_client()
    login(hr_client, staff[Role.HR])
    url = f"/admin/users/{staff[Role.HR].id}"
    response = admin_client.post(f"{url}/password", data={
        "csrf_token": form_token(admin_client, url), "password": "the replacement pw",
        "confirm": "the replacement pw"})
    assert response.status_code == 302
    assert authenticate("hr@force.test", "the replacement pw") is not None
    assert hr_client.get("/admin/").status_code == 302, "their sessions ended"
    assert db.session.scalar(select(AuditEvent.detail).filter_by(action=PASSWORD_CHANGED)) == {
        "email": "hr@force.test"}
