"""Promotion pipeline: selection rates, relative likelihood and adverse impact by group and
stage, beside the perception measures, under the wave-family rule
(analytics.disclosure.stages): at each stage, groups below k are first merged into their
parent's merged group, then what is still below k is hidden; a sibling is hidden beside it
only where another table of the same stage (another breakdown of the round) shows every
group and so publishes the stage's total."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from analytics.disclosure import DEFAULT_K, ProtectedStage, protect_stage
from analytics.pipeline import StageReport, selection_pipeline
from analytics.proportions import Tally
from survey.extensions import db
from survey.instruments import APART, Definition
from survey.models import PromotionCount
from survey.reporting.memo import memoised

Stages = dict[str, dict[str, Tally]]  # stage -> group -> progressed of entered


@dataclass(frozen=True)
class PipelineView:
    round: str
    breakdown: str
    k: int
    stages: tuple[StageReport, ...]
    hidden: dict[str, tuple[str, ...]]  # stage -> groups not published
    merged: dict[str, dict[str, tuple[str, ...]]]  # stage -> merged group -> its groups


def pipeline_report(
    round_code: str,
    breakdown: str,
    k: int = DEFAULT_K,
    reference: str | None = None,
    definition: Definition | None = None,
) -> PipelineView:
    """One breakdown of a round, protected with every other breakdown of the round."""
    tables = round_counts(round_code)
    stages = tables.get(breakdown, {})
    summed = set().union(*(stages for other, stages in
                           _stages_shown_whole(round_code, definition, k).items()
                           if other != breakdown))
    protected = {
        stage: protect_stage({g: t.n for g, t in groups.items()},
                             parent_groups(definition, breakdown), k, stage in summed, APART)
        for stage, groups in stages.items()
    }
    published = {stage: _published(stages[stage], p) for stage, p in protected.items()}
    usable = {stage: groups for stage, groups in published.items() if groups}
    ref = reference if reference and all(reference in g for g in usable.values()) else None
    return PipelineView(
        round_code, breakdown, k, tuple(selection_pipeline(usable, ref)) if usable else (),
        {stage: tuple(sorted(p.protected.hidden)) for stage, p in protected.items()},
        {stage: p.merged for stage, p in protected.items()},
    )


@memoised
def round_counts(round_code: str) -> dict[str, Stages]:
    """Every breakdown of the round: stage (in stage order) -> group -> Tally."""
    rows = db.session.scalars(
        select(PromotionCount)
        .filter_by(round_code=round_code)
        .order_by(PromotionCount.stage_order, PromotionCount.group_code)
    ).all()
    tables: dict[str, Stages] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        tables[row.breakdown][row.stage][row.group_code] = Tally(row.progressed, row.entered)
    return tables


def parent_groups(definition: Definition | None, level: str) -> dict[str, str] | None:
    """Each group of the level -> its group at the nearest coarser level of its breakdown
    that it nests in (None: no instrument, or no such level)."""
    if definition is None or level not in definition.levels:
        return None
    breakdown, members = definition.levels[level]
    best: dict[str, str] | None = None
    for code, (other, mapping) in definition.levels.items():
        if other != breakdown or code == level or mapping is None:
            continue
        parents = _parents_in(members or {m: m for m in mapping}, mapping)
        coarser = parents is not None and len(set(parents.values())) < len(parents)
        if coarser and (best is None or len(set(parents.values())) > len(set(best.values()))):
            best = parents
    return best


def _parents_in(own: dict[str, str], coarser: dict[str, str]) -> dict[str, str] | None:
    """Level group -> coarser group (both maps from the finest groups), None unless nested."""
    parents: dict[str, str] = {}
    for finest, group in coarser.items():
        if finest in own and parents.setdefault(own[finest], group) != group:
            return None
    return parents


@memoised
def _stages_shown_whole(round_code: str, definition: Definition | None,
                        k: int) -> dict[str, set[str]]:
    """Each breakdown of the round -> the stages where it shows every group (so the total)."""
    whole: dict[str, set[str]] = {}
    for breakdown, stages in round_counts(round_code).items():
        whole[breakdown] = {
            stage for stage, groups in stages.items()
            if not protect_stage({g: t.n for g, t in groups.items()},
                                 parent_groups(definition, breakdown), k, False, APART
                                 ).protected.hidden
        }
    return whole


def _published(groups: dict[str, Tally], protected: ProtectedStage) -> dict[str, Tally]:
    """The visible groups' tallies, a merged group's the sum of its members'."""
    out = {}
    for code, members in protected.groups.items():
        if protected.protected.is_visible(code):
            tally = sum((groups[m] for m in sorted(members)), start=Tally(0, 0))
            if tally.n:
                out[code] = tally
    return out
