"""Levels of one breakdown protected together: no coarse group minus its visible finer
groups leaves 1..k-1 people, whatever the counts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.disclosure import protect_levels

FINE = ["a1", "a2", "a3", "b1", "b2", "c1", "not_stated"]
MIDDLE = {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b", "c1": "c"}
TOP = {"a1": "x", "a2": "x", "a3": "x", "b1": "x", "b2": "x", "c1": "y"}
LEVELS = {"fine": None, "middle": MIDDLE, "top": TOP}


def members(mapping, group):
    return [f for f in FINE if (f if mapping is None else mapping.get(f, f)) == group]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=len(FINE), max_size=len(FINE)), st.integers(5, 12))
def test_no_level_can_be_subtracted_from_another(values, k):
    counts = dict(zip(FINE, values, strict=True))
    protected = protect_levels(counts, LEVELS, k)
    if sum(values) < k:
        return
    for name, level in protected.items():
        hidden = [g for g in level.cells if not level.is_visible(g)]
        total = sum(level_count(name, g, counts) for g in hidden)
        assert not hidden or (len(hidden) >= 2 and total >= k)
    for coarse, fine in (("middle", "fine"), ("top", "fine"), ("top", "middle")):
        check_nested(protected, counts, coarse, fine, k)


def level_count(name, group, counts):
    return sum(counts[f] for f in members(LEVELS[name], group))


def check_nested(protected, counts, coarse, fine, k):
    for parent in protected[coarse].cells:
        inside = set(members(LEVELS[coarse], parent))
        children = [g for g in protected[fine].cells if set(members(LEVELS[fine], g)) <= inside]
        if not protected[coarse].is_visible(parent):
            assert all(not protected[fine].is_visible(c) for c in children)
            continue
        hidden = [c for c in children if not protected[fine].is_visible(c)]
        left = level_count(coarse, parent, counts) - sum(
            level_count(fine, c, counts) for c in children if protected[fine].is_visible(c)
        )
        assert left == 0 or left >= k or (len(hidden) == len(children) and len(children) > 1)


def test_the_black_other_example_is_closed():
    counts = {"a1": 12, "a2": 8, "a3": 1, "b1": 200, "b2": 150, "c1": 30, "not_stated": 20}
    protected = protect_levels(counts, LEVELS, 10)
    middle, fine = protected["middle"], protected["fine"]
    assert middle.is_visible("a")
    left = 21 - sum(counts[f] for f in ("a1", "a2", "a3") if fine.is_visible(f))
    assert left == 0 or left >= 10
