"""The heatmap as a Table: measures (rows) by groups (columns), each cell a group's
difference from the rest of the organisation, with its n beside it.

Each gap cell carries machine values for the chart, the page's shading and the API:
`<group>:gap` (in the measure's shown unit), `<group>:q`, `<group>:status` and
`<group>:shade`, a step from -3 to +3 by the size of the difference as a share of the
measure's range, signed so that positive is better (burnout and anxiety: lower is
better). The page colours cells by that step, the chart draws it, so they agree.
"""

from __future__ import annotations

from analytics.gaps import Gap, GapStatus
from survey.instruments import Definition
from survey.models import Wave
from survey.reporting.heatmap import HeatCell, HeatmapView, HeatRow
from survey.results import tables as t
from survey.results.tables import Cell, Column, Row, Table
from survey.results.wave_tables import MeasureInfo, estimate_of, measure_info

SIGNIFICANT_MARK = "*"
SHADE_STEPS = (2.0, 5.0, 10.0)
"""Differences of at least 2, 5 and 10% of the measure's range take shades 1, 2 and 3."""


def shade(difference: float, info: MeasureInfo, higher_is_better: bool) -> int:
    """The colour step of a shown difference: 0 (under 2% of the range) to +-3."""
    size = abs(difference) / (info.high - info.low) * (1 if info.is_score else 100) * 100
    step = sum(size >= limit for limit in SHADE_STEPS)
    better = (difference > 0) == higher_is_better
    return step if better else -step


def heatmap_table(wave: Wave, definition: Definition, view: HeatmapView) -> Table:
    columns = [
        Column("measure", "Measure", numeric=False),
        Column("estimate", "Whole organisation"),
        Column("n", "Whole organisation (n)"),
    ]
    for group, label in view.groups.items():
        columns += [
            Column(f"{group}:gap", f"{label}: difference"),
            Column(f"{group}:n", f"{label} (n)"),
        ]
    rows = [_row(definition, row, len(columns)) for row in view.rows]
    notes = (
        *t.threshold_notes(view.k),
        "Each cell: the group minus the rest of the organisation (the other respondents "
        "of this breakdown who stated a group that is shown; not the not-stated or "
        "not-applicable), in points for scores and percentage points for questions.",
        f"{SIGNIFICANT_MARK} significant: too large to be chance even allowing for every "
        "group of every breakdown compared on that measure, as on the gaps pages (q-value "
        "below 0.05: see the glossary); both groups have 30 or more people, and the 95% "
        "confidence interval does not include zero.",
        "Shading: the size of the difference as a share of the measure's range (2%, 5%, "
        "10% or more), darker purple better than the rest, darker orange worse (lower "
        "burnout and anxiety are better). The shade is never the only carrier: the "
        "figures are in every cell.",
        f"{t.NOT_APPLICABLE}: not compared (no other shown group to compare with).",
    )
    title = f"Every measure by {t.lower_first(view.title)}: difference from the rest"
    return t.table(title, t.wave_line(wave), columns, rows, notes)


def _row(definition: Definition, row: HeatRow, width: int) -> Row:
    info = measure_info(definition, row.measure)
    unit = "points" if info.is_score else "% favourable, percentage points"
    label = f"{info.title} ({unit})"
    if row.overall is None:
        return t.hidden_row(row.measure, label, width, "score" if info.is_score else "item")
    value, _ = estimate_of(row.overall)
    better = definition.measures.get(row.measure, {}).get("higher_is_better", True)
    cells = [
        t.text(label, measure=row.measure),
        t.number(value * info.scale, info.places, "estimate"),
        t.count(row.overall.n),
    ]
    for cell in row.cells:
        cells += _group_cells(cell, info, better)
    return Row(row.measure, tuple(cells), kind="score" if info.is_score else "item")


def _group_cells(cell: HeatCell, info: MeasureInfo, better: bool) -> tuple[Cell, Cell]:
    keys = tuple(f"{cell.group}:{key}" for key in ("gap", "q", "status", "shade"))
    if cell.n is None:
        return t.hidden(*keys), t.hidden(f"{cell.group}:n")
    n = t.count(cell.n, f"{cell.group}:n")
    gap = cell.gap
    if gap is None or gap.difference is None:
        return t.not_applicable(*keys), n
    return _gap_cell(gap, info, better, keys), n


def _gap_cell(gap: Gap, info: MeasureInfo, better: bool, keys: tuple[str, ...]) -> Cell:
    shown = t.number(gap.difference.estimate * info.scale, info.places, keys[0], signed=True)
    significant = gap.status == GapStatus.SIGNIFICANT
    q = None if gap.q_value is None else float(f"{gap.q_value:.3g}")
    values = {
        **shown.values,
        keys[1]: q,
        keys[2]: gap.status.value,
        keys[3]: shade(shown.number, info, better),
    }
    text = f"{shown.text} {SIGNIFICANT_MARK}" if significant else shown.text
    excel = shown.excel if not significant else _marked(shown.excel)
    return Cell(text, shown.number, values, excel)


def _marked(excel: str) -> str:
    """The spreadsheet format that shows the significance mark after the number."""
    return ";".join(f'{part}" {SIGNIFICANT_MARK}"' for part in excel.split(";"))
