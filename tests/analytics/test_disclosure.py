"""Disclosure rules: thresholds, one-way and two-way suppression, the differencing guard."""

from __future__ import annotations

import pytest

from analytics.disclosure import (
    DEFAULT_COMMENT_K,
    HIDDEN_LABEL,
    TOTAL,
    DifferencingRefused,
    HiddenReason,
    Suppressed,
    check_population_difference,
    check_threshold,
    is_publishable,
    protect_breakdown,
    protect_two_way,
)

TOO_FEW, COMPLEMENTARY = HiddenReason.TOO_FEW, HiddenReason.COMPLEMENTARY


def test_threshold_never_below_five() -> None:
    assert check_threshold(5) == 5
    with pytest.raises(ValueError):
        check_threshold(4)
    with pytest.raises(ValueError):
        protect_breakdown({"a": 40}, k=3)
    assert is_publishable(10) and not is_publishable(9)
    assert not is_publishable(14, DEFAULT_COMMENT_K) and is_publishable(15, DEFAULT_COMMENT_K)


def test_nothing_hidden_when_every_group_reaches_k() -> None:
    protected = protect_breakdown({"a": 10, "b": 25, "c": 40})
    assert protected.hidden == {} and protected.total == 75


def test_single_small_group_takes_the_next_smallest_with_it() -> None:
    protected = protect_breakdown({"a": 50, "b": 3, "c": 20, "d": 12})
    assert protected.hidden == {"b": TOO_FEW, "d": COMPLEMENTARY}
    assert protected.published() == {"a": 50, "b": HIDDEN_LABEL, "c": 20, "d": HIDDEN_LABEL}


def test_hidden_groups_together_reach_k() -> None:
    # 3 + 0 hidden would tell the attacker "3 people between b and c"
    protected = protect_breakdown({"a": 50, "b": 3, "c": 0, "d": 12, "e": 30})
    assert protected.hidden == {"b": TOO_FEW, "c": TOO_FEW, "d": COMPLEMENTARY}


def test_zero_and_small_groups_look_the_same() -> None:
    empty = protect_breakdown({"a": 40, "b": 0, "c": 30, "d": 4})
    small = protect_breakdown({"a": 40, "b": 3, "c": 30, "d": 1})
    assert empty.published()["b"] == small.published()["b"] == HIDDEN_LABEL
    assert empty.cells["b"] == small.cells["b"] == Suppressed(TOO_FEW)
    assert str(Suppressed(COMPLEMENTARY)) == str(Suppressed(TOO_FEW)) == HIDDEN_LABEL


def test_total_below_k_hides_everything() -> None:
    protected = protect_breakdown({"men": 7, "women": 1})
    assert isinstance(protected.total, Suppressed)
    assert not protected.is_visible("men") and not protected.is_visible("women")


def test_seven_men_and_one_woman_in_a_larger_team() -> None:
    protected = protect_breakdown({"men": 17, "women": 1, "not_stated": 0})
    assert protected.published() == dict.fromkeys(["men", "women", "not_stated"], HIDDEN_LABEL)
    assert protected.total == 18


def test_breakdown_must_add_up_to_the_total() -> None:
    with pytest.raises(ValueError):
        protect_breakdown({"a": 20, "b": 30}, total=60)
    with pytest.raises(ValueError):
        protect_breakdown({"a": -1, "b": 30})


def test_differencing_guard() -> None:
    department = {"department": 50}
    with pytest.raises(DifferencingRefused) as refused:
        check_population_difference(49, department, k=10)  # "all but the one woman"
    assert refused.value.reason == "differs_by_fewer_than_k"
    assert refused.value.against == "department"
    assert "1" not in str(refused.value)  # never says by how much
    with pytest.raises(DifferencingRefused, match="too_few"):
        check_population_difference(1, department, k=10)
    check_population_difference(40, department, k=10)
    check_population_difference(50, department, k=10)
    with pytest.raises(DifferencingRefused):
        check_population_difference(52, {"parent": 80, "same filter last wave": 47}, k=10)
    with pytest.raises(ValueError):
        check_population_difference(52, department, k=2)


def test_two_way_single_small_cell_gets_a_rectangle() -> None:
    table = {("a", "x"): 30, ("a", "y"): 2, ("a", "z"): 25, ("b", "x"): 40, ("b", "y"): 35}
    table |= {("b", "z"): 50}
    protected = protect_two_way(
        table, row_totals={"a": 57, "b": 125}, col_totals={"x": 70, "y": 37, "z": 75}
    )
    assert protected.hidden == {
        ("a", "y"): TOO_FEW,
        ("a", "x"): COMPLEMENTARY,
        ("b", "x"): COMPLEMENTARY,
        ("b", "y"): COMPLEMENTARY,
    }
    assert protected.row_totals == {"a": 57, "b": 125}
    assert protected.is_visible("a", "z") and not protected.is_visible("a", "y")


def test_two_way_margins_agree_with_one_way_and_hide_their_lines() -> None:
    table = {("w", "f"): 40, ("w", "m"): 50, ("a", "f"): 3, ("a", "m"): 12}
    table |= {("b", "f"): 0, ("b", "m"): 35}
    rows, cols = {"w": 90, "a": 15, "b": 35}, {"f": 43, "m": 97}
    protected = protect_two_way(table, row_totals=rows, col_totals=cols, grand_total=140)
    assert protected.row_totals == protect_breakdown(rows).cells
    assert protected.col_totals == protect_breakdown(cols).cells
    hidden_rows = [r for r, v in protected.row_totals.items() if isinstance(v, Suppressed)]
    for row in hidden_rows:
        assert all(not protected.is_visible(row, col) for col in cols)


def test_two_way_total_below_k_hides_everything() -> None:
    protected = protect_two_way(
        {("a", "x"): 4, ("b", "x"): 3}, row_totals={"a": 4, "b": 3}, col_totals={"x": 7}
    )
    assert set(protected.hidden.values()) == {TOO_FEW}
    assert (TOTAL, TOTAL) in protected.hidden


def test_two_way_refuses_inconsistent_margins() -> None:
    with pytest.raises(ValueError):
        protect_two_way({("a", "x"): 4}, row_totals={"a": 5}, col_totals={"x": 4})
    with pytest.raises(ValueError):
        protect_two_way({("a", "q"): 4}, row_totals={"a": 4}, col_totals={"x": 4})
