"""Raking, weighted estimates, response rates and representativeness."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analytics.means import MeanStats
from analytics.proportions import Tally
from analytics.weighting import (
    post_stratified_mean,
    post_stratified_proportion,
    rake,
    representativeness,
    response_rates,
    weighted_mean,
    weighted_proportion,
)

RESPONDENTS = {("f", "con"): 20, ("f", "sgt"): 10, ("m", "con"): 30, ("m", "sgt"): 40}
TARGETS = {"sex": {"f": 400, "m": 600}, "rank": {"con": 700, "sgt": 300}}


def test_two_by_two_matches_hand_computation() -> None:
    # Raking keeps the sample odds ratio (20 x 40) / (10 x 30) = 8/3 and meets the margins, so
    # the weighted female constables t solve t(t - 100) = 8/3 (400 - t)(700 - t), a quadratic
    # t^2 - 1700 t + 448000 = 0 whose root below 400 is t = 850 - sqrt(274500).
    result = rake(RESPONDENTS, ["sex", "rank"], TARGETS)
    female_constables = 850 - math.sqrt(274500)
    expected = {
        ("f", "con"): female_constables,
        ("f", "sgt"): 400 - female_constables,
        ("m", "con"): 700 - female_constables,
        ("m", "sgt"): female_constables - 100,
    }
    assert result.converged and result.largest_relative_error <= 1e-8
    for cell, weighted_count in expected.items():
        assert RESPONDENTS[cell] * result.weights[cell] == pytest.approx(weighted_count, rel=1e-7)


def test_first_iteration_by_hand() -> None:
    result = rake(RESPONDENTS, ["sex", "rank"], TARGETS, max_iterations=1)
    assert not result.converged and result.iterations == 1
    sex_factor = {"f": 400 / 30, "m": 600 / 70}
    con_total = 20 * sex_factor["f"] + 30 * sex_factor["m"]
    assert result.weights[("f", "con")] == pytest.approx(sex_factor["f"] * 700 / con_total)


@st.composite
def raking_problems(draw: st.DrawFn) -> tuple[dict, list[str], dict]:
    sizes = draw(st.lists(st.integers(2, 3), min_size=2, max_size=3))
    dimensions = [f"d{i}" for i in range(len(sizes))]
    groups = [[f"{d}_{j}" for j in range(size)] for d, size in zip(dimensions, sizes, strict=True)]
    cells = {cell: draw(st.integers(1, 60)) for cell in itertools.product(*groups)}
    total = draw(st.integers(500, 10_000))
    targets = {}
    for dimension, members in zip(dimensions, groups, strict=True):
        parts = draw(st.lists(st.integers(1, 100), min_size=len(members), max_size=len(members)))
        targets[dimension] = {
            g: total * p / sum(parts) for g, p in zip(members, parts, strict=True)
        }
    return cells, dimensions, targets


@settings(max_examples=30)
@given(raking_problems())
def test_raked_margins_meet_targets(problem: tuple[dict, list[str], dict]) -> None:
    cells, dimensions, targets = problem
    result = rake(cells, dimensions, targets, tolerance=1e-9, max_iterations=1000)
    assert result.converged
    for axis, dimension in enumerate(dimensions):
        for group, target in targets[dimension].items():
            margin = sum(n * result.weights[c] for c, n in cells.items() if c[axis] == group)
            assert margin == pytest.approx(target, rel=1e-8)


def test_raking_refuses_inconsistent_inputs() -> None:
    with pytest.raises(ValueError, match="same total"):
        rake(RESPONDENTS, ["sex", "rank"], {"sex": {"f": 1, "m": 1}, "rank": TARGETS["rank"]})
    with pytest.raises(ValueError, match="without respondents"):
        targets = {"sex": TARGETS["sex"], "rank": {"con": 600, "sgt": 300, "insp": 100}}
        rake(RESPONDENTS, ["sex", "rank"], targets)
    with pytest.raises(ValueError, match="one group per dimension"):
        rake({("f",): 3}, ["sex", "rank"], TARGETS)


def test_weighted_mean_and_proportion() -> None:
    cells = {("a",): MeanStats(2, 10.0, 52.0), ("b",): MeanStats(3, 30.0, 302.0)}
    weighted = weighted_mean(cells, {("a",): 2.0, ("b",): 1.0})
    assert weighted.estimate == pytest.approx(50 / 7)
    assert weighted.effective_n == pytest.approx(49 / 11)
    assert weighted.weighted and weighted.n == 5
    plain = weighted_mean(cells)
    assert plain.estimate == pytest.approx(8.0) and not plain.weighted and plain.effective_n == 5
    share = weighted_proportion(
        {("a",): Tally(1, 2), ("b",): Tally(3, 3)}, {("a",): 3.0, ("b",): 1.0}
    )
    assert share.estimate == pytest.approx(6 / 9) and share.weighted


def test_response_rates_with_wilson_intervals() -> None:
    rates = response_rates({"con": 300, "sgt": 45, "not_stated": 20}, {"con": 1200, "sgt": 150})
    assert set(rates) == {"con", "sgt"}
    low, high = proportion_confint(45, 150, method="wilson")
    assert rates["sgt"].proportion == 0.3
    assert (rates["sgt"].interval.low, rates["sgt"].interval.high) == pytest.approx((low, high))
    with pytest.raises(ValueError):
        response_rates({"con": 5}, {"con": 4})


def test_representativeness() -> None:
    rows = representativeness({"f": 60, "m": 140, "not_stated": 50}, {"f": 400, "m": 600})
    female = rows[0]
    assert female.respondent_share.proportion == pytest.approx(0.3)
    assert female.workforce_share == pytest.approx(0.4)
    assert female.difference == pytest.approx(-0.1)
    assert female.respondent_share.interval.high < 0.4


def test_post_stratified_mean_and_its_linearisation_interval() -> None:
    rng = np.random.default_rng(11)
    heads = {"a": 800, "b": 150, "c": 50}
    raw = {"a": rng.normal(60, 12, 120), "b": rng.normal(50, 15, 60), "c": rng.normal(40, 20, 30)}
    cells = {h: MeanStats.from_values(v.tolist()) for h, v in raw.items()}
    result = post_stratified_mean(cells, heads)
    shares = {h: n / 1000 for h, n in heads.items()}
    expected = sum(shares[h] * raw[h].mean() for h in heads)
    variance = sum(shares[h] ** 2 * (1 - len(raw[h]) / heads[h]) * raw[h].var(ddof=1)
                   / len(raw[h]) for h in heads)
    z = stats.norm.ppf(0.975)
    assert result.estimate == pytest.approx(expected)
    assert result.interval.low == pytest.approx(expected - z * variance**0.5)
    assert result.interval.high == pytest.approx(expected + z * variance**0.5)
    weights = np.concatenate([np.full(len(raw[h]), heads[h] / len(raw[h])) for h in heads])
    assert result.effective_n == pytest.approx(weights.sum() ** 2 / (weights**2).sum())
    assert result.n == 210 and result.weighted


def test_post_stratified_proportion_covers_the_workforce_value() -> None:
    # a finite workforce whose groups answer differently and respond at different rates
    rng = np.random.default_rng(5)
    heads = {"a": 900, "b": 300, "c": 120}
    favourable = {"a": 0.62, "b": 0.41, "c": 0.25}
    population = {h: rng.random(n) < favourable[h] for h, n in heads.items()}
    truth = sum(p.sum() for p in population.values()) / sum(heads.values())
    covered = 0
    for _ in range(400):
        cells = {}
        for h, people in population.items():
            sample = rng.choice(people, size={"a": 200, "b": 40, "c": 30}[h], replace=False)
            cells[h] = Tally(int(sample.sum()), len(sample))
        covered += post_stratified_proportion(cells, heads).interval.contains(truth)
    assert 0.92 <= covered / 400 <= 0.98
