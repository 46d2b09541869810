"""Measures by breakdown: the tally, after disclosure control, through analytics.

Every figure any output shows comes from here, after disclosure control: the respondent
count of each group is protected once per breakdown, and each measure's own counts are
protected again (people skip questions), so no figure describes fewer than k people and
no hidden figure can be worked out from the visible ones and the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analytics.disclosure import (
    FamilyShape,
    ProtectedBreakdown,
    ProtectedTable,
    Recoding,
    check_population_difference,
    protect_intersection,
    protect_levels,
    recode_levels,
)
from analytics.gaps import GapReport, judge_family, mean_gaps, not_stated_share, proportion_gaps
from analytics.measures import ItemSummary, ScoreSummary, summarise_item, summarise_score
from analytics.proportions import Share
from survey.instruments import (
    APART,
    NOT_APPLICABLE,
    NOT_APPLICABLE_LABEL,
    NOT_STATED,
    NOT_STATED_LABEL,
    Definition,
)
from survey.models import Wave
from survey.reporting.memo import memoised
from survey.reporting.stats import (
    Stats,
    answer_value,
    category_count,
    favourable_tally,
    favourable_values,
    merge_stats,
    read_tally,
    respondents_for,
    roll_up_by,
    score_stats,
)
from survey.reporting.units import is_unit_breakdown, unit_depth_levels
from survey.services.instruments import wave_definition, wave_unit_choices
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
    definition = wave_definition(wave)
    tally = read_tally(wave)
    overall = tally.get(ALL, {}).get(ALL, {})
    codes = measures or reportable_measures(definition)
    units = dict(wave_unit_choices(wave))
    views = _family_views(wave, definition, tally, overall, codes, units)
    return WaveReport(
        wave=wave.code,
        k=wave.threshold,
        respondents=_visible_total(overall, wave.threshold),
        overall={code: _overall(definition, wave.threshold, code, overall) for code in codes},
        breakdowns=views,
        intersections={
            f"{a}*{b}": _intersection(wave, definition, (a, b), tally, units)[0]
            for a, b in wave.intersections
        },
    )


def family_views(wave: Wave, measures: list[str]) -> dict[str, BreakdownView]:
    """The given measures by every level of every reportable breakdown (no intersections),
    gaps against the rest judged as one Benjamini-Hochberg family per measure."""
    definition = Definition(wave.instrument.definition)
    tally = read_tally(wave, [ALL, *wave.breakdowns], measures=[RESPONDENTS, *measures])
    overall = tally.get(ALL, {}).get(ALL, {})
    return _family_views(wave, definition, tally, overall, measures, dict(wave_unit_choices(wave)))


def breakdown_view(
    wave: Wave, level: str, measure: str, reference: str | None = None
) -> BreakdownView:
    """One measure by one breakdown level. Gaps are against the other respondents who stated
    a substantive answer and, if named, a reference group (e.g. white); their q-values come
    from one Benjamini-Hochberg family: this measure over every level of every breakdown."""
    definition = wave_definition(wave)
    breakdown = definition.levels[level][0]
    if breakdown not in wave.breakdowns:
        raise KeyError(f"{level} is not a reportable breakdown of wave {wave.code}")
    chosen = (level, reference) if reference is not None else (None, None)
    return _measure_family(wave, measure, *chosen)[level]


@memoised
def _measure_family(wave: Wave, measure: str, level: str | None,
                    reference: str | None) -> dict[str, BreakdownView]:
    """One measure by every level of every breakdown (one family of gaps)."""
    definition = wave_definition(wave)
    tally = read_tally(wave, [ALL, *wave.breakdowns], measures=[RESPONDENTS, measure])
    overall = tally.get(ALL, {}).get(ALL, {})
    units = dict(wave_unit_choices(wave))
    return _family_views(wave, definition, tally, overall, [measure], units, (level, reference))


def intersection_view(wave: Wave, first: str, second: str, measure: str) -> IntersectionView:
    if [first, second] not in wave.intersections:
        raise KeyError(f"{first} x {second} is not a reportable intersection of {wave.code}")
    definition = wave_definition(wave)
    units = dict(wave_unit_choices(wave))
    dimensions = {definition.levels[first][0], definition.levels[second][0]}
    tally = read_tally(wave, [*dimensions, f"{first}*{second}"], measures=[RESPONDENTS, measure])
    protected, recodings, stats = _intersection(wave, definition, (first, second), tally, units,
                                                measure)
    summaries = {
        cell: _summary(definition, measure, stats[cell])
        for cell in stats if protected.is_visible(*cell)
    }
    return IntersectionView(
        wave.code, wave.threshold, recoded_labels(definition, first, units, recodings[0]),
        recoded_labels(definition, second, units, recodings[1]), protected,
        {cell: summary for cell, summary in summaries.items() if summary is not None},
    )


@memoised
def overall_figure(wave: Wave, measure: str) -> ItemSummary | ScoreSummary | None:
    """One measure for the whole wave, or None when it describes fewer than k people."""
    definition = wave_definition(wave)
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
    definition = wave_definition(wave)
    breakdown = definition.levels[level][0]
    finest = read_tally(wave, [breakdown]).get(breakdown, {})
    recoding = wave_recoding(wave, definition, breakdown, finest, dict(wave_unit_choices(wave)))
    groups = roll_up_by(recoding.mapping(level), finest)
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
    if "not_applicable_when" in breakdown:
        labels[NOT_APPLICABLE] = NOT_APPLICABLE_LABEL
    return {**labels, NOT_STATED: NOT_STATED_LABEL}


def breakdown_levels(definition: Definition, breakdown: str) -> dict[str, dict[str, str] | None]:
    """Every level of a breakdown (its own code too: the finest) -> finest-to-group map."""
    levels = {level: definition.levels[level][1] for level in levels_of(definition, breakdown)}
    tree = unit_depth_levels() if is_unit_breakdown(definition, breakdown) else {}
    return {breakdown: None, **tree, **levels}


def wave_shape(wave: Wave, definition: Definition) -> FamilyShape:
    """The family of tables the wave publishes (see analytics.disclosure.family)."""
    return FamilyShape(
        {code: breakdown_levels(definition, code) for code in wave.breakdowns},
        [tuple(pair) for pair in wave.intersections], APART,
    )


def wave_recoding(wave: Wave, definition: Definition, breakdown: str, finest: dict[str, Stats],
                  units: dict[str, str]) -> Recoding:
    """The wave's global recoding of a breakdown, decided from its respondent counts."""
    counts = _finest_counts(definition, breakdown, finest, units, RESPONDENTS)
    return recode_levels(counts, breakdown_levels(definition, breakdown), wave.threshold, APART)


