"""SQLite in WAL mode: a long read (a report, an export) never blocks a submission."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text

from survey.database import reading_only
from survey.extensions import db
from survey.models import Response
from survey.services.codes import normalise_code
from survey.services.responses import submit_response


@pytest.fixture
def sqlite_only(dialect):
    if dialect != "sqlite":
        pytest.skip("SQLite's locking")


def test_the_database_runs_in_wal_mode_with_secure_delete(app, sqlite_only):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_long_read_does_not_block_a_submission(app, sqlite_only, make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    code, wave_id = issue(wave, 1)[0], wave.id
    db.session.remove()
    reading_only(True)
    try:
        reader = db.engine.connect()
        reader.execute(select(func.count()).select_from(Response))  # the read is open
    finally:
        reading_only(False)
    try:
        began = time.monotonic()
        submit_response(normalise_code(code), code_key, wave_id, {"who5_1": 2}, {})
        assert time.monotonic() - began < 5  # a held write lock would make this wait 30 s
        seen_by_reader = reader.execute(text("SELECT count(*) FROM response")).scalar()
    finally:
        reader.close()
    assert seen_by_reader == 0  # the reader kept its snapshot
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
