"""Measures by breakdown: the tally, after disclosure control, through analytics.

Every figure any output shows comes from here, after disclosure control: the respondent
count of each group is protected once per breakdown, and each measure's own counts are
protected again (people skip questions), so no figure describes fewer than k people and
no hidden figure can be worked out from the visible ones and the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.disclosure import (
    ProtectedBreakdown,
    ProtectedTable,
    check_population_difference,
    protect_levels,
    protect_two_way,
)
from analytics.gaps import GapReport, mean_gaps, not_stated_share, proportion_gaps
from analytics.measures import ItemSummary, ScoreSummary, summarise_item, summarise_score
from analytics.proportions import Share
from survey.instruments import NOT_STATED, NOT_STATED_LABEL, Definition
from survey.models import Wave
from survey.reporting.stats import (
    Stats,
    answer_value,
    category_count,
    favourable_tally,
    favourable_values,
    read_tally,
    respondents_for,
    roll_up,
    score_stats,
)
from survey.services.instruments import unit_choices
from survey.services.tally import ALL, CUT, RESPONDENTS


@dataclass(frozen=True)
class GroupFigure:
    group: str
    label: str
    n: int | None  # None: hidden (too few, or hidden so that another cannot be worked out)
    summary: ItemSummary | ScoreSummary | None


@dataclass(frozen=True)
class MeasureBreakdown:
    measure: str
    title: str
    kind: str  # "score" or "item"
    overall: ItemSummary | ScoreSummary | None
    groups: tuple[GroupFigure, ...]
    gaps: GapReport | None
    not_stated: Share | None


@dataclass(frozen=True)
class BreakdownView:
    wave: str
    k: int
    level: str
    title: str
    respondents: ProtectedBreakdown
    measures: dict[str, MeasureBreakdown]


@dataclass(frozen=True)
class IntersectionView:
    """One measure over a two-way table (e.g. ethnic group x sex), after complementary
    suppression of that measure's own counts; summaries only for visible cells."""

    wave: str
    k: int
    rows: dict[str, str]
    cols: dict[str, str]
    counts: ProtectedTable
    summaries: dict[tuple[str, str], ItemSummary | ScoreSummary]


@dataclass(frozen=True)
class WaveReport:
    wave: str
    k: int
    respondents: int | None
    overall: dict[str, ItemSummary | ScoreSummary | None]
    breakdowns: dict[str, BreakdownView]
    intersections: dict[str, ProtectedTable] = field(default_factory=dict)


def full_report(wave: Wave, measures: list[str] | None = None) -> WaveReport:
    """Every measure by every level of every reportable breakdown, gaps and intersections."""
    definition = Definition(wave.instrument.definition)
    tally = read_tally(wave)
    overall = tally.get(ALL, {}).get(ALL, {})
    codes = measures or reportable_measures(definition)
    units = dict(unit_choices())
    views: dict[str, BreakdownView] = {}
    for code in wave.breakdowns:
        views.update(
            _breakdown_levels(wave, definition, code, tally.get(code, {}), overall, codes, units)
        )
    return WaveReport(
        wave=wave.code,
        k=wave.threshold,
        respondents=_visible_total(overall, wave.threshold),
        overall={code: _overall(definition, wave.threshold, code, overall) for code in codes},
        breakdowns=views,
        intersections={
            f"{a}*{b}": _intersection(wave, definition, a, b, tally.get(f"{a}*{b}", {}), units)
            for a, b in wave.intersections
        },
    )


def breakdown_view(
    wave: Wave, level: str, measure: str, reference: str | None = None
) -> BreakdownView:
    """One measure by one breakdown level: a dashboard-sized query. Gaps are against the
    rest of the organisation and, if named, a reference group (e.g. white)."""
    definition = Definition(wave.instrument.definition)
    breakdown = definition.levels[level][0]
    if breakdown not in wave.breakdowns:
        raise KeyError(f"{level} is not a reportable breakdown of wave {wave.code}")
    tally = read_tally(wave, [ALL, breakdown])
    overall = tally.get(ALL, {}).get(ALL, {})
    views = _breakdown_levels(
        wave, definition, breakdown, tally.get(breakdown, {}), overall, [measure],
        dict(unit_choices()), reference, only=level,
    )
    return views[level]


