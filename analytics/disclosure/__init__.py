"""Disclosure control: no published figure may single anyone out.

Every number that leaves the server (page, chart, API, export) must describe at least k
respondents (k fixed when a wave opens; default 10, never below 5; comments 15), and no hidden
figure may be worked out from the published ones. Suppression is decided from counts alone,
so one protected result feeds every output.

The attacker
    sees every published count, margin and total, of one-way breakdowns and of two-way
    intersections, and every hidden figure under the one label HIDDEN_LABEL. The published
    figures are linear constraints on non-negative integer counts: for each hidden figure the
    attacker solves for its least and greatest possible value. A stronger attacker also knows
    the suppression rules (the code is open) and re-runs them on every table that fits.

The guarantee (tests/analytics/test_disclosure_attack.py attacks generated and adversarial
tables with an independent integer-programming attacker, and small breakdowns with the
rule-aware one)
    1. No hidden figure is pinned: its least and greatest possible values differ.
    2. No hidden figure can be shown to be below k (its greatest possible value is k or more),
       so none can be shown to be 0, or to be 1..k-1.
    3. One-way breakdowns: every hidden figure could be anything from 0 to the hidden total,
       which is k or more; and even the rule-aware attacker can never tell a hidden group that
       is empty from one that is not (see protect_breakdown for the proof). Plain
       next-smallest suppression does not have this property.
    4. Every hidden figure carries the same label, whether below k or a larger figure hidden
       to protect one (Suppressed.reason is for audit and tests only): "too few responses"
       never reveals 0 versus 1..k-1.

Published margins of a two-way table may still prove that a hidden cell is non-empty
(55 of 100 in one row and 50 in one column force at least 5 into their intersection); that
follows from figures that are safe on their own, and never says whether the cell is below k.

How to use it
    - protect_breakdown for every one-way breakdown, over every category (zeros and not stated
      included), with the n that the figures describe: respondents for scores, counted answers
      for an item. Publish a group's figures only if it is visible.
    - protect_two_way for every intersection. Its margins are exactly protect_breakdown's,
      and the rows or columns hidden there are hidden inside too, so tables sharing a
      breakdown cannot narrow each other: each constrains the hidden margins only as the
      one-way table does (tested by attacking two such tables together).
    - A breakdown shown for each sub-unit of a parent is itself a two-way table (unit x group)
      whose margins are published: protect it with protect_two_way, not unit by unit.
    - check_population_difference before publishing any filtered view.

Not covered: the rule-aware attacker against two-way tables (their complementary cells are
chosen by count, which such an attacker could in principle exploit; points 1, 2 and 4 are
against the published figures), tables of three or more dimensions, and what a figure says
beyond its count (a group whose answers are all alike reveals each member's answer).
"""

from analytics.disclosure.attacker import TOTAL, CellKey, TableAttacker
from analytics.disclosure.differencing import DifferencingRefused, check_population_difference
from analytics.disclosure.family import (
    FamilyShape,
    InformationLoss,
    ProtectedFamily,
    information_loss,
    protect_family,
    protect_intersection,
    recode_family,
)
from analytics.disclosure.hierarchy import level_groups, protect_levels
from analytics.disclosure.one_way import ProtectedBreakdown, protect_breakdown
from analytics.disclosure.recoding import MERGED, Recoding, recode_levels
from analytics.disclosure.rules import (
    DEFAULT_COMMENT_K,
    DEFAULT_K,
    HIDDEN_LABEL,
    MINIMUM_K,
    HiddenReason,
    Suppressed,
    check_threshold,
    is_publishable,
)
from analytics.disclosure.stages import ProtectedStage, protect_stage
from analytics.disclosure.two_way import ProtectedTable, protect_two_way

__all__ = [
    "DEFAULT_COMMENT_K",
    "DEFAULT_K",
    "HIDDEN_LABEL",
    "MERGED",
    "MINIMUM_K",
    "TOTAL",
    "CellKey",
    "DifferencingRefused",
    "FamilyShape",
    "HiddenReason",
    "InformationLoss",
    "ProtectedBreakdown",
    "ProtectedFamily",
    "ProtectedStage",
    "ProtectedTable",
    "Recoding",
    "Suppressed",
    "TableAttacker",
    "check_population_difference",
    "check_threshold",
    "information_loss",
    "is_publishable",
    "level_groups",
    "protect_breakdown",
    "protect_family",
    "protect_intersection",
    "protect_levels",
    "protect_stage",
    "protect_two_way",
    "recode_family",
    "recode_levels",
]
