"""Benjamini-Hochberg q-values checked against statsmodels."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from analytics.multiplicity import benjamini_hochberg

probabilities = st.floats(0, 1, allow_nan=False)


def test_fixed_example() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.5])
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])


@given(st.lists(probabilities, min_size=1, max_size=40))
def test_matches_statsmodels(p_values: list[float]) -> None:
    expected = multipletests(p_values, method="fdr_bh")[1]
    assert benjamini_hochberg(p_values) == pytest.approx(list(expected), abs=1e-12)


@given(st.lists(st.one_of(st.none(), probabilities), max_size=30))
def test_none_passes_through_and_q_is_monotone_and_capped(values: list[float | None]) -> None:
    q = benjamini_hochberg(values)
    assert [v is None for v in q] == [v is None for v in values]
    tested = [(p, qv) for p, qv in zip(values, q, strict=True) if p is not None]
    for p, qv in tested:
        assert qv is not None and p <= qv <= 1
    ordered = sorted(tested, key=lambda pair: pair[0])
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(ordered))  # type: ignore[operator]


def test_rejects_values_outside_unit_interval() -> None:
    with pytest.raises(ValueError):
        benjamini_hochberg([0.2, 1.5])
