"""Response rates: responses against headcount, per unit.

While a wave is open the counts come from its progress snapshot, taken only after a batch
of at least k spends and at most every PROGRESS_SECONDS (services/spends.py), and are
shown rounded down to a multiple of k: they move in coarse, occasional steps, never with
one submission. Once it closes, the exact counts are published like any figure. Every
count is protected (analytics.disclosure.protect_breakdown): a unit with fewer than k
responses, and the next-smallest beside it, shows HIDDEN and never a number from 0 to
k-1. A unit's sub-units are shown only where the unit's own count is shown, so a hidden
count cannot be rebuilt by adding up its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from analytics.disclosure import protect_breakdown
from survey.extensions import db
from survey.instruments import NOT_STATED
from survey.models import Response, Unit, Wave, WaveState
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
    not_stated = sum(n for code, n in counts.items() if code not in known)
    cells = [(u.code, _subtree_count(u, counts)) for u in tops] + [(NOT_STATED, not_stated)]
    shown = _protect(cells, wave.threshold, visible_total)
    rows = [_unit_row(u, 1, shown[u.code], counts, heads, wave.threshold) for u in tops]
    rows.append(RateRow(NOT_STATED, "Unit not stated", 1, shown[NOT_STATED], None, "not_stated"))
    return RateTable(wave.threshold, total, _flatten(rows, scope), by_unit)


def responses_by_unit(wave: Wave) -> dict[str | None, int]:
    """Stored responses per unit code (None: unit not answered)."""
    unit = Response.groups[UNIT_BREAKDOWN].as_string()
    query = select(unit, func.count()).where(Response.wave_id == wave.id).group_by(unit)
    return {code: n for code, n in db.session.execute(query).all()}


def _protect(cells: list[tuple[str, int]], k: int, parent_visible: bool) -> dict[str, int | None]:
    """Counts to show (None = hidden) for the cells of one breakdown of a shown total."""
    if not parent_visible:
        return dict.fromkeys((key for key, _ in cells), None)
    protected = protect_breakdown(dict(cells), k)
    return {key: n if protected.is_visible(key) else None for key, n in cells}


def _unit_row(unit: Unit, depth: int, shown, counts, heads, k: int) -> RateRow:
    row = RateRow(unit.code, unit.name, depth, shown, _headcount(unit, heads))
    if unit.children:
        cells = [(c.code, _subtree_count(c, counts)) for c in unit.children]
        cells.append((unit.code + DIRECT, counts.get(unit.code, 0)))
        inner = _protect(cells, k, shown is not None)
        row.children = [_unit_row(c, depth + 1, inner[c.code], counts, heads, k)
                        for c in unit.children]
        row.children.append(RateRow(unit.code + DIRECT, f"{unit.name} (no sub-unit given)",
                                    depth + 1, inner[unit.code + DIRECT], None, "direct"))
    return row


def _subtree_count(unit: Unit, counts: dict) -> int:
    return counts.get(unit.code, 0) + sum(_subtree_count(c, counts) for c in unit.children)


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
