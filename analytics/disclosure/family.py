"""One protection for the whole family of tables a wave publishes.

A wave publishes, for each measure (and for respondents), every level of every breakdown and
every declared intersection of two levels with its margins; representativeness, weighting,
response rates and trends reuse those same figures. Protected table by table, a cell hidden
in one table can be published as a margin of another (the ethnic minority cells of the
one-way table reappearing as margins of ethnic minority x rank). Here:

1. each breakdown is recoded once per wave (recode_levels, from the respondent counts), and
   every table uses the recoded groups;
2. each breakdown's levels are protected together as one tree (protect_levels);
3. each intersection takes its margins exactly as the tree decided them, hides every cell of
   a hidden margin's line, and protects its own cells (protect_two_way with hidden_margins).

Tables then share only margins, and a hidden margin is hidden in every table, its whole line
too: no table narrows another (tests/analytics/test_disclosure_family.py attacks all of them
together with an integer-programming attacker).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from analytics.disclosure.hierarchy import protect_levels
from analytics.disclosure.one_way import ProtectedBreakdown
from analytics.disclosure.recoding import Recoding, recode_levels
from analytics.disclosure.rules import Suppressed
from analytics.disclosure.two_way import ProtectedTable, protect_two_way

Levels = Mapping[str, Mapping[str, str] | None]
Pair = tuple[str, str]


@dataclass(frozen=True)
class FamilyShape:
    """What a wave publishes: each breakdown's levels, which level belongs to which breakdown,
    the declared intersections (pairs of levels) and the groups never merged (not stated,
    not applicable)."""

    levels: Mapping[str, Levels]
    intersections: Collection[Pair]
    apart: Collection[str]

    def breakdown_of(self, level: str) -> str:
        return next(b for b, levels in self.levels.items() if level in levels)


@dataclass(frozen=True)
class ProtectedFamily:
    k: int
    levels: dict[str, ProtectedBreakdown]  # level -> its recoded groups, protected
    intersections: dict[Pair, ProtectedTable]


@dataclass(frozen=True)
class InformationLoss:
    """Hidden group figures and the respondents they describe, over the tables given."""

    hidden_cells: int
    hidden_respondents: int

    def __add__(self, other: InformationLoss) -> InformationLoss:
        return InformationLoss(self.hidden_cells + other.hidden_cells,
                               self.hidden_respondents + other.hidden_respondents)


def recode_family(
    shape: FamilyShape, respondents: Mapping[str, Mapping[str, int]], k: int
) -> dict[str, Recoding]:
    """The wave's recoding of every breakdown, from its respondent counts (finest groups)."""
    return {
        code: recode_levels(respondents[code], levels, k, shape.apart)
        for code, levels in shape.levels.items()
    }


def protect_family(
    shape: FamilyShape,
    recodings: Mapping[str, Recoding],
    finest: Mapping[str, Mapping[str, int]],
    cells: Mapping[Pair, Mapping[Pair, int]],
    k: int,
) -> ProtectedFamily:
    """Protect one measure's counts (finest groups per breakdown; intersection cells keyed by
    the original groups of each level) over the whole family, under the wave's recoding."""
    levels: dict[str, ProtectedBreakdown] = {}
    for code, breakdown_levels in shape.levels.items():
        mappings = {level: recodings[code].mapping(level) for level in breakdown_levels}
        levels.update(protect_levels(finest[code], mappings, k))
    tables = {
        pair: protect_intersection(shape, recodings, levels, pair, cells.get(pair, {}), k)
        for pair in shape.intersections
    }
    return ProtectedFamily(k, levels, tables)


def protect_intersection(
    shape: FamilyShape,
    recodings: Mapping[str, Recoding],
    levels: Mapping[str, ProtectedBreakdown],
    pair: Pair,
    cells: Mapping[Pair, int],
    k: int,
) -> ProtectedTable:
    """One intersection under the family's recoding, with its margins as `levels` hid them."""
    first, second = pair
    to_first = _to_recoded(shape, recodings, first)
    to_second = _to_recoded(shape, recodings, second)
    table: dict[Pair, int] = defaultdict(int)
    for (row, col), n in cells.items():
        table[(to_first[row], to_second[col])] += n
    row_totals = _margin(levels[first], table, 0)
    col_totals = _margin(levels[second], table, 1)
    return protect_two_way(
        dict(table), k, row_totals=row_totals, col_totals=col_totals,
        hidden_margins=(levels[first].hidden, levels[second].hidden),
    )


def _to_recoded(shape: FamilyShape, recodings: Mapping[str, Recoding], level: str) -> dict:
    """An original group of the level -> its recoded group (recoding never splits one)."""
    breakdown = shape.breakdown_of(level)
    mapping = shape.levels[breakdown][level]
    return {
        member if mapping is None else mapping.get(member, member): group
        for member, group in recodings[breakdown].mapping(level).items()
    }


def _margin(protected: ProtectedBreakdown, table: Mapping[Pair, int], axis: int) -> dict:
    return {g: sum(n for key, n in table.items() if key[axis] == g) for g in protected.cells}


def information_loss(
    protected: ProtectedBreakdown, counts: Mapping[str, int]
) -> InformationLoss:
    """Hidden groups (with members) of one table and how many respondents they hold."""
    hidden = [g for g, cell in protected.cells.items()
              if isinstance(cell, Suppressed) and counts.get(g, 0) > 0]
    return InformationLoss(len(hidden), sum(counts[g] for g in hidden))
