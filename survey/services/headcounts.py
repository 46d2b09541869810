"""Workforce headcounts per wave: per unit, and per group of a breakdown (CSV upload).

They are the denominators of response rates and, later, of representativeness. They
describe the workforce (from HR records), never respondents. The CSV layout is in
docs/import-format.md; an upload replaces the wave's headcounts as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from survey.extensions import db
from survey.instruments import NOT_STATED, Definition
from survey.models import Headcount, Unit, Wave
from survey.services.csv_files import CsvRejected, column_name, header_problems, read_csv

COLUMNS = ("unit", "breakdown", "group", "headcount")
MAX_HEADCOUNT = 10_000_000  # far above any workforce, far below the column's 2**31 - 1
FORCE = ""  # the unit value that stands for the whole force


@dataclass(frozen=True)
class HeadcountRow:
    unit: str
    breakdown: str
    group: str
    count: int


def breakdown_groups(definition: Definition) -> dict[str, set[str]]:
    """Group codes a headcount may name for each breakdown: every level's, and not_stated."""
    groups: dict[str, set[str]] = {}
    for code, breakdown in definition.breakdowns.items():
        if "derive" in breakdown:
            names = {rule["group"] for rule in breakdown["derive"]}
        else:
            item = definition.items[breakdown["item"]]
            if item.get("options_from") == "units":
                continue  # units have their own column
            names = {option["code"] for option in item.get("options", [])}
            for level in breakdown.get("levels", []):
                names.update(level.get("groups", {}))
        groups[code] = names | {NOT_STATED}
    return groups


def parse_headcounts(data: bytes, definition: Definition, units: set[str]) -> list[HeadcountRow]:
    """Check a headcount CSV completely; every problem names its row and column."""
    table = read_csv(data)
    problems = header_problems(table.header, set(COLUMNS), f"the columns are {', '.join(COLUMNS)}.")
    if not problems and "headcount" not in table.header:
        problems.append("row 1: there is no headcount column.")
    if problems:
        raise CsvRejected(problems)
    reader = _RowReader(table.header, breakdown_groups(definition), units, problems)
    rows: list[HeadcountRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue
        row = reader.read(number, cells)
        if row is None:
            continue
        key = (row.unit, row.breakdown, row.group)
        if key in seen:
            problems.append(
                f"row {number}: repeats the unit, breakdown and group of row {seen[key]}."
            )
        seen[key] = number
        rows.append(row)
    if not problems and not rows:
        problems.append("The file has a header row but no headcounts.")
    if problems:
        raise CsvRejected(problems)
    return rows


class _RowReader:
    def __init__(self, header, groups, units, problems):
        self.header, self.groups, self.units, self.problems = header, groups, units, problems

    def _where(self, number: int, name: str) -> str:
        return f"row {number}, column {column_name(self.header.index(name))} ({name})"

    def read(self, number: int, cells: list[str]) -> HeadcountRow | None:
        if len(cells) > len(self.header):
            self.problems.append(f"row {number}: it has more cells than the header has columns.")
            return None
        values = {name: cell.strip() for name, cell in zip(self.header, cells, strict=False)}
        unit, breakdown = values.get("unit", ""), values.get("breakdown", "").lower()
        group, count = values.get("group", "").lower(), values.get("headcount", "")
        before = len(self.problems)
        if unit and unit not in self.units:
            self.problems.append(f"{self._where(number, 'unit')}: there is no unit {unit!r}.")
        if breakdown and breakdown not in self.groups:
            self.problems.append(
                f"{self._where(number, 'breakdown')}: {breakdown!r} is not a breakdown of this "
                f"survey; use one of {', '.join(sorted(self.groups))}, or leave it empty."
            )
        elif breakdown and group not in self.groups[breakdown]:
            self.problems.append(
                f"{self._where(number, 'group')}: {group!r} is not a group of {breakdown}; use one "
                f"of {', '.join(sorted(self.groups[breakdown]))}."
            )
        elif group and not breakdown:
            self.problems.append(f"{self._where(number, 'group')}: a group needs a breakdown.")
        if not (count.isascii() and count.isdigit()):  # "²".isdigit() is true
            self.problems.append(
                f"{self._where(number, 'headcount')}: {count!r} is not a whole number of people."
            )
        elif len(count) > 8 or int(count) > MAX_HEADCOUNT:
            self.problems.append(
                f"{self._where(number, 'headcount')}: more than {MAX_HEADCOUNT:,} people."
            )
        if len(self.problems) > before:
            return None
        return HeadcountRow(unit, breakdown, group, int(count))


def replace_headcounts(wave: Wave, data: bytes) -> int:
    """Replace a wave's headcounts with a checked CSV; all or nothing. Returns the rows stored."""
    units = set(db.session.scalars(select(Unit.code)))
    rows = parse_headcounts(data, Definition(wave.instrument.definition), units)
    db.session.execute(delete(Headcount).where(Headcount.wave_id == wave.id))
    db.session.execute(
        insert(Headcount),
        [
            {"wave_id": wave.id, "unit": r.unit, "breakdown": r.breakdown,
             "group_code": r.group, "count": r.count}
            for r in rows
        ],
    )
    db.session.flush()
    return len(rows)


def wave_headcounts(wave: Wave) -> list[Headcount]:
    return list(db.session.scalars(
        select(Headcount)
        .filter_by(wave_id=wave.id)
        .order_by(Headcount.unit, Headcount.breakdown, Headcount.group_code)
    ))


def unit_totals(wave: Wave) -> dict[str, int]:
    """Headcount of everyone per unit code (FORCE for the whole force), where one was given."""
    return dict(db.session.execute(
        select(Headcount.unit, Headcount.count).filter_by(wave_id=wave.id, breakdown="")
    ).all())


def force_headcount(wave: Wave) -> int | None:
    """The whole force's headcount: given as such, or the sum over every top-level unit."""
    heads = unit_totals(wave)
    if FORCE in heads:
        return heads[FORCE]
    tops = db.session.scalars(select(Unit.code).where(Unit.parent_id.is_(None))).all()
    if not tops or any(code not in heads for code in tops):
        return None
    return sum(heads[code] for code in tops)


def headcount_template() -> str:
    return ",".join(COLUMNS) + "\n"
