"""Proportions: Wilson intervals, differences, tests and ratios of two rates.

Every function takes counts (successes x out of n) and returns plain frozen dataclasses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from analytics.interval import Difference, Interval, mover_difference, normal_critical_value

FISHER_BELOW_EXPECTED = 5.0
"""Use Fisher's exact test when any expected count of the 2x2 table is below this."""

FOUR_FIFTHS = 0.8
"""Adverse impact ratios below this are flagged (the "four-fifths" screening rule)."""

_FISHER_RELATIVE_TOLERANCE = 1 + 1e-7  # as scipy.stats.fisher_exact: ties within rounding count


@dataclass(frozen=True)
class Tally:
    """successes out of n, e.g. favourable answers out of counted answers in one group."""

    successes: int
    n: int

    def __post_init__(self) -> None:
        if not 0 <= self.successes <= self.n:
            raise ValueError(f"need 0 <= successes <= n, got {self.successes} of {self.n}")

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.successes + other.successes, self.n + other.n)

    def __sub__(self, other: Tally) -> Tally:
        """Remove a sub-group, e.g. overall - group = the rest of the organisation."""
        return Tally(self.successes - other.successes, self.n - other.n)

    @property
    def rate(self) -> float:
        return self.successes / self.n


@dataclass(frozen=True)
class Share:
    """count out of n, the proportion count / n and its Wilson interval."""

    count: int
    n: int
    proportion: float
    interval: Interval


@dataclass(frozen=True)
class SignificanceTest:
    """A two-sided test: which method, its statistic (None for exact tests) and p-value."""

    method: str
    statistic: float | None
    p_value: float


@dataclass(frozen=True)
class Ratio:
    """A ratio of two rates with its confidence interval."""

    estimate: float
    interval: Interval


def check_counts(successes: int, n: int) -> None:
    """Refuse n < 1 or successes outside 0..n."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..{n}, got {successes}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for successes / n (Wilson 1927, JASA 22:209).

    centre = (p + z^2/2n) / (1 + z^2/n), half-width = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
    """
    check_counts(successes, n)
    z = normal_critical_value(confidence)
    p = successes / n
    shrink = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half_width = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / shrink
    # at p = 0 or 1 the bound is exactly 0 or 1; rounding would leave it a hair inside
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return Interval(low, high)


def share_of(count: int, n: int, confidence: float = 0.95) -> Share:
    """count / n with its Wilson interval."""
    return Share(count, n, count / n, wilson_interval(count, n, confidence))


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> Difference:
    """p1 - p2 with Newcombe's hybrid score interval (Newcombe 1998, Stat Med 17:873, method 10).

    L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2) where
    (li, ui) are the Wilson intervals of each proportion.
    """
    return mover_difference(
        x1 / n1, wilson_interval(x1, n1, confidence), x2 / n2, wilson_interval(x2, n2, confidence)
    )


def newcombe_test(x1: int, n1: int, x2: int, n2: int) -> SignificanceTest:
    """The test whose inversion is Newcombe's interval: two-sided p = 1 - c*, where c* is the
    confidence level at which the interval for p1 - p2 just reaches zero.

    So p < alpha exactly when the (1 - alpha) Newcombe interval excludes zero, and a gap called
    significant never sits beside an interval that touches zero (a pooled z test beside a
    Newcombe interval can disagree). statistic is None (there is no single statistic).
    """
    check_counts(x1, n1)
    check_counts(x2, n2)
    if x1 * n2 == x2 * n1:
        return SignificanceTest("newcombe", None, 1.0)

    def nearer_end(confidence: float) -> float:
        interval = newcombe_difference(x1, n1, x2, n2, confidence).interval
        return interval.low if x1 * n2 > x2 * n1 else -interval.high

    highest = 1 - 1e-15
    if nearer_end(highest) > 0:
        return SignificanceTest("newcombe", None, 1 - highest)
    reached = optimize.brentq(nearer_end, 1e-12, highest, xtol=1e-14, rtol=1e-12)
    return SignificanceTest("newcombe", None, float(1 - reached))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> SignificanceTest:
    """Pooled two-proportion z test, two-sided.

    z = (p1 - p2) / sqrt(p(1 - p)(1/n1 + 1/n2)) with pooled p = (x1 + x2) / (n1 + n2), and
    p-value = 2(1 - Phi(|z|)). When p is 0 or 1 both groups answered alike: z = 0, p-value 1.
    """
    check_counts(x1, n1)
    check_counts(x2, n2)
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return SignificanceTest("two_proportion_z", 0.0, 1.0)
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return SignificanceTest("two_proportion_z", z, float(2 * stats.norm.sf(abs(z))))


def fisher_exact_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided Fisher's exact p for the 2x2 table [[x1, n1 - x1], [x2, n2 - x2]].

    Conditioning on the margins, x1 is hypergeometric; p sums the probabilities of all tables
    no more likely than the observed one (the "minlike" rule of scipy.stats.fisher_exact).
    """
    check_counts(x1, n1)
    check_counts(x2, n2)
    successes = x1 + x2
    distribution = stats.hypergeom(n1 + n2, successes, n1)
    support = np.arange(max(0, successes - n2), min(successes, n1) + 1)
    probabilities = distribution.pmf(support)
    observed = distribution.pmf(x1) * _FISHER_RELATIVE_TOLERANCE
    return min(1.0, float(probabilities[probabilities <= observed].sum()))


def smallest_expected_count(x1: int, n1: int, x2: int, n2: int) -> float:
    """Smallest expected cell count of the 2x2 table under independence (row x column / total)."""
    successes = x1 + x2
    total = n1 + n2
    return min(n1, n2) * min(successes, total - successes) / total


def proportion_test(x1: int, n1: int, x2: int, n2: int) -> SignificanceTest:
    """Fisher's exact test when any expected count is below 5, else the pooled z test."""
    if smallest_expected_count(x1, n1, x2, n2) < FISHER_BELOW_EXPECTED:
        return SignificanceTest("fisher_exact", None, fisher_exact_p(x1, n1, x2, n2))
    return two_proportion_test(x1, n1, x2, n2)


def relative_likelihood(
    x_reference: int, n_reference: int, x_group: int, n_group: int, confidence: float = 0.95
) -> Ratio | None:
    """Relative likelihood rate_reference / rate_group with the Katz log interval.

    As in the NHS Workforce Race Equality Standard: above 1 the reference group is more likely
    to succeed. CI = RL x exp(+-z se), se = sqrt(1/a - 1/n_ref + 1/c - 1/n_group) with a, c the
    successes (Katz et al. 1978, Biometrics 34:469). None when either group has no successes,
    where the ratio or its interval is undefined.
    """
    check_counts(x_reference, n_reference)
    check_counts(x_group, n_group)
    if x_reference == 0 or x_group == 0:
        return None
    estimate = (x_reference / n_reference) / (x_group / n_group)
    se = math.sqrt(1 / x_reference - 1 / n_reference + 1 / x_group - 1 / n_group)
    spread = math.exp(normal_critical_value(confidence) * se)
    return Ratio(estimate, Interval(estimate / spread, estimate * spread))


def adverse_impact_ratio(rate: float, highest_rate: float) -> float | None:
    """rate / highest group rate; below FOUR_FIFTHS flags possible adverse impact.

    A screening flag (US EEOC Uniform Guidelines 1978, s.4D), not a legal test. None when the
    highest rate is 0 (nobody in any group succeeded).
    """
    if highest_rate == 0:
        return None
    return rate / highest_rate
