"""Fixtures shared by every test: one app per session, an empty database per test.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another
(CI runs the whole suite a second time against PostgreSQL). The schema always comes
from the migrations, never from create_all.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import redis
from flask import has_app_context
from flask_migrate import upgrade
from sqlalchemy import text

from survey import create_app
from survey.extensions import db, limiter, spending
from survey.models import Role
from survey.security import code_hash_key
from survey.services.codes import issue_codes, settle_codes
from survey.services.instruments import (
    DEFAULT_INSTRUMENT,
    forget_cached,
    load_units,
    register_instrument_file,
)
from survey.services.users import create_user
from survey.services.waves import create_wave, open_wave

pytest_plugins = ("tests.staff_accounts", "tests.results_data")

UNITS = DEFAULT_INSTRUMENT.parent.parent.parent / "demo/units.yaml"
TEST_SECRET = "test-secret-HtIb5QAdFc9dLQpt-NgPTSDY2vze2uLQVJZgJFZ6"  # random: production takes it
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "SURVEY_ENV": "testing",
            "SECRET_KEY": TEST_SECRET,
            "SQLALCHEMY_DATABASE_URI": test_database_url(tmp_path_factory),
            "BASE_URL": "https://survey.test",
            "PREFER_HTTPS": False,
            "EXPORT_FOLDER": str(tmp_path_factory.mktemp("exports")),
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_database(app):
    """Every test starts and ends with empty tables (the schema stays), and starts with no
    throttling counts (sign-in, refused codes)."""
    with app.app_context():
        limiter.reset()
    yield
    if has_app_context():
        db.session.remove()  # the test's own session, which may hold SQLite's write lock
    spending.store.clear()
    forget_cached()  # the next test reuses row ids for other instruments and waves
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def dialect(app) -> str:
    return db.engine.dialect.name


@pytest.fixture
def code_key(app) -> bytes:
    return code_hash_key(app)


@pytest.fixture
def instrument(app):
    """The default instrument, loaded with the demo unit tree."""
    load_units(UNITS)
    loaded = register_instrument_file(DEFAULT_INSTRUMENT)
    db.session.commit()
    return loaded


@pytest.fixture
def make_wave(instrument):
    """Build a wave: make_wave(state='open', threshold=10, code=...)."""
    counter = iter(range(1, 10_000))

    def build(state: str = "open", threshold: int = 10, code: str | None = None, **options):
        today = date.today()
        wave = create_wave(
            code or f"wave-{next(counter)}",
            "Test wave",
            instrument,
            options.pop("opens_on", today),
            options.pop("closes_on", today + timedelta(days=21)),
            threshold=threshold,
            comment_threshold=max(15, threshold),
            **options,
        )
        if state in ("open", "closed"):
            open_wave(wave)
        db.session.commit()
        if state == "closed":
            from survey.services.waves import close_wave

            close_wave(wave)
            db.session.commit()
        return wave

    return build


@pytest.fixture
def issue(code_key):
    """Issue codes for a wave: issue(wave, 3) -> list of printable codes."""

    def build(wave, count: int = 1) -> list[str]:
        codes = issue_codes(wave, count, code_key, override=True)
        db.session.commit()
        settle_codes(wave.id)  # as the admin page and the CLI do after issuing
        return codes

    return build


@pytest.fixture
def make_user(app):
    def build(
        email: str = "admin@force.test",
        role: Role = Role.ADMIN,
        password: str = "a long test password",
    ):
        user = create_user(email, password, role)
        db.session.commit()
        return user

    return build


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    assert match, "page has no CSRF token"
    return match.group(1)


def redis_or_skip(url: str) -> redis.Redis:
    """A client of the Redis at url; the test is skipped if none answers there."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    return client


@contextmanager
def serving(server) -> Iterator[str]:
    """Serve with a socketserver-based HTTP server on a thread: its URL, then stop it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
