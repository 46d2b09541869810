"""Sign-in throttling that survives a reverse proxy and several workers, and that no one
client can turn against everyone else (issue 11: 21 failures from one address locked
every member of staff out, because behind nginx every address was the proxy's).

tests/admin/test_throttling.py has the limits themselves and the Redis sharing; these
are the lockout, the proxy and the Retry-After cases.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from survey import create_app
from survey.admin import signin
from survey.admin.sessions import PER_PROCESS_WARNING
from survey.admin.signin import THROTTLED
from survey.extensions import db, limiter
from survey.models import User
from survey.services.users import normalise_email
from tests.conftest import TEST_SECRET, csrf_token
from tests.staff_accounts import PASSWORD

PROXY = "127.0.0.1"  # nginx on the same host, as in the README


def attempt(client, email: str, password: str, address: str = "10.0.0.1",
            forwarded: str | None = None):
    environ = {"REMOTE_ADDR": address}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/admin/login", environ_base=environ, headers=headers)
    return client.post(
        "/admin/login", environ_base=environ, headers=headers,
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


@pytest.fixture(autouse=True)
def _quick_passwords(monkeypatch):
    """These tests are about counting failures, not about Argon2 (0.3 s per attempt,
    tested in tests/admin): the same decision, without the hashing."""

    def authenticate(email: str, password: str):
        user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
        return user if user is not None and user.active and password == PASSWORD else None

    monkeypatch.setattr(signin, "authenticate", authenticate)


@pytest.fixture
def instance(app):
    """instance(**settings) -> an app instance on the test database (a worker)."""
    made = []

    def build(**settings):
        db.session.close()
        made.append(create_app({
            "SURVEY_ENV": "testing", "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": "memory://", **settings,
        }))
        return made[-1]

    yield build
    for made_app in made:
        with made_app.app_context():
            db.engine.dispose()
    limiter.init_app(app)


def test_one_client_cannot_lock_anyone_else_out(new_client, staff):
    """An anonymous client fails as often as the limits let it, on every account it can
    guess; everyone else still signs in, from their own addresses."""
    attacker = new_client()
    refused = 0
    for round_ in range(8):
        for email in ("admin@force.test", "hr@force.test", "pao@force.test",
                      f"guess{round_}@force.test"):
            status = attempt(attacker, email, "wrong password", "10.66.0.1").status_code
            refused += status == 429
    assert refused > 0, "the attacker was throttled"
    for n, email in enumerate(("admin@force.test", "hr@force.test", "pao@force.test")):
        response = attempt(new_client(), email, PASSWORD, f"10.1.0.{n}")
        assert response.status_code == 302, email


def test_every_429_carries_retry_after(new_client, staff):
    client = new_client()
    for _ in range(5):
        attempt(client, "hr@force.test", "wrong password", "10.2.0.1")
    response = attempt(client, "hr@force.test", "wrong password", "10.2.0.1")
    assert response.status_code == 429 and THROTTLED in response.text
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= 61, "the per-minute window reopens within a minute"
    for n in range(20):  # the client's own limit, over other accounts
        attempt(client, f"guess{n}@force.test", "wrong password", "10.2.0.2")
    response = attempt(client, "admin@force.test", PASSWORD, "10.2.0.2")
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 3600


def test_behind_a_trusted_proxy_each_client_is_limited_on_its_own(instance, new_client, staff):
    app = instance(TRUSTED_PROXY_HOPS=1)
    attacker, colleague = new_client(app), new_client(app)
    for n in range(20):
        attempt(attacker, f"guess{n}@force.test", "wrong", PROXY, forwarded="203.0.113.9")
    assert attempt(attacker, "admin@force.test", PASSWORD, PROXY,
                   forwarded="203.0.113.9").status_code == 429
    # A colleague behind the same proxy is not the attacker: the proxy says so.
    assert attempt(colleague, "admin@force.test", PASSWORD, PROXY,
                   forwarded="203.0.113.10").status_code == 302


def test_a_client_cannot_escape_its_limit_by_inventing_forwarded_addresses(
    instance, new_client, staff
):
    """Only the hop the trusted proxy added counts: an address the client put in front of
    it is ignored, so writing a new one on every attempt gains nothing."""
    app = instance(TRUSTED_PROXY_HOPS=1)
    attacker = new_client(app)
    for n in range(20):
        forwarded = f"198.51.100.{n}, 203.0.113.9"  # invented, then what nginx appended
        attempt(attacker, f"guess{n}@force.test", "wrong", PROXY, forwarded=forwarded)
    response = attempt(attacker, "admin@force.test", PASSWORD, PROXY,
                       forwarded="198.51.100.99, 203.0.113.9")
    assert response.status_code == 429


def test_without_trusted_proxies_forwarded_addresses_are_ignored(instance, new_client, staff):
    app = instance()  # TRUSTED_PROXY_HOPS defaults to 0: the app faces clients directly
    attacker = new_client(app)
    for n in range(20):
        attempt(attacker, f"guess{n}@force.test", "wrong", "10.3.0.1", forwarded=f"10.9.9.{n}")
    assert attempt(attacker, "admin@force.test", PASSWORD, "10.3.0.1",
                   forwarded="10.9.9.99").status_code == 429


def test_the_control_without_proxy_settings_one_attacker_locks_out_the_proxy(
    instance, new_client, staff
):
    """Why TRUSTED_PROXY_HOPS matters: left at 0 behind nginx, every client has the
    proxy's address, and one client's failures stop everyone (the issue's finding)."""
    app = instance()
    for n in range(20):
        attempt(new_client(app), f"guess{n}@force.test", "wrong", PROXY, forwarded="203.0.113.9")
    assert attempt(new_client(app), "admin@force.test", PASSWORD, PROXY,
                   forwarded="203.0.113.10").status_code == 429


def test_proxy_hops_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    monkeypatch.setenv("SURVEY_ENV", "testing")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert create_app().config["TRUSTED_PROXY_HOPS"] == 1
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "one")
    with pytest.raises(Exception, match="TRUSTED_PROXY_HOPS must be a whole number"):
        create_app()


def test_production_says_loudly_when_limits_are_per_process(app, monkeypatch, tmp_path,
                                                            caplog):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    try:
        with caplog.at_level(logging.WARNING):
            create_app()
        assert PER_PROCESS_WARNING in [r.getMessage() for r in caplog.records]
        assert [r.levelno for r in caplog.records if r.getMessage() == PER_PROCESS_WARNING] == [
            logging.WARNING
        ]
        caplog.clear()
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/6")
        with caplog.at_level(logging.WARNING):
            create_app()
        assert PER_PROCESS_WARNING not in [r.getMessage() for r in caplog.records]
    finally:
        limiter.init_app(app)
