"""Tables beside the workforce: promotion pipeline outcomes, response rates and shares
against headcounts, and an estimate weighted to the workforce profile."""

from __future__ import annotations

from analytics.disclosure import HIDDEN_LABEL
from analytics.measures import ItemSummary, ScoreSummary
from analytics.pipeline import StageReport
from analytics.weighting import WeightedEstimate
from survey.models import Wave
from survey.reporting import PipelineView, RepresentationRow
from survey.results import tables as t
from survey.results.tables import Cell, Column, Row, Table
from survey.results.wave_tables import MeasureInfo, estimate_cells

FOUR_FIFTHS_NOTE = (
    "Adverse impact ratio = the group's selection rate divided by the highest group's; "
    "below 0.8 flags possible adverse impact (the four-fifths screening rule: a flag for "
    "a closer look, not a legal test; the Equality Act asks about particular disadvantage)."
)
LIKELIHOOD_NOTE = (
    "Relative likelihood = the reference group's selection rate divided by the group's "
    "(as in the NHS Workforce Race Equality Standard): above 1, the reference group is "
    "more likely to progress."
)


def pipeline_tables(
    view: PipelineView, labels: dict[str, str], title: str
) -> tuple[list[Table], tuple[str, ...]]:
    """One table per stage, in stage order (groups hidden at a stage show the one label),
    and the notes that apply to every stage."""
    reports = {stage.stage: stage for stage in view.stages}
    subtitle = f"Promotion round {view.round} by {t.lower_first(title)}, from HR records"
    tables = [
        _stage_table(number, name, reports.get(name), view.hidden[name],
                     _with_merged(labels, view.merged[name]), subtitle)
        for number, name in enumerate(view.hidden, start=1)
    ]
    notes = (
        f"Every figure describes at least {view.k} people who entered the stage (k = "
        f"{view.k}: the larger of 10 and the latest survey wave's k).",
        f"Groups with fewer than {view.k} entrants at a stage are merged with others of "
        f"the same parent group where they can be, otherwise not shown "
        f"(\u201c{HIDDEN_LABEL}\u201d). Stage totals are not published, so another group "
        "is hidden beside them only where another breakdown of the round shows the total.",
        LIKELIHOOD_NOTE,
        FOUR_FIFTHS_NOTE,
        t.FDR_NOTE.replace("Gaps", "Differences"),
        "Selection rates and relative likelihoods carry 95% confidence intervals (the "
        "glossary names the methods).",
        f"{t.NOT_APPLICABLE}: not applicable (the reference group, or a rate of 0).",
    )
    return tables, notes


def _stage_table(
    number: int,
    name: str,
    report: StageReport | None,
    hidden: tuple[str, ...],
    labels: dict[str, str],
    subtitle: str,
) -> Table:
    columns = (
        Column("group", "Group", numeric=False),
        Column("n", "Entered (n)"),
        Column("progressed", "Progressed"),
        Column("estimate", "Selection rate (%)"),
        Column("ci", "95% CI"),
        Column("rl", "Relative likelihood (reference / group)"),
        Column("rl_ci", "95% CI of relative likelihood"),
        Column("air", "Adverse impact ratio"),
        Column("flag", "Below four-fifths", numeric=False),
        Column("q", "q"),
        Column("status", "Result", numeric=False),
    )
    shown = {g.group: g for g in report.groups} if report else {}
    rows = []
    for code, label in _ordered(labels, [*shown, *hidden]):
        selection = shown.get(code)
        if selection is None:
            rows.append(t.hidden_row(code, label, len(columns)))
            continue
        rate = selection.selection_rate
        ratio = selection.relative_likelihood
        air = selection.adverse_impact_ratio
        rows.append(
            Row(
                code,
                (
                    t.text(label),
                    t.count(rate.n),
                    t.count(rate.count, "progressed"),
                    t.percent(rate.proportion, "estimate"),
                    t.interval(rate.interval, 1, scale=100),
                    t.number(ratio.estimate if ratio else None, 2, "rl"),
                    t.interval(ratio.interval if ratio else None, 2, "rl_ci"),
                    t.number(air, 2, "air"),
                    t.text(
                        "Yes" if selection.below_four_fifths else "No",
                        flag=selection.below_four_fifths,
                    ),
                    t.q_value(selection.q_value, p=selection.test.p_value
                              if selection.test is not None else None),
                    t.status(selection.status),
                ),
                kind="reference" if report and code == report.reference else "group",
            )
        )
    notes = []
    if report:
        highest = report.reference == report.highest_rate_group
        notes.append(
            f"Reference group at this stage: {labels.get(report.reference, '')}"
            f"{' (the highest selection rate)' if highest else ''}."
        )
    else:
        notes.append("Every group at this stage is hidden to protect anonymity.")
    return t.table(f"Stage {number}: {name}", subtitle, columns, rows, notes)


