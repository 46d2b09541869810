"""Production refuses a long but predictable SECRET_KEY and debug mode; staff sessions end
STAFF_SESSION_MAX_AGE after signing in, however busy (as well as after idling)."""

from __future__ import annotations

import secrets
import time

import pytest
from sqlalchemy import select

from survey import create_app
from survey.admin.access import SEEN
from survey.admin.sessions import STARTED
from survey.config import MIN_SECRET_BITS, ConfigError, load_config, secret_strength
from survey.extensions import db, limiter
from survey.models import AuditEvent, Role
from survey.services.audit import SESSION_EXPIRED

WEAK = [
    "a" * 32,
    "abc" * 11,
    "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcab",
    "x9" * 24,
    "abcdefghijklmnopqrstuvwxyz012345",
    "0123456789" * 4,
    "test-secret-" + "k" * 40,
    "password" * 5,
    "ab" * 40 + "c",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
]


@pytest.fixture
def production(monkeypatch, tmp_path, app):
    """production(secret, **env) -> create_app() as production would run it."""
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/6")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)

    def build(secret: str, **env):
        monkeypatch.setenv("SECRET_KEY", secret)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return create_app()

    yield build
    limiter.init_app(app)


@pytest.mark.parametrize("secret", WEAK)
def test_production_refuses_a_long_but_predictable_secret(production, secret):
    assert len(secret) >= 32
    with pytest.raises(ConfigError, match="not random enough"):
        production(secret)


def test_production_takes_generated_secrets(production):
    production(secrets.token_urlsafe(48))
    for make in (lambda: secrets.token_urlsafe(48), lambda: secrets.token_urlsafe(24),
                 lambda: secrets.token_hex(16), lambda: secrets.token_hex(32)):
        strengths = [secret_strength(make()) for _ in range(2000)]
        assert min(strengths) >= MIN_SECRET_BITS, "no generated key is ever refused"


def test_the_estimate_counts_entropy_not_characters():
    assert secret_strength("a" * 1000) == 0
    assert secret_strength("abc" * 300) < 5  # a repeated unit counts once
    assert secret_strength(secrets.token_urlsafe(48)) > 250


@pytest.mark.parametrize("flag", ["1", "true", "yes"])
def test_production_refuses_flask_debug(production, flag):
    with pytest.raises(ConfigError, match="Debug mode"):
        production(secrets.token_urlsafe(48), FLASK_DEBUG=flag)


def test_production_refuses_debug_set_in_the_config(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="Debug mode"):
        create_app({"SURVEY_ENV": "production", "DEBUG": True,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_development_may_debug(monkeypatch, tmp_path, app):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    try:
        debug_app = create_app({"SURVEY_ENV": "development",
                                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
        assert debug_app.debug
    finally:
        limiter.init_app(app)


def test_flask_debug_off_is_not_debug(production):
    production(secrets.token_urlsafe(48), FLASK_DEBUG="0")


def test_the_absolute_lifetime_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFF_SESSION_MAX_AGE", "7200")
    assert load_config(str(tmp_path), {"SURVEY_ENV": "testing"})["STAFF_SESSION_MAX_AGE"] == 7200
    monkeypatch.delenv("STAFF_SESSION_MAX_AGE")
    assert load_config(str(tmp_path), {"SURVEY_ENV": "testing"})["STAFF_SESSION_MAX_AGE"] == 36000


# The absolute session lifetime ---------------------------------------------------------


def test_a_busy_session_still_ends_after_the_absolute_lifetime(app, new_client, staff, login):
    client = new_client()
    login(client, staff[Role.HR])
    max_age = app.config["STAFF_SESSION_MAX_AGE"]
    with client.session_transaction() as session:
        session[STARTED] = int(time.time()) - max_age + 60  # signed in nearly 10 hours ago
    assert client.get("/admin/").status_code == 200, "still inside the lifetime"
    with client.session_transaction() as session:
        session[STARTED] = int(time.time()) - max_age - 1
        session[SEEN] = int(time.time())  # active a moment ago: idle expiry would not end it
    response = client.get("/admin/waves/1/monitor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")
    assert "signed in more than 10 hours ago" in client.get(response.headers["Location"]).text
    assert client.get("/admin/").status_code == 302, "the session is gone"
    event = db.session.scalar(select(AuditEvent).filter_by(action=SESSION_EXPIRED))
    assert event.actor_email == "hr@force.test" and event.detail == {"reason": "max_age"}


def test_a_session_with_no_start_time_is_treated_as_old(new_client, staff, login):
    client = new_client()
    login(client, staff[Role.ADMIN])
    with client.session_transaction() as session:
        del session[STARTED]
    assert client.get("/admin/").status_code == 302


def test_signing_in_records_the_start_time(new_client, staff, login):
    client = new_client()
    before = int(time.time())
    login(client, staff[Role.ADMIN])
    with client.session_transaction() as session:
        assert before <= session[STARTED] <= int(time.time())


def test_respondent_pages_ignore_an_old_staff_session(app, new_client, staff, login):
    client = new_client()
    login(client, staff[Role.ADMIN])
    with client.session_transaction() as session:
        session[STARTED] = 0
    assert client.get("/take").status_code == 200