def intersection_view(wave: Wave, first: str, second: str, measure: str) -> IntersectionView:
    if [first, second] not in wave.intersections:
        raise KeyError(f"{first} x {second} is not a reportable intersection of {wave.code}")
    definition = Definition(wave.instrument.definition)
    units = dict(unit_choices())
    cells = read_tally(wave, [f"{first}*{second}"]).get(f"{first}*{second}", {})
    stats = {tuple(pair.split("|", 1)): group for pair, group in cells.items()}
    protected = _intersection(wave, definition, first, second, cells, units, measure)
    summaries = {
        cell: _summary(definition, measure, stats[cell])
        for cell in stats if protected.is_visible(*cell)
    }
    return IntersectionView(
        wave.code, wave.threshold, level_categories(definition, first, units),
        level_categories(definition, second, units), protected,
        {cell: summary for cell, summary in summaries.items() if summary is not None},
    )


def overall_figure(wave: Wave, measure: str) -> ItemSummary | ScoreSummary | None:
    """One measure for the whole wave, or None when it describes fewer than k people."""
    definition = Definition(wave.instrument.definition)
    overall = read_tally(wave, [ALL]).get(ALL, {}).get(ALL, {})
    if respondents_for(overall, measure) < wave.threshold:
        return None
    return _summary(definition, measure, overall)


def check_filtered_view(wave: Wave, level: str, group: str, published: dict[str, int]) -> int:
    """Respondents in one group, refusing it (DifferencingRefused) if it is below k or
    differs by 1..k-1 from an already-published population (parent, sibling, last wave)."""
    view = breakdown_view(wave, level, RESPONDENTS)
    shown = view.respondents.cells.get(group)
    size = shown if isinstance(shown, int) else _raw_group_count(wave, level, group)
    check_population_difference(size, published, wave.threshold)
    return size


def _raw_group_count(wave: Wave, level: str, group: str) -> int:
    definition = Definition(wave.instrument.definition)
    groups = roll_up(definition, level, read_tally(wave, [definition.levels[level][0]]).get(
        definition.levels[level][0], {}))
    return respondents_for(groups.get(group, {}), RESPONDENTS)


def reportable_measures(definition: Definition) -> list[str]:
    """Scores first, then every scale item whose scale defines favourable answers."""
    items = [
        code for code, item in definition.items.items()
        if item["type"] == "scale" and "favourable" in definition.scale(item)
    ]
    return [*definition.measures, *items]


def levels_of(definition: Definition, breakdown: str) -> list[str]:
    declared = [lvl["code"] for lvl in definition.breakdowns[breakdown].get("levels", [])]
    return declared or [breakdown]


def level_categories(definition: Definition, level: str, units: dict[str, str]) -> dict[str, str]:
    """Every group of a level (code -> label), empty ones and not stated included."""
    breakdown_code, members = definition.levels[level]
    breakdown = definition.breakdowns[breakdown_code]
    if members is not None:
        spec = next(lvl for lvl in breakdown["levels"] if lvl["code"] == level)["groups"]
        labels = {code: group["label"] for code, group in spec.items()}
    elif "derive" in breakdown:
        labels = {rule["group"]: rule.get("label", rule["group"]) for rule in breakdown["derive"]}
    else:
        item = definition.items[breakdown["item"]]
        labels = units.copy() if item.get("options_from") == "units" else {
            o["code"]: o["label"] for o in item["options"]
        }
    return {**labels, NOT_STATED: NOT_STATED_LABEL}


def _breakdown_levels(
    wave, definition, breakdown, finest, overall, codes, units, reference=None, only=None
) -> dict[str, BreakdownView]:
    """Every level of one breakdown, protected together (protect_levels): a coarse group
    minus its visible finer groups never leaves 1..k-1 people."""
    levels = levels_of(definition, breakdown)
    maps = {level: definition.levels[level][1] for level in levels}
    finest_groups = level_categories(definition, levels[0], units)

    def protect(code: str) -> dict[str, ProtectedBreakdown]:
        counts = {g: respondents_for(finest.get(g, {}), code) for g in finest_groups}
        return protect_levels(counts, maps, wave.threshold)

    respondents = protect(RESPONDENTS)
    per_measure = {code: protect(code) for code in codes if code != RESPONDENTS}
    views = {}
    for level in [only] if only else levels:
        groups = roll_up(definition, level, finest)
        labels = level_categories(definition, level, units)
        measures = {
            code: _measure_breakdown(definition, code, groups, overall, labels,
                                     protected[level], reference)
            for code, protected in per_measure.items()
        }
        title = _level_title(definition, level)
        views[level] = BreakdownView(
            wave.code, wave.threshold, level, title, respondents[level], measures
        )
    return views


