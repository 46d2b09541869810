"""Each results view as a Page: checked parameters, one Report of Tables and its charts.

The HTML page, its CSV/XLSX/PDF exports and the JSON API all build the same Page here,
so every output of a view shows the same figures. Nothing here renders or commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import abort

from survey.instruments import NOT_STATED, Definition
from survey.models import Wave
from survey.reporting import (
    WeightingRefused,
    breakdown_view,
    comment_counts,
    comment_page,
    comments_report,
    intersection_view,
    level_categories,
    overall_figure,
    pipeline_report,
    representation,
    trend,
    waves_of_instrument,
    weighted_figure,
)
from survey.reporting.representativeness import headcounts
from survey.results import charts, queries
from survey.results import params as p
from survey.results.charts import Chart
from survey.results.comment_tables import comment_tables
from survey.results.fairness_tables import pipeline_tables, representation_table, weighted_table
from survey.results.tables import Report, lower_first
from survey.results.trend_tables import gap_trend_table, trend_table, with_actions
from survey.results.wave_tables import (
    breakdown_table,
    intersection_tables,
    measure_info,
    overview_table,
)
from survey.services.actions import measure_actions
from survey.services.instruments import unit_choices, wave_definition, wave_unit_choices

PERCEPTION = "promotion_fairness"
ALL_GROUPS = "_all"  # the whole force, among the populations whose comments are listed


@dataclass(frozen=True)
class Page:
    """view: which page; params: the checked choices (codes only: they go to the audit
    log); form: what the page's form offers; notices: things the reader should know."""

    view: str
    report: Report
    wave: Wave | None = None
    params: dict[str, str] = field(default_factory=dict)
    charts: tuple[Chart, ...] = ()
    form: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()


