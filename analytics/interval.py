"""Confidence intervals, critical values and the MOVER difference of two estimates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from scipy import stats


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval [low, high]."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Difference:
    """An estimated difference (first minus second) with its confidence interval."""

    estimate: float
    interval: Interval


def check_confidence(confidence: float) -> None:
    """Refuse a confidence level outside (0, 1)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


@cache
def normal_critical_value(confidence: float) -> float:
    """z such that P(-z < Z < z) = confidence for a standard normal Z (cached: reports ask
    for the same few levels thousands of times)."""
    check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def t_critical_value(confidence: float, df: float) -> float:
    """t such that P(-t < T < t) = confidence for Student's T with df degrees of freedom."""
    check_confidence(confidence)
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def mover_difference(
    first: float, first_interval: Interval, second: float, second_interval: Interval
) -> Difference:
    """Interval for first - second from the two separate intervals (MOVER).

    L = d - sqrt((first - l1)^2 + (u2 - second)^2), U = d + sqrt((u1 - first)^2 + (second - l2)^2),
    the "method of variance estimates recovery" of Zou & Donner (2008), Stat Med 27:1693. With
    Wilson intervals it is exactly Newcombe's hybrid score interval (Newcombe 1998, method 10).
    """
    estimate = first - second
    below = math.hypot(first - first_interval.low, second_interval.high - second)
    above = math.hypot(first_interval.high - first, second - second_interval.low)
    return Difference(estimate, Interval(estimate - below, estimate + above))
