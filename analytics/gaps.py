"""Gaps between groups: each group against the rest and against a reference group.

The comparison group ("the rest") is every other respondent in the groups passed: pass the
groups that gave a substantive answer and are published (not "prefer not to say", "not
stated" or "not applicable", and not hidden), so the rest is the other people who stated the
attribute, and nothing hidden is compared.

For proportions: Newcombe's hybrid score interval and, as its test, the interval inverted
(p = 1 - the largest confidence level whose interval excludes zero), so the test and the
interval shown always agree; for means: Welch's interval and test, which agree by
construction; the relative likelihood (Katz) against a reference. A gap is significant only
when both groups have at least min_n, its Benjamini-Hochberg q-value is below fdr and its 95%
interval excludes zero (which q < 0.05 implies, since q >= p). judge_family applies one
Benjamini-Hochberg family across many reports (one measure over every breakdown of a wave).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from analytics.interval import Difference
from analytics.means import MeanStats, welch_difference
from analytics.multiplicity import benjamini_hochberg
from analytics.proportions import (
    Ratio,
    Share,
    SignificanceTest,
    Tally,
    newcombe_difference,
    newcombe_test,
    relative_likelihood,
    share_of,
)

REST_OF_ORGANISATION = "rest"
"""The comparator label of a group compared with everyone else."""

MIN_N_TO_TEST = 30
"""Tests of difference need about 30 per group to mean anything (domain brief)."""

GroupStats = TypeVar("GroupStats", Tally, MeanStats)


class GapStatus(StrEnum):
    SIGNIFICANT = "significant"
    NOT_SIGNIFICANT = "not_significant"
    TOO_FEW_TO_TEST = "too_few_to_test"


@dataclass(frozen=True)
class Gap:
    """group minus comparator: estimates, difference with interval, test and FDR verdict.

    difference is None when an interval is undefined (a mean from fewer than 2); test and
    q_value are None when either group is below min_n. relative_likelihood (proportions only)
    is comparator rate / group rate, None when either rate is 0.
    """

    group: str
    comparator: str
    n_group: int
    n_comparator: int
    group_estimate: float
    comparator_estimate: float
    difference: Difference | None
    test: SignificanceTest | None
    relative_likelihood: Ratio | None
    q_value: float | None
    status: GapStatus


@dataclass(frozen=True)
class GapReport:
    """Gaps against the rest of the organisation and against the reference group (if any)."""

    versus_rest: tuple[Gap, ...]
    versus_reference: tuple[Gap, ...]
    reference: str | None
    fdr: float


def proportion_gaps(
    groups: Mapping[str, Tally],
    reference: str | None = None,
    *,
    min_n: int = MIN_N_TO_TEST,
    fdr: float = 0.05,
    confidence: float = 0.95,
) -> GapReport:
    """Gaps in a proportion (e.g. % favourable) for each group; see the module docstring."""

    def compare(group: str, comparator: str, a: Tally, b: Tally) -> Gap:
        test = newcombe_test(a.successes, a.n, b.successes, b.n) if min(a.n, b.n) >= min_n else None
        difference = newcombe_difference(a.successes, a.n, b.successes, b.n, confidence)
        ratio = relative_likelihood(b.successes, b.n, a.successes, a.n, confidence)
        return _untested_gap(group, comparator, a, b, a.rate, b.rate, difference, test, ratio)

    return _report(groups, Tally(0, 0), reference, compare, fdr)


def mean_gaps(
    groups: Mapping[str, MeanStats],
    reference: str | None = None,
    *,
    min_n: int = MIN_N_TO_TEST,
    fdr: float = 0.05,
    confidence: float = 0.95,
) -> GapReport:
    """Gaps in a mean score for each group (Welch); see the module docstring."""

    def compare(group: str, comparator: str, a: MeanStats, b: MeanStats) -> Gap:
        welch = welch_difference(a, b, confidence) if min(a.n, b.n) >= 2 else None
        test = None
        if welch is not None and min(a.n, b.n) >= min_n:
            test = SignificanceTest("welch_t", welch.t, welch.p_value)
        difference = None if welch is None else Difference(welch.estimate, welch.interval)
        return _untested_gap(group, comparator, a, b, a.mean, b.mean, difference, test, None)

    return _report(groups, MeanStats(0, 0.0, 0.0), reference, compare, fdr)


def judge_family(reports: Mapping[Hashable, GapReport], fdr: float = 0.05) -> dict:
    """Re-judge every gap against the rest in `reports` as one Benjamini-Hochberg family
    (e.g. one measure over every level of every breakdown of a wave); reference gaps keep
    their own family (the reference is a reader's choice, and must not move other q-values)."""
    keys = [(name, i) for name, report in reports.items() for i in range(len(report.versus_rest))]
    judged = _judge([reports[name].versus_rest[i] for name, i in keys], fdr)
    out = {name: list(report.versus_rest) for name, report in reports.items()}
    for (name, i), gap in zip(keys, judged, strict=True):
        out[name][i] = gap
    return {name: replace(report, versus_rest=tuple(out[name]), fdr=fdr)
            for name, report in reports.items()}


def not_stated_share(not_stated: int, total: int, confidence: float = 0.95) -> Share:
    """Share of a breakdown's respondents in "not stated / prefer not to say", Wilson interval.

    Always reported: a large not-stated share distorts every gap in the breakdown.
    """
    return share_of(not_stated, total, confidence)


def _untested_gap(
    group: str,
    comparator: str,
    a: Tally | MeanStats,
    b: Tally | MeanStats,
    group_estimate: float,
    comparator_estimate: float,
    difference: Difference | None,
    test: SignificanceTest | None,
    ratio: Ratio | None,
) -> Gap:
    """A gap before the false discovery rate is applied (q-value and status come in _judge)."""
    return Gap(
        group,
        comparator,
        a.n,
        b.n,
        group_estimate,
        comparator_estimate,
        difference,
        test,
        ratio,
        q_value=None,
        status=GapStatus.TOO_FEW_TO_TEST,
    )


def _report(
    groups: Mapping[str, GroupStats],
    empty: GroupStats,
    reference: str | None,
    compare: Callable[[str, str, GroupStats, GroupStats], Gap],
    fdr: float,
) -> GapReport:
    if reference is not None and reference not in groups:
        raise ValueError(f"reference group {reference!r} is not among the groups")
    overall = sum(groups.values(), start=empty)
    versus_rest = [
        compare(group, REST_OF_ORGANISATION, stats, overall - stats)
        for group, stats in groups.items()
        if 0 < stats.n < overall.n
    ]
    versus_reference = [
        compare(group, reference, stats, groups[reference])
        for group, stats in groups.items()
        if reference is not None and group != reference and stats.n > 0 and groups[reference].n > 0
    ]
    return GapReport(_judge(versus_rest, fdr), _judge(versus_reference, fdr), reference, fdr)


def _judge(gaps: list[Gap], fdr: float) -> tuple[Gap, ...]:
    """Attach Benjamini-Hochberg q-values across the gaps and decide each status."""
    q_values = benjamini_hochberg([None if g.test is None else g.test.p_value for g in gaps])
    judged = []
    for gap, q in zip(gaps, q_values, strict=True):
        if q is None:
            status = GapStatus.TOO_FEW_TO_TEST
        elif q < fdr and gap.difference is not None and gap.difference.interval.excludes_zero:
            status = GapStatus.SIGNIFICANT
        else:
            status = GapStatus.NOT_SIGNIFICANT
        judged.append(replace(gap, q_value=q, status=status))
    return tuple(judged)
