"""Proportions checked against statsmodels and scipy on fixed and generated counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from analytics.proportions import (
    Tally,
    adverse_impact_ratio,
    fisher_exact_p,
    newcombe_difference,
    proportion_test,
    relative_likelihood,
    share_of,
    two_proportion_test,
    wilson_interval,
)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 500) -> tuple[int, int]:
    n = draw(st.integers(1, max_n))
    return draw(st.integers(0, n)), n


@pytest.mark.parametrize(("x", "n"), [(0, 1), (0, 10), (10, 10), (3, 17), (481, 1000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(x: int, n: int, confidence: float) -> None:
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    interval = wilson_interval(x, n, confidence)
    assert interval.low == pytest.approx(low, abs=1e-12)
    assert interval.high == pytest.approx(high, abs=1e-12)


def test_wilson_fixed_value() -> None:
    # 8 of 20: Newcombe (1998) Table I gives 0.2188 to 0.6134
    interval = wilson_interval(8, 20)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.2188, 0.6134)


@given(counts(), st.sampled_from([0.8, 0.95, 0.99]))
def test_wilson_generated(xn: tuple[int, int], confidence: float) -> None:
    x, n = xn
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    interval = wilson_interval(x, n, confidence)
    assert interval.low == pytest.approx(low, abs=1e-10)
    assert interval.high == pytest.approx(high, abs=1e-10)
    assert 0 <= interval.low <= x / n <= interval.high <= 1


def test_newcombe_published_example() -> None:
    # Newcombe (1998) Table II example (56/70 - 48/80), method 10: 0.0524 to 0.3339
    difference = newcombe_difference(56, 70, 48, 80)
    assert difference.estimate == pytest.approx(0.2)
    assert round(difference.interval.low, 4) == 0.0524
    assert round(difference.interval.high, 4) == 0.3339


@given(counts(), counts())
def test_newcombe_matches_statsmodels(a: tuple[int, int], b: tuple[int, int]) -> None:
    low, high = confint_proportions_2indep(*a, *b, method="newcomb", compare="diff")
    difference = newcombe_difference(*a, *b)
    assert difference.estimate == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert difference.interval.low == pytest.approx(low, abs=1e-10)
    assert difference.interval.high == pytest.approx(high, abs=1e-10)


@given(counts(), counts())
def test_two_proportion_z_matches_statsmodels(a: tuple[int, int], b: tuple[int, int]) -> None:
    pooled = (a[0] + b[0]) / (a[1] + b[1])
    result = two_proportion_test(*a, *b)
    if pooled in (0, 1):
        assert (result.statistic, result.p_value) == (0.0, 1.0)
        return
    z, p = proportions_ztest([a[0], b[0]], [a[1], b[1]])
    assert result.statistic == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert result.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(
    "table", [(3, 10, 9, 11), (0, 5, 5, 5), (1, 30, 12, 25), (7, 7, 0, 9), (2, 40, 2, 40)]
)
def test_fisher_matches_scipy_fixed(table: tuple[int, int, int, int]) -> None:
    x1, n1, x2, n2 = table
    _, expected = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])
    assert fisher_exact_p(x1, n1, x2, n2) == pytest.approx(expected, rel=1e-9)


@given(counts(60), counts(60))
def test_fisher_matches_scipy_generated(a: tuple[int, int], b: tuple[int, int]) -> None:
    _, expected = stats.fisher_exact([[a[0], a[1] - a[0]], [b[0], b[1] - b[0]]])
    assert fisher_exact_p(*a, *b) == pytest.approx(expected, rel=1e-7, abs=1e-12)


def test_proportion_test_uses_fisher_for_small_expected_counts() -> None:
    assert proportion_test(1, 12, 6, 14).method == "fisher_exact"
    assert proportion_test(1, 12, 6, 14).statistic is None
    assert proportion_test(40, 100, 60, 100).method == "two_proportion_z"


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_relative_likelihood_matches_table2x2(
    n_ref: int, n_group: int, data: st.DataObject
) -> None:
    x_ref = data.draw(st.integers(1, n_ref))
    x_group = data.draw(st.integers(1, n_group))
    # Table2x2 rows are (reference, group): riskratio = reference rate / group rate
    cells = np.array([[x_ref, n_ref - x_ref], [x_group, n_group - x_group]])
    table = Table2x2(cells, shift_zeros=False)
    low, high = table.riskratio_confint()
    ratio = relative_likelihood(x_ref, n_ref, x_group, n_group)
    assert ratio is not None
    assert ratio.estimate == pytest.approx(table.riskratio, rel=1e-12)
    assert ratio.interval.low == pytest.approx(low, rel=1e-9)
    assert ratio.interval.high == pytest.approx(high, rel=1e-9)


def test_relative_likelihood_orientation_and_undefined_cases() -> None:
    ratio = relative_likelihood(30, 100, 15, 100)  # reference twice as likely to progress
    assert ratio is not None and ratio.estimate == pytest.approx(2.0)
    assert ratio.interval.low > 1
    assert relative_likelihood(0, 100, 15, 100) is None
    assert relative_likelihood(30, 100, 0, 100) is None


def test_adverse_impact_ratio_and_four_fifths_equivalence() -> None:
    assert adverse_impact_ratio(0.3, 0.5) == pytest.approx(0.6)
    assert adverse_impact_ratio(0.0, 0.0) is None
    # AIR < 0.8 is the same as relative likelihood (highest / group) > 1.25
    air = adverse_impact_ratio(0.39, 0.5)
    assert air is not None and air < 0.8 and 0.5 / 0.39 > 1.25


def test_tally_arithmetic_and_share() -> None:
    rest = Tally(40, 100) - Tally(10, 30)
    assert rest == Tally(30, 70)
    assert (rest + Tally(10, 30)).rate == pytest.approx(0.4)
    share = share_of(3, 12)
    assert (share.count, share.n, share.proportion) == (3, 12, 0.25)
    with pytest.raises(ValueError):
        Tally(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(0, 0)
