"""Wave life cycle: draft -> open -> closed.

Opening fixes the instrument version, the thresholds and the reportable breakdowns:
respondents are told them on the landing page, so they may never change afterwards.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import HeldResponse, Instrument, InvitationCode, Wave, WaveState
from survey.services import DomainError, NotFound
from survey.services.responses import release_held_responses

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
    """Release every held response (the last batch may be smaller than k), then purge codes.

    Returns the number of responses released by the close.
    """
    if wave.state != WaveState.OPEN:
        raise WaveLocked(f"Only an open wave can be closed; {wave.code} is {wave.state.value}.")
    released = release_held_responses(wave, minimum=1)
    wave.codes_spent_at_close = codes_spent(wave)
    db.session.execute(delete(InvitationCode).where(InvitationCode.wave_id == wave.id))
    db.session.execute(delete(HeldResponse).where(HeldResponse.wave_id == wave.id))
    wave.state = WaveState.CLOSED
    db.session.flush()
    return released


def codes_spent(wave: Wave) -> int:
    if wave.codes_spent_at_close is not None:
        return wave.codes_spent_at_close
    return db.session.scalar(
        select(func.count()).select_from(InvitationCode).filter_by(wave_id=wave.id, spent=True)
    )


def open_waves() -> list[Wave]:
    return list(
        db.session.scalars(select(Wave).filter_by(state=WaveState.OPEN).order_by(Wave.closes_on))
    )
