"""A promotion stage under the wave-family rule: recode first, then hide by the tree.

A stage table publishes, for each group, its entrants, those who progressed and the rate,
and never the stage's total. Its entrants are the previous stage's progressed, which that
stage's rates already publish; what a stage adds is its groups' progressed counts (and, at
the first stage, the entrants). So, as for a wave's family of tables:

1. groups below k are merged into one "merged" group under their parent (recode_levels,
   with the coarser levels of the breakdown as parents; not stated never merges);
2. a group still below k is hidden, and hides a sibling only where a published figure adds
   up the stage (total_published: another table of the same stage shows every group):
   otherwise nothing subtracts it from anything, and a large group is never hidden because
   a small one is (the tree rule of protect_levels, with an unpublished root).

A hidden group's entrants at the next stage are at most its progressed, so below k too:
it stays hidden all the way down, and no later stage gives its progressed count away.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from analytics.disclosure.hierarchy import Members, protect_levels
from analytics.disclosure.one_way import ProtectedBreakdown
from analytics.disclosure.recoding import recode_levels

LEVEL = "stage"
PARENT = "parent"


@dataclass(frozen=True)
class ProtectedStage:
    """The stage's published groups (code -> original groups), the merged ones' members in
    order, and which of them are visible."""

    groups: dict[str, Members]
    merged: dict[str, tuple[str, ...]]
    protected: ProtectedBreakdown


def protect_stage(
    entered: Mapping[str, int],
    parents: Mapping[str, str] | None,
    k: int,
    total_published: bool = False,
    apart: Collection[str] = (),
) -> ProtectedStage:
    """Recode and protect one stage's groups (entrants per group; parents: group -> its
    group one level coarser, None when the breakdown has no coarser level)."""
    levels = {LEVEL: None, **({PARENT: dict(parents)} if parents else {})}
    recoding = recode_levels(entered, levels, k, apart)
    mapping = recoding.mapping(LEVEL)
    protected = protect_levels(entered, {LEVEL: mapping}, k, total_published)[LEVEL]
    return ProtectedStage(recoding.groups[LEVEL], recoding.merged[LEVEL], protected)
