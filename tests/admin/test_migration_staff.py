"""Migration 0002 (staff) on a database that already has accounts from 0001."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from survey.extensions import db
from survey.models import User
from survey.services.users import hash_password
from tests.staff_accounts import PASSWORD

BEFORE_STAFF = "b5c79b82dc16"


def test_existing_accounts_survive_the_upgrade_and_can_sign_in(app, new_client, login):
    db.session.remove()
    downgrade(revision=BEFORE_STAFF)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert not {"audit_event", "headcount"} & tables
        with db.engine.begin() as connection:
            connection.execute(
                text('INSERT INTO "user" (email, password_hash, role, active) '
                     "VALUES ('old@force.test', :hash, 'admin', :active)"),
                {"hash": hash_password(PASSWORD), "active": True},
            )
    finally:
        upgrade()
    account = db.session.query(User).filter_by(email="old@force.test").one()
    assert account.session_version == 0 and account.unit_scope is None
    db.session.close()
    assert login(new_client(), "old@force.test").status_code == 302
