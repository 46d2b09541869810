"""What exists to report on: closed waves (a wave's figures are published only when it
closes, all at once), their respondent counts (after disclosure control) and the promotion
rounds HR has loaded. Read-only."""

from __future__ import annotations

from sqlalchemy import exists, select

from analytics.disclosure import DEFAULT_K
from survey.extensions import db
from survey.models import PromotionCount, Response, Wave, WaveState
from survey.reporting import breakdown_view, full_report, levels_of, reportable_measures
from survey.services.instruments import wave_definition


def released_waves() -> list[Wave]:
    """Closed waves with at least one response, newest first."""
    released = exists(select(Response.key).where(Response.wave_id == Wave.id))
    query = (
        select(Wave)
        .where(Wave.state == WaveState.CLOSED, released)
        .order_by(Wave.opens_on.desc(), Wave.id.desc())
    )
    return list(db.session.scalars(query))


def reportable_wave(code: str) -> Wave | None:
    """The wave with this code if it is closed: draft and open waves publish nothing."""
    wave = db.session.scalar(select(Wave).filter_by(code=code))
    return wave if wave is not None and wave.state == WaveState.CLOSED else None


def latest_released_wave() -> Wave | None:
    """The newest closed wave with results."""
    return next(iter(released_waves()), None)


def respondents(wave: Wave) -> int | None:
    """The wave's respondent count as published (None: fewer than k)."""
    definition = wave_definition(wave)
    first = next((lvl for code in wave.breakdowns for lvl in levels_of(definition, code)), None)
    if first is None:
        return full_report(wave).respondents
    total = breakdown_view(wave, first, reportable_measures(definition)[0]).respondents.total
    return total if isinstance(total, int) else None


def pipeline_rounds() -> list[str]:
    query = select(PromotionCount.round_code).distinct().order_by(PromotionCount.round_code)
    return list(db.session.scalars(query))


def round_breakdowns(round_code: str) -> list[str]:
    query = (
        select(PromotionCount.breakdown)
        .filter_by(round_code=round_code)
        .distinct()
        .order_by(PromotionCount.breakdown)
    )
    return list(db.session.scalars(query))


def round_groups(round_code: str, breakdown: str) -> list[str]:
    query = (
        select(PromotionCount.group_code)
        .filter_by(round_code=round_code, breakdown=breakdown)
        .distinct()
    )
    return sorted(db.session.scalars(query))


def pipeline_threshold(wave: Wave | None) -> int:
    """Pipeline figures use the larger of the default k and the latest wave's."""
    return max(DEFAULT_K, wave.threshold) if wave is not None else DEFAULT_K