def _measure_breakdown(
    definition, code, groups, overall, labels, protected: ProtectedBreakdown, reference=None
) -> MeasureBreakdown:
    counts = {g: respondents_for(groups.get(g, {}), code) for g in labels}
    figures = tuple(
        GroupFigure(g, label, counts[g], _summary(definition, code, groups.get(g, {})))
        if protected.is_visible(g) else GroupFigure(g, label, None, None)
        for g, label in labels.items()
    )
    visible = [f.group for f in figures if f.n is not None and f.group != NOT_STATED]
    is_score = code in definition.measures
    return MeasureBreakdown(
        measure=code,
        title=measure_title(definition, code),
        kind="score" if is_score else "item",
        overall=_overall(definition, protected.k, code, overall),
        groups=figures,
        gaps=_gaps(definition, code, groups, overall, visible,
                   reference if reference in visible else None) if visible else None,
        not_stated=not_stated_share(counts[NOT_STATED], sum(counts.values()))
        if protected.is_visible(NOT_STATED) and sum(counts.values()) else None,
    )


def _overall(definition, k: int, code: str, overall: Stats):
    """The whole-organisation figure, only when it describes at least k people."""
    if respondents_for(overall, code) < k:
        return None
    return _summary(definition, code, overall)


def _gaps(definition, code, groups, overall, visible, reference) -> GapReport:
    if code in definition.measures:
        stats = {g: score_stats(groups[g], code) for g in visible}
        return mean_gaps(stats, score_stats(overall, code), reference)
    wanted = favourable_values(definition, code)
    tallies = {g: favourable_tally(groups[g], code, wanted) for g in visible}
    return proportion_gaps(tallies, favourable_tally(overall, code, wanted), reference)


def _summary(definition, code, stats: Stats) -> ItemSummary | ScoreSummary | None:
    if code in definition.measures:
        scored = score_stats(stats, code)
        if scored.n == 0:
            return None
        measure = definition.measures[code]
        bands = {
            b["code"]: category_count(stats, code, f"band:{b['code']}")
            for b in measure.get("bands", [])
        }
        cut = category_count(stats, code, CUT) if measure.get("cut_point") else None
        return summarise_score(scored, cut, bands or None)
    scale = definition.scale(definition.items[code])
    counts = {answer_value(category): n for category, (n, _, _) in stats.get(code, {}).items()}
    if not any(isinstance(value, int) and n for value, n in counts.items()):
        return None
    return summarise_item(counts, scale["favourable"], scale["neutral"], scale["unfavourable"])


def _intersection(
    wave, definition, first, second, cells, units, measure: str = RESPONDENTS
) -> ProtectedTable:
    rows = level_categories(definition, first, units)
    cols = level_categories(definition, second, units)
    table = {}
    for pair, stats in cells.items():
        row, _, col = pair.partition("|")
        table[(row, col)] = respondents_for(stats, measure)
    row_totals = {r: sum(n for (a, _), n in table.items() if a == r) for r in rows}
    col_totals = {c: sum(n for (_, b), n in table.items() if b == c) for c in cols}
    return protect_two_way(table, wave.threshold, row_totals=row_totals, col_totals=col_totals)


def _visible_total(overall: Stats, k: int) -> int | None:
    total = respondents_for(overall, RESPONDENTS)
    return total if total >= k else None


def measure_title(definition: Definition, code: str) -> str:
    if code in definition.measures:
        return definition.measures[code]["title"]
    return definition.text(definition.items[code]["text"])


def _level_title(definition: Definition, level: str) -> str:
    breakdown = definition.breakdowns[definition.levels[level][0]]
    for lvl in breakdown.get("levels", []):
        if lvl["code"] == level:
            return lvl.get("title", breakdown["title"])
    return breakdown["title"]
