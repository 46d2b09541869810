"""Importing a past wave's responses from CSV (docs/import-format.md).

Everything is checked before anything is written (survey/services/csv_files.py): a file
with one bad cell stores nothing, and the refusal lists every problem, by row and column.
A mapping file (survey/services/import_mapping.py) says how the force's own columns and
labels become the questionnaire's items and options; without one, columns are named as
question codes and cells hold the questionnaire's codes or labels.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from survey.instruments import Definition
from survey.models import Wave, WaveState
from survey.services import DomainError
from survey.services.csv_files import CsvRejected, column_name, read_csv
from survey.services.import_columns import (
    AnswerColumn,
    Column,
    TextColumn,
    header_columns,
    normalise,
    unreachable_groups,
)
from survey.services.import_mapping import load_mapping, mapped_columns
from survey.services.instruments import unit_choices
from survey.services.responses import InvalidAnswers, import_responses
from survey.services.waves import close_wave, open_wave

# Past waves ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedResponses:
    rows: list[tuple[dict, dict]]  # (answers, comments) per respondent
    blank_rows: int


def parse_past_responses(
    data: bytes, definition: Definition, units: list[tuple[str, str]], mapping: dict | None = None
) -> ParsedResponses:
    """Check a past wave's CSV (read through a loaded mapping, if given) against an
    instrument; return the respondents' answers. CsvRejected lists every problem."""
    table = read_csv(data)
    if mapping is None:
        columns, problems = header_columns(definition, units, table.names, table.header)
    else:
        columns, problems = mapped_columns(mapping, definition, units, table.names)
    if not problems:
        problems = unreachable_groups(definition, columns)
    if problems:
        raise CsvRejected(problems)
    reader = _RowReader(columns)
    rows, blank = [], 0
    for number, cells in table.rows:
        if not any(cell.strip() for column, cell in zip(columns, cells, strict=False)
                   if column.items):
            blank += 1
        elif len(cells) > len(columns):
            reader.problems.append(f"row {number}: it has {len(cells)} cells but the header "
                                   f"names {len(columns)} columns.")
        else:
            rows.append(reader.read(number, cells))
    if reader.problems:
        raise CsvRejected(reader.problems)
    if not rows:
        raise CsvRejected(["The file has a header row but no responses."])
    return ParsedResponses(rows, blank)


class _RowReader:
    """Reads rows into (answers, comments), collecting every problem; an unknown label
    is explained in full where it first appears and referred back to after that."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        self.problems: list[str] = []
        self.first_seen: dict[tuple[int, str], int] = {}

    def read(self, number: int, cells: list[str]) -> tuple[dict, dict]:
        answers: dict = {}
        comments: dict = {}
        for index, (column, raw) in enumerate(zip(self.columns, cells, strict=False)):
            if not raw.strip():
                continue
            where = f"row {number}, column {column_name(index)} ({column.name})"
            if isinstance(column, TextColumn):
                self._comment(where, column, raw.strip(), comments)
            elif isinstance(column, AnswerColumn):
                try:
                    answers.update(column.read(raw))
                except ValueError as error:
                    self._refused(where, number, index, raw, error)
        return answers, comments

    def _comment(self, where: str, column: TextColumn, text: str, comments: dict) -> None:
        if len(text) > column.limit:
            self.problems.append(f"{where}: the comment is longer than {column.limit} characters.")
        else:
            comments[column.item] = text

    def _refused(self, where: str, number: int, index: int, raw: str, error: ValueError) -> None:
        first = self.first_seen.setdefault((index, normalise(raw)), number)
        if first == number:
            self.problems.append(f"{where}: {error}")
        else:
            self.problems.append(f"{where}: {raw.strip()!r} is not an answer here either "
                                 f"(see row {first}).")


@dataclass(frozen=True)
class ImportResult:
    wave: Wave
    responses: int
    blank_rows: int


def import_past_wave(wave: Wave, data: bytes, mapping: bytes | None = None) -> ImportResult:
    """Import a past wave's responses into a draft wave, which ends up closed.

    `mapping` is a mapping file's bytes (docs/import-format.md), or None for a file whose
    columns are named as question codes.

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
    rules = load_mapping(mapping) if mapping is not None else None
    definition = Definition(wave.instrument.definition)
    parsed = parse_past_responses(data, definition, unit_choices(), rules)
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
