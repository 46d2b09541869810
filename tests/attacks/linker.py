"""The attacker's linker: from storage evidence to each code's anonymity set.

Pure: no database, no app. It takes what the storage attacks found as plain data:

- for each code, the positions at which its *spend* reached storage (a row version
  marked spent, a WAL record touching its row, a changed page, during the answering phase);
- for each response, the positions at which its answers reached storage.

A `Position` names a channel (one trace of the storage, e.g. PostgreSQL's WAL), an order
in that channel (an LSN, a transaction id, a request number, a (block, line) pair) and a
group (the unit written at once: a transaction id, a request number).

Channel kinds say what the attacker may conclude from a channel:

- ATOMIC: groups are transactions. A spend whose transaction also wrote answers is
  linked to those answers and no others.
- TIMELINE: only the order counts (e.g. file snapshots after every request).
- RANK: an order with no common timeline (tuple position in one table against another):
  used only for the rank-matching guess.

In ATOMIC and TIMELINE channels a response must have been written after the previous
spend-writing group and before the next one (a spend is written around its response,
not across another batch). Each spent code has exactly one response and each response
at most one code, so the sets are then narrowed to what some complete matching allows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

ATOMIC = "atomic"
TIMELINE = "timeline"
RANK = "rank"


@dataclass(frozen=True)
class Position:
    channel: str
    order: object
    group: Hashable = None


@dataclass
class Evidence:
    """What the attacker found. `kinds` maps each channel to ATOMIC, TIMELINE or RANK."""

    codes: dict[Hashable, list[Position]]
    responses: dict[Hashable, list[Position]]
    kinds: dict[str, str]
    # Channels that may have lost writes (pruned tuples): their order windows are used
    # only if the result stays consistent; a shared transaction always counts.
    partial: set[str] = field(default_factory=set)

    def spent_codes(self) -> list:
        return [c for c, positions in self.codes.items() if positions]


@dataclass
class Links:
    sets: dict  # code -> frozenset of responses (spent-in-storage codes only)
    unlinked: list  # codes with no spend in storage: linked to nothing
    consistent: bool  # a matching of every spent code existed (the model fits)
    rank_guesses: dict  # ordering name -> {code: response}

    @property
    def certain(self) -> dict:
        return {c: next(iter(s)) for c, s in self.sets.items() if len(s) == 1}

    @property
    def expected_success(self) -> float:
        """Mean over spent-in-storage codes of 1/|anonymity set| (0 if none)."""
        if not self.sets:
            return 0.0
        return sum(1 / len(s) if s else 1.0 for s in self.sets.values()) / len(self.sets)

    def smallest_set(self) -> int | None:
        return min((len(s) for s in self.sets.values()), default=None)


def link(evidence: Evidence) -> Links:
    """Each spent code's anonymity set among the responses (one response per code)."""
    for windows_on_partial in (True, False):
        candidates = {
            c: _candidates(evidence, c, windows_on_partial) for c in evidence.spent_codes()
        }
        sets, consistent = _refine_by_matching(candidates, list(evidence.responses))
        if consistent or not evidence.partial:
            break
    unlinked = [c for c, positions in evidence.codes.items() if not positions]
    return Links(sets, unlinked, consistent, _rank_guesses(evidence, sets))


def link_many(evidence: Evidence) -> dict:
    """For items a person may leave none or several of (comments): each item's set of
    possible codes. No matching narrows it, so nothing can show that a window on a
    partial channel was wrong: those channels count only through shared transactions."""
    candidates = {c: _candidates(evidence, c, False) for c in evidence.spent_codes()}
    return {
        item: frozenset(c for c, s in candidates.items() if item in s)
        for item in evidence.responses
    }


def _by_channel(positions: list[Position]) -> dict[str, list[Position]]:
    grouped = defaultdict(list)
    for position in positions:
        grouped[position.channel].append(position)
    return grouped


