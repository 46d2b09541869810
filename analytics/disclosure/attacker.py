"""What an attacker can deduce about the hidden cells of a two-way table with its margins.

The table is held with its margins as cells: (row, col) inside, (row, TOTAL) a row total,
(TOTAL, col) a column total and (TOTAL, TOTAL) the grand total.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
from scipy import optimize

TOTAL = None
"""Stands for "all rows" or "all columns" in a cell key."""

CellKey = tuple[str | None, str | None]


class TableAttacker:
    """Feasible bounds of each hidden cell given everything published.

    Unknowns are the hidden cells (inside or margins), all >= 0; the published cells are fixed;
    each row's cells sum to its row total, each column's to its column total, and the row
    totals and the column totals each sum to the grand total. Bounds come from linear
    programmes (scipy.optimize.linprog, HiGHS). These constraints are flow conservation in the
    network source -> row -> column -> sink, a totally unimodular system, so every bound is
    attained by an integer table: the LP bounds are the exact integer bounds.
    """

    def __init__(
        self,
        values: Mapping[CellKey, int],
        rows: Sequence[str],
        cols: Sequence[str],
        hidden: Collection[CellKey],
    ) -> None:
        self._index = {key: i for i, key in enumerate(hidden)}
        matrix, rhs = [], []
        for line in _lines(rows, cols):
            coefficients = np.zeros(len(self._index))
            known = 0
            for key, sign in line:
                if key in self._index:
                    coefficients[self._index[key]] += sign
                else:
                    known += sign * values[key]
            if coefficients.any():
                matrix.append(coefficients)
                rhs.append(-known)
        self._matrix = np.array(matrix).reshape(len(matrix), len(self._index))
        self._rhs = np.array(rhs, dtype=float)

    def upper(self, key: CellKey) -> int:
        """The largest value the hidden cell could take."""
        return -self._optimum(key, -1.0)

    def lower(self, key: CellKey) -> int:
        """The smallest value the hidden cell could take."""
        return self._optimum(key, 1.0)

    def _optimum(self, key: CellKey, direction: float) -> int:
        objective = np.zeros(len(self._index))
        objective[self._index[key]] = direction
        result = optimize.linprog(
            objective, A_eq=self._matrix, b_eq=self._rhs, bounds=(0, None), method="highs"
        )
        if not result.success:
            raise RuntimeError(f"attacker model failed: {result.message}")
        return round(result.fun)


def _lines(rows: Sequence[str], cols: Sequence[str]) -> list[list[tuple[CellKey, int]]]:
    """Each additive relation as (cell, sign) terms that sum to zero."""
    lines: list[list[tuple[CellKey, int]]] = [
        [*(((r, c), 1) for c in cols), ((r, TOTAL), -1)] for r in rows
    ]
    lines += [[*(((r, c), 1) for r in rows), ((TOTAL, c), -1)] for c in cols]
    lines.append([*(((r, TOTAL), 1) for r in rows), ((TOTAL, TOTAL), -1)])
    lines.append([*(((TOTAL, c), 1) for c in cols), ((TOTAL, TOTAL), -1)])
    return lines
