"""Importing a past wave's responses from CSV (docs/import-format.md).

Everything is checked before anything is written (survey/services/csv_files.py): a file
with one bad cell stores nothing, and the refusal lists every problem, by row and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from survey.instruments import Definition
from survey.models import Wave, WaveState
from survey.services import DomainError
from survey.services.csv_files import (
    EXTRA_COLUMNS_HINT,
    CsvRejected,
    column_name,
    header_problems,
    read_csv,
)
from survey.services.instruments import unit_choices
from survey.services.responses import InvalidAnswers, import_responses
from survey.services.waves import close_wave, open_wave


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


# Past waves ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedResponses:
    rows: list[tuple[dict, dict]]  # (answers, comments) per respondent
    blank_rows: int


class _Column:
    """How to read one item's cells: accepted spellings -> stored value."""

    def __init__(self, definition: Definition, item: dict, units: list[tuple[str, str]]):
        self.item = item
        self.is_text = item["type"] == "text"
        self.limit = item.get("max_length", 1000)
        self.values: dict[str, int | str] = {}
        if self.is_text:
            return
        options = definition.options(item, units if item.get("options_from") == "units" else None)
        for option in options:
            self.values.setdefault(normalise(option.label), option.value)
        for option in options:  # codes and numbers win over a label that looks like one
            self.values[normalise(str(option.value))] = option.value
        self.shown = [str(option.value) for option in options]

    def read(self, raw: str) -> int | str:
        key = normalise(raw)
        if key in self.values:
            return self.values[key]
        if re.fullmatch(r"-?\d+\.0+", key) and (whole := key.split(".")[0]) in self.values:
            return self.values[whole]
        raise ValueError(self._refusal(raw))

    def _refusal(self, raw: str) -> str:
        listed = ", ".join(self.shown[:12]) + (", ..." if len(self.shown) > 12 else "")
        return (
            f"{raw.strip()!r} is not an answer to this question; use one of {listed} "
            "or its label."
        )


def parse_past_responses(
    data: bytes, definition: Definition, units: list[tuple[str, str]]
) -> ParsedResponses:
    """Check a past wave's CSV against an instrument; return the respondents' answers."""
    table = read_csv(data)
    problems = header_problems(
        table.header,
        set(definition.items),
        f"this is not a question code of {definition.code}. {EXTRA_COLUMNS_HINT}",
    )
    if problems:
        raise CsvRejected(problems)
    columns = [_Column(definition, definition.items[code], units) for code in table.header]
    rows, blank = [], 0
    for number, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            blank += 1
            continue
        if len(cells) > len(columns):
            problems.append(f"row {number}: it has {len(cells)} cells but the header names "
                            f"{len(columns)} columns.")
            continue
        rows.append(_read_row(number, cells, columns, problems))
    if problems:
        raise CsvRejected(problems)
    if not rows:
        raise CsvRejected(["The file has a header row but no responses."])
    return ParsedResponses(rows, blank)


def _read_row(number: int, cells: list[str], columns: list[_Column], problems: list[str]):
    answers: dict = {}
    comments: dict = {}
    for index, (column, raw) in enumerate(zip(columns, cells, strict=False)):
        if not raw.strip():
            continue
        code = column.item["code"]
        where = f"row {number}, column {column_name(index)} ({code})"
        if column.is_text:
            if len(raw.strip()) > column.limit:
                problems.append(f"{where}: the comment is longer than {column.limit} characters.")
            else:
                comments[code] = raw.strip()
            continue
        try:
            answers[code] = column.read(raw)
        except ValueError as error:
            problems.append(f"{where}: {error}")
    return answers, comments


@dataclass(frozen=True)
class ImportResult:
    wave: Wave
    responses: int
    blank_rows: int


def import_past_wave(wave: Wave, data: bytes) -> ImportResult:
    """Import a past wave's responses into a draft wave, which ends up closed.

    The wave goes draft -> open -> closed inside the caller's transaction, so it is never
    seen open. Responses are stored as live ones are released: validated, scored,
    grouped, shuffled and under random keys (services.responses.import_responses).
    """
    if wave.state != WaveState.DRAFT:
        raise DomainError(
            f"Wave {wave.code} is {wave.state.value}: only a draft wave can take a past wave's "
            "responses."
        )
    if wave.codes_issued:
        raise DomainError(
            f"Invitation codes were issued for wave {wave.code}, so it is a live wave. "
            "Create a separate draft wave for the past survey."
        )
    parsed = parse_past_responses(data, Definition(wave.instrument.definition), unit_choices())
    open_wave(wave)
    try:
        count = import_responses(wave, parsed.rows)
    except InvalidAnswers as error:
        raise CsvRejected([str(error)]) from error
    close_wave(wave)
    return ImportResult(wave, count, parsed.blank_rows)


def import_template(definition: Definition) -> str:
    """A CSV header row naming every question code of an instrument, for a past wave's data."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(definition.items)
    return buffer.getvalue()