def _candidates(evidence: Evidence, code, windows_on_partial: bool) -> frozenset:
    candidates = set(evidence.responses)
    own = _by_channel(evidence.codes[code])
    for channel, positions in own.items():
        kind = evidence.kinds.get(channel, RANK)
        if kind == RANK:
            continue
        placed = {
            r: [p for p in ps if p.channel == channel] for r, ps in evidence.responses.items()
        }
        placed = {r: ps for r, ps in placed.items() if ps}
        if not placed:
            continue  # the channel never shows answers: it cannot place a response
        if kind == ATOMIC:
            groups = {p.group for p in positions}
            shared = {r for r, ps in placed.items() if any(p.group in groups for p in ps)}
            if shared:
                candidates &= shared
                continue
        if channel in evidence.partial and not windows_on_partial:
            continue
        low, high, others = _window(evidence, channel, positions)
        inside = {
            r
            for r, ps in placed.items()
            if any(low < p.order < high and p.group not in others for p in ps)
        }
        unplaced = set(evidence.responses) - set(placed)
        candidates &= inside | unplaced
    return frozenset(candidates)


def _window(evidence: Evidence, channel: str, positions: list[Position]) -> tuple:
    """The orders strictly between the previous and the next other spend-writing group,
    and those groups (a write inside another spend's group belongs to that group)."""
    own_groups = {p.group for p in positions}
    low_own = min(p.order for p in positions)
    high_own = max(p.order for p in positions)
    spans: dict = {}
    for code_positions in evidence.codes.values():
        for p in code_positions:
            if p.channel != channel or p.group in own_groups:
                continue
            first, last = spans.get(p.group, (p.order, p.order))
            spans[p.group] = (min(first, p.order), max(last, p.order))
    before = [last for first, last in spans.values() if last < low_own]
    after = [first for first, last in spans.values() if first > high_own]
    low = max(before) if before else _LOW
    return low, (min(after) if after else _HIGH), set(spans)


class _Bound:
    def __init__(self, sign: int):
        self.sign = sign

    def __lt__(self, other):
        return self.sign < 0

    def __gt__(self, other):
        return self.sign > 0


_LOW, _HIGH = _Bound(-1), _Bound(1)


