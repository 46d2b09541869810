"""Key drivers: a linear regression of an outcome on many items, from sufficient statistics.

Input is the augmented cross-product matrix of the complete cases, M = Z'Z with
Z = [1, y, x_1..x_p] (so M[0, 0] = n, M[0, j] = sum of variable j, M[i, j] = sum of
products); the database adds these up at close, so a model costs the same at 250,000
responses as at 2,000. Output: each predictor's standardised coefficient
beta_j = b_j sd(x_j) / sd(y) with its t interval (the OLS interval of b_j scaled the same
way, exactly the interval OLS gives on z-scored data), its t test and a Benjamini-Hochberg
q-value across the model's predictors; R-squared, adjusted R-squared and n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analytics.interval import Interval
from analytics.multiplicity import benjamini_hochberg


class ModelNotEstimable(ValueError):
    """Too few complete cases for the predictors, or a predictor that does not vary."""


@dataclass(frozen=True)
class Driver:
    predictor: str
    beta: float  # standardised coefficient
    interval: Interval
    p_value: float
    q_value: float
    significant: bool


@dataclass(frozen=True)
class DriverModel:
    outcome: str
    n: int
    r_squared: float
    adjusted_r_squared: float
    drivers: tuple[Driver, ...]  # strongest first (by |beta|)


def unpack_upper(values: list[float], size: int) -> np.ndarray:
    """The symmetric matrix whose upper triangle (row by row) is `values`."""
    matrix = np.zeros((size, size))
    rows, cols = np.triu_indices(size)
    matrix[rows, cols] = values
    matrix[cols, rows] = values
    return matrix


def fit_drivers(
    outcome: str,
    predictors: list[str],
    moments: np.ndarray,
    *,
    fdr: float = 0.05,
    confidence: float = 0.95,
) -> DriverModel:
    """OLS of the first variable on the others from M = Z'Z, Z = [1, y, x...]."""
    n = int(moments[0, 0] + 0.5)
    p = len(predictors)
    if n - p - 1 < 1:
        raise ModelNotEstimable(f"{n} complete cases cannot fit {p} predictors")
    means = moments[0, 1:] / n
    centred = moments[1:, 1:] - n * np.outer(means, means)
    syy, sxy, sxx = centred[0, 0], centred[1:, 0], centred[1:, 1:]
    if syy <= 0 or np.any(np.diag(sxx) <= 0) or np.linalg.matrix_rank(sxx) < p:
        raise ModelNotEstimable("the outcome or a predictor does not vary, or they are collinear")
    inverse = np.linalg.inv(sxx)
    b = inverse @ sxy
    residual = max(syy - float(b @ sxy), 0.0)
    df = n - p - 1
    se = np.sqrt(residual / df * np.diag(inverse))
    scale = np.sqrt(np.diag(sxx) / syy)
    t_values = b / se
    p_values = [float(2 * stats.t.sf(abs(t), df)) for t in t_values]
    q_values = benjamini_hochberg(p_values)
    critical = float(stats.t.ppf(0.5 + confidence / 2, df))
    drivers = [
        Driver(
            name, float(b[j] * scale[j]),
            Interval(float((b[j] - critical * se[j]) * scale[j]),
                     float((b[j] + critical * se[j]) * scale[j])),
            p_values[j], float(q_values[j]), float(q_values[j]) < fdr,
        )
        for j, name in enumerate(predictors)
    ]
    r_squared = 1 - residual / syy
    return DriverModel(
        outcome, n, r_squared, 1 - (1 - r_squared) * (n - 1) / df,
        tuple(sorted(drivers, key=lambda d: -abs(d.beta))),
    )


def publishable_groups(complete: dict[str, int], total: int, minimum: int, k: int) -> set[str]:
    """Groups whose driver model may be shown: at least `minimum` complete cases, and the
    complete cases not shown (total minus the shown groups: hidden, small and not-stated
    groups together) either none or at least k, so no count below k can be worked out by
    subtraction. While the remainder is 1..k-1 the smallest shown group is withheld too."""
    shown = {g for g, n in complete.items() if n >= minimum}
    while shown and 0 < total - sum(complete[g] for g in shown) < k:
        shown.remove(min(shown, key=lambda g: (complete[g], g)))
    return shown
