"""Weighting respondents to the workforce, response rates and representativeness.

Raking (iterative proportional fitting, Deming & Stephan 1940, Ann Math Stat 11:427) scales
the respondents of each cell (a tuple of groups, one per dimension, e.g. ("constable",
"female")) so that the weighted counts match the workforce headcount on every dimension's
margin. Weighted estimates carry weighted=True so that pages and exports can say so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.interval import Interval, normal_critical_value
from analytics.means import MeanStats
from analytics.proportions import Share, Tally, share_of

Cell = tuple[str, ...]


@dataclass(frozen=True)
class RakingResult:
    """Per-respondent weight of each cell with respondents, and how the fit ended.

    largest_relative_error is max |weighted margin - target| / target over all margins.
    """

    weights: dict[Cell, float]
    iterations: int
    converged: bool
    largest_relative_error: float


@dataclass(frozen=True)
class WeightedEstimate:
    """A mean or proportion, weighted or not, with respondents n and Kish's effective n.

    effective_n = (sum of weights)^2 / sum of squared weights over respondents (Kish 1965).
    interval: the confidence interval where one is computed (post_stratified_*), else None.
    """

    estimate: float
    n: int
    effective_n: float
    weighted: bool
    interval: Interval | None = None


@dataclass(frozen=True)
class Representation:
    """A group's share of respondents (Wilson interval) beside its share of the workforce."""

    group: str
    respondent_share: Share
    workforce_share: float
    difference: float


def rake(
    respondents: Mapping[Cell, int],
    dimensions: Sequence[str],
    targets: Mapping[str, Mapping[str, float]],
    *,
    tolerance: float = 1e-8,
    max_iterations: int = 100,
) -> RakingResult:
    """Rake cell weights until every weighted margin is within tolerance of its target.

    Each iteration, for each dimension in turn, multiplies the weights of every cell of group g
    by target_g / current weighted count of g. Targets are headcounts per group; every
    dimension must total the same, every group with respondents needs a headcount and every
    group with a headcount needs respondents (collapse small groups first).
    """
    counts = {cell: n for cell, n in respondents.items() if n > 0}
    _check_raking_inputs(counts, dimensions, targets)
    weights = dict.fromkeys(counts, 1.0)
    error = _largest_relative_error(counts, weights, dimensions, targets)
    iterations = 0
    while error > tolerance and iterations < max_iterations:
        iterations += 1
        for axis, dimension in enumerate(dimensions):
            margins = _weighted_margins(counts, weights, axis)
            for cell in weights:
                weights[cell] *= targets[dimension][cell[axis]] / margins[cell[axis]]
        error = _largest_relative_error(counts, weights, dimensions, targets)
    return RakingResult(weights, iterations, error <= tolerance, error)


def weighted_mean(
    cells: Mapping[Cell, MeanStats], weights: Mapping[Cell, float] | None = None
) -> WeightedEstimate:
    """sum_c w_c total_c / sum_c w_c n_c; unweighted (weighted=False) when weights is None."""
    return _estimate({c: (s.total, s.n) for c, s in cells.items()}, weights)


def weighted_proportion(
    cells: Mapping[Cell, Tally], weights: Mapping[Cell, float] | None = None
) -> WeightedEstimate:
    """sum_c w_c x_c / sum_c w_c n_c; unweighted (weighted=False) when weights is None."""
    return _estimate({c: (t.successes, t.n) for c, t in cells.items()}, weights)


def post_stratified_mean(
    cells: Mapping[str, MeanStats], headcounts: Mapping[str, int], confidence: float = 0.95
) -> WeightedEstimate:
    """The mean weighted to the workforce profile, with a linearisation interval.

    estimate = sum_h W_h ybar_h with W_h = N_h / N (N_h the headcount of group h), each
    respondent of h weighing N_h / n_h. Its variance, treating the groups as strata
    (post-stratification, Kish 1965 s.12.6; Lohr 2019 s.4.4), is
    v = sum_h W_h^2 (1 - n_h / N_h) s_h^2 / n_h, and the interval estimate +- z sqrt(v).
    Every group needs a headcount and at least 2 respondents.
    """
    return _post_stratified(
        {h: (s.mean, s.variance, s.n) for h, s in _checked(cells, headcounts).items()},
        headcounts, confidence, (-math.inf, math.inf),
    )


def post_stratified_proportion(
    cells: Mapping[str, Tally], headcounts: Mapping[str, int], confidence: float = 0.95
) -> WeightedEstimate:
    """A proportion weighted to the workforce profile: post_stratified_mean of 0/1 answers,
    s_h^2 = n_h p_h (1 - p_h) / (n_h - 1); the interval is clipped to [0, 1]."""
    checked = _checked(cells, headcounts)
    moments = {h: (t.rate, t.n * t.rate * (1 - t.rate) / (t.n - 1), t.n)
               for h, t in checked.items()}
    return _post_stratified(moments, headcounts, confidence, (0.0, 1.0))