def _matching_size(rows: list[set[int]], columns: int) -> int:
    indptr, indices = [0], []
    for row in rows:
        indices.extend(sorted(row))
        indptr.append(len(indices))
    graph = csr_matrix(
        (np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(len(rows), columns)
    )
    match = maximum_bipartite_matching(graph, perm_type="column")
    return int((match >= 0).sum())


def _refine_by_matching(candidates: dict, responses: list) -> tuple[dict, bool]:
    """Keep only the responses each code can have in a matching of every spent code."""
    codes = list(candidates)
    index = {r: i for i, r in enumerate(responses)}
    rows = [{index[r] for r in candidates[c]} for c in codes]
    if not codes:
        return {}, True
    if _matching_size(rows, len(responses)) < len(codes):
        return dict(candidates), False
    sets = {}
    for i, code in enumerate(codes):
        kept = set()
        for column in rows[i]:
            forced = [({column} if j == i else row - {column}) for j, row in enumerate(rows)]
            if _matching_size(forced, len(responses)) == len(codes):
                kept.add(responses[column])
        sets[code] = frozenset(kept)
    return sets, True


def _rank_guesses(evidence: Evidence, sets: dict) -> dict:
    """Pair the k-th spend with the k-th response, in storage order, within each set.

    Orderings: each ATOMIC or TIMELINE channel on its own, and every RANK channel of the
    codes against every RANK channel of the responses (e.g. the code table's tuple order
    against the answer table's)."""
    code_orders = _orders(evidence.codes)
    response_orders = _orders(evidence.responses)
    pairs = []
    for channel, kind in evidence.kinds.items():
        if kind != RANK and channel in code_orders and channel in response_orders:
            pairs.append((channel, channel))
    rank_code = [c for c in code_orders if evidence.kinds.get(c, RANK) == RANK]
    rank_resp = [c for c in response_orders if evidence.kinds.get(c, RANK) == RANK]
    pairs += [(a, b) for a in rank_code for b in rank_resp]
    guesses = {}
    for code_channel, response_channel in pairs:
        name = (
            code_channel
            if code_channel == response_channel
            else (f"{code_channel} vs {response_channel}")
        )
        guesses[name] = _rank_match(
            sets, code_orders[code_channel], response_orders[response_channel]
        )
    return guesses


def _orders(items: dict) -> dict[str, dict]:
    orders: dict = defaultdict(dict)
    for item, positions in items.items():
        for p in positions:
            current = orders[p.channel].get(item)
            if current is None or p.order < current:
                orders[p.channel][item] = p.order
    return orders


def _rank_match(sets: dict, code_order: dict, response_order: dict) -> dict:
    by_set = defaultdict(list)
    for code, members in sets.items():
        by_set[members].append(code)
    guesses = {}
    for members, codes in by_set.items():
        # Ties (one batch written at once) are broken by the item's own id, which is
        # random (a code hash, a response key), never by the order the test used.
        ranked_codes = sorted(
            (c for c in codes if c in code_order), key=lambda c: (code_order[c], str(c))
        )
        ranked = sorted(
            (r for r in members if r in response_order),
            key=lambda r: (response_order[r], str(r)),
        )
        for code, response in zip(ranked_codes, ranked, strict=False):
            guesses[code] = response
    return guesses


@dataclass
class Figures:
    """What the attack achieved, scored against the ground truth only the test knows."""

    respondents: int
    threshold: int
    spent_in_storage: int
    certain_links: int
    certain_correct: int
    smallest_set: int | None
    expected_success: float
    truth_missed: int  # spent codes whose set does not hold their true response
    rank_successes: dict[str, int]
    consistent: bool

    @property
    def chance_bound(self) -> float:
        p = 1 / self.threshold
        return p + 2 * math.sqrt(p * (1 - p) / self.respondents)

    @property
    def rank_bound(self) -> float:
        p = 1 / self.threshold
        return p + 4 * math.sqrt(p * (1 - p) / self.respondents)

    @property
    def best_rank(self) -> tuple[str, int]:
        if not self.rank_successes:
            return ("none", 0)
        return max(self.rank_successes.items(), key=lambda item: item[1])

    def summary(self, label: str) -> str:
        ordering, best = self.best_rank
        return (
            f"{label}: {self.certain_links}/{self.respondents} certain links "
            f"({self.certain_correct} correct); spent codes seen in storage "
            f"{self.spent_in_storage}/{self.respondents}; smallest anonymity set "
            f"{self.smallest_set}; expected success {self.expected_success:.3f} "
            f"(chance bound 1/B + 2 sd = {self.chance_bound:.3f}); rank matching "
            f"{best}/{self.respondents} via {ordering}; truth outside its set "
            f"{self.truth_missed}; model consistent {self.consistent}"
        )


def score(links: Links, truth: dict, respondents: int, threshold: int) -> Figures:
    """`truth` maps each spent code to its response."""
    certain = links.certain
    return Figures(
        respondents=respondents,
        threshold=threshold,
        spent_in_storage=len(links.sets),
        certain_links=len(certain),
        certain_correct=sum(1 for c, r in certain.items() if truth.get(c) == r),
        smallest_set=links.smallest_set(),
        expected_success=links.expected_success,
        truth_missed=sum(1 for c, s in links.sets.items() if truth.get(c) not in s),
        rank_successes={
            name: sum(1 for c, r in guess.items() if truth.get(c) == r)
            for name, guess in links.rank_guesses.items()
        },
        consistent=links.consistent,
    )


def score_many(item_sets: dict, truth: dict, threshold: int, spent: set) -> Figures:
    """Figures for items seen from their side (`truth` maps each item to its code; an
    item whose code never reached storage as spent cannot be missed)."""
    seen = {i: s for i, s in item_sets.items() if s}
    certain = {i: next(iter(s)) for i, s in seen.items() if len(s) == 1}
    return Figures(
        respondents=len(item_sets),
        threshold=threshold,
        spent_in_storage=len(seen),
        certain_links=len(certain),
        certain_correct=sum(1 for i, c in certain.items() if truth.get(i) == c),
        smallest_set=min((len(s) for s in seen.values()), default=None),
        expected_success=sum(1 / len(s) for s in seen.values()) / len(seen) if seen else 0.0,
        truth_missed=sum(1 for i, s in seen.items() if truth.get(i) in spent - s),
        rank_successes={},
        consistent=True,
    )
