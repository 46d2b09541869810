"""Engine settings that the anonymity design relies on, and SQLite's locking.

SQLite runs in WAL mode: readers see a snapshot and never wait for the writer, and the
writer never waits for readers. A transaction takes the write lock at BEGIN (BEGIN
IMMEDIATE), so concurrent writers queue instead of failing to upgrade a read lock, except
in a read-only unit of work (a GET request, see `reading_only`), which begins deferred and
never takes the write lock. A read-only unit of work that must write after all calls
`start_writing` first.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

CHECKPOINT_AFTER_COMMIT = "checkpoint_wal_after_commit"

_configured = False
_reading = ContextVar("survey_sqlite_reading", default=False)


def configure_engine_events() -> None:
    """Register, once per process, the SQLite connection settings for every engine."""
    global _configured
    if not _configured:
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        event.listen(Session, "after_commit", _checkpoint_if_asked)
        event.listen(Session, "after_rollback", _forget_checkpoint)
        _configured = True


def checkpoint_after_commit(session) -> None:
    """Ask for a WAL checkpoint once this session's transaction commits (closing a wave:
    the frames that held its purged codes must leave the disk with them)."""
    session.info[CHECKPOINT_AFTER_COMMIT] = True


def _checkpoint_if_asked(session) -> None:
    if session.info.pop(CHECKPOINT_AFTER_COMMIT, False):
        checkpoint_sqlite(session.get_bind())


def _forget_checkpoint(session) -> None:
    session.info.pop(CHECKPOINT_AFTER_COMMIT, None)


def reading_only(active: bool) -> None:
    """Mark this thread's (or task's) coming transactions as reads, or not."""
    _reading.set(active)


def mark_reads() -> None:
    """before_request: a GET or HEAD is a read-only unit of work."""
    from flask import request

    reading_only(request.method in ("GET", "HEAD"))


def unmark_reads(_error=None) -> None:
    reading_only(False)


def start_writing(session) -> None:
    """End a read-only unit of work's snapshot so that its next transaction, which will
    write, takes the write lock at BEGIN (a deferred read cannot safely become a write)."""
    if _reading.get():
        _reading.set(False)
        session.commit()  # nothing written yet: this only ends the read


def _on_connect(dbapi_connection, _record) -> None:
    if not _is_sqlite(dbapi_connection):
        return
    # Take over transaction control from pysqlite so that we can choose how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # secure_delete: deleted codes and held answers are overwritten, not left in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    # Switch to WAL once per database file (a setting it keeps), not on every connection:
    # asking for it again while other connections write can fail with "disk I/O error".
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")
    # After each checkpoint the WAL file is cut back to nothing, so the frames it held
    # (page images, including deleted rows) do not linger on disk.
    cursor.execute("PRAGMA journal_size_limit = 0")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


def _on_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if _reading.get() else "BEGIN IMMEDIATE")


def checkpoint_sqlite(engine) -> None:
    """Copy the WAL into the database file and cut it to nothing, outside any transaction
    (after a wave's codes are purged, so no frame of them stays in the WAL file)."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")
