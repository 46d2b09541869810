"""Building the tally (sufficient statistics per group) of a wave when it closes.

Responses are read in chunks; each chunk becomes two sparse matrices, respondents x cells
(which groups each respondent is in) and respondents x slots (which answers and scores
they gave), and one sparse product adds the chunk to every group at once. The totals are
written in one bulk insert. The database then holds per-group counts, sums and sums of
squares; reports never read single responses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sqlalchemy import Float, Text, column, delete, func, insert, select, true

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Moment, Response, Tally, Wave
from survey.services.instruments import wave_definition
from survey.services.moments import MomentTotals

ALL = "_all"
RESPONDENTS = "_respondents"
SCORE = ""
CUT = "cut"


CHUNK = 10_000


def build_tally(wave: Wave) -> int:
    """Replace the wave's tally (and its key-driver cross-products, survey/services/
    moments.py) with one computed from all its responses; returns the tally's rows."""
    definition = wave_definition(wave)
    db.session.execute(delete(Tally).where(Tally.wave_id == wave.id))
    layout = _Layout.of(definition, wave)
    totals = _Totals()
    for chunk in db.session.execute(layout.query(wave)).partitions():
        totals.add(definition, wave, layout.split(chunk))
    rows = totals.rows(wave.id)
    if rows:  # Core insert: the ORM's per-row bookkeeping was a fifth of the build
        db.session.connection().execute(insert(Tally.__table__), rows)
    build_moments(definition, wave)
    return len(rows)


