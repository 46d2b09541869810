"""A measure across waves: each wave's figure under its own wave's disclosure control,
the change since the previous shown wave, and the smallest change the data could detect;
for one group, also its gap to the rest in each wave and the change of that gap."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from analytics.trends import DetectableChange, SeriesChange
from survey.reporting import Trend, TrendPoint
from survey.results import tables as t
from survey.results.tables import Cell, Column, Row, Table
from survey.results.wave_tables import MeasureInfo, estimate_cells


def trend_table(series: Trend, info: MeasureInfo, who: str, thresholds: dict[str, int]) -> Table:
    """thresholds: each wave's k, by wave code; who: the population ("Whole organisation")."""
    columns = (
        Column("wave", "Wave", numeric=False),
        Column("n", "Respondents (n)"),
        Column("estimate", info.unit),
        Column("ci", "95% CI"),
        Column("change", f"Change since the previous wave ({info.gap_unit})"),
        Column("change_ci", "95% CI of change"),
        Column("clear", "Clear change (interval excludes 0)", numeric=False),
        Column("previous", "Compared with", numeric=False),
    )
    rows = _wave_rows(series.points, series.changes, info, len(columns), _estimate_cells)
    notes = [
        *_threshold_notes(thresholds),
        t.INTERVAL_NOTE,
        "Waves are independent samples of anonymous respondents; a change is compared "
        "with the last earlier wave whose figure is shown.",
        detectable_note(series.detectable, info),
        f"{t.NOT_APPLICABLE}: not applicable (the first wave shown has no earlier one).",
    ]
    return t.table(
        f"{info.title}: {who}", "Every wave of this questionnaire so far", columns, rows, notes
    )


GAP_CHANGE_NOTES = (
    "Change of the gap = this wave's gap minus the gap of the last earlier wave whose gap "
    "is shown; its interval combines the two waves' gap intervals (MOVER, Zou and Donner "
    "2008: the waves are independent samples).",
    "A gap change is shown only between two waves that both publish the group's gap, and "
    "is clear only where its interval excludes 0. A clear change of the group's own figure "
    "is not a change of its gap: the rest may have moved too.",
)


def gap_trend_table(series: Trend, info: MeasureInfo, who: str) -> Table:
    """The group's gap to the rest in each wave and the change of that gap."""
    columns = (
        Column("wave", "Wave", numeric=False),
        Column("n", "Group (n)"),
        Column("n_rest", "Rest (n)"),
        Column("gap", f"Gap to the rest ({info.gap_unit})"),
        Column("gap_ci", "95% CI of gap"),
        Column("gap_change", f"Change of the gap ({info.gap_unit})"),
        Column("gap_change_ci", "95% CI of change of the gap"),
        Column("gap_clear", "Clear change of the gap (interval excludes 0)", numeric=False),
        Column("gap_previous", "Compared with", numeric=False),
    )
    rows = _wave_rows(series.points, series.gap_changes, info, len(columns), _gap_cells, "gap_")
    notes = (
        f"Gap = {who} minus the rest: the other respondents of that wave who stated a "
        f"substantive answer and whose group is shown, in {info.gap_unit}.",
        *GAP_CHANGE_NOTES,
        f"{t.NOT_APPLICABLE}: not applicable (the first gap shown has no earlier one).",
    )
    return t.table(f"{info.title}: gap of {who} to the rest",
                   "Every wave of this questionnaire so far", columns, rows, notes)


def _wave_rows(
    points: tuple[TrendPoint, ...],
    changes: tuple[SeriesChange, ...],
    info: MeasureInfo,
    width: int,
    figures: Callable[[TrendPoint, MeasureInfo], tuple[Cell, ...] | None],
    prefix: str = "",
) -> list[Row]:
    """A row per wave: its figures and their change since the last earlier wave shown
    (keys prefix + change...); hidden where figures(point, info) is None."""
    later = iter((None, *changes))
    rows = []
    for point in points:
        cells = figures(point, info)
        if cells is None:
            rows.append(t.hidden_row(point.wave, point.label, width))
        else:
            change = _change_cells(next(later), info, prefix)
            rows.append(Row(point.wave, (t.text(point.label), *cells, *change)))
    return rows


def _estimate_cells(point: TrendPoint, info: MeasureInfo) -> tuple[Cell, ...] | None:
    return None if point.summary is None else estimate_cells(point.summary, info)


def _gap_cells(point: TrendPoint, info: MeasureInfo) -> tuple[Cell, ...] | None:
    gap = point.gap
    if gap is None:
        return None
    return (
        t.count(gap.n_group),
        t.count(gap.n_comparator, "n_rest"),
        t.number(gap.difference.estimate * info.scale, info.places, "gap", True),
        t.interval(gap.difference.interval, info.places, "gap_ci", True, info.scale),
    )


def _change_cells(change: SeriesChange | None, info: MeasureInfo, prefix: str) -> tuple[Cell, ...]:
    if change is None:
        return (
            t.not_applicable(f"{prefix}change"),
            t.not_applicable(f"{prefix}change_ci_low", f"{prefix}change_ci_high"),
            t.not_applicable(f"{prefix}clear"),
            t.not_applicable(f"{prefix}previous"),
        )
    clear = change.interval_excludes_zero
    return (
        t.number(change.change.estimate * info.scale, info.places, f"{prefix}change", True),
        t.interval(change.change.interval, info.places, f"{prefix}change_ci", True, info.scale),
        t.text("Yes" if clear else "No", **{f"{prefix}clear": clear}),
        t.text(change.previous_label, **{f"{prefix}previous": change.previous_label}),
    )


ACTIONS_NOTE = (
    "Actions: what the force recorded doing about each wave's results on this measure, "
    "as published on the \u201cYou said, we did\u201d page."
)
NO_ACTION = "None recorded"


def with_actions(table: Table, actions: Mapping[str, str]) -> Table:
    """The trend table with a column of the actions recorded on each wave's results
    (wave code -> text staff published); unchanged when there are none."""
    if not actions:
        return table
    rows = tuple(
        replace(row, cells=(*row.cells, t.text(actions.get(row.key, NO_ACTION),
                                               actions=actions.get(row.key))))
        for row in table.rows
    )
    column = Column("actions", "Actions on this wave's results", numeric=False)
    return replace(table, columns=(*table.columns, column), rows=rows,
                   footnotes=(*table.footnotes, ACTIONS_NOTE))


def detectable_note(detectable: float | DetectableChange | None, info: MeasureInfo) -> str:
    lead = "Minimum detectable change between the last two waves shown"
    tail = "(80% power, two-sided 5% test); a smaller real change may not show."
    if detectable is None:
        return f"{lead}: not available (fewer than two waves shown)."
    if isinstance(detectable, DetectableChange):
        parts = [
            f"a rise of {detectable.increase * 100:.1f}" if detectable.increase else None,
            f"a fall of {detectable.decrease * 100:.1f}" if detectable.decrease else None,
        ]
        said = " or ".join(p for p in parts if p) or "none possible"
        return f"{lead}: {said} percentage points {tail}"
    return f"{lead}: {detectable:.{info.places}f} points {tail}"


def _threshold_notes(thresholds: dict[str, int]) -> tuple[str, ...]:
    values = sorted(set(thresholds.values()))
    if len(values) == 1:
        return t.threshold_notes(values[0])
    listed = ", ".join(f"{code}: {k}" for code, k in thresholds.items())
    return (
        f"Each wave's figures describe at least that wave's k respondents ({listed}).",
        "Groups below a wave's k are not shown; another group may be hidden so that "
        "hidden figures cannot be worked out.",
    )
