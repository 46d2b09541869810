"""Respondents against the workforce: response rates, shares, and weighted estimates.

Headcounts (from HR records, per wave) give each group's share of the workforce. Groups are
those the wave publishes (after its global recoding: a merged group carries the headcount
of the groups it holds). A weighted estimate post-stratifies respondents to that profile,
with a linearisation interval; it is labelled weighted and refused unless every group of
the level, the not-stated group included, is published for that measure, since unequal
weights or the number weighted could otherwise be played against the unweighted figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analytics.disclosure import Recoding
from analytics.proportions import Share, share_of
from analytics.weighting import (
    WeightedEstimate,
    post_stratified_mean,
    post_stratified_proportion,
)
from survey.extensions import db
from survey.instruments import APART, Definition
from survey.models import Headcount, Wave
from survey.reporting.breakdowns import (
    breakdown_view,
    levels_of,
    recoded_labels,
    wave_recoding,
)
from survey.reporting.memo import memoised
from survey.reporting.stats import (
    favourable_tally,
    favourable_values,
    read_tally,
    respondents_for,
    roll_up_by,
    score_stats,
)
from survey.services.instruments import wave_definition, wave_unit_choices
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


@memoised
def headcounts(wave: Wave, breakdown: str) -> dict[str, int]:
    """Workforce per group of a breakdown for this wave (units: each unit's own total)."""
    query = select(Headcount).filter_by(wave_id=wave.id)
    if breakdown == "unit":
        query = query.filter_by(breakdown="", group_code="").where(Headcount.unit != "")
        return {row.unit: row.count for row in db.session.scalars(query)}
    query = query.filter_by(unit="", breakdown=breakdown)
    return {row.group_code: row.count for row in db.session.scalars(query)}


def representation(wave: Wave, breakdown: str) -> list[RepresentationRow]:
    """Respondents against headcount for each published group of a breakdown level (merged
    groups carry the headcount of the groups they hold)."""
    finest_heads = headcounts(wave, breakdown)
    if not finest_heads:
        return []
    definition = wave_definition(wave)
    units = dict(wave_unit_choices(wave))
    recoding = _recoding(wave, definition, breakdown, units)
    level = finest_level(definition, breakdown)
    heads = _recoded_heads(finest_heads, recoding.mapping(level), definition, breakdown)
    protected = breakdown_view(wave, level, RESPONDENTS).respondents
    shown = {g: n for g, n in protected.cells.items() if isinstance(n, int)}
    total = protected.total if isinstance(protected.total, int) else None
    workforce = sum(heads.values())
    labels = recoded_labels(definition, level, units, recoding)
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
    """The measure weighted to the workforce profile of a breakdown level, with its interval
    (post-stratification, linearisation; analytics.weighting), under the wave's protection:
    refused unless every group of the level is published for this measure, the not-stated
    and not-applicable groups included (the number weighted would otherwise reveal them)."""
    definition = wave_definition(wave)
    units = dict(wave_unit_choices(wave))
    recoding = _recoding(wave, definition, breakdown, units)
    level = finest_level(definition, breakdown)
    mapping = recoding.mapping(level)
    heads = {g: n for g, n in _recoded_heads(headcounts(wave, breakdown), mapping, definition,
                                              breakdown).items() if n > 0 and g not in APART}
    if not heads:
        raise WeightingRefused(f"No headcounts by {breakdown} for wave {wave.code}.")
    view = breakdown_view(wave, level, measure).measures[measure]
    if any(figure.n is None for figure in view.groups):
        raise WeightingRefused(
            f"Some {breakdown} groups are hidden for this measure (fewer than "
            f"{wave.threshold} answered, or hidden to protect another); weighting would "
            "reveal them."
        )
    finest = definition.levels[breakdown][0]
    groups = roll_up_by(mapping, read_tally(wave, [finest]).get(finest, {}))
    if any(respondents_for(groups.get(g, {}), measure) > n for g, n in heads.items()):
        raise WeightingRefused(f"More respondents than the headcount in a {breakdown} group.")
    if measure in definition.measures:
        return post_stratified_mean({g: score_stats(groups[g], measure) for g in heads}, heads)
    wanted = favourable_values(definition, measure)
    return post_stratified_proportion(
        {g: favourable_tally(groups[g], measure, wanted) for g in heads}, heads
    )


def finest_level(definition: Definition, breakdown: str) -> str:
    """The published level that holds a breakdown's own groups (headcounts are by those):
    the breakdown itself, or its first declared level (e.g. ethnicity -> ethnicity_19)."""
    return levels_of(definition, breakdown)[0]


def _recoding(wave: Wave, definition: Definition, level: str, units: dict[str, str]) -> Recoding:
    breakdown = definition.levels[level][0]
    finest = read_tally(wave, [breakdown], measures=[RESPONDENTS]).get(breakdown, {})
    return wave_recoding(wave, definition, breakdown, finest, units)


def _recoded_heads(heads: dict[str, int], mapping: dict[str, str], definition: Definition,
                   level: str) -> dict[str, int]:
    """Headcounts of the level's groups (finest or level codes) added into published groups."""
    to_group = dict(mapping)
    for member, group in mapping.items():
        original = (definition.levels[level][1] or {}).get(member)
        if original is not None:
            to_group[original] = group
    out: dict[str, int] = {}
    for group, n in heads.items():
        if group in to_group:
            out[to_group[group]] = out.get(to_group[group], 0) + n
    return out
