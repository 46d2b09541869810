"""Complementary suppression of a two-way table (an intersection) with published margins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.disclosure.attacker import TOTAL, CellKey, TableAttacker
from analytics.disclosure.one_way import protect_breakdown
from analytics.disclosure.rules import DEFAULT_K, HiddenReason, Suppressed, check_threshold


@dataclass(frozen=True)
class ProtectedTable:
    """A two-way table after suppression: each cell and margin, or Suppressed."""

    k: int
    cells: dict[tuple[str, str], int | Suppressed]
    row_totals: dict[str, int | Suppressed]
    col_totals: dict[str, int | Suppressed]
    grand_total: int | Suppressed

    def is_visible(self, row: str, col: str) -> bool:
        """Whether figures for this intersection may be published."""
        return not isinstance(self.cells[(row, col)], Suppressed)

    @property
    def hidden(self) -> dict[CellKey, HiddenReason]:
        """Reasons by cell key, margins as (row, TOTAL) and (TOTAL, col): audit and tests only."""
        everything: dict[CellKey, int | Suppressed] = {
            **self.cells,
            **{(r, TOTAL): v for r, v in self.row_totals.items()},
            **{(TOTAL, c): v for c, v in self.col_totals.items()},
            (TOTAL, TOTAL): self.grand_total,
        }
        return {key: v.reason for key, v in everything.items() if isinstance(v, Suppressed)}


def protect_two_way(
    table: Mapping[tuple[str, str], int],
    k: int = DEFAULT_K,
    *,
    row_totals: Mapping[str, int],
    col_totals: Mapping[str, int],
    grand_total: int | None = None,
    hidden_margins: tuple[Mapping[str, HiddenReason], Mapping[str, HiddenReason]] | None = None,
) -> ProtectedTable:
    """Suppress cells so that no hidden cell can be pinned down from what is published.

    row_totals and col_totals list every category of each breakdown (zeros and not stated
    included); table cells missing from the mapping are 0; the margins must be the sums of the
    table. Steps:

    1. the margins are protected exactly as protect_breakdown protects the same one-way counts,
       so the one-way tables and this one agree; or, when the wave's family of tables has
       already decided them (hidden_margins: the hidden rows and the hidden columns, from
       protect_levels over every level of each breakdown), exactly as decided there;
    2. inside, cells below k are hidden (TOO_FEW), and so is every cell of a row or column whose
       total is hidden (this keeps tables sharing a breakdown from narrowing each other);
    3. while an attacker (TableAttacker: linear programming over everything published) can pin
       a hidden total or show a TOO_FEW cell or hidden total to be below k, hide the cheapest
       rectangle of cells that stops it (cells of least total count), else the cell's whole row
       and column, else every cell;
    4. a COMPLEMENTARY cell that the attacker can still pin exactly is published, as publishing
       it tells nothing new.

    The result: every hidden figure can be k or more and is not determined by the published
    ones (see analytics.disclosure). If the grand total is below k, everything is hidden.
    """
    check_threshold(k)
    rows, cols = list(row_totals), list(col_totals)
    values = _cell_values(table, row_totals, col_totals, grand_total)
    if values[(TOTAL, TOTAL)] < k:
        return _table(values, rows, cols, dict.fromkeys(values, HiddenReason.TOO_FEW), k)
    if hidden_margins is None:
        hidden_margins = (protect_breakdown(row_totals, k).hidden,
                          protect_breakdown(col_totals, k).hidden)
    hidden = _primary_suppression(values, row_totals, col_totals, hidden_margins, k)
    _complementary_suppression(values, rows, cols, hidden, k)
    _publish_derivable(values, rows, cols, hidden)
    return _table(values, rows, cols, hidden, k)


def _cell_values(
    table: Mapping[tuple[str, str], int],
    row_totals: Mapping[str, int],
    col_totals: Mapping[str, int],
    grand_total: int | None,
) -> dict[CellKey, int]:
    if any(r not in row_totals or c not in col_totals for r, c in table):
        raise ValueError("every cell's row and column must be among the totals")
    values: dict[CellKey, int] = {
        (r, c): table.get((r, c), 0) for r in row_totals for c in col_totals
    }
    if any(v < 0 for v in values.values()):
        raise ValueError("counts cannot be negative")
    total = sum(row_totals.values())
    sums_agree = (
        all(sum(values[(r, c)] for c in col_totals) == n for r, n in row_totals.items())
        and all(sum(values[(r, c)] for r in row_totals) == n for c, n in col_totals.items())
        and grand_total in (None, total)
    )
    if not sums_agree:
        raise ValueError("the totals must be the sums of the table: include not stated")
    values.update({(r, TOTAL): n for r, n in row_totals.items()})
    values.update({(TOTAL, c): n for c, n in col_totals.items()})
    values[(TOTAL, TOTAL)] = total
    return values


def _primary_suppression(
    values: Mapping[CellKey, int],
    row_totals: Mapping[str, int],
    col_totals: Mapping[str, int],
    hidden_margins: tuple[Mapping[str, HiddenReason], Mapping[str, HiddenReason]],
    k: int,
) -> dict[CellKey, HiddenReason]:
    hidden_rows, hidden_cols = hidden_margins
    hidden: dict[CellKey, HiddenReason] = {(r, TOTAL): why for r, why in hidden_rows.items()}
    hidden.update({(TOTAL, c): why for c, why in hidden_cols.items()})
    for r in row_totals:
        for c in col_totals:
            if values[(r, c)] < k:
                hidden[(r, c)] = HiddenReason.TOO_FEW
            elif r in hidden_rows or c in hidden_cols:
                hidden[(r, c)] = HiddenReason.COMPLEMENTARY
    return hidden


def _complementary_suppression(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: dict[CellKey, HiddenReason],
    k: int,
) -> None:
    """Hide more cells until every sensitive hidden cell is protected (step 3)."""
    # Hiding more only loosens the attacker's constraints, so a cell once protected stays so.
    protected: set[CellKey] = set()
    while (exposed := _first_exposed(values, rows, cols, hidden, protected, k)) is not None:
        added = _repair(values, rows, cols, hidden, exposed, k)
        if not added:
            raise RuntimeError("no suppression protects the table")  # every cell hidden suffices
        hidden.update(dict.fromkeys(added, HiddenReason.COMPLEMENTARY))


def _first_exposed(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: Mapping[CellKey, HiddenReason],
    protected: set[CellKey],
    k: int,
) -> CellKey | None:
    attacker = TableAttacker(values, rows, cols, hidden)
    for key, reason in hidden.items():
        inside = TOTAL not in key
        if key in protected or (inside and reason is HiddenReason.COMPLEMENTARY):
            continue
        if not _is_protected(attacker, key, values[key], k):
            return key
        protected.add(key)
    return None


def _is_protected(attacker: TableAttacker, key: CellKey, value: int, k: int) -> bool:
    """The attacker can neither show the cell to be below k nor pin it exactly.

    Pinned means lower == upper; value only saves solving for lower when upper exceeds it.
    """
    upper = attacker.upper(key)
    if upper < k:
        return False
    return upper > value or attacker.lower(key) < upper


def _repair(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: Mapping[CellKey, HiddenReason],
    exposed: CellKey,
    k: int,
) -> set[CellKey]:
    """The cells to hide next: cheapest working rectangle, else row and column, else all."""

    def protects(extra: set[CellKey]) -> bool:
        attacker = TableAttacker(values, rows, cols, [*hidden, *extra])
        return _is_protected(attacker, exposed, values[exposed], k)

    for corners in _rectangles_by_cost(values, rows, cols, hidden, exposed):
        if protects(corners):
            return corners
    visible = {(r, c) for r in rows for c in cols if (r, c) not in hidden}
    crossing = {key for key in visible if exposed[0] == key[0] or exposed[1] == key[1]}
    return crossing if crossing and protects(crossing) else visible


def _rectangles_by_cost(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: Mapping[CellKey, HiddenReason],
    exposed: CellKey,
) -> list[set[CellKey]]:
    """Visible inside cells completing a rectangle with exposed, least total count first.

    A rectangle's corners (exposed, (row, c), (r, col), (r, c)) may be margins already hidden;
    margins are never newly hidden, as the one-way tables publish them.
    """
    row, col = exposed
    options = []
    for i, r in enumerate(other for other in [*rows, TOTAL] if other != row):
        for j, c in enumerate(other for other in [*cols, TOTAL] if other != col):
            corners = {(row, c), (r, col), (r, c)}
            new = {key for key in corners if key not in hidden}
            if new and all(TOTAL not in key for key in new):
                options.append((sum(values[key] for key in new), len(new), i, j, new))
    options.sort(key=lambda option: option[:4])
    return [option[4] for option in options]


def _publish_derivable(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: dict[CellKey, HiddenReason],
) -> None:
    """Publish complementary cells the attacker can work out anyway (step 4)."""
    attacker = TableAttacker(values, rows, cols, hidden)
    derivable = [
        key
        for key, reason in hidden.items()
        if reason is HiddenReason.COMPLEMENTARY
        and TOTAL not in key
        and attacker.upper(key) == attacker.lower(key)
    ]
    for key in derivable:
        del hidden[key]


def _table(
    values: Mapping[CellKey, int],
    rows: Sequence[str],
    cols: Sequence[str],
    hidden: Mapping[CellKey, HiddenReason],
    k: int,
) -> ProtectedTable:
    def shown(key: CellKey) -> int | Suppressed:
        return Suppressed(hidden[key]) if key in hidden else values[key]

    return ProtectedTable(
        k,
        {(r, c): shown((r, c)) for r in rows for c in cols},
        {r: shown((r, TOTAL)) for r in rows},
        {c: shown((TOTAL, c)) for c in cols},
        shown((TOTAL, TOTAL)),
    )
