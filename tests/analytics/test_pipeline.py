"""Promotion pipeline statistics."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

from analytics.gaps import GapStatus
from analytics.pipeline import selection_pipeline
from analytics.proportions import Tally, fisher_exact_p, two_proportion_test

STAGES = {
    "exam": {"white": Tally(120, 300), "minority": Tally(20, 80), "not_stated": Tally(9, 20)},
    "board": {"white": Tally(60, 120), "minority": Tally(4, 20), "not_stated": Tally(4, 9)},
}


def test_selection_rates_and_reference_comparisons() -> None:
    exam, board = selection_pipeline(STAGES, reference="white")
    assert exam.stage == "exam" and exam.reference == "white"
    white, minority, not_stated = exam.groups
    assert minority.selection_rate.proportion == 0.25
    assert white.relative_likelihood is None and white.status is None and white.test is None
    table = Table2x2(np.array([[120, 180], [20, 60]]))
    assert minority.relative_likelihood is not None
    assert minority.relative_likelihood.estimate == pytest.approx(1.6)
    low, high = table.riskratio_confint()
    assert minority.relative_likelihood.interval.low == pytest.approx(low)
    assert minority.relative_likelihood.interval.high == pytest.approx(high)
    assert minority.test == two_proportion_test(20, 80, 120, 300)
    assert not_stated.status is GapStatus.TOO_FEW_TO_TEST
    assert board.groups[1].status is GapStatus.TOO_FEW_TO_TEST


def test_adverse_impact_ratio_against_highest_rate_group() -> None:
    exam, board = selection_pipeline(STAGES)
    assert exam.highest_rate_group == "not_stated" and exam.reference == "not_stated"
    white = exam.groups[0]
    assert white.adverse_impact_ratio == pytest.approx(0.4 / 0.45)
    assert not white.below_four_fifths
    minority = board.groups[1]
    assert board.highest_rate_group == "white"
    assert minority.adverse_impact_ratio == pytest.approx(0.4)
    assert minority.below_four_fifths


def test_small_counts_use_fisher_and_bh_across_groups() -> None:
    stages = {
        "interview": {
            "white": Tally(39, 40),
            "black": Tally(22, 30),
            "asian": Tally(33, 35),
            "mixed": Tally(28, 30),
        }
    }
    (stage,) = selection_pipeline(stages, reference="white")
    black = stage.groups[1]
    assert black.test is not None and black.test.method == "fisher_exact"
    assert black.test.p_value == pytest.approx(fisher_exact_p(22, 30, 39, 40))
    p_values = [g.test.p_value for g in stage.groups[1:] if g.test is not None]
    expected = multipletests(p_values, method="fdr_bh")[1]
    assert [g.q_value for g in stage.groups[1:]] == pytest.approx(list(expected))
    assert black.status is GapStatus.SIGNIFICANT
    assert stage.groups[2].status is GapStatus.NOT_SIGNIFICANT


def test_groups_without_entrants_are_left_out_and_reference_must_exist() -> None:
    (stage,) = selection_pipeline({"s": {"a": Tally(3, 10), "b": Tally(0, 0)}})
    assert [g.group for g in stage.groups] == ["a"]
    with pytest.raises(ValueError):
        selection_pipeline({"s": {"a": Tally(3, 10), "b": Tally(0, 0)}}, reference="b")
    with pytest.raises(ValueError):
        selection_pipeline({"s": {"a": Tally(0, 0)}})
