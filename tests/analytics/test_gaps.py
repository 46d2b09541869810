"""Group gaps: comparisons, significance rule, and a planted-gap simulation for the FDR."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.gaps import (
    REST_OF_ORGANISATION,
    GapStatus,
    mean_gaps,
    not_stated_share,
    proportion_gaps,
)
from analytics.means import MeanStats
from analytics.proportions import Tally


def test_group_against_rest_and_reference() -> None:
    groups = {"white": Tally(300, 500), "asian": Tally(40, 100), "black": Tally(12, 20)}
    overall = Tally(360, 640)  # includes 20 not stated, 8 of them favourable
    report = proportion_gaps(groups, overall, reference="white")
    asian = report.versus_rest[1]
    assert (asian.group, asian.comparator) == ("asian", REST_OF_ORGANISATION)
    assert (asian.n_group, asian.n_comparator) == (100, 540)
    assert asian.comparator_estimate == pytest.approx(320 / 540)
    low, high = confint_proportions_2indep(40, 100, 320, 540, method="newcomb", compare="diff")
    assert asian.difference is not None
    assert asian.difference.interval.low == pytest.approx(low)
    assert asian.difference.interval.high == pytest.approx(high)
    assert asian.relative_likelihood is not None
    assert asian.relative_likelihood.estimate == pytest.approx((320 / 540) / 0.4)
    assert asian.status is GapStatus.SIGNIFICANT
    assert [g.group for g in report.versus_reference] == ["asian", "black"]
    black = report.versus_reference[1]
    assert black.status is GapStatus.TOO_FEW_TO_TEST and black.test is None
    assert black.q_value is None and black.difference is not None


def test_small_expected_counts_use_fisher() -> None:
    groups = {"a": Tally(2, 40), "b": Tally(30, 400)}
    report = proportion_gaps(groups, Tally(32, 440))
    assert report.versus_rest[0].test is not None
    assert report.versus_rest[0].test.method == "fisher_exact"


def test_min_n_is_a_parameter() -> None:
    groups = {"a": Tally(5, 20), "b": Tally(15, 20)}
    assert proportion_gaps(groups, Tally(20, 40)).versus_rest[0].status is GapStatus.TOO_FEW_TO_TEST
    judged = proportion_gaps(groups, Tally(20, 40), min_n=20).versus_rest[0]
    assert judged.status is not GapStatus.TOO_FEW_TO_TEST


def test_mean_gaps_use_welch() -> None:
    rng = np.random.default_rng(7)
    raw = {g: rng.normal(mu, 15, 60) for g, mu in [("a", 50), ("b", 62), ("c", 51)]}
    groups = {g: MeanStats.from_values(v.tolist()) for g, v in raw.items()}
    report = mean_gaps(groups, MeanStats.combine(groups.values()))
    b = report.versus_rest[1]
    assert b.test is not None and b.test.method == "welch_t"
    assert b.comparator_estimate == pytest.approx(np.concatenate([raw["a"], raw["c"]]).mean())
    assert b.status is GapStatus.SIGNIFICANT and b.relative_likelihood is None
    tiny = mean_gaps({"x": MeanStats.from_values([3.0])}, MeanStats.from_values([3.0, 4.0, 5.0]))
    assert tiny.versus_rest[0].difference is None


def test_group_that_is_everyone_has_no_rest() -> None:
    assert proportion_gaps({"all": Tally(3, 40)}, Tally(3, 40)).versus_rest == ()
    with pytest.raises(ValueError):
        proportion_gaps({"a": Tally(3, 40)}, Tally(3, 40), reference="b")


def test_not_stated_share() -> None:
    share = not_stated_share(45, 300)
    assert share.proportion == 0.15 and share.interval.low < 0.15 < share.interval.high


PLANTED = {"g03": 0.85, "g08": 0.80, "g12": 0.35, "g17": 0.40}  # deviations cancel overall


def simulate_wave(seed: int, n: int = 200, base: float = 0.6) -> dict[str, Tally]:
    rng = np.random.default_rng(seed)
    groups = {}
    for i in range(20):
        group = f"g{i:02d}"
        groups[group] = Tally(int(rng.binomial(n, PLANTED.get(group, base))), n)
    return groups


def test_planted_gaps_found_and_false_discoveries_within_fdr() -> None:
    with_fdr_control, without = [], []
    for seed in range(100):
        groups = simulate_wave(seed)
        overall = Tally(
            sum(t.successes for t in groups.values()), sum(t.n for t in groups.values())
        )
        gaps = proportion_gaps(groups, overall).versus_rest
        found = {g.group for g in gaps if g.status is GapStatus.SIGNIFICANT}
        assert set(PLANTED) <= found, seed
        with_fdr_control.append(len(found - set(PLANTED)) / len(found))
        raw = {g.group for g in gaps if g.test is not None and g.test.p_value < 0.05}
        without.append(len(raw - set(PLANTED)) / len(raw))
    assert np.mean(with_fdr_control) <= 0.05
    assert np.mean(without) > 0.05  # the simulation can tell: raw p-values overshoot
