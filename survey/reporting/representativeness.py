"""Respondents against the workforce: response rates, shares, and weighted estimates.

Headcounts (from HR records, per wave) give each group's share of the workforce. A
weighted estimate post-stratifies respondents to that profile; it is labelled weighted
and refused when any weighting cell is below k, since unequal weights could otherwise
be played against the unweighted figure to recover a small group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analytics.proportions import Share, share_of
from analytics.weighting import WeightedEstimate, rake, weighted_mean, weighted_proportion
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Headcount, Wave
from survey.reporting.breakdowns import breakdown_view, level_categories
from survey.reporting.stats import (
    favourable_tally,
    favourable_values,
    read_tally,
    respondents_for,
    roll_up,
    score_stats,
)
from survey.services.instruments import unit_choices
from survey.services.tally import RESPONDENTS


class WeightingRefused(ValueError):
    """No weighted estimate: missing headcounts, or a weighting cell below k."""


@dataclass(frozen=True)
class RepresentationRow:
    group: str
    label: str
    headcount: int
    respondents: int | None  # None: hidden
    response_rate: Share | None
    respondent_share: float | None
    workforce_share: float


def headcounts(wave: Wave, breakdown: str) -> dict[str, int]:
    """Workforce per group of a breakdown for this wave (units: each unit's own total)."""
    query = select(Headcount).filter_by(wave_id=wave.id)
    if breakdown == "unit":
        query = query.filter_by(breakdown="", group_code="").where(Headcount.unit != "")
        return {row.unit: row.count for row in db.session.scalars(query)}
    query = query.filter_by(unit="", breakdown=breakdown)
    return {row.group_code: row.count for row in db.session.scalars(query)}


def representation(wave: Wave, breakdown: str) -> list[RepresentationRow]:
    heads = headcounts(wave, breakdown)
    if not heads:
        return []
    protected = breakdown_view(wave, breakdown, RESPONDENTS).respondents
    shown = {g: n for g, n in protected.cells.items() if isinstance(n, int)}
    total = protected.total if isinstance(protected.total, int) else None
    workforce = sum(heads.values())
    labels = level_categories(Definition(wave.instrument.definition), breakdown,
                              dict(unit_choices()))
    rows = []
    for group, headcount in heads.items():
        n = shown.get(group)
        rows.append(RepresentationRow(
            group, labels.get(group, group), headcount, n,
            share_of(n, headcount) if n is not None and headcount > 0 and n <= headcount else None,
            n / total if n is not None and total else None,
            headcount / workforce if workforce else 0.0,
        ))
    return rows


def weighted_figure(wave: Wave, measure: str, breakdown: str) -> WeightedEstimate:
    """The measure for stated respondents, weighted to the workforce profile of a breakdown."""
    heads = {g: n for g, n in headcounts(wave, breakdown).items() if n > 0}
    if not heads:
        raise WeightingRefused(f"No headcounts by {breakdown} for wave {wave.code}.")
    definition = Definition(wave.instrument.definition)
    finest = definition.levels[breakdown][0]
    groups = roll_up(definition, breakdown, read_tally(wave, [finest]).get(finest, {}))
    counts = {(g,): respondents_for(groups.get(g, {}), RESPONDENTS) for g in heads}
    if min(counts.values()) < wave.threshold:
        raise WeightingRefused(
            f"Some {breakdown} groups have fewer than {wave.threshold} respondents; "
            "merge groups before weighting."
        )
    weights = rake(counts, [breakdown], {breakdown: heads}).weights
    if measure in definition.measures:
        return weighted_mean({(g,): score_stats(groups[g], measure) for g in heads}, weights)
    wanted = favourable_values(definition, measure)
    return weighted_proportion(
        {(g,): favourable_tally(groups[g], measure, wanted) for g in heads}, weights
    )
