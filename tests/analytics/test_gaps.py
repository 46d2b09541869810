"""Group gaps: comparisons, significance rule, and a planted-gap simulation for the FDR."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.gaps import (
    REST_OF_ORGANISATION,
    GapStatus,
    judge_family,
    mean_gaps,
    not_stated_share,
    proportion_gaps,
)
from analytics.means import MeanStats
from analytics.proportions import Tally, newcombe_test


def test_group_against_rest_and_reference() -> None:
    # the rest is the other groups passed: people who stated a substantive answer
    groups = {"white": Tally(300, 500), "asian": Tally(40, 100), "black": Tally(12, 20)}
    report = proportion_gaps(groups, reference="white")
    asian = report.versus_rest[1]
    assert (asian.group, asian.comparator) == ("asian", REST_OF_ORGANISATION)
    assert (asian.n_group, asian.n_comparator) == (100, 520)
    assert asian.comparator_estimate == pytest.approx(312 / 520)
    low, high = confint_proportions_2indep(40, 100, 312, 520, method="newcomb", compare="diff")
    assert asian.difference is not None
    assert asian.difference.interval.low == pytest.approx(low)
    assert asian.difference.interval.high == pytest.approx(high)
    assert asian.relative_likelihood is not None
    assert asian.relative_likelihood.estimate == pytest.approx((312 / 520) / 0.4)
    assert asian.status is GapStatus.SIGNIFICANT
    assert [g.group for g in report.versus_reference] == ["asian", "black"]
    black = report.versus_reference[1]
    assert black.status is GapStatus.TOO_FEW_TO_TEST and black.test is None
    assert black.q_value is None and black.difference is not None


@pytest.mark.parametrize(
    "counts", [(40, 100, 312, 520), (2, 40, 30, 400), (30, 60, 10, 80), (0, 40, 8, 40),
               (19, 60, 44, 100)],
)
def test_the_test_is_the_interval_inverted(counts) -> None:
    # at confidence 1 - p the statsmodels Newcombe interval just reaches zero, so p < 0.05
    # exactly when the 95% interval shown excludes zero
    p = newcombe_test(*counts).p_value
    low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff", alpha=p)
    assert min(abs(low), abs(high)) == pytest.approx(0, abs=1e-9)
    low95, high95 = confint_proportions_2indep(*counts, method="newcomb", compare="diff")
    assert (p < 0.05) == (low95 > 0 or high95 < 0)


def test_significant_never_beside_an_interval_touching_zero() -> None:
    # the case: a pooled z test gave q = 0.0496 beside a Newcombe interval reaching 0
    groups = {"a": Tally(19, 60), "b": Tally(25, 40)}
    gap = proportion_gaps(groups).versus_rest[0]
    assert gap.difference is not None
    assert (gap.status is GapStatus.SIGNIFICANT) == gap.difference.interval.excludes_zero


def test_min_n_is_a_parameter() -> None:
    groups = {"a": Tally(5, 20), "b": Tally(15, 20)}
    assert proportion_gaps(groups).versus_rest[0].status is GapStatus.TOO_FEW_TO_TEST
    judged = proportion_gaps(groups, min_n=20).versus_rest[0]
    assert judged.status is not GapStatus.TOO_FEW_TO_TEST


def test_mean_gaps_use_welch() -> None:
    rng = np.random.default_rng(7)
    raw = {g: rng.normal(mu, 15, 60) for g, mu in [("a", 50), ("b", 62), ("c", 51)]}
    groups = {g: MeanStats.from_values(v.tolist()) for g, v in raw.items()}
    report = mean_gaps(groups)
    b = report.versus_rest[1]
    assert b.test is not None and b.test.method == "welch_t"
    assert b.comparator_estimate == pytest.approx(np.concatenate([raw["a"], raw["c"]]).mean())
    assert b.status is GapStatus.SIGNIFICANT and b.relative_likelihood is None
    tiny = mean_gaps({"x": MeanStats.from_values([3.0]), "y": MeanStats.from_values([4.0, 5.0])})
    assert tiny.versus_rest[0].difference is None


def test_group_that_is_everyone_has_no_rest() -> None:
    assert proportion_gaps({"all": Tally(3, 40)}).versus_rest == ()
    with pytest.raises(ValueError):
        proportion_gaps({"a": Tally(3, 40)}, reference="b")


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
        gaps = proportion_gaps(groups).versus_rest
        found = {g.group for g in gaps if g.status is GapStatus.SIGNIFICANT}
        assert set(PLANTED) <= found, seed
        with_fdr_control.append(len(found - set(PLANTED)) / len(found))
        raw = {g.group for g in gaps if g.test is not None and g.test.p_value < 0.05}
        without.append(len(raw - set(PLANTED)) / len(raw))
    assert np.mean(with_fdr_control) <= 0.05
    assert np.mean(without) > 0.05  # the simulation can tell: raw p-values overshoot


def test_one_family_across_breakdowns() -> None:
    # two breakdowns of one measure: q-values come from all six comparisons together
    first = proportion_gaps({"a": Tally(30, 100), "b": Tally(45, 100), "c": Tally(50, 100)})
    second = proportion_gaps({"x": Tally(60, 150), "y": Tally(65, 150)})
    judged = judge_family({"first": first, "second": second})
    p_values = [g.test.p_value for r in (first, second) for g in r.versus_rest if g.test]
    expected = multipletests(p_values, method="fdr_bh")[1]
    q_values = [g.q_value for r in judged.values() for g in r.versus_rest]
    assert q_values == pytest.approx(list(expected))
