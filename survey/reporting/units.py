"""The unit breakdown as one tree: the results' unit table and the response-rate monitor.

The monitor publishes each unit's count with everything under it, each parent's "no
sub-unit given" count and the not stated; the results' unit table publishes a group per
unit answered. All of them are sums of the same finest counts (responses per unit
answered), so they are protected together: the unit tree's depths are levels of the unit
breakdown (recoded and protected with it by protect_levels), and the monitor shows a count
only where that node of the tree is published. Nothing one shows can be subtracted from
what the other shows to leave 1..k-1.
"""

from __future__ import annotations

from analytics.disclosure import level_groups, protect_levels, recode_levels
from survey.instruments import APART, NOT_STATED, Definition
from survey.models import Wave
from survey.reporting.stats import read_tally, respondents_for
from survey.services.instruments import unit_paths
from survey.services.tally import RESPONDENTS

DEPTH = "unit-depth-"
Members = frozenset[str]


def is_unit_breakdown(definition: Definition, breakdown: str) -> bool:
    spec = definition.breakdowns[breakdown]
    return "item" in spec and definition.items[spec["item"]].get("options_from") == "units"


def unit_depth_levels() -> dict[str, dict[str, str]]:
    """Each depth of the unit tree above the deepest as a level: unit -> its ancestor at
    that depth (a shallower unit, answered itself, stands alone)."""
    paths = unit_paths()
    deepest = max((len(path) for path in paths.values()), default=0)
    return {
        f"{DEPTH}{depth}": {code: path[depth - 1] if len(path) >= depth else code
                            for code, path in paths.items()}
        for depth in range(1, deepest)
    }


def visible_unit_nodes(wave: Wave, finest: dict[str, int], recode: bool) -> set[Members]:
    """The unit groups (as their sets of units answered, NOT_STATED included) that may be
    published, from responses per unit answered; recode as the wave's results do (closed
    waves), or not (an open wave's snapshot, whose results are not published)."""
    levels: dict[str, dict[str, str] | None] = {"unit": None, **unit_depth_levels()}
    if recode:
        recoding = recode_levels(finest, levels, wave.threshold, APART)
        levels = {level: recoding.mapping(level) for level in levels}
    protected = protect_levels(finest, levels, wave.threshold)
    return {
        members
        for level, mapping in levels.items()
        for group, members in level_groups(finest, mapping).items()
        if protected[level].is_visible(group)
    }


def released_unit_counts(wave: Wave, breakdown: str = "unit") -> dict[str, int]:
    """A closed wave's respondents per unit answered, from its tally, as the results read
    them (every unit listed, NOT_STATED too)."""
    tally = read_tally(wave, [breakdown]).get(breakdown, {})
    known = set(unit_paths())
    counts = {code: respondents_for(stats, RESPONDENTS) for code, stats in tally.items()}
    return finest_unit_counts(counts, known)


def finest_unit_counts(counts: dict[str | None, int], known: set[str]) -> dict[str, int]:
    """Responses per unit answered, every unit listed; unknown or none -> NOT_STATED."""
    finest = {code: counts.get(code, 0) for code in sorted(known)}
    finest[NOT_STATED] = sum(n for code, n in counts.items() if code not in known)
    return finest