def recoded_labels(definition: Definition, level: str, units: dict[str, str],
                   recoding: Recoding) -> dict[str, str]:
    """Labels of a level's published groups: a merged group names the groups it holds."""
    original = level_categories(definition, level, units)
    merged = recoding.merged[level]
    return {
        g: " + ".join(original[o] for o in merged[g]) + " (merged)" if g in merged
        else original[g]
        for g in recoding.groups[level]
    }


def _finest_counts(definition, breakdown, finest, units, code: str) -> dict[str, int]:
    return {g: respondents_for(finest.get(g, {}), code)
            for g in level_categories(definition, breakdown, units)}


def _family_views(wave, definition, tally, overall, codes, units, reference=(None, None)):
    """Every level of every breakdown, gaps judged as one family per measure."""
    views: dict[str, BreakdownView] = {}
    for code in wave.breakdowns:
        views.update(_breakdown_levels(wave, definition, code, tally.get(code, {}), overall,
                                       codes, units, reference))
    for measure in codes:
        reports = {level: view.measures[measure].gaps for level, view in views.items()
                   if measure in view.measures and view.measures[measure].gaps is not None}
        for level, report in judge_family(reports).items():
            figures = views[level].measures[measure]
            views[level].measures[measure] = replace(figures, gaps=report)
    return views


