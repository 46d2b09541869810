"""Every reportable measure by the groups of one breakdown level: each group's gap from
the rest of the organisation, for a heatmap.

The figures are those of the gaps pages, taken from the same family of views: one
disclosure protection per wave, and one Benjamini-Hochberg family per measure over every
level of every breakdown, so a heatmap cell and the gaps page agree to the digit.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.gaps import Gap
from analytics.measures import ItemSummary, ScoreSummary
from survey.instruments import APART, Definition
from survey.models import Wave
from survey.reporting.breakdowns import family_views, reportable_measures


@dataclass(frozen=True)
class HeatCell:
    """One group's figure for one measure: n None = hidden; gap None = not compared (the
    only published group, or no one else to compare with)."""

    group: str
    n: int | None
    gap: Gap | None


@dataclass(frozen=True)
class HeatRow:
    measure: str
    title: str
    overall: ItemSummary | ScoreSummary | None
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class HeatmapView:
    wave: str
    k: int
    level: str
    title: str
    groups: dict[str, str]  # compared groups (code -> label), in the level's order
    rows: tuple[HeatRow, ...]


def heatmap_view(wave: Wave, level: str) -> HeatmapView:
    """Rows: every reportable measure; columns: the level's stated groups (not the
    not-stated or not-applicable, which are never compared)."""
    definition = Definition(wave.instrument.definition)
    if definition.levels[level][0] not in wave.breakdowns:
        raise KeyError(f"{level} is not a reportable breakdown of wave {wave.code}")
    views = family_views(wave, reportable_measures(definition))
    view = views[level]
    rows = tuple(_row(figures) for figures in view.measures.values())
    first = next(iter(view.measures.values()))
    groups = {f.group: f.label for f in first.groups if f.group not in APART}
    return HeatmapView(wave.code, wave.threshold, level, view.title, groups, rows)


def _row(figures) -> HeatRow:
    versus_rest = {gap.group: gap for gap in figures.gaps.versus_rest} if figures.gaps else {}
    cells = tuple(
        HeatCell(f.group, f.n, versus_rest.get(f.group)) if f.summary is not None
        else HeatCell(f.group, None, None)
        for f in figures.groups if f.group not in APART
    )
    return HeatRow(figures.measure, figures.title, figures.overall, cells)
