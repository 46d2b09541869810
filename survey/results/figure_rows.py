"""The machine-friendly exports: one row per figure, in CSV and XLSX.

Each row of each Table becomes one record with fixed columns, whatever the page:
wave, measure, breakdown, table, group, group code, row kind, n, value and its 95%
interval, the difference (from the rest of the organisation, or since the previous
wave) and its interval, p, q, the test's result and whether the row is hidden. Numbers
are the Table's machine values (the figures as shown, unrounded no further), so they
agree with the page, the PDF and the API; a hidden row has no numbers at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font

from survey.results.tables import Report, Row, Table, Value

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Our figures: a number, an interval "a to b", or a number with the heatmap's mark.
OUR_FIGURE = re.compile(r"[+-]?[\d,]+(\.\d+)?(( to [+-]?[\d,]+(\.\d+)?)| \*)?")
FIELDS = ("wave", "measure", "breakdown", "table", "group", "group_code", "kind", "n",
          "value", "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high", "p", "q",
          "status", "hidden")
VALUE_KEYS = ("estimate", "rate", "share")  # the row's own figure, first found
DIFF_KEYS = ("gap_rest", "gap", "change", "gap_change")  # its comparison, first found
TEST_SUFFIXES = ("_rest", "")  # p_rest/q_rest/status_rest, else p/q/status


def figure_rows(report: Report, about: Mapping[str, str]) -> list[dict[str, Value]]:
    """about: the page's wave, measure and breakdown (level), where it has them."""
    return [_record(table, row, about) for table in report.tables for row in table.rows]


def _record(table: Table, row: Row, about: Mapping[str, str]) -> dict[str, Value]:
    values = row.values
    value = next((key for key in VALUE_KEYS if key in values), None)
    diff = next((key for key in DIFF_KEYS if key in values), None)
    suffix = next((s for s in TEST_SUFFIXES if f"q{s}" in values), "")
    return {
        **_what(table, row, about),
        "kind": row.kind,
        "n": values.get("n"),
        "value": values.get(value) if value else None,
        "ci_low": values.get(_ci(value, "low")) if value else None,
        "ci_high": values.get(_ci(value, "high")) if value else None,
        "diff": values.get(diff) if diff else None,
        "diff_ci_low": values.get(f"{diff}_ci_low") if diff else None,
        "diff_ci_high": values.get(f"{diff}_ci_high") if diff else None,
        "p": values.get(f"p{suffix}"),
        "q": values.get(f"q{suffix}"),
        "status": values.get(f"status{suffix}"),
        "hidden": row.hidden,
    }


def _what(table: Table, row: Row, about: Mapping[str, str]) -> dict[str, Value]:
    """Wave, measure, breakdown, table and group of a row: a table's rows are groups,
    waves (a trend), measures (the overview) or cells of an intersection."""
    first = table.columns[0].key if table.columns else ""
    what: dict[str, Value] = {
        "wave": about.get("wave", ""), "measure": about.get("measure", ""),
        "breakdown": about.get("breakdown", ""), "table": table.title,
        "group": row.cells[0].text, "group_code": row.key,
    }
    if first in ("wave", "measure"):
        what[first] = row.key
        what["group"] = what["group_code"] = about.get("group", "")
    elif first == "row" and len(row.cells) > 1:
        what["group"] = f"{row.cells[0].text} / {row.cells[1].text}"
    return what


def _ci(key: str, end: str) -> str:
    return f"ci_{end}" if key == "estimate" else f"{key}_ci_{end}"


def to_csv(report: Report, about: Mapping[str, str]) -> bytes:
    """UTF-8 with a byte-order mark; numbers unquoted and without thousands separators;
    an empty field where a figure is hidden or does not apply; hidden as true/false."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in figure_rows(report, about):
        writer.writerow([_csv_field(record[name]) for name in FIELDS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_field(value: Value) -> Value:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return inert(value)
    return "" if value is None else value


def to_xlsx(report: Report, about: Mapping[str, str]) -> bytes:
    """A Figures sheet (real numbers; each interval in two numeric columns) and a Notes
    sheet with every table's footnotes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(FIELDS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in figure_rows(report, about):
        sheet.append([_xlsx_field(record[name]) for name in FIELDS])
    sheet.freeze_panes = "A2"
    _notes_sheet(book.create_sheet("Notes"), report)
    book.properties.title = report.title
    book.properties.creator = "Workforce survey"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_field(value: Value) -> Value:
    return inert(value) if isinstance(value, str) else value


def _notes_sheet(sheet, report: Report) -> None:
    sheet.column_dimensions["A"].width = 120
    for table in report.tables:
        sheet.append([inert(table.title)])
        sheet[sheet.max_row][0].font = Font(bold=True)
        for note in table.footnotes:
            sheet.append([inert(note)])
        sheet.append([])
    for note in report.notes:
        sheet.append([inert(note)])


def inert(value: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection): our own figures stay
    as they are, anything else starting like a formula gets a leading apostrophe."""
    if value.startswith(FORMULA_START) and not OUR_FIGURE.fullmatch(value):
        return "'" + value
    return value
