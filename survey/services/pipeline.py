"""Promotion and selection outcomes: counts per group per stage, loaded from HR's CSV.

Layout (one row per stage and group; a header row names the columns, in any order):
round, stage, stage_order, breakdown, group, entered, progressed. `breakdown` is a level
of the instrument's breakdowns (e.g. ethnic_minority, sex) and `group` one of its groups.
A file replaces every count of the rounds it names, all or nothing.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, insert

from survey.extensions import db
from survey.instruments import NOT_STATED, Definition
from survey.models import PromotionCount
from survey.services.csv_files import CsvRejected, column_name, header_problems, read_csv

COLUMNS = ("round", "stage", "stage_order", "breakdown", "group", "entered", "progressed")
ROUND = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def load_pipeline_csv(data: bytes, definition: Definition) -> int:
    """Validate every row, then replace the named rounds' counts; return rows stored."""
    table = read_csv(data)
    problems = header_problems(table.header, set(COLUMNS), "is not a pipeline column")
    problems += [f"row 1: the column {c} is missing." for c in COLUMNS if c not in table.header]
    if problems:
        raise CsvRejected(problems)
    rows, seen = [], {}
    for number, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(table.header, (cell.strip() for cell in cells), strict=False))
        problems += _row_problems(number, row, table.header, definition)
        key = (row.get("round"), row.get("stage"), row.get("breakdown"), row.get("group"))
        if key in seen:
            problems.append(f"row {number}: repeats row {seen[key]}.")
        seen[key] = number
        rows.append(row)
    if problems or not rows:
        raise CsvRejected(problems or ["The file has no rows of counts."])
    rounds = {row["round"] for row in rows}
    db.session.execute(delete(PromotionCount).where(PromotionCount.round_code.in_(rounds)))
    db.session.execute(insert(PromotionCount), [_record(row) for row in rows])
    db.session.flush()
    return len(rows)


def _row_problems(number: int, row: dict, header: list[str], definition: Definition) -> list[str]:
    def where(column: str) -> str:
        return f"row {number}, column {column_name(header.index(column))} ({column})"

    problems = []
    if not ROUND.match(row.get("round", "")):
        problems.append(f"{where('round')}: use lower-case letters, digits and dashes.")
    if not row.get("stage"):
        problems.append(f"{where('stage')}: name the stage.")
    numbers = {c: row.get(c, "") for c in ("stage_order", "entered", "progressed")}
    for column, text in numbers.items():
        if not text.isdigit():
            problems.append(f"{where(column)}: {text!r} is not a whole number.")
    if numbers["entered"].isdigit() and numbers["progressed"].isdigit() and int(
        numbers["progressed"]
    ) > int(numbers["entered"]):
        problems.append(f"{where('progressed')}: more progressed than entered.")
    level = row.get("breakdown", "")
    if level not in definition.levels:
        problems.append(f"{where('breakdown')}: {level!r} is not a breakdown of the instrument.")
    elif row.get("group") not in _groups(definition, level):
        problems.append(f"{where('group')}: {row.get('group')!r} is not a group of {level}.")
    return problems


def _groups(definition: Definition, level: str) -> set[str]:
    breakdown, members = definition.levels[level]
    if members is not None:
        return set(members.values()) | {NOT_STATED}
    spec = definition.breakdowns[breakdown]
    if "derive" in spec:
        return {rule["group"] for rule in spec["derive"]} | {NOT_STATED}
    item = definition.items[spec["item"]]
    return {o["code"] for o in item.get("options", [])} | {NOT_STATED}


def _record(row: dict) -> dict:
    return {
        "round_code": row["round"],
        "stage": row["stage"],
        "stage_order": int(row["stage_order"]),
        "breakdown": row["breakdown"],
        "group_code": row["group"],
        "entered": int(row["entered"]),
        "progressed": int(row["progressed"]),
    }
