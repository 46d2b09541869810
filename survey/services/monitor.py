"""Response rates: responses against headcount, per unit.

While a wave is open the counts come from its progress snapshot, taken only after a batch
of at least k spends and at most every PROGRESS_SECONDS (services/spends.py), and are
shown rounded down to a multiple of k: they move in coarse, occasional steps, never with
one submission. Once it closes, the exact counts are published like any figure. Every
count is a node of the unit tree, protected with the results' unit table as one tree
(survey.reporting.units, the tree rule of protect_levels, under the wave's recoding once
it closes): a unit with fewer than k responses, and a sibling beside it, shows HIDDEN and
never a number from 0 to k-1; a hidden unit hides everything under it; and no count here
minus the units the results show leaves 1..k-1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from analytics.disclosure import protect_breakdown
from survey.extensions import db
from survey.instruments import NOT_STATED
from survey.models import Response, Unit, Wave, WaveState
from survey.reporting.units import (
    Members,
    finest_unit_counts,
    released_unit_counts,
    visible_unit_nodes,
)
from survey.services.headcounts import FORCE, unit_totals

UNIT_BREAKDOWN = "unit"
DIRECT = ":direct"  # suffix of the cell for people who chose a parent unit itself


@dataclass
class RateRow:
    key: str
    label: str
    depth: int
    responses: int | None  # None: hidden
    headcount: int | None  # None: not given
    kind: str = "unit"  # unit | direct | not_stated | total
    children: list[RateRow] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.responses is None

    @property
    def rate(self) -> float | None:
        if self.responses is None or not self.headcount:
            return None
        return 100.0 * self.responses / self.headcount


@dataclass
class RateTable:
    k: int
    total: RateRow
    rows: list[RateRow]  # depth-first, already limited to the viewer's scope
    by_unit: bool  # False when unit is not a reportable breakdown of the wave
    banded: bool = False  # open wave: counts rounded down to a multiple of k
    as_of: object = None  # open wave: when the snapshot was taken (None: not yet)


def response_rates(wave: Wave, scope: list[str] | None = None) -> RateTable:
    """The response-rate table of a wave, protected, limited to `scope` unit codes if given."""
    table = _rates(wave, _counts(wave), scope)
    if wave.state == WaveState.OPEN:
        _band([table.total, *table.rows], wave.threshold)
        table.banded, table.as_of = True, wave.progress_at
    return table


def _counts(wave: Wave) -> dict[str | None, int]:
    if wave.state == WaveState.OPEN:
        return {code or None: n for code, n in (wave.progress or {}).items()}
    return responses_by_unit(wave)


def _band(rows: list[RateRow], k: int) -> None:
    for row in rows:
        if row.responses is not None:
            row.responses -= row.responses % k


def _rates(wave: Wave, counts: dict, scope: list[str] | None) -> RateTable:
    released = sum(counts.values())
    heads = unit_totals(wave)
    units = db.session.scalars(select(Unit)).all()
    tops = sorted((u for u in units if u.parent_id is None), key=lambda u: u.name)
    force_heads = heads.get(FORCE)
    if force_heads is None and tops:
        force_heads = _sum_if_all([_headcount(u, heads) for u in tops])
    visible_total = protect_breakdown({"all": released}, wave.threshold).is_visible("all")
    total = RateRow("", "Whole force", 0, released if visible_total else None, force_heads, "total")
    by_unit = UNIT_BREAKDOWN in wave.breakdowns
    if not by_unit:
        return RateTable(wave.threshold, total, [], by_unit)
    known = {u.code for u in units}
    visible = _visible(wave, counts, known) if visible_total else set()
    rows = [_unit_row(u, 1, visible, counts, heads) for u in tops]
    not_stated = sum(n for code, n in counts.items() if code not in known)
    shown = not_stated if frozenset({NOT_STATED}) in visible else None
    rows.append(RateRow(NOT_STATED, "Unit not stated", 1, shown, None, "not_stated"))
    return RateTable(wave.threshold, total, _flatten(rows, scope), by_unit)


def _visible(wave: Wave, counts: dict, known: set[str]) -> set[Members]:
    """The published nodes of the unit tree: as the results protect them once the wave is
    closed; from the snapshot, protected the same way but not recoded, while open."""
    if wave.state == WaveState.OPEN:
        return visible_unit_nodes(wave, finest_unit_counts(counts, known), recode=False)
    return visible_unit_nodes(wave, released_unit_counts(wave), recode=True)


def _shown(members: Members, visible: set[Members], counts: dict) -> int | None:
    """The responses of a group of units answered, or None where that node is hidden."""
    return sum(counts.get(code, 0) for code in members) if members in visible else None


def responses_by_unit(wave: Wave) -> dict[str | None, int]:
    """Stored responses per unit code (None: unit not answered)."""
    unit = Response.groups[UNIT_BREAKDOWN].as_string()
    query = select(unit, func.count()).where(Response.wave_id == wave.id).group_by(unit)
    return {code: n for code, n in db.session.execute(query).all()}


def _unit_row(unit: Unit, depth: int, visible: set[Members], counts, heads) -> RateRow:
    members = frozenset(_subtree_codes(unit))
    row = RateRow(unit.code, unit.name, depth, _shown(members, visible, counts),
                  _headcount(unit, heads))
    if unit.children:
        row.children = [_unit_row(c, depth + 1, visible, counts, heads) for c in unit.children]
        direct = _shown(frozenset({unit.code}), visible, counts)
        row.children.append(RateRow(unit.code + DIRECT, f"{unit.name} (no sub-unit given)",
                                    depth + 1, direct, None, "direct"))
    return row


def _subtree_codes(unit: Unit) -> list[str]:
    return [unit.code, *(code for c in unit.children for code in _subtree_codes(c))]


def _headcount(unit: Unit, heads: dict[str, int]) -> int | None:
    if unit.code in heads:
        return heads[unit.code]
    if not unit.children:
        return None
    return _sum_if_all([_headcount(c, heads) for c in unit.children])


def _sum_if_all(values: list[int | None]) -> int | None:
    return None if not values or any(v is None for v in values) else sum(values)


def _flatten(rows: list[RateRow], scope: list[str] | None, inside: bool = False) -> list[RateRow]:
    """Depth-first rows; with a scope, only the scoped units and everything under them."""
    flat = []
    for row in rows:
        show = scope is None or inside or row.key in scope
        if show:
            flat.append(row)
        flat.extend(_flatten(row.children, scope, show))
    return flat
