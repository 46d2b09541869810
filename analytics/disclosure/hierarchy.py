"""Protecting every level of one breakdown together (e.g. ethnicity in 19 categories, in 5
groups and as minority/White), since a coarse group is the sum of its finer groups.

Protected one level at a time, "Black" n = 21 beside "Caribbean" 12 and "African" 8 would
reveal one "Any other Black background" respondent by subtraction. So, after each level is
protected on its own (protect_breakdown), the levels are made consistent until nothing
changes:
- a hidden group hides every finer group inside it (they would add up to it);
- inside a visible group, the finer groups that are hidden must be none, or at least two
  adding up to k or more (else the group minus its visible parts gives them away); the
  smallest visible finer group is hidden until they are; two levels' groups with the same
  members are the same figure and are hidden together;
- each level's hidden groups again number none, or at least two adding up to k or more.

Only levels that nest (every finer group inside one coarser group) are checked against
each other; hierarchies in an instrument should nest. Hiding only grows, so this ends.
Each hidden figure still could be anything from 0 to the total of the hidden figures it
is summed with, which is k or more. Unlike a single breakdown, this is not proved against
an attacker who re-runs the rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from analytics.disclosure.one_way import ProtectedBreakdown, protect_breakdown
from analytics.disclosure.rules import HiddenReason, Suppressed

Level = dict[str, frozenset[str]]  # group -> its finest members


def protect_levels(
    finest: Mapping[str, int], levels: Mapping[str, Mapping[str, str] | None], k: int
) -> dict[str, ProtectedBreakdown]:
    """Protect each level (finest group -> group maps; None = the finest level itself)."""
    groups = {code: _groups(finest, mapping) for code, mapping in levels.items()}
    counts = {code: {g: sum(finest[m] for m in ms) for g, ms in level.items()}
              for code, level in groups.items()}
    protected = {code: protect_breakdown(counts[code], k) for code in levels}
    hidden = {code: dict(p.hidden) for code, p in protected.items()}
    if any(isinstance(p.total, Suppressed) for p in protected.values()):
        return protected
    while _settle(groups, counts, hidden, k):
        pass
    return {
        code: ProtectedBreakdown(k, protected[code].total, {
            g: Suppressed(hidden[code][g]) if g in hidden[code] else n
            for g, n in counts[code].items()
        })
        for code in levels
    }


def _groups(finest: Mapping[str, int], mapping: Mapping[str, str] | None) -> Level:
    members: dict[str, set[str]] = {}
    for member in finest:
        members.setdefault(member if mapping is None else mapping.get(member, member), set()).add(
            member
        )
    return {g: frozenset(ms) for g, ms in members.items()}


def _settle(groups, counts, hidden, k) -> bool:
    changed = False
    for coarse in groups:
        for fine in groups:
            if coarse != fine and _nests(groups[fine], groups[coarse]):
                changed |= _within(groups, counts, hidden, coarse, fine, k)
    for code in groups:
        changed |= _enough_hidden(counts[code], hidden[code], k, list(counts[code]))
    return changed


def _nests(fine: Level, coarse: Level) -> bool:
    return all(any(ms <= parent for parent in coarse.values()) for ms in fine.values())


def _within(groups, counts, hidden, coarse: str, fine: str, k: int) -> bool:
    changed = False
    for parent, members in groups[coarse].items():
        children = [g for g, ms in groups[fine].items() if ms <= members]
        if len(children) == 1 and (parent in hidden[coarse]) != (children[0] in hidden[fine]):
            for code, group in ((coarse, parent), (fine, children[0])):
                hidden[code].setdefault(group, HiddenReason.COMPLEMENTARY)
            changed = True
        elif parent in hidden[coarse]:
            for child in children:
                if child not in hidden[fine]:
                    hidden[fine][child] = HiddenReason.COMPLEMENTARY
                    changed = True
        else:
            changed |= _enough_hidden(counts[fine], hidden[fine], k, children)
    return changed


def _enough_hidden(counts, hidden, k: int, among: list[str]) -> bool:
    """Hide the smallest visible of `among` until its hidden ones are none, or two or more
    adding up to k or more (or all of them)."""
    changed = False
    while True:
        shown = sorted((g for g in among if g not in hidden), key=lambda g: counts[g])
        covered = [g for g in among if g in hidden]
        if not covered or not shown or (len(covered) >= 2 and sum(counts[g] for g in covered) >= k):
            return changed
        hidden[shown[0]] = HiddenReason.COMPLEMENTARY
        changed = True
