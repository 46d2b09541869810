"""Tables of one wave: the overview of every score, one measure by a breakdown, and one
measure over an intersection. Input: survey.reporting views (after disclosure control)."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.gaps import Gap
from analytics.interval import Interval
from analytics.measures import ItemSummary, ScoreSummary
from analytics.proportions import Ratio
from analytics.trends import SeriesChange
from survey.instruments import NOT_STATED, Definition
from survey.models import Wave
from survey.reporting import BreakdownView, IntersectionView, Trend, measure_title
from survey.results import tables as t
from survey.results.tables import Cell, Column, Row, Table

Summary = ItemSummary | ScoreSummary


@dataclass(frozen=True)
class MeasureInfo:
    """How a measure is shown: a score's mean on its own range, or an item's % favourable."""

    code: str
    title: str
    is_score: bool
    places: int
    low: float
    high: float
    cut_label: str | None

    @property
    def unit(self) -> str:
        if not self.is_score:
            return "% favourable"
        return f"Mean ({self.low:g}-{self.high:g})"

    @property
    def gap_unit(self) -> str:
        return "points" if self.is_score else "percentage points"

    @property
    def scale(self) -> float:
        """Multiplier from the analytics unit to the shown unit (proportions to percent)."""
        return 1.0 if self.is_score else 100.0


def measure_info(definition: Definition, code: str) -> MeasureInfo:
    measure = definition.measures.get(code)
    if measure is None:
        return MeasureInfo(code, measure_title(definition, code), False, 1, 0, 100, None)
    low, high = measure.get("range", [0, 100])
    cut = measure.get("cut_point")
    return MeasureInfo(
        code,
        measure["title"],
        True,
        2 if high <= 10 else 1,
        low,
        high,
        cut["label"] if cut else None,
    )


def estimate_of(summary: Summary) -> tuple[float, Interval]:
    """The headline figure in analytics units: a mean, or the favourable proportion."""
    if isinstance(summary, ScoreSummary):
        return summary.mean, summary.interval
    return summary.favourable.proportion, summary.favourable.interval


def estimate_cells(summary: Summary, info: MeasureInfo) -> tuple[Cell, Cell, Cell]:
    """n, estimate and its interval."""
    value, bounds = estimate_of(summary)
    return (
        t.count(summary.n),
        t.number(value * info.scale, info.places, "estimate"),
        t.interval(bounds, info.places, scale=info.scale),
    )


# --- overview ----------------------------------------------------------------------------


def overview_table(wave: Wave, definition: Definition, series: dict[str, Trend]) -> Table:
    """Every score measure for the whole wave, with its change since the previous wave."""
    columns = (
        Column("measure", "Measure", numeric=False),
        Column("n", "Respondents (n)"),
        Column("estimate", "Mean"),
        Column("ci", "95% CI"),
        Column("cut_label", "Cut point", numeric=False),
        Column("cut", "% at the cut point"),
        Column("cut_ci", "95% CI"),
        Column("change", "Change since previous wave"),
        Column("change_ci", "95% CI of change"),
        Column("previous", "Previous wave", numeric=False),
    )
    rows = []
    for code, trend in series.items():
        info = measure_info(definition, code)
        label = f"{info.title} ({info.low:g}-{info.high:g})"
        point = trend.points[-1] if trend.points else None
        if point is None or point.wave != wave.code or point.summary is None:
            rows.append(t.hidden_row(code, label, len(columns)))
            continue
        rows.append(
            Row(
                code,
                (
                    t.text(label),
                    *estimate_cells(point.summary, info),
                    *_cut_cells(point.summary, info),
                    *_change_cells(trend, info),
                ),
            )
        )
    notes = (
        *t.threshold_notes(wave.threshold),
        t.INTERVAL_NOTE,
        "Change = this wave minus the previous wave in which the figure was shown; "
        "waves are independent samples of anonymous respondents.",
        f"{t.NOT_APPLICABLE}: not applicable (no cut point, or no earlier wave).",
    )
    return t.table("Scores for the whole organisation", t.wave_line(wave), columns, rows, notes)


def _cut_cells(summary: Summary, info: MeasureInfo) -> tuple[Cell, Cell, Cell]:
    if not isinstance(summary, ScoreSummary) or summary.beyond_cut is None:
        return (
            t.not_applicable("cut_label"),
            t.not_applicable("cut"),
            t.not_applicable("cut_ci_low", "cut_ci_high"),
        )
    return (
        t.text(info.cut_label or "", cut_label=info.cut_label),
        *t.share_cells(summary.beyond_cut, "cut"),
    )


def _change_cells(trend: Trend, info: MeasureInfo) -> tuple[Cell, Cell, Cell]:
    change = latest_change(trend)
    if change is None:
        return (
            t.not_applicable("change"),
            t.not_applicable("change_ci_low", "change_ci_high"),
            t.not_applicable("previous"),
        )
    return (
        t.number(change.change.estimate * info.scale, info.places, "change", signed=True),
        t.interval(change.change.interval, info.places, "change_ci", True, info.scale),
        t.text(change.previous_label, previous=change.previous_label,
               clear=change.interval_excludes_zero),
    )


def latest_change(trend: Trend) -> SeriesChange | None:
    """The change into the trend's last wave, if that wave's figure is shown."""
    if not trend.points or trend.points[-1].summary is None or not trend.changes:
        return None
    return trend.changes[-1]


# --- one measure by a breakdown ----------------------------------------------------------


def breakdown_table(wave: Wave, view: BreakdownView, info: MeasureInfo) -> Table:
    """Each group's n, estimate and CI, its gap from the rest of the organisation and,
    if a reference group is shown, from it (with relative likelihood for items)."""
    figures = view.measures[info.code]
    gaps = figures.gaps
    reference = gaps.reference if gaps else None
    versus_rest = {g.group: g for g in gaps.versus_rest} if gaps else {}
    versus_ref = {g.group: g for g in gaps.versus_reference} if gaps else {}
    labels = {f.group: f.label for f in figures.groups}
    columns = _breakdown_columns(info, labels.get(reference) if reference else None)
    rows = [_overall_row(figures.overall, info, view.k, len(columns))]
    for figure in figures.groups:
        if figure.n is None or figure.summary is None:
            rows.append(
                t.hidden_row(
                    figure.group, figure.label, len(columns), _kind(figure.group, reference)
                )
            )
            continue
        cells = [t.text(figure.label), *estimate_cells(figure.summary, info)]
        cells += _gap_cells(versus_rest.get(figure.group), info, "rest", False)
        if reference:
            cells += _gap_cells(versus_ref.get(figure.group), info, "ref", not info.is_score)
        rows.append(Row(figure.group, tuple(cells), kind=_kind(figure.group, reference)))
    any_hidden = any(row.hidden for row in rows)
    notes = [
        *t.threshold_notes(view.k),
        t.not_stated_note(figures.not_stated, any_hidden),
        f"Difference = the group minus the comparison group, in {info.gap_unit}.",
        t.FDR_NOTE,
        t.INTERVAL_NOTE,
        t.NOT_APPLICABLE_NOTE,
    ]
    if reference and not info.is_score:
        notes.append(
            "Relative likelihood = the reference group's favourable rate divided by "
            "the group's: above 1, the reference group answers favourably more often."
        )
    title = f"{info.title} by {t.lower_first(view.title)}"
    return t.table(title, t.wave_line(wave), columns, rows, notes)


def _breakdown_columns(info: MeasureInfo, reference_label: str | None) -> tuple[Column, ...]:
    columns = [
        Column("group", "Group", numeric=False),
        Column("n", "Respondents (n)"),
        Column("estimate", info.unit),
        Column("ci", "95% CI"),
        Column("gap_rest", "Difference from the rest of the organisation"),
        Column("gap_rest_ci", "95% CI of difference"),
        Column("q_rest", "q"),
        Column("status_rest", "Result", numeric=False),
    ]
    if reference_label:
        against = f"from {reference_label}"
        columns += [
            Column("gap_ref", f"Difference {against}"),
            Column("gap_ref_ci", "95% CI of difference"),
        ]
        if not info.is_score:
            columns += [
                Column("rl_ref", f"Relative likelihood ({reference_label} / group)"),
                Column("rl_ref_ci", "95% CI of relative likelihood"),
            ]
        columns += [
            Column("q_ref", f"q (against {reference_label})"),
            Column("status_ref", f"Result (against {reference_label})", numeric=False),
        ]
    return tuple(columns)


def _overall_row(overall: Summary | None, info: MeasureInfo, k: int, width: int) -> Row:
    label = "Whole organisation"
    if overall is None:  # reporting withholds a figure for fewer than k
        return t.hidden_row("_all", label, width, kind="overall")
    blanks = [t.not_applicable() for _ in range(width - 4)]
    return Row("_all", (t.text(label), *estimate_cells(overall, info), *blanks), kind="overall")


def _gap_cells(gap: Gap | None, info: MeasureInfo, suffix: str, likelihood: bool) -> list[Cell]:
    keys = [f"gap_{suffix}", f"gap_{suffix}_ci_low", f"gap_{suffix}_ci_high"]
    if gap is None:
        cells = [t.not_applicable(keys[0]), t.not_applicable(*keys[1:])]
        if likelihood:
            cells += [
                t.not_applicable(f"rl_{suffix}"),
                t.not_applicable(f"rl_{suffix}_ci_low", f"rl_{suffix}_ci_high"),
            ]
        return [*cells, t.not_applicable(f"q_{suffix}"), t.not_applicable(f"status_{suffix}")]
    difference = gap.difference
    cells = [
        t.number(
            None if difference is None else difference.estimate * info.scale,
            info.places,
            keys[0],
            signed=True,
        ),
        t.interval(
            None if difference is None else difference.interval,
            info.places,
            keys[0] + "_ci",
            True,
            info.scale,
        ),
    ]
    if likelihood:
        cells += _ratio_cells(gap.relative_likelihood, f"rl_{suffix}")
    p_value = gap.test.p_value if gap.test is not None else None
    return [*cells, t.q_value(gap.q_value, f"q_{suffix}", p_value),
            t.status(gap.status, f"status_{suffix}")]


def _ratio_cells(ratio: Ratio | None, key: str) -> list[Cell]:
    if ratio is None:
        return [t.not_applicable(key), t.not_applicable(f"{key}_ci_low", f"{key}_ci_high")]
    return [t.number(ratio.estimate, 2, key), t.interval(ratio.interval, 2, f"{key}_ci")]


def _kind(group: str, reference: str | None) -> str:
    if group == NOT_STATED:
        return "not_stated"
    return "reference" if group == reference else "group"


# --- one measure over an intersection ----------------------------------------------------


def intersection_tables(
    wave: Wave, view: IntersectionView, info: MeasureInfo, titles: tuple[str, str]
) -> tuple[Table, Table]:
    """The measure in each visible cell, and the protected counts with their margins."""
    columns = (
        Column("row", titles[0], numeric=False),
        Column("col", titles[1], numeric=False),
        Column("n", "Respondents (n)"),
        Column("estimate", info.unit),
        Column("ci", "95% CI"),
    )
    rows = []
    for (row, col), _shown in view.counts.cells.items():
        key = f"{row}|{col}"
        names = (view.rows[row], view.cols[col])
        summary = view.summaries.get((row, col))
        if not view.counts.is_visible(row, col) or summary is None:
            cells = (t.text(names[0]), t.text(names[1]), t.hidden(), t.hidden(), t.hidden())
            rows.append(Row(key, cells, hidden=True))
        else:
            rows.append(
                Row(key, (t.text(names[0]), t.text(names[1]), *estimate_cells(summary, info)))
            )
    notes = (
        *t.threshold_notes(wave.threshold),
        t.INTERVAL_NOTE,
        "In a two-way table more cells may be hidden so that no hidden cell can be "
        "worked out from the row and column totals.",
    )
    title = f"{info.title} by {t.lower_first(titles[0])} and {t.lower_first(titles[1])}"
    return (
        t.table(title, t.wave_line(wave), columns, rows, notes),
        _count_table(wave, view, info, titles),
    )


def _count_table(
    wave: Wave, view: IntersectionView, info: MeasureInfo, titles: tuple[str, str]
) -> Table:
    counts = view.counts
    columns = (
        Column("row", f"{titles[0]} \\ {titles[1]}", numeric=False),
        *(Column(f"col:{c}", label) for c, label in view.cols.items()),
        Column("total", "All"),
    )

    def shown(value, key: str) -> Cell:
        return t.count(value, key) if isinstance(value, int) else t.hidden(key)

    rows = [
        Row(
            r,
            (
                t.text(label),
                *(shown(counts.cells[(r, c)], f"n:{c}") for c in view.cols),
                shown(counts.row_totals[r], "n:total"),
            ),
        )
        for r, label in view.rows.items()
    ]
    rows.append(
        Row(
            "_all",
            (
                t.text("All"),
                *(shown(counts.col_totals[c], f"n:{c}") for c in view.cols),
                shown(counts.grand_total, "n:total"),
            ),
            kind="overall",
        )
    )
    return t.table(
        f"Respondents to {t.lower_first(info.title)}",
        t.wave_line(wave),
        columns,
        rows,
        t.threshold_notes(wave.threshold),
    )
