"""Keeping the tally (sufficient statistics per group) current as responses are released.

A release batch is turned into two sparse matrices, respondents x cells (which groups
each respondent is in) and respondents x slots (which answers and scores they gave),
and one sparse product adds the whole batch to every group at once. The database then
holds per-group counts, sums and sums of squares; reports never read single responses.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Tally, Wave

ALL = "_all"
RESPONDENTS = "_respondents"
SCORE = ""
CUT = "cut"


def cells_of(definition: Definition, wave: Wave, groups: dict[str, str]) -> list[tuple[str, str]]:
    """The (dimension, group) cells one respondent counts in."""
    cells = [(ALL, ALL)] + [(code, groups[code]) for code in wave.breakdowns]
    for first, second in wave.intersections:
        pair = f"{definition.level_group(first, groups)}|{definition.level_group(second, groups)}"
        cells.append((f"{first}*{second}", pair))
    return cells


def slots_of(definition: Definition, answers: dict, scores: dict) -> list[tuple[str, str, float]]:
    """The (measure, category, value) slots one respondent adds to each of their cells."""
    slots = [(RESPONDENTS, SCORE, 0.0)]
    slots += [(code, str(value), 0.0) for code, value in answers.items()]
    for code, score in scores.items():
        measure = definition.measures[code]
        slots.append((code, SCORE, score))
        if meets_cut_point(measure, score):
            slots.append((code, CUT, 0.0))
        if band := band_of(measure, score):
            slots.append((code, f"band:{band}", 0.0))
    return slots


def meets_cut_point(measure: dict, score: float) -> bool:
    cut = measure.get("cut_point")
    if not cut:
        return False
    return score <= cut["at_most"] if "at_most" in cut else score >= cut["at_least"]


def band_of(measure: dict, score: float) -> str | None:
    return next(
        (b["code"] for b in measure.get("bands", []) if b["min"] <= score <= b["max"]), None
    )


def record_release(wave: Wave, definition: Definition, responses: list[dict]) -> None:
    """Add released responses (dicts with answers, scores, groups) to the wave's tally."""
    if not responses:
        return
    cell_ids: dict[tuple[str, str], int] = {}
    slot_ids: dict[tuple[str, str], int] = {}
    member = _incidence(
        [
            [cell_ids.setdefault(c, len(cell_ids)) for c in cells_of(definition, wave, r["groups"])]
            for r in responses
        ]
    )
    rows, cols, values = [], [], []
    for index, response in enumerate(responses):
        for measure, category, value in slots_of(
            definition, response["answers"], response["scores"]
        ):
            rows.append(index)
            cols.append(slot_ids.setdefault((measure, category), len(slot_ids)))
            values.append(value)
    shape = (len(responses), len(slot_ids))
    value_array = np.asarray(values, dtype=float)
    counts = member.T @ sparse.csr_matrix((np.ones(len(values)), (rows, cols)), shape=shape)
    totals = member.T @ sparse.csr_matrix((value_array, (rows, cols)), shape=shape)
    squares = member.T @ sparse.csr_matrix((value_array**2, (rows, cols)), shape=shape)
    _upsert(
        wave.id, counts.tocoo(), totals.tocsr(), squares.tocsr(), list(cell_ids), list(slot_ids)
    )


def _incidence(cells_per_row: list[list[int]]) -> sparse.csr_matrix:
    rows = [i for i, cells in enumerate(cells_per_row) for _ in cells]
    cols = [c for cells in cells_per_row for c in cells]
    width = max(cols) + 1
    return sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(cells_per_row), width))


def _upsert(wave_id, counts, totals, squares, cells, slots) -> None:
    sums = np.asarray(totals[counts.row, counts.col]).ravel()
    sums_sq = np.asarray(squares[counts.row, counts.col]).ravel()
    rows = [
        {
            "wave_id": wave_id,
            "dimension": cells[c][0],
            "grp": cells[c][1],
            "measure": slots[s][0],
            "category": slots[s][1],
            "n": round(n),
            "total": float(total),
            "total_sq": float(total_sq),
        }
        for c, s, n, total, total_sq in zip(
            counts.row, counts.col, counts.data, sums, sums_sq, strict=True
        )
    ]
    dialect = db.session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(Tally)
    statement = statement.on_conflict_do_update(
        index_elements=["wave_id", "dimension", "grp", "measure", "category"],
        set_={
            "n": Tally.n + statement.excluded.n,
            "total": Tally.total + statement.excluded.total,
            "total_sq": Tally.total_sq + statement.excluded.total_sq,
        },
    )
    db.session.execute(statement, rows)
