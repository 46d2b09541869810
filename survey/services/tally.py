"""Building the tally (sufficient statistics per group) of a wave when it closes.

Responses are read in chunks; each chunk becomes two sparse matrices, respondents x cells
(which groups each respondent is in) and respondents x slots (which answers and scores
they gave), and one sparse product adds the chunk to every group at once. The totals are
written in one bulk insert. The database then holds per-group counts, sums and sums of
squares; reports never read single responses.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sqlalchemy import delete, insert, select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Moment, Response, Tally, Wave
from survey.services.instruments import wave_definition
from survey.services.moments import MomentTotals

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


CHUNK = 5_000


def build_tally(wave: Wave) -> int:
    """Replace the wave's tally (and its key-driver cross-products, survey/services/
    moments.py) with one computed from all its responses; returns the tally's rows."""
    definition = wave_definition(wave)
    db.session.execute(delete(Tally).where(Tally.wave_id == wave.id))
    db.session.execute(delete(Moment).where(Moment.wave_id == wave.id))
    totals = _Totals()
    moments = MomentTotals(
        definition, lambda groups: [(ALL, ALL)] + [(c, groups[c]) for c in wave.breakdowns]
    )
    query = (
        select(Response.answers, Response.scores, Response.groups)
        .where(Response.wave_id == wave.id)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in db.session.execute(query).partitions():
        totals.add(definition, wave, chunk)
        moments.add(chunk)
    rows = totals.rows(wave.id)
    if rows:
        db.session.execute(insert(Tally), rows)
    if products := moments.rows(wave.id):
        db.session.execute(insert(Moment), products)
    return len(rows)


class _Totals:
    """Per (cell, slot) counts, sums and sums of squares, added up chunk by chunk."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], int] = {}
        self.slots: dict[tuple[str, str], int] = {}
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, definition: Definition, wave: Wave, chunk) -> None:
        member = _incidence(
            [
                [self.cells.setdefault(c, len(self.cells))
                 for c in cells_of(definition, wave, groups)]
                for _, _, groups in chunk
            ]
        )
        rows, cols, values = [], [], []
        for index, (answers, scores, _) in enumerate(chunk):
            for measure, category, value in slots_of(definition, answers, scores):
                rows.append(index)
                cols.append(self.slots.setdefault((measure, category), len(self.slots)))
                values.append(value)
        shape = (len(chunk), len(self.slots))
        value_array = np.asarray(values, dtype=float)
        counts = (member.T @ _matrix(np.ones(len(values)), rows, cols, shape)).tocoo()
        sums = (member.T @ _matrix(value_array, rows, cols, shape)).tocsr()
        squares = (member.T @ _matrix(value_array**2, rows, cols, shape)).tocsr()
        self.parts.append((
            counts.row, counts.col, counts.data,
            np.asarray(sums[counts.row, counts.col]).ravel(),
            np.asarray(squares[counts.row, counts.col]).ravel(),
        ))

    def rows(self, wave_id: int) -> list[dict]:
        if not self.parts:
            return []
        cell, slot, n, total, total_sq = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        shape = (len(self.cells), len(self.slots))
        summed = [
            sparse.coo_matrix((v, (cell, slot)), shape=shape).tocsr() for v in (n, total, total_sq)
        ]
        counts = summed[0].tocoo()
        sums = np.asarray(summed[1][counts.row, counts.col]).ravel()
        squares = np.asarray(summed[2][counts.row, counts.col]).ravel()
        cells, slots = list(self.cells), list(self.slots)
        return [
            {
                "wave_id": wave_id,
                "dimension": cells[c][0],
                "grp": cells[c][1],
                "measure": slots[s][0],
                "category": slots[s][1],
                "n": round(count),
                "total": float(value),
                "total_sq": float(value_sq),
            }
            for c, s, count, value, value_sq in zip(
                counts.row, counts.col, counts.data, sums, squares, strict=True
            )
        ]


def _matrix(values, rows, cols, shape) -> sparse.csr_matrix:
    return sparse.csr_matrix((values, (rows, cols)), shape=shape)


def _incidence(cells_per_row: list[list[int]]) -> sparse.csr_matrix:
    rows = [i for i, cells in enumerate(cells_per_row) for _ in cells]
    cols = [c for cells in cells_per_row for c in cells]
    width = max(cols) + 1
    return sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(cells_per_row), width))
