"""A fresh database holding one open wave of N synthetic responses, loaded the real way.

Every response goes through `survey.services.responses.import_responses`, the path demo
data and past-wave imports take: validated, scored, grouped, shuffled, stored under fresh
random keys, and added to the wave's tally (per-group sufficient statistics) in the same
transaction. The load time is therefore the release-time price of fast reports.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from survey import create_app
from survey.demo.synthetic import generate_responses
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Comment, Response, Tally, Wave
from survey.services.instruments import (
    DEFAULT_INSTRUMENT,
    load_units,
    register_instrument_file,
    unit_choices,
)
from survey.services.responses import import_responses
from survey.services.waves import create_wave, open_wave

UNITS = DEFAULT_INSTRUMENT.parent.parent.parent / "demo/units.yaml"
# Fixed, so that the servers and the loaders agree; random-looking enough for production.
SECRET = hashlib.sha256(b"survey benchmarks").hexdigest()
WAVE_CODE = "bench"
SEED = 20_261_126


@dataclass
class Loaded:
    """What a load produced and what it cost."""

    url: str
    wave_id: int
    responses: int
    tally_rows: int
    generate_seconds: float  # drawing the synthetic answers (not product cost)
    release_seconds: float  # import_responses + commit, summed over chunks
    chunk_seconds: list[float] = field(default_factory=list)
    copy_seconds: float = 0.0  # copies made in the database (load_wave's `distinct`)

    @property
    def rate(self) -> float:
        return self.responses / self.release_seconds if self.release_seconds else 0.0


PG_PREFIX = "perf_bench_"
_created: set[str] = set()


def make_app(url: str) -> Flask:
    return create_app(
        {"SURVEY_ENV": "testing", "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url}
    )


def fresh_database(
    kind: str, size: int, workdir: Path, pg_base: str, prefix: str = PG_PREFIX
) -> str:
    """An empty database for one run; its SQLAlchemy URL."""
    if kind == "sqlite":
        path = workdir / f"bench_{size}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if kind == "postgresql":
        # A name no other run or person uses: only databases this run created are dropped.
        name = f"{prefix}{size}_{secrets.token_hex(4)}"
        admin = pg_base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        _created.add(name)
        return f"{pg_base}/{name}"
    raise ValueError(f"unknown database {kind!r}")


def drop_database(kind: str, url: str, pg_base: str) -> None:
    if kind == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    if name not in _created:
        raise ValueError(f"{name} was not created by this run; it is left alone")
    _created.discard(name)
    admin = pg_base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_wave(
    url: str, size: int, chunk: int, progress=None, distinct: int | None = None
) -> Loaded:
    """Migrate, load units and the default instrument, open a wave, store `size` responses.

    With `distinct`, only that many go through import_responses; the rest are copies of
    them made inside the database under fresh random keys (`copy_responses`), which is
    minutes faster at 250,000 and gives the tally the same work (comments are not copied)."""
    app = make_app(url)
    with app.app_context():
        logging.disable(logging.INFO)  # the migrations' own logging config would print steps
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        load_units(UNITS)
        instrument = register_instrument_file(DEFAULT_INSTRUMENT)
        today = date.today()
        wave = create_wave(WAVE_CODE, "Benchmark wave", instrument, today, today + timedelta(21))
        open_wave(wave)
        db.session.commit()
        definition = Definition(instrument.definition)
        units = [code for code, _ in unit_choices()]
        loaded = Loaded(url, wave.id, 0, 0, 0.0, 0.0)
        stored = min(size, distinct or size)
        for number, start in enumerate(range(0, stored, chunk)):
            count = min(chunk, stored - start)
            began = time.perf_counter()
            rows = generate_responses(definition, units, count, wave_index=0, seed=SEED + number)
            generated = time.perf_counter()
            import_responses(wave, rows)
            db.session.commit()
            done = time.perf_counter()
            loaded.generate_seconds += generated - began
            loaded.chunk_seconds.append(done - generated)
            loaded.release_seconds += done - generated
            loaded.responses += count
            if progress:
                progress(loaded)
        began = time.perf_counter()
        copy_responses(wave.id, size - stored)
        db.session.commit()
        loaded.copy_seconds = time.perf_counter() - began
        loaded.responses = db.session.scalar(
            select(func.count()).select_from(Response).filter_by(wave_id=wave.id)
        )
        loaded.tally_rows = db.session.scalar(
            select(func.count()).select_from(Tally).filter_by(wave_id=wave.id)
        )
        db.session.remove()
        db.engine.dispose()
    return loaded


_FRESH_KEY = {
    "postgresql": "md5(random()::text || clock_timestamp()::text || r.key)",
    "sqlite": "lower(hex(randomblob(16)))",
}


def copy_responses(wave_id: int, count: int) -> None:
    """Add `count` copies of the wave's stored responses, each under a fresh random key."""
    fresh_key = _FRESH_KEY[db.engine.dialect.name]
    stored = db.session.scalar(
        select(func.count()).select_from(Response).filter_by(wave_id=wave_id)
    )
    while count > 0:
        batch = min(count, stored)
        db.session.execute(
            text(
                f"INSERT INTO response (key, wave_id, answers, scores, groups) "
                f"SELECT {fresh_key}, r.wave_id, r.answers, r.scores, r.groups "
                "FROM response r WHERE r.wave_id = :wave LIMIT :batch"
            ),
            {"wave": wave_id, "batch": batch},
        )
        count -= batch


def copy_comments(wave_id: int, count: int) -> None:
    """Add `count` copies of the wave's stored comments, each under a fresh random key."""
    fresh_key = _FRESH_KEY[db.engine.dialect.name].replace("r.key", "c.key")
    stored = db.session.scalar(select(func.count()).select_from(Comment).filter_by(wave_id=wave_id))
    while count > 0:
        batch = min(count, stored)
        db.session.execute(
            text(
                f"INSERT INTO comment (key, wave_id, question, unit_top, text) "
                f"SELECT {fresh_key}, c.wave_id, c.question, c.unit_top, c.text "
                "FROM comment c WHERE c.wave_id = :wave LIMIT :batch"
            ),
            {"wave": wave_id, "batch": batch},
        )
        count -= batch


def time_small_releases(url: str, wave_id: int, batches: int, size: int) -> list[float]:
    """Seconds per release of `size` more responses (a live release is a batch of about
    k, the wave's threshold) into an already full wave. Run last: it adds responses."""
    app = make_app(url)
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        definition = Definition(wave.instrument.definition)
        units = [code for code, _ in unit_choices()]
        times = []
        for number in range(batches):
            rows = generate_responses(definition, units, size, wave_index=0, seed=SEED - 1 - number)
            began = time.perf_counter()
            import_responses(wave, rows)
            db.session.commit()
            times.append(time.perf_counter() - began)
        db.session.remove()
        db.engine.dispose()
    return times
