"""A measure across the waves of one instrument: overall or for one group, each point under
its own wave's disclosure control, with the change since the previous wave and the
smallest change the latest pair of waves could detect. For one group, also its gap to the
comparison group in each wave and the change of that gap, shown only between waves whose
gaps are both published."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analytics.gaps import Gap
from analytics.measures import ItemSummary, ScoreSummary
from analytics.trends import (
    DetectableChange,
    SeriesChange,
    WaveEstimate,
    changes_since_previous,
    detectable_mean_change,
    detectable_proportion_change,
    gap_changes_since_previous,
)
from survey.extensions import db
from survey.models import Instrument, Wave, WaveState
from survey.reporting.breakdowns import breakdown_view, measure_title, overall_figure
from survey.reporting.memo import memoised
from survey.services.instruments import wave_definition


@dataclass(frozen=True)
class TrendPoint:
    wave: str
    label: str
    n: int | None  # None: hidden in that wave
    estimate: float | None  # mean score, or % favourable for an item
    summary: ItemSummary | ScoreSummary | None
    gap: Gap | None = None  # the group against the rest, where that wave publishes it


@dataclass(frozen=True)
class Trend:
    measure: str
    title: str
    level: str | None
    group: str | None
    points: tuple[TrendPoint, ...]
    changes: tuple[SeriesChange, ...]
    detectable: float | DetectableChange | None  # for the latest two visible points
    gap_changes: tuple[SeriesChange, ...] = ()  # between waves whose gaps are both shown


@memoised
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


@memoised
def trend(wave: Wave, measure: str, level: str | None = None, group: str | None = None) -> Trend:
    points = tuple(_point(w, measure, level, group) for w in waves_of_instrument(wave))
    visible = [
        WaveEstimate(p.label, p.estimate, _interval(p.summary), p.n)
        for p in points if p.summary is not None
    ]
    gaps = [(p.label, p.gap.n_group, p.gap.difference) for p in points if p.gap is not None]
    title = measure_title(wave_definition(wave), measure)
    return Trend(measure, title, level, group, points,
                 tuple(changes_since_previous(visible)), _detectable(points),
                 tuple(gap_changes_since_previous(gaps)))


def _point(wave: Wave, measure: str, level: str | None, group: str | None) -> TrendPoint:
    summary, gap = None, None
    if level is None or group is None:
        summary = overall_figure(wave, measure)
    elif wave_definition(wave).levels.get(level, (None,))[0] in wave.breakdowns:
        figures = breakdown_view(wave, level, measure).measures[measure]
        summary = next((f.summary for f in figures.groups if f.group == group), None)
        gap = _published_gap(figures.gaps.versus_rest if figures.gaps else (), group)
    return TrendPoint(wave.code, wave.title, summary.n if summary else None,
                      _estimate(summary), summary, gap)


def _published_gap(gaps: tuple[Gap, ...], group: str) -> Gap | None:
    """The group's gap to the rest as its wave publishes it (None: hidden, or no interval)."""
    gap = next((g for g in gaps if g.group == group), None)
    return gap if gap is not None and gap.difference is not None else None


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
