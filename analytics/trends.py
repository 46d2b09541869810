"""Change between survey waves and the smallest change a wave could detect.

Responses are anonymous, so the same person cannot be linked across waves: waves are compared
as independent samples (Newcombe for proportions, Welch for means). Change = later - earlier.
The change of a gap (a group minus its comparison group) combines the two waves' gap
intervals the same way (gap_changes_since_previous).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import optimize, stats

from analytics.interval import Difference, Interval, mover_difference, normal_critical_value
from analytics.means import MeanStats, welch_difference
from analytics.proportions import SignificanceTest, newcombe_difference, proportion_test


@dataclass(frozen=True)
class WaveChange:
    """later - earlier with its interval and two-sided test."""

    change: Difference
    test: SignificanceTest


@dataclass(frozen=True)
class DetectableChange:
    """Smallest rise and fall from a baseline proportion detectable with the stated power.

    None where the change would leave [0, 1].
    """

    increase: float | None
    decrease: float | None


@dataclass(frozen=True)
class WaveEstimate:
    """One published point of a series: wave label, estimate, its interval and n."""

    label: str
    estimate: float
    interval: Interval
    n: int


@dataclass(frozen=True)
class SeriesChange:
    """Change from the previous published wave to this one (MOVER interval)."""

    label: str
    previous_label: str
    n: int
    previous_n: int
    change: Difference

    @property
    def interval_excludes_zero(self) -> bool:
        return self.change.interval.excludes_zero


def proportion_change(
    x_earlier: int, n_earlier: int, x_later: int, n_later: int, confidence: float = 0.95
) -> WaveChange:
    """Change in a proportion: Newcombe interval; z test, or Fisher's exact for small counts."""
    return WaveChange(
        newcombe_difference(x_later, n_later, x_earlier, n_earlier, confidence),
        proportion_test(x_later, n_later, x_earlier, n_earlier),
    )


def mean_change(earlier: MeanStats, later: MeanStats, confidence: float = 0.95) -> WaveChange:
    """Change in a mean: Welch interval and test."""
    welch = welch_difference(later, earlier, confidence)
    return WaveChange(
        Difference(welch.estimate, welch.interval),
        SignificanceTest("welch_t", welch.t, welch.p_value),
    )


def detectable_proportion_change(
    baseline: float, n_earlier: int, n_later: int, alpha: float = 0.05, power: float = 0.8
) -> DetectableChange:
    """Minimum detectable change of a proportion for a two-sided test at alpha with given power.

    On Cohen's arcsine scale phi = 2 asin(sqrt(p)) the detectable effect is
    h = (z_(1-alpha/2) + z_power) sqrt(1/n1 + 1/n2) (Cohen 1988, ch. 6; the opposite tail's
    negligible power is ignored); the detectable proportions are sin^2((phi +- h) / 2).
    """
    if not 0 <= baseline <= 1:
        raise ValueError(f"baseline must be a proportion, got {baseline}")
    h = _normal_effect(n_earlier, n_later, alpha, power)
    phi = 2 * math.asin(math.sqrt(baseline))
    increase = math.sin((phi + h) / 2) ** 2 - baseline if phi + h <= math.pi else None
    decrease = baseline - math.sin((phi - h) / 2) ** 2 if phi - h >= 0 else None
    return DetectableChange(increase, decrease)


def detectable_mean_change(
    sd: float, n_earlier: int, n_later: int, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Minimum detectable change of a mean for Student's two-sample t test (both tails).

    Solves power = P(T' > t_c) + P(T' < -t_c) for d, with T' noncentral t on n1 + n2 - 2 df and
    noncentrality d sqrt(n1 n2 / (n1 + n2)) (Cohen 1988, ch. 2); returns d x sd.
    """
    if min(n_earlier, n_later) < 2:
        raise ValueError("each wave needs at least 2 respondents")
    df = n_earlier + n_later - 2
    scale = math.sqrt(n_earlier * n_later / (n_earlier + n_later))
    critical = float(stats.t.isf(alpha / 2, df))

    def shortfall(d: float) -> float:
        noncentrality = d * scale
        achieved = stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(
            -critical, df, noncentrality
        )
        return float(achieved) - power

    upper = _normal_effect(n_earlier, n_later, alpha, power)
    while shortfall(upper) < 0:
        upper *= 2
    return sd * float(optimize.brentq(shortfall, 0.0, upper, xtol=1e-10))


def changes_since_previous(series: Sequence[WaveEstimate]) -> list[SeriesChange]:
    """Change of each wave from the one before it, in series order.

    The interval combines the two waves' own intervals by MOVER (Zou & Donner 2008): exactly
    Newcombe's interval when the waves carry Wilson intervals, close to Welch's for t intervals.
    """
    return [
        SeriesChange(
            later.label,
            earlier.label,
            later.n,
            earlier.n,
            mover_difference(later.estimate, later.interval, earlier.estimate, earlier.interval),
        )
        for earlier, later in itertools.pairwise(series)
    ]


def gap_changes_since_previous(gaps: Sequence[tuple[str, int, Difference]]) -> list[SeriesChange]:
    """Change of a gap (group minus its comparison group) from each wave's gap to the next:
    (label, group n, gap with its interval) in series order, only waves whose gap is shown.

    The two waves are independent samples, so the MOVER combination of the two gap intervals
    (Zou & Donner 2008) gives the interval of gap_later - gap_earlier: with Newcombe gap
    intervals it recovers each of the four Wilson intervals' variance, with Welch gap
    intervals it is close to the normal interval with the four variances added.
    """
    return changes_since_previous(
        [WaveEstimate(label, gap.estimate, gap.interval, n) for label, n, gap in gaps]
    )


def _normal_effect(n_earlier: int, n_later: int, alpha: float, power: float) -> float:
    """(z_(1-alpha/2) + z_power) sqrt(1/n1 + 1/n2): the standardised detectable effect."""
    if min(n_earlier, n_later) < 1:
        raise ValueError("each wave needs at least 1 respondent")
    z_power = float(stats.norm.ppf(power))
    return (normal_critical_value(1 - alpha) + z_power) * math.sqrt(1 / n_earlier + 1 / n_later)
