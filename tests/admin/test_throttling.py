"""Sign-in throttling: failed attempts per account and per client address, shared by every
app instance through Redis, never revealing whether an account exists, never on respondents."""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid

import pytest

from survey import create_app
from survey.admin.signin import FAILED, THROTTLED
from survey.extensions import db, limiter
from tests.conftest import TEST_SECRET, csrf_token, redis_or_skip
from tests.staff_accounts import PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def attempt(client, email: str, password: str, address: str = "10.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/admin/login", environ_base=environ)
    return client.post(
        "/admin/login", environ_base=environ,
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


def without_token(page: str) -> str:
    return page.replace(csrf_token(page), "TOKEN")


def test_an_account_is_throttled_after_five_failures_from_one_address(new_client, staff):
    client = new_client()
    for _ in range(5):
        assert attempt(client, "hr@force.test", "wrong password", "10.0.1.1").status_code == 422
    response = attempt(client, "hr@force.test", PASSWORD, "10.0.1.1")
    assert response.status_code == 429, "even the right password waits once throttled"
    assert THROTTLED in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert attempt(client, "admin@force.test", PASSWORD, "10.0.1.1").status_code == 302
    assert attempt(new_client(), "hr@force.test", PASSWORD, "10.0.1.2").status_code == 302, (
        "the account's owner, elsewhere, is not locked out by one client's failures"
    )


def test_an_account_is_throttled_after_fifteen_failures_even_from_new_addresses(
    new_client, staff
):
    client = new_client()
    for n in range(15):
        response = attempt(client, "hr@force.test", "wrong password", f"10.0.1.{n}")
        assert response.status_code == 422
    response = attempt(client, "hr@force.test", PASSWORD, "10.0.1.99")
    assert response.status_code == 429, "a guess spread over many addresses is capped too"
    assert THROTTLED in response.text
    assert attempt(client, "admin@force.test", PASSWORD, "10.0.1.99").status_code == 302


def test_throttling_does_not_tell_whether_an_account_exists(new_client, staff):
    pages = {}
    for email in ("hr@force.test", "nobody@force.test"):
        client = new_client()
        for _ in range(5):
            assert attempt(client, email, "wrong password", "10.0.2.1").status_code == 422
        response = attempt(client, email, "wrong password", "10.0.2.1")
        assert response.status_code == 429
        pages[email] = without_token(response.text).replace(email, "EMAIL")
    assert pages["hr@force.test"] == pages["nobody@force.test"]
    assert FAILED not in pages["hr@force.test"]


def test_a_client_address_is_throttled_after_twenty_failures(new_client, staff):
    client = new_client()
    for n in range(20):
        assert attempt(client, f"guess{n}@force.test", "wrong password").status_code == 422
    assert attempt(client, "admin@force.test", PASSWORD).status_code == 429
    assert attempt(client, "admin@force.test", PASSWORD, "10.9.9.9").status_code == 302


def test_successful_sign_ins_are_not_counted(new_client, staff):
    for _ in range(8):
        assert attempt(new_client(), "admin@force.test", PASSWORD).status_code == 302


def test_incomplete_forms_are_not_counted(new_client, staff):
    client = new_client()
    for _ in range(8):
        assert attempt(client, "hr@force.test", "").status_code == 422
    assert attempt(client, "hr@force.test", PASSWORD).status_code == 302


def test_starting_the_survey_is_never_throttled(client, make_wave):
    """Only refused codes at submission count against a client (tests/respond/)."""
    make_wave(state="open")
    for _ in range(30):
        page = client.get("/take", environ_base={"REMOTE_ADDR": "10.0.3.1"})
        response = client.post(
            "/take", environ_base={"REMOTE_ADDR": "10.0.3.1"},
            data={"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG",
                  "csrf_token": csrf_token(page.text)},
        )
        assert response.status_code == 200
        assert "Retry-After" not in response.headers


# Across app instances (gunicorn workers) --------------------------------------------


@pytest.fixture
def worker(app):
    """worker(redis_url) -> a separate app instance on the test database, as a worker is.

    Each create_app() builds its limiter storage afresh from its own configuration (a
    new Redis client, or a new empty memory store), so only what is stored in Redis is
    shared between two of them.
    """
    made = []

    def build(redis_url: str | None):
        db.session.close()  # SQLite: the other instance has its own session
        instance = create_app({
            "SURVEY_ENV": "testing",
            "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        })
        made.append(instance)
        return instance

    yield build
    for instance in made:
        with instance.app_context():
            db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object per process: give it back to `app`


def test_throttling_holds_across_two_instances_sharing_redis(worker, new_client, staff):
    connection = redis_or_skip(REDIS_URL)
    email = f"{uuid.uuid4().hex}@force.test"  # unique: other test runs may share this Redis
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    try:
        first = worker(REDIS_URL)
        for _ in range(5):
            assert attempt(new_client(first), email, "wrong password", address).status_code == 422
        second = worker(REDIS_URL)
        response = attempt(new_client(second), email, "wrong password", address)
        assert response.status_code == 429, "the second instance sees the first one's failures"
        stored = [key.decode() for key in connection.scan_iter(match="*survey-sign-in*")]
        assert any(account_key(email) in key for key in stored)
        assert not any(email in key for key in stored), "addresses tried are stored hashed"
    finally:
        for key in connection.scan_iter(match="*survey-sign-in*"):
            if account_key(email) in key.decode() or address in key.decode():
                connection.delete(key)


def test_without_redis_each_instance_counts_alone(worker, new_client, staff):
    """The control for the test above: it is Redis that carries the counts across."""
    first = worker(None)
    for _ in range(5):
        assert attempt(new_client(first), "hr@force.test", "wrong password").status_code == 422
    second = worker(None)
    assert attempt(new_client(second), "hr@force.test", "wrong password").status_code == 422


def account_key(email: str) -> str:
    return hmac.new(TEST_SECRET.encode(), email.encode(), hashlib.sha256).hexdigest()[:32]


def test_the_session_app_uses_memory_storage_unless_redis_is_configured(app):
    expected = app.config["REDIS_URL"] or "memory://"
    assert app.config["RATELIMIT_STORAGE_URI"] == expected
