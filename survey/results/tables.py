"""One presentation of every figure: a plain Table that every output renders.

A reporting view (survey.reporting, after disclosure control) becomes a Table here, once:
display text for each cell, the number it shows (for spreadsheets), machine values (for
the API and the charts) and the footnotes every reader needs (k, hidden groups, not
stated, multiple testing, weighting). The page, the chart, the JSON API, CSV, XLSX and PDF
all render the same Table, so their figures cannot disagree. Numbers are rounded here, in
one place, and the machine value of a displayed figure is the displayed figure.

Every hidden figure, whatever the reason, shows HIDDEN_LABEL and carries no number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analytics.disclosure import HIDDEN_LABEL
from analytics.gaps import GapStatus
from analytics.interval import Interval
from analytics.proportions import Share

NOT_APPLICABLE = "n/a"
Value = float | int | str | bool | None

STATUS_TEXT = {
    GapStatus.SIGNIFICANT: "Significant",
    GapStatus.NOT_SIGNIFICANT: "Not significant",
    GapStatus.TOO_FEW_TO_TEST: "Too few to test",
}


@dataclass(frozen=True)
class Cell:
    """What one cell shows: text; number = the figure the text shows (None if not one
    number); values = machine fields it contributes to its row (e.g. ci_low, ci_high);
    excel = the spreadsheet number format for number."""

    text: str
    number: float | int | None = None
    values: Mapping[str, Value] = field(default_factory=dict)
    excel: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    """One line of a table; key is a group (or wave, stage...) code, kind says which row
    ("overall", "group", "not_stated", "reference"...) for charts and styling."""

    key: str
    cells: tuple[Cell, ...]
    hidden: bool = False
    kind: str = "group"

    @property
    def values(self) -> dict[str, Value]:
        merged: dict[str, Value] = {}
        for cell in self.cells:
            merged.update(cell.values)
        return merged

    def spans(self) -> list[tuple[int, int, Cell]]:
        """(first column, columns spanned, cell): runs of hidden cells merged into one, as
        the page and the PDF draw them (the same label, once per run)."""
        runs: list[tuple[int, int, Cell]] = []
        for index, cell in enumerate(self.cells):
            if runs and cell.text == HIDDEN_LABEL and runs[-1][2].text == HIDDEN_LABEL:
                start, width, first = runs[-1]
                runs[-1] = (start, width + 1, first)
            else:
                runs.append((index, 1, cell))
        return runs


@dataclass(frozen=True)
class Table:
    title: str
    subtitle: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"row {row.key!r} has {len(row.cells)} cells, not {len(self.columns)}"
                )

    def as_dict(self) -> dict:
        """The JSON form: display text and, per row, machine values (hidden rows: None)."""
        keys = list(dict.fromkeys(key for row in self.rows for key in row.values))
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [
                {
                    "key": row.key,
                    "kind": row.kind,
                    "hidden": row.hidden,
                    "cells": [cell.text for cell in row.cells],
                    "values": {key: row.values.get(key) for key in keys},
                }
                for row in self.rows
            ],
            "footnotes": list(self.footnotes),
        }


@dataclass(frozen=True)
class Report:
    """The tables of one page, in order; name is a safe file name stem for exports;
    notes apply to every table (shown once, after them)."""

    title: str
    name: str
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "tables": [table.as_dict() for table in self.tables],
            "notes": list(self.notes),
        }


def lower_first(title: str) -> str:
    """A title inside a sentence: "Disability (Equality Act 2010)" -> "disability (Equality
    Act 2010)"; acronyms ("PDR and ...") keep their capitals."""
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        return title[0].lower() + title[1:]
    return title


# --- cells -------------------------------------------------------------------------------


def text(value: str, **values: Value) -> Cell:
    return Cell(value, values=values)


def hidden(*keys: str) -> Cell:
    """A hidden figure: the one label, and None for each machine field it stands for."""
    return Cell(HIDDEN_LABEL, values=dict.fromkeys(keys))


def not_applicable(*keys: str) -> Cell:
    return Cell(NOT_APPLICABLE, values=dict.fromkeys(keys))


def count(n: int, key: str = "n") -> Cell:
    return Cell(f"{n:,}", n, {key: n}, "#,##0")


def number(value: float | None, places: int, key: str, signed: bool = False) -> Cell:
    if value is None:
        return not_applicable(key)
    shown = _fixed(value, places, signed)
    figure = float(shown)
    return Cell(shown, figure, {key: figure}, _excel_format(places, signed))


