"""Reading staff CSV uploads: UTF-8 text, a named header row, problems by row and column.

Everything is checked before anything is written: a file with one bad cell stores
nothing, and the refusal lists every problem it found (the first MAX_PROBLEMS, then a
count of the rest), each naming the spreadsheet row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from survey.services import DomainError

MAX_PROBLEMS = 200
EXTRA_COLUMNS_HINT = (
    "Remove columns that are not questions of this survey (for example respondent IDs, "
    "timestamps or IP addresses): they are never imported."
)


class CsvRejected(DomainError):
    """A CSV file refused as a whole; `problems` lists each reason, naming row and column.

    The first MAX_PROBLEMS are kept, then one line counts the rest.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            self.problems.append(f"... and {len(problems) - MAX_PROBLEMS} more problems.")
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class CsvTable:
    header: list[str]  # lower-cased, for matching
    names: list[str]  # as written (stripped), for messages
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells); the header is row 1


def column_name(index: int) -> str:
    """Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def read_csv(data: bytes) -> CsvTable:
    """Decode UTF-8 CSV (a byte-order mark is allowed) into a lower-cased header and rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvRejected([
            f"The file is not UTF-8 text (the first problem is at byte {error.start + 1}). "
            "In Excel choose Save As > 'CSV UTF-8 (Comma delimited)'."
        ]) from error
    if "\x00" in text:
        raise CsvRejected(["The file is not a CSV text file."])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as error:
        raise CsvRejected([f"row {len(records) + 1}: this is not valid CSV ({error})."]) from error
    if not records:
        raise CsvRejected(["The file is empty: the first row must name the columns."])
    names = [cell.strip() for cell in records[0]]
    rows = list(enumerate(records[1:], start=2))
    return CsvTable([name.lower() for name in names], names, rows)


def header_problems(header: list[str], known: set[str], what: str) -> list[str]:
    problems = []
    for index, name in enumerate(header):
        where = f"row 1, column {column_name(index)}"
        if not name:
            problems.append(f"{where}: the column has no name.")
        elif name not in known:
            problems.append(f"{where} ({name}): {what}")
        elif header.index(name) != index:
            problems.append(f"{where} ({name}): the column appears twice.")
    return problems
