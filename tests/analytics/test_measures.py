"""Item and score summaries."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from analytics.means import MeanStats
from analytics.measures import Band, CutPoint, band_of, summarise_item, summarise_score

AGREE5 = {"favourable": [4, 5], "neutral": [3], "unfavourable": [1, 2]}
ONS_BANDS = [Band("low", 0, 4), Band("medium", 5, 6), Band("high", 7, 8), Band("very_high", 9, 10)]


def test_item_shares_exclude_dont_know() -> None:
    summary = summarise_item({1: 2, 2: 3, 3: 5, 4: 20, 5: 10, "dk": 7}, **AGREE5)
    assert (summary.n, summary.not_counted) == (40, 7)
    assert summary.favourable.count == 30 and summary.favourable.proportion == 0.75
    assert summary.neutral.proportion == 0.125 and summary.unfavourable.proportion == 0.125
    low, high = proportion_confint(30, 40, method="wilson")
    assert summary.favourable.interval.low == pytest.approx(low)
    assert summary.favourable.interval.high == pytest.approx(high)


def test_item_without_neutral_category() -> None:
    summary = summarise_item({"yes": 9, "no": 3}, ["yes"], [], ["no"])
    assert summary.neutral.count == 0 and summary.favourable.proportion == 0.75


def test_item_refuses_overlapping_categories_and_no_answers() -> None:
    with pytest.raises(ValueError):
        summarise_item({1: 3}, [1, 2], [2], [3])
    with pytest.raises(ValueError):
        summarise_item({"dk": 3}, **AGREE5)


def test_score_summary_with_cut_point_and_bands() -> None:
    who5 = [32.0, 48.0, 52.0, 60.0, 68.0, 76.0, 44.0, 88.0]
    poor = sum(CutPoint(at_most=50).contains(score) for score in who5)
    summary = summarise_score(MeanStats.from_values(who5), poor, {"poor": poor, "ok": 8 - poor})
    assert summary.n == 8 and summary.mean == pytest.approx(58.5)
    assert summary.beyond_cut is not None and summary.beyond_cut.count == 3
    assert summary.bands["ok"].proportion == pytest.approx(5 / 8)
    assert summary.interval.low < summary.mean < summary.interval.high


def test_cut_point_directions() -> None:
    assert CutPoint(at_least=50).contains(50) and not CutPoint(at_least=50).contains(49.9)
    with pytest.raises(ValueError):
        CutPoint()
    with pytest.raises(ValueError):
        CutPoint(at_most=1, at_least=2)


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "low"), (4, "low"), (4.5, "low"), (5, "medium"), (6.9, "medium"), (10, "very_high")],
)
def test_band_of(score: float, band: str) -> None:
    assert band_of(score, ONS_BANDS) == band


def test_band_of_outside_bands() -> None:
    assert band_of(-1, ONS_BANDS) is None
    assert band_of(11, ONS_BANDS) is None
    assert band_of(3, []) is None
