"""Key drivers from cross-products agree with statsmodels OLS on the raw rows."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analytics.drivers import ModelNotEstimable, fit_drivers, unpack_upper


def moments_of(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = np.column_stack([np.ones(len(y)), y, x])
    return z.T @ z


def zscored_ols(y, x):
    zy = (y - y.mean()) / y.std(ddof=1)
    zx = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return sm.OLS(zy, sm.add_constant(zx)).fit()


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(400, 4)).astype(float)
    y = 40 + 6 * x[:, 0] - 3 * x[:, 2] + rng.normal(0, 12, 400)
    return y, x


def test_coefficients_intervals_and_fit_match_statsmodels(data):
    y, x = data
    names = ["a", "b", "c", "d"]
    model = fit_drivers("y", names, moments_of(y, x))
    fitted = zscored_ols(y, x)
    by_name = {d.predictor: d for d in model.drivers}
    intervals = fitted.conf_int(0.05)
    for j, name in enumerate(names, start=1):
        assert by_name[name].beta == pytest.approx(fitted.params[j], rel=1e-9)
        assert by_name[name].interval.low == pytest.approx(intervals[j][0], rel=1e-9)
        assert by_name[name].interval.high == pytest.approx(intervals[j][1], rel=1e-9)
        assert by_name[name].p_value == pytest.approx(fitted.pvalues[j], rel=1e-6)
    assert model.r_squared == pytest.approx(fitted.rsquared, rel=1e-9)
    assert model.adjusted_r_squared == pytest.approx(fitted.rsquared_adj, rel=1e-9)
    assert model.n == 400


def test_planted_drivers_come_first_and_are_significant(data):
    y, x = data
    model = fit_drivers("y", ["a", "b", "c", "d"], moments_of(y, x))
    assert [d.predictor for d in model.drivers[:2]] == ["a", "c"]
    assert model.drivers[0].beta > 0 > model.drivers[1].beta
    assert model.drivers[0].significant and model.drivers[1].significant
    q = sm.stats.multipletests([d.p_value for d in model.drivers], method="fdr_bh")[1]
    assert [d.q_value for d in model.drivers] == pytest.approx(list(q))


def test_the_upper_triangle_round_trips(data):
    y, x = data
    full = moments_of(y, x)
    rows, cols = np.triu_indices(len(full))
    assert np.array_equal(unpack_upper(list(full[rows, cols]), len(full)), full)


def test_a_constant_predictor_or_too_few_cases_is_refused(data):
    y, x = data
    x[:, 1] = 3.0
    with pytest.raises(ModelNotEstimable):
        fit_drivers("y", ["a", "b", "c", "d"], moments_of(y, x))
    with pytest.raises(ModelNotEstimable):
        fit_drivers("y", ["a", "b", "c", "d"], moments_of(y[:5], x[:5]))


def test_groups_need_the_minimum_and_leave_no_small_remainder():
    from analytics.drivers import publishable_groups

    assert publishable_groups({"a": 500, "b": 300, "c": 40}, 840, 100, 10) == {"a", "b"}
    # 805 - 500 - 300 = 5 would pin the other groups' complete cases: the smaller goes too
    assert publishable_groups({"a": 500, "b": 300, "c": 5}, 805, 100, 10) == {"a"}
    assert publishable_groups({"a": 500, "b": 300}, 800, 100, 10) == {"a", "b"}
