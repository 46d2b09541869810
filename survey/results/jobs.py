"""Exports too large to build within a request, prepared in the background.

The request that asks for one only records the job and returns; a worker thread of the
same process builds the file in a read-only unit of work of its own (on SQLite it never
takes the write lock), writes it beside a small JSON file naming its owner in
EXPORT_FOLDER (default <instance>/exports/; written to .part, then renamed), and any
worker process on the host can then serve it. Files are removed after KEEP_SECONDS.
In production with several hosts,
point the instance folder at shared storage, or run the same function from a job queue
(e.g. RQ on the REDIS_URL server).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from pathlib import Path

from flask import Flask

from survey.database import reading_only
from survey.extensions import db

KEEP_SECONDS = 3600
log = logging.getLogger(__name__)


JOB_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def start_comments_export(app: Flask, owner: int, wave: str, question: str, fmt: str) -> str:
    """Record a job for all the shown comments of one question; returns its id."""
    folder = _folder(app)
    _remove_old(folder)
    job = secrets.token_urlsafe(16)
    meta = {"owner": owner, "wave": wave, "question": question, "format": fmt,
            "state": "running", "name": None, "at": time.time()}
    _write_meta(folder, job, meta)
    if app.config["EXPORT_JOBS"] == "inline":
        _build(app, job, meta)
    else:
        threading.Thread(target=_build, args=(app, job, meta), daemon=True).start()
    return job


def job_state(app: Flask, job: str, owner: int) -> dict | None:
    """The job's details if it exists and belongs to `owner` (None otherwise)."""
    if not JOB_ID.fullmatch(job):  # token_urlsafe(16): ASCII only, never a long path
        return None
    path = _folder(app) / f"{job}.json"
    if not path.is_file():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    return meta if meta["owner"] == owner else None


def job_file(app: Flask, job: str, meta: dict) -> Path:
    return _folder(app) / f"{job}.{meta['format']}"


def _build(app: Flask, job: str, meta: dict) -> None:
    from survey.results import exports, pages

    folder = _folder(app)
    with app.app_context():
        reading_only(True)
        try:
            page = pages.comments_export(meta["wave"], meta["question"])
            body = exports.render(page.report, meta["format"])
        except Exception:
            log.exception("export job failed")
            _write_meta(folder, job, {**meta, "state": "failed"})
            return
        finally:
            db.session.remove()
            reading_only(False)
    part = folder / f"{job}.part"
    part.write_bytes(body)
    part.replace(folder / f"{job}.{meta['format']}")
    _write_meta(folder, job, {**meta, "state": "ready", "name": page.report.name})


def _write_meta(folder: Path, job: str, meta: dict) -> None:
    part = folder / f"{job}.json.part"
    part.write_text(json.dumps(meta), encoding="utf-8")
    part.replace(folder / f"{job}.json")


def _folder(app: Flask) -> Path:
    folder = Path(app.config["EXPORT_FOLDER"] or Path(app.instance_path) / "exports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
