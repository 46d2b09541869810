"""Promotion pipeline: selection rates, relative likelihood and adverse impact by group and
stage, beside the perception measures, under the same disclosure control as the survey:
a group's figures at a stage are published only if at least k people entered it, with
next-smallest suppression within the stage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from analytics.disclosure import DEFAULT_K, protect_breakdown
from analytics.pipeline import StageReport, selection_pipeline
from analytics.proportions import Tally
from survey.extensions import db
from survey.models import PromotionCount


@dataclass(frozen=True)
class PipelineView:
    round: str
    breakdown: str
    k: int
    stages: tuple[StageReport, ...]
    hidden: dict[str, tuple[str, ...]]  # stage -> groups not published


def pipeline_report(
    round_code: str, breakdown: str, k: int = DEFAULT_K, reference: str | None = None
) -> PipelineView:
    rows = db.session.scalars(
        select(PromotionCount)
        .filter_by(round_code=round_code, breakdown=breakdown)
        .order_by(PromotionCount.stage_order, PromotionCount.group_code)
    ).all()
    stages: dict[str, dict[str, Tally]] = defaultdict(dict)
    for row in rows:
        stages[row.stage][row.group_code] = Tally(row.progressed, row.entered)
    published: dict[str, dict[str, Tally]] = {}
    hidden: dict[str, tuple[str, ...]] = {}
    for stage, groups in stages.items():
        protected = protect_breakdown({g: t.n for g, t in groups.items()}, k)
        published[stage] = {g: t for g, t in groups.items() if protected.is_visible(g) and t.n}
        hidden[stage] = tuple(sorted(protected.hidden))
    usable = {stage: groups for stage, groups in published.items() if groups}
    ref = reference if reference and all(reference in g for g in usable.values()) else None
    return PipelineView(
        round_code, breakdown, k, tuple(selection_pipeline(usable, ref)) if usable else (), hidden
    )