def _with_merged(labels: dict[str, str], merged: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Labels with each merged group named after the groups it holds."""
    named = {code: " + ".join(labels.get(m, m) for m in members) + " (merged)"
             for code, members in merged.items()}
    return {**labels, **named}


def _ordered(labels: dict[str, str], codes: list[str]) -> list[tuple[str, str]]:
    known = [(code, label) for code, label in labels.items() if code in codes]
    return known + [(code, code) for code in codes if code not in labels]


def representation_table(wave: Wave, title: str, rows: list[RepresentationRow]) -> Table:
    columns = (
        Column("group", "Group", numeric=False),
        Column("headcount", "Headcount"),
        Column("n", "Respondents (n)"),
        Column("rate", "Response rate (%)"),
        Column("rate_ci", "95% CI"),
        Column("share", "Share of respondents (%)"),
        Column("workforce_share", "Share of the workforce (%)"),
    )
    lines = []
    for row in rows:
        if row.respondents is None:
            cells: tuple[Cell, ...] = (
                t.text(row.label),
                t.count(row.headcount, "headcount"),
                t.hidden(),
                t.hidden(),
                t.hidden(),
                t.hidden(),
                t.percent(row.workforce_share, "workforce_share"),
            )
            lines.append(Row(row.group, cells, hidden=True))
            continue
        rate = (
            t.share_cells(row.response_rate, "rate")
            if row.response_rate
            else (t.not_applicable("rate"), t.not_applicable("rate_ci_low", "rate_ci_high"))
        )
        lines.append(
            Row(
                row.group,
                (
                    t.text(row.label),
                    t.count(row.headcount, "headcount"),
                    t.count(row.respondents),
                    *rate,
                    t.percent(row.respondent_share, "share"),
                    t.percent(row.workforce_share, "workforce_share"),
                ),
            )
        )
    notes = (
        *t.threshold_notes(wave.threshold),
        "Headcounts come from HR records for this wave; shares are of the groups listed.",
        f"{t.NOT_APPLICABLE}: not applicable (more respondents than the headcount says, "
        "or no headcount).",
    )
    return t.table(
        f"Respondents against the workforce by {t.lower_first(title)}",
        t.wave_line(wave),
        columns,
        lines,
        notes,
    )


def weighted_table(
    wave: Wave,
    info: MeasureInfo,
    title: str,
    unweighted: ItemSummary | ScoreSummary | None,
    weighted: WeightedEstimate | None,
    refusal: str | None,
) -> Table:
    columns = (
        Column("estimate_type", "Estimate", numeric=False),
        Column("n", "Respondents (n)"),
        Column("estimate", info.unit),
        Column("ci", "95% CI"),
        Column("effective_n", "Effective n"),
    )
    rows = []
    label = "Unweighted (all respondents)"
    if unweighted is None or unweighted.n < wave.threshold:
        rows.append(t.hidden_row("unweighted", label, len(columns)))
    else:
        rows.append(
            Row(
                "unweighted",
                (t.text(label), *estimate_cells(unweighted, info), t.not_applicable("effective_n")),
            )
        )
    label = f"Weighted to the workforce profile by {t.lower_first(title)}"
    if weighted is not None:
        rows.append(
            Row(
                "weighted",
                (
                    t.text(label),
                    t.count(weighted.n),
                    t.number(weighted.estimate * info.scale, info.places, "estimate"),
                    t.interval(weighted.interval, info.places, scale=info.scale),
                    t.count(round(weighted.effective_n), "effective_n"),
                ),
                kind="weighted",
            )
        )
    notes = [*t.threshold_notes(wave.threshold)]
    if weighted is not None:
        notes += [
            f"{t.WEIGHTED_NOTE} by {t.lower_first(title)}: respondents who stated a group are "
            "weighted so each group counts in proportion to its headcount.",
            "Effective n: how many respondents the weighted estimate is worth, since "
            "weighting makes some answers count more than others (see the glossary). "
            "Shown only when every group of this breakdown, not stated included, is "
            "published for this measure.",
        ]
    if refusal:
        notes.append(f"No weighted estimate: {refusal}")
    return t.table(
        f"{info.title}: unweighted and weighted",
        t.wave_line(wave),
        columns,
        rows,
        notes,
    )
