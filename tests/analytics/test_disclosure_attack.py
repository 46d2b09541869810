"""Attack the published tables: can anyone work out a hidden figure?

Two attackers:

* The integer-programming attacker sees everything published (visible cells, margins,
  totals, and the one label every hidden figure carries) and, for each hidden figure, finds
  the least and greatest value consistent with it (scipy.optimize.milp: non-negative integers
  meeting every published sum). Written here independently of analytics.disclosure.
* The rule-aware attacker also knows the suppression rule: for small one-way breakdowns it
  tries every way of filling the hidden cells and keeps those the rule would publish exactly
  as published.

What must hold (see analytics.disclosure): no hidden figure is pinned; no hidden figure can
be shown to be below k by the integer attacker; in a one-way breakdown every hidden figure
could be 0 (and could be k or more), and the rule-aware attacker can never tell 0 from
non-zero. Every count below k is hidden and every hidden figure looks the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from analytics.disclosure import (
    HIDDEN_LABEL,
    TOTAL,
    ProtectedTable,
    Suppressed,
    TableAttacker,
    protect_breakdown,
    protect_two_way,
)

Key = tuple[object, ...]
Equation = list[tuple[Key, int]]  # terms (cell, sign) summing to 0


def attack_settings(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


class IntegerAttacker:
    """Least and greatest integer value of each hidden cell given published cells and sums."""

    def __init__(self, published: Mapping[Key, int | str], equations: Sequence[Equation]) -> None:
        self.hidden = [key for key, value in published.items() if value == HIDDEN_LABEL]
        index = {key: i for i, key in enumerate(self.hidden)}
        rows, rhs = [], []
        for equation in equations:
            row = np.zeros(len(self.hidden))
            known = 0
            for key, sign in equation:
                value = published[key]
                if value == HIDDEN_LABEL:
                    row[index[key]] += sign
                else:
                    assert isinstance(value, int)
                    known += sign * value
            rows.append(row)
            rhs.append(-known)
        self.constraint = LinearConstraint(np.array(rows), rhs, rhs)
        self.index = index

    def bounds(self, key: Key) -> tuple[int, int]:
        return self._solve(key, 1), -self._solve(key, -1)

    def _solve(self, key: Key, direction: int) -> int:
        objective = np.zeros(len(self.hidden))
        objective[self.index[key]] = direction
        result = milp(
            objective,
            constraints=self.constraint,
            integrality=np.ones(len(self.hidden)),
            bounds=Bounds(0, np.inf),
        )
        assert result.success, result.message
        return round(result.fun)


def one_way_published(counts: Mapping[str, int], k: int) -> dict[Key, int | str]:
    protected = protect_breakdown(counts, k)
    total = protected.total
    published: dict[Key, int | str] = {(g,): v for g, v in protected.published().items()}
    published[("total",)] = HIDDEN_LABEL if isinstance(total, Suppressed) else total
    return published


def two_way_published(name: str, table: ProtectedTable) -> dict[Key, int | str]:
    """Cells as (name, row, col); margins shared between tables as ("row", r), ("col", c)."""

    def shown(value: int | Suppressed) -> int | str:
        return HIDDEN_LABEL if isinstance(value, Suppressed) else value

    published: dict[Key, int | str] = {(name, r, c): shown(v) for (r, c), v in table.cells.items()}
    published |= {(f"{name}:row", r): shown(v) for r, v in table.row_totals.items()}
    published |= {(f"{name}:col", c): shown(v) for c, v in table.col_totals.items()}
    published[("total",)] = shown(table.grand_total)
    return published


def two_way_equations(
    name: str, rows: Sequence[str], cols: Sequence[str], row_key: str, col_key: str
) -> list[Equation]:
    equations: list[Equation] = []
    for r in rows:
        equations.append([*(((name, r, c), 1) for c in cols), ((row_key, r), -1)])
    for c in cols:
        equations.append([*(((name, r, c), 1) for r in rows), ((col_key, c), -1)])
    equations.append([*(((row_key, r), 1) for r in rows), (("total",), -1)])
    equations.append([*(((col_key, c), 1) for c in cols), (("total",), -1)])
    return equations


def assert_attacker_learns_too_little(
    published: Mapping[Key, int | str],
    equations: Sequence[Equation],
    truth: Mapping[Key, int],
    k: int,
    zero_possible: bool = False,
) -> None:
    for key, value in published.items():
        assert value == HIDDEN_LABEL or (isinstance(value, int) and value >= k), key
        assert value == HIDDEN_LABEL or value == truth[key]
    if published[("total",)] == HIDDEN_LABEL:
        assert set(published.values()) == {HIDDEN_LABEL}  # nothing at all is published
        return
    attacker = IntegerAttacker(published, equations)
    for key in attacker.hidden:
        low, high = attacker.bounds(key)
        assert low <= truth[key] <= high
        assert low < high, f"{key} pinned at {low}"
        assert high >= k, f"{key} shown to be below {k}"
        if zero_possible:
            assert low == 0, f"{key} shown to be non-empty"


# -- one-way breakdowns ------------------------------------------------------------------

cell = st.one_of(st.integers(0, 12), st.integers(0, 60))
thresholds = st.sampled_from([5, 10, 15])


def one_way_case(counts: Sequence[int], k: int) -> None:
    groups = {f"g{i}": n for i, n in enumerate(counts)}
    published = one_way_published(groups, k)
    truth: dict[Key, int] = {(g,): n for g, n in groups.items()} | {("total",): sum(counts)}
    equation = [*(((g,), 1) for g in groups), (("total",), -1)]
    assert_attacker_learns_too_little(published, [equation], truth, k, zero_possible=True)


@attack_settings(40)
@given(st.lists(cell, min_size=1, max_size=8), thresholds)
def test_one_way_integer_attacker(counts: list[int], k: int) -> None:
    one_way_case(counts, k)


@pytest.mark.parametrize(
    ("counts", "k"),
    [
        ([7, 1], 10),  # "7 men + 1 woman": the team itself is below k
        ([17, 1, 0], 10),  # a larger team: men hidden too, or total - men = women
        ([95, 3, 2], 10),  # the small groups together are still below k
        ([50, 0, 20, 12], 10),  # a zero cell
        ([35, 5, 35], 10),  # complement as large as the next visible group
        ([8, 32, 8, 11, 4], 5),  # plain next-smallest suppression leaks this one
        ([0, 0, 0, 40], 10),  # only zeros beside one group
        ([9, 9, 9], 10),  # everything small, total above k
    ],
)
def test_one_way_adversarial(counts: list[int], k: int) -> None:
    one_way_case(counts, k)


def fillings(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in fillings(total - first, parts - 1):
            yield (first, *rest)


def rule_aware_values(counts: Mapping[str, int], k: int, protect=protect_breakdown) -> dict:
    """Every value of each hidden group under which the rule publishes the same output."""
    published = protect(counts, k).published()
    hidden = [g for g, v in published.items() if v == HIDDEN_LABEL]
    possible: dict[str, set[int]] = {g: set() for g in hidden}
    for filling in fillings(sum(counts[g] for g in hidden), len(hidden)):
        candidate = {**counts, **dict(zip(hidden, filling, strict=True))}
        if protect(candidate, k).published() == published:
            for group, value in zip(hidden, filling, strict=True):
                possible[group].add(value)
    return possible


@st.composite
def small_breakdowns(draw: st.DrawFn) -> tuple[dict[str, int], int]:
    k = draw(st.sampled_from([5, 10]))
    counts = draw(
        st.lists(st.one_of(st.integers(0, 12), st.integers(0, 35)), min_size=2, max_size=5)
    )
    groups = {f"g{i}": n for i, n in enumerate(counts)}
    protected = protect_breakdown(groups, k)
    hidden_sum = sum(groups[g] for g in protected.hidden)
    assume(len(protected.hidden) <= 4 and hidden_sum <= 40 and protected.hidden)
    assume(not isinstance(protected.total, Suppressed))
    return groups, k


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(small_breakdowns())
def test_one_way_rule_aware_attacker_cannot_tell_zero_from_nonzero(
    case: tuple[dict[str, int], int],
) -> None:
    counts, k = case
    for group, values in rule_aware_values(counts, k).items():
        assert 0 in values, f"{group} shown to be non-empty"
        assert max(values) >= 1, f"{group} shown to be empty"


def plain_next_smallest(counts: Mapping[str, int], k: int):
    """The textbook rule: hide cells below k, then the next smallest until 2+ hidden and >= k."""
    hidden = [g for g, n in counts.items() if n < k]
    for group in sorted((g for g in counts if g not in hidden), key=lambda g: counts[g]):
        if not hidden or (len(hidden) >= 2 and sum(counts[g] for g in hidden) >= k):
            break
        hidden.append(group)

    class Published:
        def published(self) -> dict[str, int | str]:
            return {g: HIDDEN_LABEL if g in hidden else n for g, n in counts.items()}

    return Published()


def test_rule_aware_attacker_breaks_plain_next_smallest() -> None:
    # the test has teeth: under the textbook rule the hidden 8 is recovered exactly
    counts = {"a": 8, "b": 32, "c": 8, "d": 11, "e": 4}
    assert rule_aware_values(counts, 5, plain_next_smallest)["a"] == {8}
    assert 0 in rule_aware_values(counts, 5)["a"]


# -- two-way tables -------------------------------------------------------------------------


@st.composite
def two_way_tables(draw: st.DrawFn) -> tuple[dict[tuple[str, str], int], int]:
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cells = itertools.product([f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)])
    return {key: draw(cell) for key in cells}, draw(st.sampled_from([5, 10]))


def protect_table(
    table: Mapping[tuple[str, str], int], k: int
) -> tuple[ProtectedTable, list, list]:
    rows = sorted({r for r, _ in table})
    cols = sorted({c for _, c in table})
    row_totals = {r: sum(table[(r, c)] for c in cols) for r in rows}
    col_totals = {c: sum(table[(r, c)] for r in rows) for c in cols}
    protected = protect_two_way(table, k, row_totals=row_totals, col_totals=col_totals)
    assert protected.row_totals == protect_breakdown(row_totals, k).cells
    assert protected.col_totals == protect_breakdown(col_totals, k).cells
    return protected, rows, cols


def two_way_case(table: Mapping[tuple[str, str], int], k: int) -> None:
    protected, rows, cols = protect_table(table, k)
    published = two_way_published("t", protected)
    truth: dict[Key, int] = {("t", r, c): n for (r, c), n in table.items()}
    truth |= {("t:row", r): sum(table[(r, c)] for c in cols) for r in rows}
    truth |= {("t:col", c): sum(table[(r, c)] for r in rows) for c in cols}
    truth[("total",)] = sum(table.values())
    equations = two_way_equations("t", rows, cols, "t:row", "t:col")
    assert_attacker_learns_too_little(published, equations, truth, k)


@attack_settings(25)
@given(two_way_tables())
def test_two_way_integer_attacker(case: tuple[dict[tuple[str, str], int], int]) -> None:
    two_way_case(*case)


def grid(rows: Sequence[Sequence[int]]) -> dict[tuple[str, str], int]:
    return {(f"r{i}", f"c{j}"): n for i, row in enumerate(rows) for j, n in enumerate(row)}


@pytest.mark.parametrize(
    "rows",
    [
        [[30, 2, 25], [40, 35, 50]],  # a single small cell in a row
        [[40, 50], [3, 12], [0, 35]],  # a small cell and a zero in one column
        [[0, 30], [30, 30]],  # a zero corner
        [[20, 30], [15, 25], [3, 12]],  # units x sex under a published parent (unit hierarchy)
        [[6, 0, 0], [30, 40, 50], [30, 40, 50]],  # a row total below k
        [[1, 1, 1], [1, 1, 1], [1, 1, 40]],  # nearly everyone in one cell
        [[12, 12, 1], [12, 12, 1], [12, 12, 50]],  # small cells down one column
        [[3], [40], [12]],  # one column: the table is a one-way breakdown
        [[9, 9], [9, 9]],  # every cell small, the table is not
        [[5, 40, 40, 40], [40, 5, 40, 40], [40, 40, 5, 40], [40, 40, 40, 5]],  # a diagonal
    ],
)
def test_two_way_adversarial(rows: list[list[int]]) -> None:
    two_way_case(grid(rows), 10)


@st.composite
def linked_tables(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    shape = (draw(st.integers(2, 3)), draw(st.integers(2, 3)), draw(st.integers(2, 3)))
    values = draw(
        st.lists(st.one_of(st.integers(0, 4), st.integers(0, 25)), min_size=27, max_size=27)
    )
    people = np.array(values[: int(np.prod(shape))]).reshape(shape)
    return people, draw(st.sampled_from([5, 10]))


def linked_case(people: np.ndarray, k: int) -> None:
    """ethnicity x sex and ethnicity x rank of the same people, attacked together."""
    tables = {"sex": people.sum(axis=2), "rank": people.sum(axis=1)}
    published: dict[Key, int | str] = {}
    truth: dict[Key, int] = {("total",): int(people.sum())}
    equations: list[Equation] = []
    for name, counts in tables.items():
        table = {(f"e{i}", f"{name}{j}"): int(n) for (i, j), n in np.ndenumerate(counts)}
        protected, rows, cols = protect_table(table, k)
        # both tables publish the same ethnicity margin: one set of unknowns for both
        for key, value in two_way_published(name, protected).items():
            published[("eth", *key[1:]) if key[0] == f"{name}:row" else key] = value
        truth |= {(name, r, c): n for (r, c), n in table.items()}
        truth |= {("eth", r): sum(table[(r, c)] for c in cols) for r in rows}
        truth |= {(f"{name}:col", c): sum(table[(r, c)] for r in rows) for c in cols}
        equations += two_way_equations(name, rows, cols, "eth", f"{name}:col")
    assert_attacker_learns_too_little(published, equations, truth, k)


@attack_settings(12)
@given(linked_tables())
def test_tables_sharing_a_breakdown_do_not_narrow_each_other(case: tuple[np.ndarray, int]) -> None:
    linked_case(*case)


def test_linked_tables_need_hidden_margins_hidden_inside() -> None:
    # without hiding the whole line of a hidden margin, attacking both tables together shows
    # one ethnicity-by-sex cell to be below k
    people = [[[5, 2], [9, 1]], [[9, 8], [1, 5]], [[22, 5], [2, 2]], [[3, 0], [2, 4]]]
    linked_case(np.array(people), 10)


def test_production_attacker_agrees_with_integer_attacker() -> None:
    table = grid([[30, 2, 25], [40, 3, 50], [12, 11, 9]])
    protected, rows, cols = protect_table(table, 10)
    values = {**table, (TOTAL, TOTAL): sum(table.values())}
    values |= {(r, TOTAL): sum(table[(r, c)] for c in cols) for r in rows}
    values |= {(TOTAL, c): sum(table[(r, c)] for r in rows) for c in cols}
    hidden = list(protected.hidden)
    production = TableAttacker(values, rows, cols, hidden)
    published = two_way_published("t", protected)
    independent = IntegerAttacker(published, two_way_equations("t", rows, cols, "t:row", "t:col"))
    for r, c in hidden:
        key = ("t", r, c) if TOTAL not in (r, c) else (("t:row", r) if c is TOTAL else ("t:col", c))
        assert (production.lower((r, c)), production.upper((r, c))) == independent.bounds(key)
