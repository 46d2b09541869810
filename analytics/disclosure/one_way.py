"""Protection of a one-way breakdown (counts per group) whose total is published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.disclosure.rules import (
    DEFAULT_K,
    HIDDEN_LABEL,
    HiddenReason,
    Suppressed,
    check_threshold,
)


@dataclass(frozen=True)
class ProtectedBreakdown:
    """A breakdown after suppression: each group's count, or Suppressed."""

    k: int
    total: int | Suppressed
    cells: dict[str, int | Suppressed]

    def is_visible(self, group: str) -> bool:
        """Whether figures for this group (its count, shares, means...) may be published."""
        return not isinstance(self.cells[group], Suppressed)

    @property
    def hidden(self) -> dict[str, HiddenReason]:
        return {g: c.reason for g, c in self.cells.items() if isinstance(c, Suppressed)}

    def published(self) -> dict[str, int | str]:
        """What any output shows: the count, or HIDDEN_LABEL for every hidden group alike."""
        return {g: HIDDEN_LABEL if isinstance(c, Suppressed) else c for g, c in self.cells.items()}


def protect_breakdown(
    counts: Mapping[str, int], k: int = DEFAULT_K, total: int | None = None
) -> ProtectedBreakdown:
    """Primary and next-smallest suppression of a one-way breakdown with a published total.

    counts must list every category of the breakdown, zeros and "not stated" included (leaving
    out empty categories would reveal them), so they sum to the total; total, if given, is
    checked against that sum. If the total is below k everything is hidden. Otherwise groups
    with fewer than k (0 included) are hidden as TOO_FEW, then the smallest visible groups
    (ties in the given order) as COMPLEMENTARY until the hidden groups are none, or, with
    S their sum, n their number and m the smallest visible count:

        n >= 2 and S >= k and (S <= (n - 1)(k - 1) or S < m)

    Why this is enough, even against someone who knows this rule and re-runs it on every table
    that fits what is published. The published figures say only that the hidden counts are
    non-negative and sum to S >= k: each could be anything from 0 to S. And for each hidden
    group the very same output comes from a table where it is 0 and from one where it is at
    least 1: if S <= (n - 1)(k - 1), spread S below k over the other hidden groups (or give it
    1); else S < m, and put all of S on one other hidden group (or on it): the rule hides the
    zeros, then the group holding S, the smallest visible, and stops, as the condition
    depends only on n, S and m. So the output never tells 0 from 1..k-1. (Plain next-smallest
    suppression fails this: in 8, 32, 8, 11, 4 with k = 5, hiding 4 and the first 8 lets such
    an attacker prove the hidden 8 exactly.)
    """
    check_threshold(k)
    if any(n < 0 for n in counts.values()):
        raise ValueError("counts cannot be negative")
    grand_total = sum(counts.values())
    if total is not None and total != grand_total:
        raise ValueError("counts must add up to the total: include every group, not stated too")
    if grand_total < k:
        everything = dict.fromkeys(counts, Suppressed(HiddenReason.TOO_FEW))
        return ProtectedBreakdown(k, Suppressed(HiddenReason.TOO_FEW), dict(everything))
    hidden = {g: HiddenReason.TOO_FEW for g, n in counts.items() if n < k}
    smallest_first = sorted((g for g in counts if g not in hidden), key=lambda g: counts[g])
    for group in smallest_first:
        hidden_sum = sum(counts[g] for g in hidden)
        if not hidden or hidden_enough(len(hidden), hidden_sum, counts[group], k):
            break
        hidden[group] = HiddenReason.COMPLEMENTARY
    cells = {g: Suppressed(hidden[g]) if g in hidden else n for g, n in counts.items()}
    return ProtectedBreakdown(k, grand_total, cells)


def hidden_enough(n_hidden: int, hidden_sum: int, smallest_visible: int, k: int) -> bool:
    """The stopping condition of protect_breakdown (see there for why)."""
    if n_hidden < 2 or hidden_sum < k:
        return False
    return hidden_sum <= (n_hidden - 1) * (k - 1) or hidden_sum < smallest_visible
