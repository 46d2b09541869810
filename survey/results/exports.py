"""CSV, XLSX and PDF renderings of a Report, from the same Tables.

Figures go to CSV and XLSX one row per figure (figure_rows.py: for analysis); the PDF,
and the CSV and XLSX of a page of text (comments), keep the tables as the page lays them
out: title, subtitle, column labels, every row's display text (spreadsheets store a
shown number as that number, formatted as shown) and the footnotes. Text that someone
typed (comments, unit names) never becomes a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from analytics.disclosure import HIDDEN_LABEL
from survey.results import figure_rows
from survey.results.figure_rows import inert
from survey.results.tables import Report, Table

MEDIA_TYPES = {
    "csv": "text/csv",  # Flask adds the one "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(report: Report, fmt: str, about: Mapping[str, str] | None = None) -> bytes:
    """about: the page's wave, measure and breakdown; given, CSV and XLSX hold one row per
    figure; None (a page of text), they hold the tables as laid out."""
    if about is not None and fmt in ("csv", "xlsx"):
        return {"csv": figure_rows.to_csv, "xlsx": figure_rows.to_xlsx}[fmt](report, about)
    return {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](report)


# --- CSV ---------------------------------------------------------------------------------


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, table in enumerate(report.tables):
        if number:
            writer.writerow([])
        writer.writerow([inert(table.title)])
        writer.writerow([inert(table.subtitle)])
        writer.writerow([inert(c.label) for c in table.columns])
        for row in table.rows:
            writer.writerow([inert(cell.text) for cell in row.cells])
        for note in table.footnotes:
            writer.writerow([inert(note)])
    if report.notes:
        writer.writerow([])
        writer.writerow(["Notes"])
        for note in report.notes:
            writer.writerow([inert(note)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    """One sheet per table: title, subtitle, header, rows, then the footnotes below."""
    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for number, table in enumerate(report.tables, start=1):
        sheet = book.create_sheet(_sheet_name(number, table.title, names))
        _fill_sheet(sheet, table)
    if report.notes:
        sheet = book.create_sheet("Notes")
        sheet.column_dimensions["A"].width = 120
        for line, note in enumerate(report.notes, start=1):
            _text(sheet.cell(line, 1), note)
    book.properties.title = report.title
    book.properties.creator = "Workforce survey"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_sheet(sheet, table: Table) -> None:
    _text(sheet.cell(1, 1), table.title).font = Font(bold=True, size=13)
    _text(sheet.cell(2, 1), table.subtitle)
    header = 4
    for col, column in enumerate(table.columns, start=1):
        cell = _text(sheet.cell(header, col), column.label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(table.rows, start=1):
        for col, shown in enumerate(row.cells, start=1):
            cell = sheet.cell(header + offset, col)
            if shown.number is not None:
                cell.value = shown.number
                cell.number_format = shown.excel or "General"
            else:
                _text(cell, shown.text)
    below = header + len(table.rows) + 2
    for offset, note in enumerate(table.footnotes):
        _text(sheet.cell(below + offset, 1), note)
    sheet.freeze_panes = sheet.cell(header + 1, 2)
    for col, column in enumerate(table.columns, start=1):
        widest = max([len(c.cells[col - 1].text) for c in table.rows] + [12])
        width = 50 if not column.numeric and col == 1 else min(widest + 2, 30)
        sheet.column_dimensions[get_column_letter(col)].width = width


def _text(cell, value: str):
    """A text cell, never a formula whatever it starts with."""
    cell.value = value
    cell.data_type = "s"
    return cell


def _sheet_name(number: int, title: str, used: set[str]) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\']", " ", title).strip()
    name = f"{number} {cleaned}"[:31].strip()
    used.add(name)
    return name


# --- PDF ---------------------------------------------------------------------------------

PAGE = landscape(A4)
MARGIN = 12 * mm
BODY = "Helvetica"
BOLD = "Helvetica-Bold"
PADDING = 3  # points either side of a cell's text
CHUNK_ROWS = 500  # rows per grid of a long table (its header repeats at each grid)
SHORT_TEXT = 24  # characters: text columns no longer than this are kept on one line


def to_pdf(report: Report) -> bytes:
    """A4 landscape, the standard PDF fonts only: each table with its title, subtitle and
    footnotes; header rows repeat on every page."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=report.title,
        author="Workforce survey",
        creator="Workforce survey",
        subject=report.title,
    )
    story: list = [Paragraph(escape(report.title), _styles(8)["report"])]
    for number, table in enumerate(report.tables):
        if number:
            story.append(Spacer(1, 8 * mm))
        story += _pdf_table(table, doc.width)
    if report.notes:
        styles = _styles(8)
        story += [Spacer(1, 6 * mm), Paragraph("Notes", styles["title"])]
        story += [Paragraph(escape(note), styles["note"]) for note in report.notes]
    doc.build(story)
    return out.getvalue()


