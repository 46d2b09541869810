"""Global recoding: merge small groups into an "other" group of their parent before hiding.

Hiding a small group costs a sibling too (so that the parent minus the visible siblings does
not give it away); merging the small groups of one parent into one published "other (merged)"
group of at least k costs nothing but detail. The recoding is decided once per wave from the
respondent counts (which are published) and then applied to every table of the wave: every
measure, every intersection, representativeness and weighting. Cell suppression
(protect_levels) then handles only what recoding cannot: a measure's own counts below k,
and groups that have no parent to merge into (e.g. "not stated", or the top level).

The rule, level by level from the coarsest: under each group of the recoded coarser level
(the whole breakdown for the coarsest level), the groups below k (empty ones too) are merged
into one group; while it is still below k the smallest other sibling joins it. If every
sibling ends up merged, the merged group has the parent's members: the same figure as the
parent. Groups named in `apart` (not stated, not applicable) are never merged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from analytics.disclosure.hierarchy import Members, level_groups
from analytics.disclosure.rules import check_threshold

MERGED = "merged:"
"""Prefix of a merged group's code; the rest is its parent's code ("all" at the top)."""


@dataclass(frozen=True)
class Recoding:
    """Each level's published groups: code -> finest members; `merged` lists, for each merged
    group, the level's own groups it stands for (in their original order)."""

    groups: dict[str, dict[str, Members]]
    merged: dict[str, dict[str, tuple[str, ...]]]

    def mapping(self, level: str) -> dict[str, str]:
        """Finest group -> this level's published group."""
        return {m: g for g, members in self.groups[level].items() for m in members}


def recode_levels(
    finest: Mapping[str, int],
    levels: Mapping[str, Mapping[str, str] | None],
    k: int,
    apart: Collection[str] = (),
) -> Recoding:
    """Recode every level (finest group -> group maps, None = the finest level itself)."""
    check_threshold(k)
    original = {code: level_groups(finest, mapping) for code, mapping in levels.items()}
    order = sorted(levels, key=lambda code: len(original[code]))
    substantive = frozenset(m for m in finest if m not in apart)
    recoded: dict[str, dict[str, Members]] = {}
    merged: dict[str, dict[str, tuple[str, ...]]] = {}
    for position, code in enumerate(order):
        parents = _parent_groups(original, recoded, order[:position], code, substantive)
        recoded[code], merged[code] = {}, {}
        for parent_code, parent in parents.items():
            children = {g: ms for g, ms in original[code].items() if ms <= parent}
            _merge_small(finest, children, parent_code, k, recoded[code], merged[code])
        recoded[code].update({g: ms for g, ms in original[code].items() if ms <= set(apart)})
        recoded[code] = {g: recoded[code][g] for g in _in_order(original[code], recoded[code])}
    return Recoding(recoded, merged)


def _parent_groups(original, recoded, coarser: list[str], code: str, everything: Members):
    """The recoded groups of the finest coarser level this level nests in, or the whole."""
    for candidate in reversed(coarser):
        if all(any(ms <= p for p in original[candidate].values())
               for ms in original[code].values()):
            return {g: ms for g, ms in recoded[candidate].items() if ms <= everything}
    return {"all": everything}


def _merge_small(finest, children: dict[str, Members], parent_code: str, k: int,
                 out: dict[str, Members], merged_out: dict[str, tuple[str, ...]]) -> None:
    def size(group: str) -> int:
        return sum(finest[m] for m in children[group])

    small = [g for g in children if size(g) < k]
    if len(children) < 2 or not small:
        out.update(children)
        return
    rest = sorted((g for g in children if g not in small), key=size)
    while sum(size(g) for g in small) < k and rest:
        small.append(rest.pop(0))
    code = MERGED + parent_code
    out.update({g: children[g] for g in children if g not in small})
    out[code] = frozenset().union(*(children[g] for g in small))
    merged_out[code] = tuple(g for g in children if g in small)


def _in_order(original: dict[str, Members], recoded: dict[str, Members]) -> list[str]:
    """Recoded groups in the order of their first original member, merged groups in place."""
    first = {g: min(i for i, ms in enumerate(original.values()) if ms <= members)
             for g, members in recoded.items()}
    return sorted(recoded, key=lambda g: (first[g], g.startswith(MERGED)))
