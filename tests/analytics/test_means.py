"""Means from sufficient statistics checked against numpy, scipy and statsmodels on raw data."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from analytics.means import MeanStats, welch_difference

scores = st.lists(st.integers(0, 100).map(float), min_size=2, max_size=60)


def test_sufficient_statistics_fixed() -> None:
    sample = MeanStats.from_values([40.0, 52.0, 64.0, 76.0])
    assert (sample.n, sample.total, sample.total_sq) == (4, 232.0, 14176.0)
    assert sample.mean == 58.0
    assert sample.variance == pytest.approx(240.0)
    assert sample.se == pytest.approx(math.sqrt(60.0))


@given(scores)
def test_moments_and_interval_match_numpy_and_statsmodels(values: list[float]) -> None:
    sample = MeanStats.from_values(values)
    assert sample.mean == pytest.approx(np.mean(values))
    assert sample.variance == pytest.approx(np.var(values, ddof=1), rel=1e-9, abs=1e-9)
    low, high = DescrStatsW(np.array(values)).tconfint_mean()
    interval = sample.mean_interval()
    assert interval.low == pytest.approx(low, rel=1e-9, abs=1e-9)
    assert interval.high == pytest.approx(high, rel=1e-9, abs=1e-9)


@given(scores, scores)
def test_combine_and_subtract_match_pooled_data(a: list[float], b: list[float]) -> None:
    whole = MeanStats.combine([MeanStats.from_values(a), MeanStats.from_values(b)])
    assert whole == MeanStats.from_values(a + b)
    rest = whole - MeanStats.from_values(a)
    assert rest.n == len(b)
    assert rest.mean == pytest.approx(np.mean(b))
    assert rest.variance == pytest.approx(np.var(b, ddof=1), rel=1e-7, abs=1e-7)


@given(scores, scores)
def test_welch_matches_scipy_and_statsmodels(a: list[float], b: list[float]) -> None:
    first, second = MeanStats.from_values(a), MeanStats.from_values(b)
    if first.variance == 0 and second.variance == 0:
        return  # degenerate: covered by test_welch_without_variation
    result = welch_difference(first, second)
    with warnings.catch_warnings():  # scipy warns when one sample is constant
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = stats.ttest_ind(a, b, equal_var=False)
    assert result.t == pytest.approx(reference.statistic, rel=1e-7, abs=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-7, abs=1e-12)
    compare = CompareMeans(DescrStatsW(np.array(a)), DescrStatsW(np.array(b)))
    _, _, df = compare.ttest_ind(usevar="unequal")
    low, high = compare.tconfint_diff(usevar="unequal")
    assert result.df == pytest.approx(df, rel=1e-7)
    assert result.interval.low == pytest.approx(low, rel=1e-7, abs=1e-9)
    assert result.interval.high == pytest.approx(high, rel=1e-7, abs=1e-9)


def test_welch_fixed_example() -> None:
    # by hand: means 3 and 7, variances 2.5 and 14, se^2 = 2.5/5 + 14/6
    result = welch_difference(
        MeanStats.from_values([1.0, 2.0, 3.0, 4.0, 5.0]),
        MeanStats.from_values([2.0, 4.0, 6.0, 8.0, 10.0, 12.0]),
    )
    se_squared = 0.5 + 7 / 3
    assert result.estimate == pytest.approx(-4.0)
    assert result.t == pytest.approx(-4 / math.sqrt(se_squared))
    assert result.df == pytest.approx(se_squared**2 / (0.5**2 / 4 + (7 / 3) ** 2 / 5))


def test_welch_without_variation() -> None:
    same = welch_difference(MeanStats.from_values([3.0] * 5), MeanStats.from_values([3.0] * 8))
    assert (same.p_value, same.interval.low, same.interval.high) == (1.0, 0.0, 0.0)
    apart = welch_difference(MeanStats.from_values([4.0] * 5), MeanStats.from_values([3.0] * 8))
    assert apart.p_value == 0.0 and apart.estimate == 1.0


def test_invalid_statistics_refused() -> None:
    with pytest.raises(ValueError):
        MeanStats(-1, 0.0, 0.0)
    with pytest.raises(ValueError):
        _ = MeanStats.from_values([1.0]).variance
    with pytest.raises(ValueError):
        MeanStats.from_values([1.0]) - MeanStats.from_values([1.0, 2.0])
