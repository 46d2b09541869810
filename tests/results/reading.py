"""Reading every output back: tables from a results page, the charts' figures, CSV,
XLSX and PDF (text from poppler's pdftotext, when installed)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser

from openpyxl import load_workbook


class _Tables(HTMLParser):
    """Body rows of every <table class="figures">, colspans expanded; data-figure JSON."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.figures: list[dict] = []
        self.labels: list[str] = []
        self.roles: list[str] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self.figures.append(json.loads(attrs["data-figure"]))
            self.labels.append(attrs.get("aria-label", ""))
            self.roles.append(attrs.get("role", ""))
        if tag == "table" and "figures" in (attrs.get("class") or ""):
            self._in_table = True
            self.tables.append([])
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.tables[-1].append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell, self._span = [], int(attrs.get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[-1][-1].extend([text] * self._span)
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(page: str) -> _Tables:
    reader = _Tables()
    reader.feed(page)
    reader.close()
    return reader


def csv_tables(data: bytes) -> list[list[list[str]]]:
    """Each table's body rows: CSV blocks are title, subtitle, header, rows, footnotes."""
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(data: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def pdf_text(data: bytes) -> str | None:
    """The PDF's text laid out as on the page, or None without pdftotext."""
    if shutil.which("pdftotext") is None:
        return None
    program = shutil.which("pdftotext")
    done = subprocess.run(  # noqa: S603  (poppler's pdftotext reading our own bytes)
        [program, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")
