"""Wave-to-wave change and minimum detectable change, checked against statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize

from analytics.interval import Difference
from analytics.means import MeanStats, welch_difference
from analytics.proportions import newcombe_difference, wilson_interval
from analytics.trends import (
    WaveEstimate,
    changes_since_previous,
    detectable_mean_change,
    detectable_proportion_change,
    gap_changes_since_previous,
    mean_change,
    proportion_change,
)


def test_proportion_change_is_later_minus_earlier() -> None:
    change = proportion_change(40, 100, 55, 100)
    low, high = confint_proportions_2indep(55, 100, 40, 100, method="newcomb", compare="diff")
    assert change.change.estimate == pytest.approx(0.15)
    assert change.change.interval.low == pytest.approx(low)
    assert change.change.interval.high == pytest.approx(high)
    assert change.test.method == "two_proportion_z" and change.test.p_value < 0.05


def test_mean_change_is_welch_of_later_minus_earlier() -> None:
    earlier = MeanStats.from_values([50.0, 60.0, 55.0, 45.0, 70.0])
    later = MeanStats.from_values([60.0, 72.0, 64.0, 58.0])
    change = mean_change(earlier, later)
    welch = welch_difference(later, earlier)
    assert change.change.estimate == pytest.approx(welch.estimate)
    assert change.test.p_value == pytest.approx(welch.p_value)


@settings(max_examples=40)
@given(st.floats(0.02, 0.98), st.integers(10, 3000), st.integers(10, 3000))
def test_detectable_proportion_change_matches_normal_ind_power(
    baseline: float, n1: int, n2: int
) -> None:
    h = NormalIndPower().solve_power(nobs1=n1, alpha=0.05, power=0.8, ratio=n2 / n1)
    h = abs(float(np.squeeze(h)))
    detectable = detectable_proportion_change(baseline, n1, n2)
    if detectable.increase is not None:
        raised = baseline + detectable.increase
        assert proportion_effectsize(raised, baseline) == pytest.approx(h, rel=1e-4)
    if detectable.decrease is not None:
        lowered = baseline - detectable.decrease
        assert proportion_effectsize(baseline, lowered) == pytest.approx(h, rel=1e-4)


def test_detectable_proportion_change_fixed() -> None:
    # two waves of 400 around 50%: about 9.9 points either way
    detectable = detectable_proportion_change(0.5, 400, 400)
    assert detectable.increase == pytest.approx(0.0987, abs=5e-4)
    assert detectable.decrease == pytest.approx(detectable.increase)
    assert detectable_proportion_change(0.99, 20, 20).increase is None


@settings(max_examples=25)
@given(st.integers(2, 2000), st.integers(2, 2000), st.floats(1, 30))
def test_detectable_mean_change_matches_t_test_ind_power(n1: int, n2: int, sd: float) -> None:
    power = TTestIndPower()
    # statsmodels' root finder may return the negative root, in a 1-element array
    d = abs(float(np.squeeze(power.solve_power(nobs1=n1, alpha=0.05, power=0.8, ratio=n2 / n1))))
    detectable = detectable_mean_change(sd, n1, n2)
    assert detectable == pytest.approx(d * sd, rel=1e-4)  # statsmodels' own solver tolerance
    achieved = power.power(detectable / sd, nobs1=n1, alpha=0.05, ratio=n2 / n1)
    assert achieved == pytest.approx(0.8, abs=1e-8)


def test_detectable_mean_change_for_who5() -> None:
    # WHO-5 sd about 20: 100 per wave detects about 8 points, below the 10 that matter clinically
    assert detectable_mean_change(20, 100, 100) == pytest.approx(7.96, abs=0.02)
    with pytest.raises(ValueError):
        detectable_mean_change(20, 1, 100)


def test_series_changes_equal_newcombe_for_wilson_points() -> None:
    waves = [("2023", 40, 100), ("2024", 55, 110), ("2025", 50, 90)]
    series = [WaveEstimate(label, x / n, wilson_interval(x, n), n) for label, x, n in waves]
    changes = changes_since_previous(series)
    assert [(c.previous_label, c.label) for c in changes] == [("2023", "2024"), ("2024", "2025")]
    expected = newcombe_difference(55, 110, 40, 100)
    assert changes[0].change.estimate == pytest.approx(expected.estimate)
    assert changes[0].change.interval.low == pytest.approx(expected.interval.low)
    assert changes[0].change.interval.high == pytest.approx(expected.interval.high)
    assert (changes[0].n, changes[0].previous_n) == (110, 100)
    assert not changes[1].interval_excludes_zero
    assert changes_since_previous(series[:1]) == []


def test_series_changes_of_means_close_to_welch() -> None:
    earlier = MeanStats(400, 400 * 52.0, 400 * (52.0**2 + 19.0**2) - 19.0**2)
    later = MeanStats(380, 380 * 56.0, 380 * (56.0**2 + 21.0**2) - 21.0**2)
    series = [
        WaveEstimate("a", earlier.mean, earlier.mean_interval(), earlier.n),
        WaveEstimate("b", later.mean, later.mean_interval(), later.n),
    ]
    (change,) = changes_since_previous(series)
    welch = welch_difference(later, earlier)
    assert change.change.estimate == pytest.approx(welch.estimate)
    assert change.change.interval.low == pytest.approx(welch.interval.low, abs=0.02)
    assert change.change.interval.high == pytest.approx(welch.interval.high, abs=0.02)
    assert math.isclose(later.sd, 21.0)


def _gap(x_group: int, n_group: int, x_rest: int, n_rest: int):
    return newcombe_difference(x_group, n_group, x_rest, n_rest)


def test_gap_change_is_later_gap_minus_earlier_gap_with_the_mover_interval() -> None:
    earlier, later = _gap(30, 80, 200, 400), _gap(44, 80, 204, 400)
    (change,) = gap_changes_since_previous([("w1", 80, earlier), ("w2", 80, later)])
    assert change.change.estimate == pytest.approx(later.estimate - earlier.estimate)
    below = math.hypot(later.estimate - later.interval.low,
                       earlier.interval.high - earlier.estimate)
    assert change.change.interval.low == pytest.approx(change.change.estimate - below)
    assert (change.label, change.previous_label, change.n, change.previous_n) == (
        "w2", "w1", 80, 80)


def test_gap_change_of_large_samples_matches_the_four_variance_normal_interval() -> None:
    # Independent computation: with large samples the difference of two independent gaps is
    # normal with the four binomial variances added (Wald).
    cells = [(1_500, 5_000), (8_000, 20_000), (1_900, 5_000), (8_100, 20_000)]
    earlier, later = _gap(*cells[0], *cells[1]), _gap(*cells[2], *cells[3])
    (change,) = gap_changes_since_previous([("a", 5_000, earlier), ("b", 5_000, later)])
    variance = sum((x / n) * (1 - x / n) / n for x, n in cells)
    z = 1.959963984540054
    assert change.change.estimate == pytest.approx(0.38 - 0.405 - (0.30 - 0.40))
    assert change.change.interval.low == pytest.approx(
        change.change.estimate - z * math.sqrt(variance), abs=5e-4)
    assert change.change.interval.high == pytest.approx(
        change.change.estimate + z * math.sqrt(variance), abs=5e-4)


def test_gap_change_of_means_matches_the_welch_variances_added() -> None:
    rng = np.random.default_rng(8)
    samples = [rng.normal(mu, 15, n) for mu, n in ((50, 400), (55, 1600), (58, 400), (56, 1600))]
    stats_ = [MeanStats.from_values(list(s)) for s in samples]
    earlier = welch_difference(stats_[0], stats_[1])
    later = welch_difference(stats_[2], stats_[3])
    (change,) = gap_changes_since_previous([
        ("a", 400, Difference(earlier.estimate, earlier.interval)),
        ("b", 400, Difference(later.estimate, later.interval)),
    ])
    se = math.sqrt(sum(np.var(s, ddof=1) / len(s) for s in samples))
    expected = (samples[2].mean() - samples[3].mean()) - (samples[0].mean() - samples[1].mean())
    assert change.change.estimate == pytest.approx(expected)
    assert change.change.interval.high - change.change.estimate == pytest.approx(
        1.96 * se, rel=0.01)


def test_gap_change_interval_covers_the_true_change_in_95_percent_of_simulated_waves() -> None:
    # Group of 80 and rest of 400 in each wave; true gaps -0.10 then +0.05: change +0.15.
    rng = np.random.default_rng(20240521)
    runs, covered, zero_excluded = 4_000, 0, 0
    for _ in range(runs):
        xs = rng.binomial([80, 400, 80, 400], [0.40, 0.50, 0.55, 0.50])
        earlier, later = _gap(xs[0], 80, xs[1], 400), _gap(xs[2], 80, xs[3], 400)
        (change,) = gap_changes_since_previous([("a", 80, earlier), ("b", 80, later)])
        covered += change.change.interval.contains(0.15)
        zero_excluded += change.interval_excludes_zero
    assert 0.94 <= covered / runs <= 0.965
    # Found about as often as the normal approximation's power says (about 42%).
    se = math.sqrt(sum(p * (1 - p) / n for p, n in ((0.4, 80), (0.5, 400), (0.55, 80), (0.5, 400))))
    power = stats.norm.sf(1.959964 - 0.15 / se) + stats.norm.cdf(-1.959964 - 0.15 / se)
    assert zero_excluded / runs == pytest.approx(power, abs=0.03)


def test_no_gap_change_is_claimed_more_often_than_5_percent_when_gaps_stay_put() -> None:
    rng = np.random.default_rng(11)
    runs, claimed = 4_000, 0
    for _ in range(runs):
        xs = rng.binomial([60, 300, 60, 300], [0.35, 0.50, 0.35, 0.50])
        earlier, later = _gap(xs[0], 60, xs[1], 300), _gap(xs[2], 60, xs[3], 300)
        claimed += gap_changes_since_previous(
            [("a", 60, earlier), ("b", 60, later)])[0].interval_excludes_zero
    assert claimed / runs <= 0.06
