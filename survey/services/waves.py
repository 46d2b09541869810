"""Wave life cycle: draft -> open -> closed.

Opening fixes the instrument version, the thresholds and the reportable breakdowns:
respondents are told them on the landing page, so they may never change afterwards.
Closing publishes: an open wave's figures are never shown, only its banded progress.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from survey.database import checkpoint_after_commit
from survey.extensions import db, spending
from survey.instruments import Definition
from survey.models import Instrument, InvitationCode, Response, Wave, WaveState
from survey.services import DomainError, NotFound
from survey.services.tally import build_tally

MIN_THRESHOLD = 5
DEFAULT_THRESHOLD = 10
DEFAULT_COMMENT_THRESHOLD = 15
FIXED_AT_OPENING = (
    "instrument_id",
    "threshold",
    "comment_threshold",
    "breakdowns",
    "intersections",
)


class WaveLocked(DomainError):
    """A change to something an open or closed wave has fixed."""


def get_wave(code: str) -> Wave:
    wave = db.session.scalar(select(Wave).filter_by(code=code))
    if wave is None:
        raise NotFound(f"There is no wave {code!r}.")
    return wave


def create_wave(
    code: str,
    title: str,
    instrument: Instrument,
    opens_on: date,
    closes_on: date,
    threshold: int = DEFAULT_THRESHOLD,
    comment_threshold: int = DEFAULT_COMMENT_THRESHOLD,
    breakdowns: list[str] | None = None,
    intersections: list[list[str]] | None = None,
) -> Wave:
    definition = Definition(instrument.definition)
    if db.session.scalar(select(Wave.id).filter_by(code=code)):
        raise DomainError(f"A wave called {code!r} already exists.")
    wave = Wave(code=code, title=title, instrument=instrument, state=WaveState.DRAFT)
    update_wave(
        wave,
        opens_on=opens_on,
        closes_on=closes_on,
        threshold=threshold,
        comment_threshold=comment_threshold,
        breakdowns=list(definition.breakdowns) if breakdowns is None else breakdowns,
        intersections=definition.data.get("intersections", [])
        if intersections is None
        else intersections,
    )
    db.session.add(wave)
    db.session.flush()
    return wave


def update_wave(wave: Wave, **changes) -> None:
    """Apply changes to a wave, refusing any to what opening has fixed."""
    if wave.state != WaveState.DRAFT and (locked := sorted(set(changes) & set(FIXED_AT_OPENING))):
        raise WaveLocked(
            f"Wave {wave.code} is {wave.state.value}: its {', '.join(locked)} were fixed when it "
            "opened and were shown to respondents, so they cannot change."
        )
    for name, value in changes.items():
        setattr(wave, name, value)
    _validate(wave)


def _validate(wave: Wave) -> None:
    if wave.threshold is None or wave.threshold < MIN_THRESHOLD:
        raise DomainError(f"The reporting threshold must be at least {MIN_THRESHOLD}.")
    if wave.comment_threshold < wave.threshold:
        raise DomainError("The comments threshold cannot be below the reporting threshold.")
    if wave.closes_on < wave.opens_on:
        raise DomainError("A wave cannot close before it opens.")
    definition = Definition(wave.instrument.definition)
    if unknown := [b for b in wave.breakdowns if b not in definition.breakdowns]:
        raise DomainError(f"The instrument has no breakdowns {', '.join(unknown)}.")


def open_wave(wave: Wave) -> None:
    if wave.state != WaveState.DRAFT:
        raise WaveLocked(f"Wave {wave.code} is already {wave.state.value}.")
    wave.state = WaveState.OPEN
    db.session.flush()


def close_wave(wave: Wave) -> int:
    """Publish a wave: refuse further answers, discard the spends still pending (they are
    never written, so the last small batch links to nothing), purge every code, and build
    the tally of all responses at once. Returns the number of responses.

    The wave row is locked FOR UPDATE first, which waits for submissions in flight (they
    hold it FOR KEY SHARE); those that come after see the wave closed and are refused.
    """
    db.session.refresh(wave, with_for_update=True)
    if wave.state != WaveState.OPEN:
        raise WaveLocked(f"Only an open wave can be closed; {wave.code} is {wave.state.value}.")
    spending.store.discard(wave.id)
    responses = db.session.scalar(
        select(func.count()).select_from(Response).filter_by(wave_id=wave.id)
    )
    wave.codes_spent_at_close = responses
    db.session.execute(delete(InvitationCode).where(InvitationCode.wave_id == wave.id))
    wave.state = WaveState.CLOSED
    wave.progress = None
    build_tally(wave)
    db.session.flush()
    checkpoint_after_commit(db.session)
    return responses


def open_waves() -> list[Wave]:
    return list(
        db.session.scalars(select(Wave).filter_by(state=WaveState.OPEN).order_by(Wave.closes_on))
    )