def response_rates(
    respondents: Mapping[str, int], headcounts: Mapping[str, int], confidence: float = 0.95
) -> dict[str, Share]:
    """Respondents / headcount per workforce group with Wilson intervals.

    Groups are those with a headcount above 0; respondents in other groups (not stated) are
    left out.
    """
    rates = {}
    for group, headcount in headcounts.items():
        if headcount > 0:
            answered = respondents.get(group, 0)
            if answered > headcount:
                raise ValueError(f"{group!r}: more respondents than the headcount")
            rates[group] = share_of(answered, headcount, confidence)
    return rates


def representativeness(
    respondents: Mapping[str, int], headcounts: Mapping[str, int], confidence: float = 0.95
) -> list[Representation]:
    """Each group's share of respondents against its share of the workforce.

    Both shares are of the groups in headcounts (respondents not stating a group are left out);
    difference = respondent share - workforce share.
    """
    stated = sum(respondents.get(group, 0) for group in headcounts)
    workforce = sum(headcounts.values())
    if stated == 0 or workforce == 0:
        raise ValueError("need respondents and a workforce to compare")
    comparison = []
    for group, headcount in headcounts.items():
        share = share_of(respondents.get(group, 0), stated, confidence)
        workforce_share = headcount / workforce
        comparison.append(
            Representation(group, share, workforce_share, share.proportion - workforce_share)
        )
    return comparison


def _estimate(
    cells: Mapping[Cell, tuple[float, int]], weights: Mapping[Cell, float] | None
) -> WeightedEstimate:
    cell_weight = {c: 1.0 if weights is None else weights[c] for c, (_, n) in cells.items() if n}
    weighted_n = sum(w * cells[c][1] for c, w in cell_weight.items())
    if weighted_n == 0:
        raise ValueError("no weighted respondents")
    estimate = sum(w * cells[c][0] for c, w in cell_weight.items()) / weighted_n
    squares = sum(w * w * cells[c][1] for c, w in cell_weight.items())
    n = sum(cells[c][1] for c in cell_weight)
    return WeightedEstimate(estimate, n, weighted_n**2 / squares, weights is not None)


def _checked(cells: Mapping, headcounts: Mapping[str, int]) -> Mapping:
    if set(cells) != {h for h, n in headcounts.items() if n > 0}:
        raise ValueError("every group needs a headcount and respondents")
    if any(cell.n < 2 or cell.n > headcounts[h] for h, cell in cells.items()):
        raise ValueError("each group needs 2 or more respondents, and no more than its headcount")
    return cells


def _post_stratified(moments, headcounts, confidence: float, limits) -> WeightedEstimate:
    workforce = sum(headcounts[h] for h in moments)
    shares = {h: headcounts[h] / workforce for h in moments}
    estimate = sum(shares[h] * mean for h, (mean, _, _) in moments.items())
    variance = sum(shares[h] ** 2 * (1 - n / headcounts[h]) * var / n
                   for h, (_, var, n) in moments.items())
    half = normal_critical_value(confidence) * math.sqrt(variance)
    weights = {h: headcounts[h] / n for h, (_, _, n) in moments.items()}
    n = sum(count for _, _, count in moments.values())
    effective = (sum(weights[h] * m[2] for h, m in moments.items()) ** 2
                 / sum(weights[h] ** 2 * m[2] for h, m in moments.items()))
    interval = Interval(max(limits[0], estimate - half), min(limits[1], estimate + half))
    return WeightedEstimate(estimate, n, effective, True, interval)


def _weighted_margins(
    counts: Mapping[Cell, int], weights: Mapping[Cell, float], axis: int
) -> dict[str, float]:
    margins: dict[str, float] = defaultdict(float)
    for cell, n in counts.items():
        margins[cell[axis]] += n * weights[cell]
    return margins


def _largest_relative_error(
    counts: Mapping[Cell, int],
    weights: Mapping[Cell, float],
    dimensions: Sequence[str],
    targets: Mapping[str, Mapping[str, float]],
) -> float:
    errors = [0.0]
    for axis, dimension in enumerate(dimensions):
        margins = _weighted_margins(counts, weights, axis)
        for group, target in targets[dimension].items():
            errors.append(abs(margins.get(group, 0.0) - target) / target if target else 0.0)
    return max(errors)


def _check_raking_inputs(
    counts: Mapping[Cell, int],
    dimensions: Sequence[str],
    targets: Mapping[str, Mapping[str, float]],
) -> None:
    if any(len(cell) != len(dimensions) for cell in counts):
        raise ValueError("every cell needs one group per dimension")
    totals = [sum(targets[dimension].values()) for dimension in dimensions]
    if not all(math.isclose(total, totals[0], rel_tol=1e-9) for total in totals):
        raise ValueError("every dimension's headcounts must add up to the same total")
    for axis, dimension in enumerate(dimensions):
        with_respondents = {cell[axis] for cell in counts}
        with_headcount = {group for group, target in targets[dimension].items() if target > 0}
        if with_respondents != with_headcount:
            mismatched = sorted(with_respondents ^ with_headcount)
            raise ValueError(f"{dimension}: groups without respondents or headcount: {mismatched}")