def build_moments(definition: Definition, wave: Wave) -> None:
    """The key-driver cross-products (survey/services/moments.py), from the answers."""
    db.session.execute(delete(Moment).where(Moment.wave_id == wave.id))
    moments = MomentTotals(
        definition, lambda groups: [(ALL, ALL)] + [(c, groups[c]) for c in wave.breakdowns]
    )
    query = (
        select(Response.answers, Response.scores, Response.groups)
        .where(Response.wave_id == wave.id)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in db.session.execute(query).partitions():
        moments.add(chunk)
    if products := moments.rows(wave.id):
        db.session.execute(insert(Moment), products)


@dataclass(frozen=True)
class _Layout:
    """The answers, scores and finest groups the tally reads, one column each: the
    database takes them out of the JSON, so no response is decoded row by row here."""

    answers: list[str]
    scores: list[str]
    groups: list[str]

    @classmethod
    def of(cls, definition: Definition, wave: Wave) -> _Layout:
        levels = {level for pair in wave.intersections for level in pair}
        groups = set(wave.breakdowns) | {definition.levels[level][0] for level in levels}
        return cls(
            [code for code, item in definition.items.items() if item["type"] != "text"],
            list(definition.measures),
            sorted(groups),
        )

    def query(self, wave: Wave):
        if db.session.get_bind().dialect.name == "postgresql":
            return self._records_query(wave)
        return (
            select(
                *(Response.answers[code].as_string() for code in self.answers),
                *(Response.scores[code].as_float() for code in self.scores),
                *(Response.groups[code].as_string() for code in self.groups),
            )
            .where(Response.wave_id == wave.id)
            .execution_options(yield_per=CHUNK)
        )

    def _records_query(self, wave: Wave):
        """PostgreSQL: each JSONB value read once as a record (jsonb_to_record); one
        `->>` per question would decompress the value once per question, 6x slower."""
        records = [
            func.jsonb_to_record(source)
            .table_valued(*(column(code, kind) for code in codes))
            .render_derived(with_types=True)
            for source, codes, kind in (
                (Response.answers, self.answers, Text),
                (Response.scores, self.scores, Float),
                (Response.groups, self.groups, Text),
            )
        ]
        query = select(*(c for record in records for c in record.c)).select_from(Response)
        for record in records:
            query = query.join(record, true())
        return query.where(Response.wave_id == wave.id).execution_options(yield_per=CHUNK)

    def split(self, chunk) -> _Columns:
        columns = list(zip(*chunk, strict=True))
        first, second = len(self.answers), len(self.answers) + len(self.scores)
        return _Columns(
            len(chunk),
            dict(zip(self.answers, columns[:first], strict=True)),
            dict(zip(self.scores, columns[first:second], strict=True)),
            dict(zip(self.groups, columns[second:], strict=True)),
        )


@dataclass(frozen=True)
class _Columns:
    """A chunk of responses by column; None where a respondent gave no answer or score."""

    count: int
    answers: dict[str, tuple]
    scores: dict[str, tuple]
    groups: dict[str, tuple]


class _Totals:
    """Per (cell, slot) counts, sums and sums of squares, added up chunk by chunk.

    Each column of a chunk (one question, score or breakdown) becomes an array of cell or
    slot indices, so the work per respondent is array work rather than Python loops."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], int] = {}
        self.slots: dict[tuple[str, str], int] = {}
        self.parts: list[tuple[sparse.coo_matrix, ...]] = []

    def add(self, definition: Definition, wave: Wave, chunk: _Columns) -> None:
        member = _incidence(self._cell_columns(definition, wave, chunk))
        slot_columns, value_columns = self._slot_columns(definition, chunk)
        slots, values = np.column_stack(slot_columns), np.column_stack(value_columns)
        rows, columns = np.nonzero(slots >= 0)
        shape = (chunk.count, len(self.slots))
        given, value = slots[rows, columns], values[rows, columns]
        scored = value != 0  # only scores add to sums: the other products skip the rest
        self.parts.append((
            (member.T @ _matrix(np.ones(len(given)), rows, given, shape)).tocoo(),
            *(
                (member.T @ _matrix(weights, rows[scored], given[scored], shape)).tocoo()
                for weights in (value[scored], value[scored] ** 2)
            ),
        ))

    def _cell_columns(self, definition: Definition, wave: Wave, chunk: _Columns):
        """One array per dimension: the cell each respondent counts in."""
        columns = [self._indices(self.cells, ALL, (ALL,) * chunk.count)]
        columns += [self._indices(self.cells, code, chunk.groups[code]) for code in wave.breakdowns]
        for first, second in wave.intersections:
            pairs = zip(_level_column(definition, first, chunk),
                        _level_column(definition, second, chunk), strict=True)
            columns.append(self._indices(self.cells, f"{first}*{second}",
                                         [f"{a}|{b}" for a, b in pairs]))
        return columns

    def _slot_columns(self, definition: Definition, chunk: _Columns):
        """One (slot index, value) array pair per slot kind; index -1 where not given."""
        slots = [self._indices(self.slots, RESPONDENTS, (SCORE,) * chunk.count)]
        values = [np.zeros(chunk.count)]
        for code, answered in chunk.answers.items():
            slots.append(self._indices(self.slots, code, answered))
            values.append(values[0])
        for code, scored in chunk.scores.items():
            score = np.array(scored, dtype=float)
            for category, given in _score_categories(definition.measures[code], score):
                slots.append(np.where(given, self._slot(code, category), -1))
                values.append(np.where(given & (category == SCORE), score, 0.0))
        return slots, values

    def _slot(self, measure: str, category: str) -> int:
        return self.slots.setdefault((measure, category), len(self.slots))

    @staticmethod
    def _indices(index: dict, dimension: str, column) -> np.ndarray:
        """Each value's index as (dimension, str(value)) in `index`; -1 for None."""
        lookup = {
            v: index.setdefault((dimension, str(v)), len(index)) for v in set(column)
        }
        lookup[None] = -1
        return np.fromiter(map(lookup.__getitem__, column), dtype=np.int64, count=len(column))

    def rows(self, wave_id: int) -> list[dict]:
        if not self.parts:
            return []
        shape = (len(self.cells), len(self.slots))
        counts, sums, squares = (
            _summed([part[kind] for part in self.parts], shape) for kind in range(3)
        )
        counts = counts.tocoo()
        sums = np.asarray(sums[counts.row, counts.col]).ravel()
        squares = np.asarray(squares[counts.row, counts.col]).ravel()
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


def _score_categories(measure: dict, score: np.ndarray):
    """(category, respondents in it) for a score: the score itself, the cut point, bands."""
    given = ~np.isnan(score)
    yield SCORE, given
    cut = measure.get("cut_point")
    if cut:
        with np.errstate(invalid="ignore"):
            met = score <= cut["at_most"] if "at_most" in cut else score >= cut["at_least"]
        yield CUT, given & met
    banded = np.zeros(len(score), dtype=bool)
    for band in measure.get("bands", []):
        with np.errstate(invalid="ignore"):
            inside = given & ~banded & (band["min"] <= score) & (score <= band["max"])
        banded |= inside
        yield f"band:{band['code']}", inside


def _level_column(definition: Definition, level: str, chunk: _Columns) -> list[str]:
    """Each respondent's group at `level`, worked out once per distinct finest group."""
    breakdown = definition.levels[level][0]
    finest = chunk.groups[breakdown]
    at_level = {
        v: definition.level_group(level, {} if v is None else {breakdown: v}) for v in set(finest)
    }
    return [at_level[v] for v in finest]


def _summed(parts: list[sparse.coo_matrix], shape) -> sparse.csr_matrix:
    row, col, data = (np.concatenate(a) for a in zip(*((p.row, p.col, p.data) for p in parts),
                                                       strict=True))
    return sparse.coo_matrix((data, (row, col)), shape=shape).tocsr()


def _matrix(values, rows, cols, shape) -> sparse.csr_matrix:
    return sparse.csr_matrix((values, (rows, cols)), shape=shape)


def _incidence(columns: list[np.ndarray]) -> sparse.csr_matrix:
    """Respondents x cells: a 1 where a respondent counts in a cell."""
    cells = np.column_stack(columns)
    count, width = cells.shape
    rows = np.repeat(np.arange(count), width)
    return sparse.csr_matrix(
        (np.ones(cells.size), (rows, cells.ravel())), shape=(count, int(cells.max()) + 1)
    )