def _breakdown_levels(
    wave, definition, breakdown, finest, overall, codes, units, reference=(None, None)
) -> dict[str, BreakdownView]:
    """Every level of one breakdown, recoded once for the wave and protected together
    (protect_levels): a coarse group minus its visible finer groups never leaves 1..k-1."""
    recoding = wave_recoding(wave, definition, breakdown, finest, units)
    maps = {level: recoding.mapping(level) for level in breakdown_levels(definition, breakdown)}

    def protect(code: str) -> dict[str, ProtectedBreakdown]:
        counts = _finest_counts(definition, breakdown, finest, units, code)
        return protect_levels(counts, maps, wave.threshold)

    respondents = protect(RESPONDENTS)
    per_measure = {code: protect(code) for code in codes if code != RESPONDENTS}
    views = {}
    for level in levels_of(definition, breakdown):
        groups = roll_up_by(maps[level], finest)
        labels = recoded_labels(definition, level, units, recoding)
        chosen = reference[1] if reference[0] == level else None
        measures = {
            code: _measure_breakdown(definition, code, groups, overall, labels,
                                     protected[level], chosen)
            for code, protected in per_measure.items()
        }
        views[level] = BreakdownView(
            wave.code, wave.threshold, level, _level_title(definition, level),
            respondents[level], measures,
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
    visible = [f.group for f in figures if f.n is not None and f.group not in APART]
    is_score = code in definition.measures
    return MeasureBreakdown(
        measure=code,
        title=measure_title(definition, code),
        kind="score" if is_score else "item",
        overall=_overall(definition, protected.k, code, overall),
        groups=figures,
        gaps=_gaps(definition, code, groups, visible,
                   reference if reference in visible else None) if visible else None,
        not_stated=not_stated_share(counts[NOT_STATED], sum(counts.values()))
        if protected.is_visible(NOT_STATED) and sum(counts.values()) else None,
    )


def _overall(definition, k: int, code: str, overall: Stats):
    """The whole-organisation figure, only when it describes at least k people."""
    if respondents_for(overall, code) < k:
        return None
    return _summary(definition, code, overall)


def _gaps(definition, code, groups, visible, reference) -> GapReport:
    """Each visible group with a substantive answer against the others (not the hidden, the
    not stated or the not applicable: see analytics.gaps)."""
    if code in definition.measures:
        return mean_gaps({g: score_stats(groups[g], code) for g in visible}, reference)
    wanted = favourable_values(definition, code)
    return proportion_gaps({g: favourable_tally(groups[g], code, wanted) for g in visible},
                           reference)


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


def _intersection(wave, definition, pair, tally, units, measure: str = RESPONDENTS):
    """One intersection of one measure's counts under the wave's family protection: the
    recoding of both breakdowns, and margins hidden exactly as in the one-way tables."""
    shape = wave_shape(wave, definition)
    recodings, levels = {}, {}
    for level in pair:
        breakdown = shape.breakdown_of(level)
        finest = tally.get(breakdown, {})
        recodings[breakdown] = wave_recoding(wave, definition, breakdown, finest, units)
        maps = {lv: recodings[breakdown].mapping(lv) for lv in shape.levels[breakdown]}
        counts = _finest_counts(definition, breakdown, finest, units, measure)
        levels.update(protect_levels(counts, maps, wave.threshold))
    raw = {tuple(key.split("|", 1)): stats
           for key, stats in tally.get(f"{pair[0]}*{pair[1]}", {}).items()}
    cells = {key: respondents_for(stats, measure) for key, stats in raw.items()}
    protected = protect_intersection(shape, recodings, levels, pair, cells, wave.threshold)
    to_row, to_col = (_to_recoded(definition, level, recodings[shape.breakdown_of(level)])
                      for level in pair)
    stats = {cell: merge_stats(parts) for cell, parts in _regroup(raw, to_row, to_col).items()}
    return protected, [recodings[shape.breakdown_of(level)] for level in pair], stats


def _to_recoded(definition, level: str, recoding: Recoding) -> dict[str, str]:
    mapping = definition.levels[level][1]
    return {member if mapping is None or member in APART else mapping.get(member, member): group
            for member, group in recoding.mapping(level).items()}


def _regroup(raw, to_row, to_col) -> dict:
    grouped: dict = {}
    for (row, col), stats in raw.items():
        grouped.setdefault((to_row[row], to_col[col]), []).append(stats)
    return grouped


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