def _pdf_table(table: Table, width: float) -> list:
    """The table's heading, grid and notes. A long table is laid out as consecutive grids
    of CHUNK_ROWS rows, each with the header: ReportLab copies the rest of a grid at every
    page break, so one grid of 60,000 comments took minutes, not seconds."""
    size = 8.0
    widths = _column_widths(table, width, size)
    while widths is None and size > 5:
        size -= 0.5
        widths = _column_widths(table, width, size)
    widths = widths or [width / len(table.columns)] * len(table.columns)
    styles = _styles(size)
    header = [
        Paragraph(escape(c.label), styles["head_num" if c.numeric else "head"])
        for c in table.columns
    ]
    style = [
        ("FONT", (0, 0), (-1, -1), BODY, size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]
    style += [
        ("ALIGN", (col, 1), (col, -1), "RIGHT")
        for col, column in enumerate(table.columns)
        if column.numeric
    ]
    unwrapped = [_unwrapped(table, col) for col in range(len(table.columns))]
    grids = []
    for first in range(0, max(len(table.rows), 1), CHUNK_ROWS):
        data, commands = [header], list(style)
        for line, row in enumerate(table.rows[first:first + CHUNK_ROWS], start=1):
            cells: list = [""] * len(table.columns)
            for start, span, cell in row.spans():
                if unwrapped[start] and cell.text != HIDDEN_LABEL:
                    cells[start] = cell.text
                else:  # wrapped here: a Paragraph per cell made long exports 2x slower
                    room = sum(widths[start:start + span]) - 2 * PADDING
                    cells[start] = "\n".join(simpleSplit(cell.text, BODY, size, room))
                if span > 1:
                    commands.append(("SPAN", (start, line), (start + span - 1, line)))
            data.append(cells)
        grid = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        grid.setStyle(TableStyle(commands))
        grids.append(grid)
    heading = [
        Paragraph(escape(table.title), styles["title"]),
        Paragraph(escape(table.subtitle), styles["subtitle"]),
    ]
    notes = [Paragraph(escape(note), styles["note"]) for note in table.footnotes]
    return [*heading, *grids, Spacer(1, 3 * mm), *notes]


def _column_widths(table: Table, width: float, size: float) -> list[float] | None:
    """Numeric columns as wide as their widest figure or header word (figures never
    wrap); text columns as wide as their text, shrunk towards their longest word when
    the page is too narrow. None when even that does not fit at this size."""
    natural, least = [], []
    for col, column in enumerate(table.columns):
        shown = [r.cells[col].text for r in table.rows if r.cells[col].text != HIDDEN_LABEL]
        header = max([stringWidth(w, BOLD, size) for w in column.label.split()] + [0.0])
        widest = max([stringWidth(s, BODY, size) for s in shown] + [0.0])
        if _unwrapped(table, col):
            natural.append(max(widest, header, size * 3.5) + 8)
            least.append(natural[-1])
            continue
        words = [stringWidth(w, BODY, size) for s in shown for w in s.split()]
        natural.append(min(max(widest, header), 300) + 8)
        least.append(min(max([*words, header]), 120) + 8)
    if sum(least) > width:
        return None
    excess = sum(natural) - width
    if excess <= 0:
        return natural
    slack = [n - m for n, m in zip(natural, least, strict=True)]
    return [n - excess * s / sum(slack) for n, s in zip(natural, slack, strict=True)]


def _unwrapped(table: Table, col: int) -> bool:
    """Figures and short words ("Significant", "Yes") are never wrapped."""
    if table.columns[col].numeric:
        return True
    texts = [r.cells[col].text for r in table.rows if r.cells[col].text != HIDDEN_LABEL]
    return bool(texts) and max(len(text) for text in texts) <= SHORT_TEXT


def _styles(size: float) -> dict[str, ParagraphStyle]:
    return {
        "report": ParagraphStyle("report", fontName=BOLD, fontSize=16, leading=20, spaceAfter=8),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, spaceAfter=2),
        "subtitle": ParagraphStyle(
            "subtitle",
            fontName=BODY,
            fontSize=9,
            leading=11,
            spaceAfter=6,
            textColor=colors.HexColor("#484f53"),
        ),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=size, leading=size * 1.2),
        "head_num": ParagraphStyle(
            "head_num", fontName=BOLD, fontSize=size, leading=size * 1.2, alignment=TA_RIGHT
        ),
        "note": ParagraphStyle("note", fontName=BODY, fontSize=7.5, leading=9.5),
    }
