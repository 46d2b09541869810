"""Promotion and selection pipeline: selection rates by group at each stage, and their gaps.

At each stage a group has `entered` candidates of whom `progressed` went on (a Tally of
progressed out of entered). Per group: selection rate with its Wilson interval; relative
likelihood against the reference group (reference rate / group rate, Katz interval, as the
NHS Workforce Race Equality Standard); adverse impact ratio against the highest-rate group
with the four-fifths flag; a test against the reference (Fisher's exact when any expected
count is below 5, else the pooled z test) when both have at least min_n entrants; and
Benjamini-Hochberg q-values across the groups of the stage.

Pass only groups that disclosure control lets you publish; groups with nobody entered are left
out, as their rate is undefined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.gaps import MIN_N_TO_TEST, GapStatus
from analytics.multiplicity import benjamini_hochberg
from analytics.proportions import (
    FOUR_FIFTHS,
    Ratio,
    Share,
    SignificanceTest,
    Tally,
    adverse_impact_ratio,
    proportion_test,
    relative_likelihood,
    share_of,
)


@dataclass(frozen=True)
class GroupSelection:
    """One group at one stage. Comparisons are None for the reference group itself."""

    group: str
    selection_rate: Share
    relative_likelihood: Ratio | None
    adverse_impact_ratio: float | None
    below_four_fifths: bool
    test: SignificanceTest | None
    q_value: float | None
    status: GapStatus | None


@dataclass(frozen=True)
class StageReport:
    """All groups at one stage, with the reference and highest-rate groups named."""

    stage: str
    reference: str
    highest_rate_group: str
    groups: tuple[GroupSelection, ...]


def selection_pipeline(
    stages: Mapping[str, Mapping[str, Tally]],
    reference: str | None = None,
    *,
    min_n: int = MIN_N_TO_TEST,
    fdr: float = 0.05,
    confidence: float = 0.95,
) -> list[StageReport]:
    """Selection statistics for each stage; see the module docstring.

    reference names the comparison group (e.g. "white"); None uses the group with the highest
    selection rate at each stage.
    """
    return [
        _stage_report(stage, groups, reference, min_n, fdr, confidence)
        for stage, groups in stages.items()
    ]


def _stage_report(
    stage: str,
    groups: Mapping[str, Tally],
    reference: str | None,
    min_n: int,
    fdr: float,
    confidence: float,
) -> StageReport:
    entered = {group: tally for group, tally in groups.items() if tally.n > 0}
    if not entered:
        raise ValueError(f"stage {stage!r} has no entrants")
    highest = max(entered, key=lambda group: entered[group].rate)
    reference = highest if reference is None else reference
    if reference not in entered:
        raise ValueError(f"reference group {reference!r} has no entrants at stage {stage!r}")
    base, top_rate = entered[reference], entered[highest].rate
    tests = {
        group: proportion_test(tally.successes, tally.n, base.successes, base.n)
        for group, tally in entered.items()
        if group != reference and min(tally.n, base.n) >= min_n
    }
    p_values = [test.p_value for test in tests.values()]
    q_values = dict(zip(tests, benjamini_hochberg(p_values), strict=True))
    rows = tuple(
        _group_selection(group, tally, reference, base, top_rate, tests, q_values, fdr, confidence)
        for group, tally in entered.items()
    )
    return StageReport(stage, reference, highest, rows)


def _group_selection(
    group: str,
    tally: Tally,
    reference: str,
    base: Tally,
    top_rate: float,
    tests: Mapping[str, SignificanceTest],
    q_values: Mapping[str, float | None],
    fdr: float,
    confidence: float,
) -> GroupSelection:
    air = adverse_impact_ratio(tally.rate, top_rate)
    return GroupSelection(
        group,
        share_of(tally.successes, tally.n, confidence),
        _versus_reference(group, tally, reference, base, confidence),
        air,
        air is not None and air < FOUR_FIFTHS,
        tests.get(group),
        q_values.get(group),
        _status(group, reference, q_values.get(group), fdr),
    )


def _versus_reference(
    group: str, tally: Tally, reference: str, base: Tally, confidence: float
) -> Ratio | None:
    if group == reference:
        return None
    return relative_likelihood(base.successes, base.n, tally.successes, tally.n, confidence)


def _status(group: str, reference: str, q_value: float | None, fdr: float) -> GapStatus | None:
    if group == reference:
        return None
    if q_value is None:
        return GapStatus.TOO_FEW_TO_TEST
    return GapStatus.SIGNIFICANT if q_value < fdr else GapStatus.NOT_SIGNIFICANT
