"""Cross-products for key-driver models, added up from the same chunks as the tally.

A driver model regresses an outcome score on items of the supervisor support, PDR/MAX
and promotion measures (docs/methods.md, "Key drivers"). Missing answers: a respondent
counts in a model only with the outcome score and every predictor item answered (a
counted answer, not "Don't know" or a skip): complete cases of the model's items, so
every cross-product of a model comes from the same people and the regression is the
one statsmodels fits on those rows. For each chunk, each respondent's row
z = [1, outcome, predictors] (zero if incomplete) gives z z' (upper triangle); one
sparse product with the respondents x cells incidence adds the chunk to every group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from survey.instruments import Definition

OUTCOMES = ("who5", "cbi_work", "promotion_fairness")
DRIVER_MEASURES = ("supervisor_support", "pdr_quality", "promotion_fairness")


@dataclass(frozen=True)
class DriverSpec:
    model: str  # the outcome measure's code
    predictors: tuple[str, ...]

    @property
    def variables(self) -> list[str]:
        return [self.model, *self.predictors]


def driver_specs(definition: Definition) -> list[DriverSpec]:
    """One model per outcome the instrument has: predictors are the items of the driver
    measures, without the outcome's own items (an index is not explained by its parts)."""
    measures = definition.measures
    items = [i for m in DRIVER_MEASURES if m in measures for i in measures[m]["items"]]
    return [
        DriverSpec(code, tuple(i for i in dict.fromkeys(items)
                               if i not in measures[code]["items"]))
        for code in OUTCOMES if code in measures
    ]


class MomentTotals:
    """Per (cell, model) complete-case counts and upper-triangle cross-products."""

    def __init__(
        self, definition: Definition, cells_of: Callable[[dict], list[tuple[str, str]]]
    ) -> None:
        """cells_of: the (dimension, group) cells a respondent with these groups is in."""
        self.specs = driver_specs(definition)
        self.cells_of = cells_of
        self.cells: dict[tuple[str, str], int] = {}
        self.totals: dict[str, list] = {spec.model: [] for spec in self.specs}

    def add(self, chunk) -> None:
        member = self._incidence([groups for _, _, groups in chunk])
        items = list(dict.fromkeys(i for spec in self.specs for i in spec.predictors))
        answered = np.array(
            [[_number(answers.get(item)) for item in items] for answers, _, _ in chunk],
            dtype=float,
        ).reshape(len(chunk), len(items))
        column = {item: c for c, item in enumerate(items)}
        for spec in self.specs:
            outcome = np.array([_number(scores.get(spec.model)) for _, scores, _ in chunk])
            z = np.column_stack([
                np.ones(len(chunk)), outcome,
                answered[:, [column[item] for item in spec.predictors]],
            ])
            z[np.isnan(z).any(axis=1)] = 0.0  # incomplete cases count nowhere
            rows, cols = np.triu_indices(z.shape[1])
            products = z[:, rows] * z[:, cols]
            self.totals[spec.model].append(member.T @ products)

    def rows(self, wave_id: int) -> list[dict]:
        cells = list(self.cells)
        out = []
        for spec in self.specs:
            summed = np.zeros((len(cells), len(np.triu_indices(len(spec.variables) + 1)[0])))
            for block in self.totals[spec.model]:
                summed[: len(block)] += block
            out += [
                {"wave_id": wave_id, "dimension": cells[c][0], "grp": cells[c][1],
                 "model": spec.model, "variables": spec.variables, "n": round(summed[c, 0]),
                 "sums": [float(v) for v in summed[c]]}
                for c in range(len(cells)) if summed[c, 0] > 0
            ]
        return out

    def _incidence(self, groups_per_row: list[dict]) -> sparse.csr_matrix:
        cols = [
            [self.cells.setdefault(cell, len(self.cells))
             for cell in self.cells_of(groups)]
            for groups in groups_per_row
        ]
        rows = [i for i, row in enumerate(cols) for _ in row]
        flat = [c for row in cols for c in row]
        shape = (len(groups_per_row), len(self.cells))
        return sparse.csr_matrix((np.ones(len(flat)), (rows, flat)), shape=shape)


def _number(value) -> float:
    """A counted answer or score as a number; NaN for a skip, "Don't know" and the like."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return float(value)
    return np.nan
