"""Means from sufficient statistics (n, sum, sum of squares) and Welch's comparison of two means.

The database aggregates n, sum(x) and sum(x^2) per group; everything here follows from those,
so groups combine by addition and "the rest of the organisation" is the overall minus a group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import stats

from analytics.interval import Interval, t_critical_value


@dataclass(frozen=True)
class MeanStats:
    """Sufficient statistics of a sample: n, total = sum(x), total_sq = sum(x^2)."""

    n: int
    total: float
    total_sq: float

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"n cannot be negative, got {self.n}")

    @classmethod
    def from_values(cls, values: Iterable[float]) -> MeanStats:
        items = list(values)
        return cls(len(items), math.fsum(items), math.fsum(x * x for x in items))

    @classmethod
    def combine(cls, parts: Iterable[MeanStats]) -> MeanStats:
        """The statistics of the union of disjoint samples."""
        result = cls(0, 0.0, 0.0)
        for part in parts:
            result = result + part
        return result

    def __add__(self, other: MeanStats) -> MeanStats:
        return MeanStats(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    def __sub__(self, other: MeanStats) -> MeanStats:
        """Remove a sub-sample, e.g. overall - group = the rest of the organisation."""
        if other.n > self.n:
            raise ValueError("cannot remove a larger sample than the whole")
        return MeanStats(self.n - other.n, self.total - other.total, self.total_sq - other.total_sq)

    @property
    def mean(self) -> float:
        if self.n < 1:
            raise ValueError("the mean of an empty sample is undefined")
        return self.total / self.n

    @property
    def variance(self) -> float:
        """Sample variance (ddof = 1): (sum x^2 - (sum x)^2 / n) / (n - 1)."""
        if self.n < 2:
            raise ValueError("the sample variance needs n >= 2")
        # rounding can push a zero variance just below 0
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance)

    @property
    def se(self) -> float:
        """Standard error of the mean, sd / sqrt(n)."""
        return math.sqrt(self.variance / self.n)

    def mean_interval(self, confidence: float = 0.95) -> Interval:
        """mean +- t(n - 1) x se, the t interval for a mean."""
        half_width = t_critical_value(confidence, self.n - 1) * self.se
        return Interval(self.mean - half_width, self.mean + half_width)


@dataclass(frozen=True)
class MeanDifference:
    """mean(a) - mean(b), its interval, Welch's t, its degrees of freedom and two-sided p."""

    estimate: float
    interval: Interval
    t: float
    df: float
    p_value: float


def welch_difference(a: MeanStats, b: MeanStats, confidence: float = 0.95) -> MeanDifference:
    """Welch's unequal-variance comparison of two means (Welch 1947, Biometrika 34:28).

    se = sqrt(va/na + vb/nb); t = (ma - mb) / se; Welch-Satterthwaite
    df = se^4 / ((va/na)^2/(na - 1) + (vb/nb)^2/(nb - 1)); CI = diff +- t_df x se.
    If neither group varies (se = 0) the difference is exact: p = 1 when the means are equal
    and 0 otherwise, with df = na + nb - 2.
    """
    estimate = a.mean - b.mean
    part_a, part_b = a.variance / a.n, b.variance / b.n
    se = math.sqrt(part_a + part_b)
    if se == 0:
        p_value = 1.0 if estimate == 0 else 0.0
        t = 0.0 if estimate == 0 else math.copysign(math.inf, estimate)
        return MeanDifference(estimate, Interval(estimate, estimate), t, a.n + b.n - 2, p_value)
    df = se**4 / (part_a**2 / (a.n - 1) + part_b**2 / (b.n - 1))
    t = estimate / se
    half_width = t_critical_value(confidence, df) * se
    interval = Interval(estimate - half_width, estimate + half_width)
    return MeanDifference(estimate, interval, t, df, float(2 * stats.t.sf(abs(t), df)))
