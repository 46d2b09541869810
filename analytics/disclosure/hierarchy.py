"""Protecting every level of one breakdown together (e.g. ethnicity in 19 categories, in 5
groups and as minority/White), since a coarse group is the sum of its finer groups.

The levels' groups form one tree: the whole breakdown at the root, each group under the
smallest group of a coarser level that holds it, and a group with the same members at two
levels is one figure (one node). Published counts then say only that each visible node is
the sum of its children. The rule, applied until nothing changes:

- a node below k is hidden (TOO_FEW);
- a hidden node hides everything under it (its parts would add up to it);
- under each visible node (the root included), the hidden children are none, or enough
  that protect_breakdown's stopping rule holds among those siblings (two or more, adding up
  to k or more, and not telling 0 from 1..k-1); until then the smallest visible sibling is
  hidden (COMPLEMENTARY).

So a hidden node could be anything from 0 to the total of its hidden siblings, which is k or
more, whatever else is published about the breakdown; and a small group costs only its
siblings under the same parent, never a larger group elsewhere in the tree (the ethnic
minority row survives a small "Other ethnic group"). A breakdown of one level is exactly
protect_breakdown. Levels must nest (each group inside one group of every coarser level).

When no published figure adds up the whole breakdown (total_published=False: a promotion
stage, whose total is shown nowhere), the root has no visible count to subtract from, so
hidden children of the root need no sibling hidden beside them; every other node keeps the
rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from analytics.disclosure.one_way import ProtectedBreakdown, hidden_enough, protect_breakdown
from analytics.disclosure.rules import HiddenReason, Suppressed, check_threshold

Members = frozenset[str]


def protect_levels(
    finest: Mapping[str, int],
    levels: Mapping[str, Mapping[str, str] | None],
    k: int,
    total_published: bool = True,
) -> dict[str, ProtectedBreakdown]:
    """Protect each level (finest group -> group maps; None = the finest level itself)."""
    check_threshold(k)
    groups = {code: level_groups(finest, mapping) for code, mapping in levels.items()}
    counts = {code: {g: sum(finest[m] for m in ms) for g, ms in level.items()}
              for code, level in groups.items()}
    if sum(finest.values()) < k:
        return {code: protect_breakdown(counts[code], k) for code in levels}
    tree = _Tree(finest, [ms for level in groups.values() for ms in level.values()],
                 total_published)
    hidden = tree.protect(k)
    return {
        code: ProtectedBreakdown(k, sum(finest.values()), {
            g: Suppressed(hidden[ms]) if ms in hidden else counts[code][g]
            for g, ms in level.items()
        })
        for code, level in groups.items()
    }


def level_groups(
    finest: Mapping[str, int], mapping: Mapping[str, str] | None
) -> dict[str, Members]:
    """Each group of a level with its finest members (unmapped finest groups stand alone)."""
    members: dict[str, set[str]] = {}
    for member in finest:
        group = member if mapping is None else mapping.get(member, member)
        members.setdefault(group, set()).add(member)
    return {g: frozenset(ms) for g, ms in members.items()}


@dataclass
class _Tree:
    finest: Mapping[str, int]
    nodes: list[Members]
    root_published: bool = True
    parent: dict[Members, Members] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = frozenset(self.finest)
        self.nodes = sorted(set(self.nodes) - {self.root}, key=len)
        for i, node in enumerate(self.nodes):
            holders = [other for other in self.nodes[i + 1:] if node < other]
            clash = [other for other in self.nodes if other & node and not (
                other <= node or node <= other)]
            if clash:
                raise ValueError("the levels of a breakdown must nest")
            self.parent[node] = min(holders, key=len) if holders else self.root

    def count(self, node: Members) -> int:
        return sum(self.finest[m] for m in node)

    def children(self, node: Members) -> list[Members]:
        return [child for child in self.nodes if self.parent[child] == node]

    def below(self, node: Members) -> list[Members]:
        return [other for other in self.nodes if other < node]

    def protect(self, k: int) -> dict[Members, HiddenReason]:
        hidden = {node: HiddenReason.TOO_FEW for node in self.nodes if self.count(node) < k}
        while self._settle(hidden, k):
            pass
        return hidden

    def _settle(self, hidden: dict[Members, HiddenReason], k: int) -> bool:
        changed = False
        for node in list(hidden):
            for part in self.below(node):
                if part not in hidden:
                    hidden[part] = HiddenReason.COMPLEMENTARY
                    changed = True
        published = [self.root] if self.root_published else []
        for node in [*published, *self.nodes]:
            if node not in hidden:
                changed |= self._enough_hidden_under(node, hidden, k)
        return changed

    def _enough_hidden_under(self, node: Members, hidden: dict, k: int) -> bool:
        changed = False
        kids = self.children(node)
        while True:
            shown = sorted((c for c in kids if c not in hidden),
                           key=lambda c: (self.count(c), len(self.below(c))))
            covered = [c for c in kids if c in hidden]
            total = sum(self.count(c) for c in covered)
            if not covered or not shown or hidden_enough(
                len(covered), total, self.count(shown[0]), k
            ):
                return changed
            hidden[shown[0]] = HiddenReason.COMPLEMENTARY
            changed = True