def interval(
    bounds: Interval | None,
    places: int,
    prefix: str = "ci",
    signed: bool = False,
    scale: float = 1.0,
) -> Cell:
    """A 95% interval as "low to high", with prefix_low and prefix_high machine values."""
    keys = (f"{prefix}_low", f"{prefix}_high")
    if bounds is None:
        return not_applicable(*keys)
    low = _fixed(bounds.low * scale, places, signed)
    high = _fixed(bounds.high * scale, places, signed)
    return Cell(f"{low} to {high}", values={keys[0]: float(low), keys[1]: float(high)})


def q_value(q: float | None, key: str = "q", p: float | None = None) -> Cell:
    """The q-value shown; the machine values also carry the test's p-value (p_... for
    q_...), to two significant figures, for the figure-per-row exports."""
    tested = {"p" + key[1:]: None if p is None else float(f"{p:.2g}")}
    if q is None:
        return Cell(NOT_APPLICABLE, values={key: None, **tested})
    if q < 0.001:
        return Cell("<0.001", values={key: float(f"{q:.2g}"), **tested})
    shown = f"{q:.3f}"
    return Cell(shown, float(shown), {key: float(shown), **tested}, "0.000")


def status(value: GapStatus | None, key: str = "status") -> Cell:
    if value is None:
        return not_applicable(key)
    return Cell(STATUS_TEXT[value], values={key: value.value})


def percent(share: float | None, key: str, places: int = 1) -> Cell:
    """A proportion (0..1) shown in percent (0..100), the unit named in the column label."""
    return number(None if share is None else share * 100, places, key)


def share_cells(share: Share, key: str) -> tuple[Cell, Cell]:
    """A share in percent and its Wilson interval."""
    return percent(share.proportion, key), interval(share.interval, 1, f"{key}_ci", scale=100)


def _fixed(value: float, places: int, signed: bool) -> str:
    shown = f"{value:+.{places}f}" if signed else f"{value:.{places}f}"
    if float(shown) == 0:  # never "-0.0" or "+0.0"
        shown = f"{0:.{places}f}"
    return shown


def _excel_format(places: int, signed: bool) -> str:
    digits = "0." + "0" * places if places else "0"
    return f"+{digits};-{digits};{digits}" if signed else digits


# --- footnotes ---------------------------------------------------------------------------


def wave_line(wave) -> str:
    """A table's subtitle: the wave, flagged if codes were issued after it opened (spare
    codes in staff hands could have been used to submit known answers)."""
    line = f"{wave.title} ({wave.code})"
    if wave.codes_issued_after_open:
        line += (
            f"; {wave.codes_issued_after_open:,} invitation codes were issued after the wave "
            "opened"
        )
    return line


def threshold_notes(k: int) -> tuple[str, str]:
    return (
        f"Every figure describes at least {k} respondents (k = {k} for this wave, fixed "
        "when it opened).",
        f"Groups with fewer than {k} respondents are not shown (\u201c{HIDDEN_LABEL}\u201d); "
        "another group may be hidden so that hidden figures cannot be worked out.",
    )


FDR_NOTE = (
    "Gaps marked significant are too large to be chance even allowing for the many groups "
    "compared (q-value below 0.05: see the glossary), and both groups have 30 or more "
    "people; others are \u2018too few to test\u2019 or \u2018not significant\u2019."
)
INTERVAL_NOTE = (
    "Ranges are 95% confidence intervals: the true figure very probably lies within them, "
    "and fewer answers make them wider (the glossary names the method for each figure)."
)
WEIGHTED_NOTE = "Weighted to the workforce profile"
NOT_APPLICABLE_NOTE = (
    f"{NOT_APPLICABLE}: not applicable (the whole organisation, the not-stated group and "
    "the reference group are not compared)."
)


def not_stated_note(share: Share | None, any_hidden: bool) -> str:
    if share is None:
        if any_hidden:
            return f"Not stated share: {HIDDEN_LABEL.lower()}."
        return "Not stated share: nobody in this breakdown is unstated."
    return (
        f"Not stated: {share.proportion * 100:.1f}% of the {share.n:,} who answered "
        f"(95% CI {share.interval.low * 100:.1f} to {share.interval.high * 100:.1f}); "
        "a large not-stated share can distort every gap."
    )


def table(
    title: str,
    subtitle: str,
    columns: Iterable[Column],
    rows: Iterable[Row],
    footnotes: Iterable[str] = (),
) -> Table:
    return Table(title, subtitle, tuple(columns), tuple(rows), tuple(footnotes))


def hidden_row(key: str, label: str, columns: int, kind: str = "group") -> Row:
    """A row whose figures are all hidden: its label, then the one label in every cell
    (its machine values are None in the JSON form, like every missing value)."""
    cells = (text(label), *(hidden() for _ in range(columns - 1)))
    return Row(key, cells, hidden=True, kind=kind)
