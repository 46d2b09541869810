"""A measure across the waves of one instrument: overall or for one group, each point under
its own wave's disclosure control, with the change since the previous wave and the
smallest change the latest pair of waves could detect."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analytics.measures import ItemSummary, ScoreSummary
from analytics.trends import (
    DetectableChange,
    SeriesChange,
    WaveEstimate,
    changes_since_previous,
    detectable_mean_change,
    detectable_proportion_change,
)
from survey.extensions import db
from survey.models import Instrument, Wave, WaveState
from survey.reporting.breakdowns import breakdown_view, measure_title, overall_figure
from survey.services.instruments import wave_definition


@dataclass(frozen=True)
class TrendPoint:
    wave: str
    label: str
    n: int | None  # None: hidden in that wave
    estimate: float | None  # mean score, or % favourable for an item
    summary: ItemSummary | ScoreSummary | None


@dataclass(frozen=True)
class Trend:
    measure: str
    title: str
    level: str | None
    group: str | None
    points: tuple[TrendPoint, ...]
    changes: tuple[SeriesChange, ...]
    detectable: float | DetectableChange | None  # for the latest two visible points


def waves_of_instrument(wave: Wave) -> list[Wave]:
    """Closed waves of the same instrument (any version), up to this one: an open wave
    publishes nothing, so it is never a point of a trend."""
    return list(
        db.session.scalars(
            select(Wave)
            .join(Instrument)
            .where(Instrument.code == wave.instrument.code, Wave.state == WaveState.CLOSED)
            .where(Wave.opens_on <= wave.opens_on)
            .order_by(Wave.opens_on)
        )
    )


def trend(wave: Wave, measure: str, level: str | None = None, group: str | None = None) -> Trend:
    points = tuple(_point(w, measure, level, group) for w in waves_of_instrument(wave))
    visible = [
        WaveEstimate(p.label, p.estimate, _interval(p.summary), p.n)
        for p in points if p.summary is not None
    ]
    title = measure_title(wave_definition(wave), measure)
    return Trend(measure, title, level, group, points,
                 tuple(changes_since_previous(visible)), _detectable(points))


def _point(wave: Wave, measure: str, level: str | None, group: str | None) -> TrendPoint:
    if level is None or group is None:
        summary = overall_figure(wave, measure)
    elif wave_definition(wave).levels.get(level, (None,))[0] in wave.breakdowns:
        figures = breakdown_view(wave, level, measure).measures[measure].groups
        summary = next((f.summary for f in figures if f.group == group), None)
    else:
        summary = None  # that wave did not report this breakdown
    return TrendPoint(wave.code, wave.title, summary.n if summary else None,
                      _estimate(summary), summary)


def _estimate(summary) -> float | None:
    if summary is None:
        return None
    if isinstance(summary, ScoreSummary):
        return summary.mean
    return summary.favourable.proportion


def _interval(summary):
    return summary.interval if isinstance(summary, ScoreSummary) else summary.favourable.interval


def _detectable(points: tuple[TrendPoint, ...]) -> float | DetectableChange | None:
    shown = [p for p in points if p.summary is not None]
    if len(shown) < 2:
        return None
    earlier, later = shown[-2], shown[-1]
    if isinstance(later.summary, ScoreSummary):
        if min(earlier.n, later.n) < 2:
            return None
        return detectable_mean_change(later.summary.sd, earlier.n, later.n)
    return detectable_proportion_change(earlier.estimate, earlier.n, later.n)