def file_name(*parts: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", "-".join(parts).lower()).strip("-")[:120]


def overview(code: str) -> Page:
    wave = p.released_wave(code)
    definition = wave_definition(wave)
    series = {measure: trend(wave, measure) for measure in definition.measures}
    table = overview_table(wave, definition, series)
    report = Report(f"Results: {wave.title}", file_name(wave.code, "overview"), (table,))
    high = max((measure_info(definition, m).high for m in series), default=100)
    changes = {row.cells[0].text: said for row in table.rows
               if (said := charts.change_sentence(row))}
    form = {
        "changes": changes,
        "levels": p.wave_levels(wave, definition),
        "respondents": queries.respondents(wave),
        "intersections": _intersection_titles(wave, definition),
        "questions": p.text_questions(definition),
    }
    return Page("overview", report, wave, charts=_some(charts.overview_chart(table, high)),
                form=form)


def breakdown(code: str, args: Mapping[str, str], strict: bool = False) -> Page:
    """strict (the API): a reference group that is not a group of the level is refused;
    on the page, one left over from a previous choice of level is dropped."""
    wave = p.released_wave(code)
    definition = wave_definition(wave)
    levels = p.wave_levels(wave, definition)
    measures = p.measure_titles(definition)
    level = p.choose(args, "level", levels, "breakdown")
    measure = p.choose(args, "measure", measures, "measure")
    groups = level_categories(definition, level, dict(wave_unit_choices(wave)))
    groups.pop(NOT_STATED)  # gaps are between stated groups
    reference = args.get("reference") or None
    if reference is not None and reference not in groups:
        if strict or args.get("shown_level", level) == level:
            p.bad_request("That reference group is not a group of this breakdown.")
        reference = None
    info = measure_info(definition, measure)
    view = breakdown_view(wave, level, measure, reference)
    table = breakdown_table(wave, view, info)
    notices = ()
    gaps = view.measures[measure].gaps
    if reference is not None and (gaps is None or gaps.reference is None):
        notices = (
            "The reference group is hidden in this breakdown, so no gaps against it are shown.",
        )
    chart = charts.breakdown_chart(table, info.unit, info.low, info.high)
    report = Report(
        f"{table.title}: {wave.title}", file_name(wave.code, "breakdown", level, measure), (table,)
    )
    chosen = {"level": level, "measure": measure, **({"reference": reference} if reference else {})}
    form = {
        "levels": levels,
        "measures": _measure_groups(definition, measures),
        "groups": groups,
        "level": level,
        "measure": measure,
        "reference": reference,
    }
    return Page("breakdown", report, wave, chosen, _some(chart), form, notices)


def intersection(code: str, args: Mapping[str, str]) -> Page:
    wave = p.released_wave(code)
    definition = wave_definition(wave)
    pairs = _intersection_titles(wave, definition)
    default = next(iter(pairs), "")
    pair = args.get("pair") or default
    if "rows" in args or "cols" in args:
        pair = f"{args.get('rows', '')}*{args.get('cols', '')}"
    chosen = p.choose({"pair": pair}, "pair", pairs, "intersection")
    rows, cols = chosen.split("*")
    measures = p.measure_titles(definition)
    measure = p.choose(args, "measure", measures, "measure")
    info = measure_info(definition, measure)
    titles = p.all_level_titles(definition)
    view = intersection_view(wave, rows, cols, measure)
    tables = intersection_tables(wave, view, info, (titles[rows], titles[cols]))
    report = Report(
        f"{tables[0].title}: {wave.title}",
        file_name(wave.code, "intersection", rows, cols, measure),
        tables,
    )
    form = {
        "pairs": pairs,
        "pair": chosen,
        "measures": _measure_groups(definition, measures),
        "measure": measure,
    }
    return Page(
        "intersection", report, wave, {"rows": rows, "cols": cols, "measure": measure}, form=form
    )


MOST_TREND_GROUPS = 6  # lines on one chart that a reader can still tell apart


def trend_view(code: str, args: Mapping[str, str], strict: bool = False) -> Page:
    """The measure across waves, for everyone or for groups of a level (several groups
    are lines on one chart: each with its own table, each point under its wave's
    disclosure control). Every wave in the series must report that level."""
    wave = p.released_wave(code)
    definition = wave_definition(wave)
    measures = p.measure_titles(definition)
    measure = p.choose(args, "measure", measures, "measure")
    levels = p.wave_levels(wave, definition)
    level = p.choose(args, "level", levels, "breakdown") if args.get("level") else None
    chosen_groups, groups = [None], {}
    if level is not None:
        groups = level_categories(definition, level, dict(wave_unit_choices(wave)))
        chosen_groups = _trend_groups(args, groups, strict or args.get("shown_level") in (
            None, level))
        _check_traceable(wave, level, measure)
    info = measure_info(definition, measure)
    thresholds = {w.code: w.threshold for w in waves_of_instrument(wave)}
    actions = measure_actions(waves_of_instrument(wave), measure)
    lines, tables = {}, []
    for group in chosen_groups:
        series = trend(wave, measure, level, group)
        who = "whole organisation" if level is None else f"{groups[group]} ({levels[level]})"
        lines[groups.get(group, "")] = table = with_actions(
            trend_table(series, info, who, thresholds), actions
        )
        tables += [table] if level is None else [table, gap_trend_table(series, info,
                                                                        groups[group])]
    chart = charts.trends_chart(lines, info.unit, info.low, info.high)
    picked = chosen_groups[0] if len(chosen_groups) == 1 else chosen_groups
    chosen = {"measure": measure, **({"level": level, "group": picked} if level else {})}
    report = Report(
        f"{tables[0].title}: trend to {wave.title}",
        file_name(wave.code, "trend", measure, level or "", *filter(None, chosen_groups)),
        tuple(tables),
    )
    form = {
        "measures": _measure_groups(definition, measures),
        "measure": measure,
        "levels": levels,
        "level": level,
        "groups": groups,
        "group": chosen_groups,
        "most_groups": MOST_TREND_GROUPS,
    }
    return Page("trend", report, wave, chosen, _some(chart), form)


def _trend_groups(args: Mapping[str, str], groups: dict[str, str], refuse: bool) -> list:
    """The groups ticked (?group=a&group=b), in the level's order. On the page, a level
    newly chosen in the form starts at its first group; a bad choice is refused."""
    asked = args.getlist("group") if hasattr(args, "getlist") else [args.get("group")]
    asked = [g for g in asked if g]
    if not asked or any(g not in groups for g in asked) or len(asked) > MOST_TREND_GROUPS:
        if refuse:
            p.bad_request(f"Choose one to {MOST_TREND_GROUPS} groups of this breakdown.")
        return [next(iter(groups))]
    return [g for g in groups if g in asked]


def comments(code: str, args: Mapping[str, str]) -> Page:
    """Counts per unit, then one page of one shown population's comments (searchable)."""
    wave = p.released_wave(code)
    questions = p.text_questions(wave_definition(wave))
    question = p.choose(args, "question", questions, "question")
    sets = comment_counts(wave, question)
    shown = {s.unit or ALL_GROUPS: s for s in sets if s.n}
    chosen: dict[str, str] = {"question": question}
    listed = None
    if shown:
        labels = {key: s.label for key, s in shown.items()}
        chosen["unit"] = p.choose(args, "unit", labels, "group of comments")
        search = p.search_text(args)
        listed = comment_page(wave, question, shown[chosen["unit"]], search, p.page_number(args))
        chosen["page"] = str(listed.page)
    selected = shown.get(chosen.get("unit", ""))
    tables = comment_tables(wave, questions[question], sets, selected, listed)
    report = Report(
        f"Comments: {wave.title}", file_name(wave.code, "comments", question), tuple(tables)
    )
    form = {
        "questions": questions,
        "question": question,
        "units": {key: s.label for key, s in shown.items()},
        "unit": chosen.get("unit"),
        "q": p.search_text(args),
        "listed": listed,
    }
    return Page("comments", report, wave, chosen, form=form)


def comments_export(code: str, question: str) -> Page:
    """Every shown comment of one question: for the background export, never a page."""
    wave = p.released_wave(code)
    questions = p.text_questions(wave_definition(wave))
    sets = comments_report(wave, question)
    tables = comment_tables(wave, questions[question], sets)
    report = Report(
        f"Comments: {wave.title}", file_name(wave.code, "comments", question), tuple(tables)
    )
    return Page("comments", report, wave, {"question": question})


def representation_view(code: str, args: Mapping[str, str]) -> Page:
    wave = p.released_wave(code)
    definition = wave_definition(wave)
    offered = {
        b: definition.breakdowns[b]["title"] for b in wave.breakdowns if b in definition.breakdowns
    }
    loaded = [b for b in offered if headcounts(wave, b)]
    breakdown = p.choose(
        args, "breakdown", offered, "breakdown", default=loaded[0] if loaded else None
    )
    measures = p.measure_titles(definition)
    measure = p.choose(args, "measure", measures, "measure") if args.get("measure") else None
    tables = [representation_table(wave, offered[breakdown], representation(wave, breakdown))]
    notices = (
        ()
        if breakdown in loaded
        else ("No headcounts are loaded for this breakdown, so there is nothing to compare with.",)
    )
    if measure is not None:
        tables.append(_weighted(wave, definition, measure, breakdown, offered[breakdown]))
    chosen = {"breakdown": breakdown, **({"measure": measure} if measure else {})}
    report = Report(
        f"Representation: {wave.title}",
        file_name(wave.code, "representation", breakdown, measure or ""),
        tuple(tables),
    )
    form = {
        "breakdowns": offered,
        "breakdown": breakdown,
        "loaded": loaded,
        "measures": _measure_groups(definition, measures),
        "measure": measure,
    }
    return Page("representation", report, wave, chosen, form=form, notices=notices)


def pipeline(round_code: str, args: Mapping[str, str], strict: bool = False) -> Page:
    breakdowns = queries.round_breakdowns(round_code)
    if not breakdowns:
        abort(404, description="There is no promotion round with this code.")
    waves = {wave.code: wave.title for wave in queries.released_waves()}
    latest = queries.latest_released_wave()
    if args.get("wave"):
        latest = p.released_wave(p.choose(args, "wave", waves, "survey wave"))
    definition = Definition(latest.instrument.definition) if latest else None
    titles = p.all_level_titles(definition) if definition else {}
    offered = {b: titles.get(b, b) for b in breakdowns}
    breakdown = p.choose(args, "breakdown", offered, "breakdown")
    labels = _group_labels(definition, breakdown, queries.round_groups(round_code, breakdown))
    stated = {code: label for code, label in labels.items() if code != NOT_STATED}
    reference = args.get("reference") or None
    if reference is not None and reference not in stated:
        if strict or args.get("shown_breakdown", breakdown) == breakdown:
            p.bad_request("That reference group is not a group of this breakdown.")
        reference = None
    view = pipeline_report(round_code, breakdown, queries.pipeline_threshold(latest), reference,
                           definition)
    tables, notes = pipeline_tables(view, labels, offered[breakdown])
    perception, notices = _perception(latest, definition, breakdown)
    found = [c for c in (charts.pipeline_chart(tables),) if c]
    if perception is not None:
        info = measure_info(definition, PERCEPTION)
        found += [c for c in (charts.breakdown_chart(perception, info.unit, 0, 100),) if c]
        tables.append(perception)
    chosen = {
        "round": round_code,
        "breakdown": breakdown,
        **({"reference": reference} if reference else {}),
        **({"wave": latest.code} if latest else {}),
    }
    report = Report(
        f"Promotion pipeline: {round_code} by {lower_first(offered[breakdown])}",
        file_name("pipeline", round_code, breakdown),
        tuple(tables),
        notes,
    )
    form = {
        "breakdowns": offered,
        "breakdown": breakdown,
        "groups": stated,
        "reference": reference,
        "stages": len(view.hidden),
        "waves": waves,
        "wave": latest.code if latest else None,
    }
    return Page("pipeline", report, latest, chosen, tuple(found), form, notices)


def _perception(latest: Wave | None, definition: Definition | None, level: str):
    if latest is None or definition is None:
        return None, ("No survey wave has results yet, so perceptions are not shown.",)
    reportable = definition.levels.get(level, ("",))[0] in latest.breakdowns
    if PERCEPTION not in definition.measures or not reportable:
        return None, (f"{latest.title} does not report promotion fairness by this breakdown.",)
    info = measure_info(definition, PERCEPTION)
    table = breakdown_table(latest, breakdown_view(latest, level, PERCEPTION), info)
    return table, ()


def _weighted(wave: Wave, definition: Definition, measure: str, breakdown: str, title: str):
    info = measure_info(definition, measure)
    try:
        weighted, refusal = weighted_figure(wave, measure, breakdown), None
    except WeightingRefused as refused:
        weighted, refusal = None, str(refused)
    return weighted_table(wave, info, title, overall_figure(wave, measure), weighted, refusal)


def _check_traceable(wave: Wave, level: str, measure: str) -> None:
    for earlier in waves_of_instrument(wave):
        definition = Definition(earlier.instrument.definition)
        known = measure in definition.measures or measure in definition.items
        breakdown = definition.levels.get(level, (None,))[0]
        if not known or breakdown not in earlier.breakdowns:
            p.bad_request(
                f"{earlier.title} did not report this measure by this breakdown, "
                "so there is no trend for one group of it. Choose the whole "
                "organisation or another breakdown."
            )


def _group_labels(definition: Definition | None, level: str, codes: list[str]) -> dict:
    known = {}
    if definition is not None and level in definition.levels:
        known = level_categories(definition, level, dict(unit_choices()))
    ordered = {code: label for code, label in known.items() if code in codes}
    return {**ordered, **{code: code for code in codes if code not in ordered}}


def _intersection_titles(wave: Wave, definition: Definition) -> dict[str, str]:
    titles = p.all_level_titles(definition)
    return {
        f"{a}*{b}": f"{titles.get(a, a)} by {lower_first(titles.get(b, b))}"
        for a, b in wave.intersections
        if a in titles and b in titles
    }


def _measure_groups(definition: Definition, measures: dict[str, str]) -> dict[str, dict]:
    scores = {c: t for c, t in measures.items() if c in definition.measures}
    items = {c: t for c, t in measures.items() if c not in definition.measures}
    return {"Scores": scores, "Questions (% favourable)": items}


def _some(chart: Chart | None) -> tuple[Chart, ...]:
    return (chart,) if chart else ()
