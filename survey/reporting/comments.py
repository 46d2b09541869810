"""Free-text comments: published only for populations of at least the comments threshold.

Units are protected like any breakdown (at the comments threshold): a unit with too few
comments is hidden together with the next-smallest, so the force-wide list minus the
visible units never isolates fewer than the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from analytics.disclosure import protect_breakdown
from survey.extensions import db
from survey.instruments import NOT_STATED, NOT_STATED_LABEL
from survey.models import Comment, Wave
from survey.services.instruments import top_level_names


@dataclass(frozen=True)
class CommentSet:
    unit: str | None  # None: the whole force
    label: str
    n: int | None  # None: hidden
    texts: tuple[str, ...]


def comments_report(wave: Wave, question: str) -> list[CommentSet]:
    """The force-wide comments for one question, then each top-level unit's."""
    by_unit: dict[str, list[str]] = defaultdict(list)
    for unit_top, text in db.session.execute(
        select(Comment.unit_top, Comment.text).filter_by(wave_id=wave.id, question=question)
    ):
        by_unit[unit_top or NOT_STATED].append(text)
    names = {**top_level_names(), NOT_STATED: NOT_STATED_LABEL}
    total = sum(len(texts) for texts in by_unit.values())
    k = wave.comment_threshold
    if total < k:
        return [CommentSet(None, "Whole force", None, ())]
    protected = protect_breakdown({u: len(by_unit.get(u, [])) for u in names}, k, total=total)
    units = [
        CommentSet(u, label, len(by_unit[u]), tuple(sorted(by_unit[u])))
        if protected.is_visible(u) else CommentSet(u, label, None, ())
        for u, label in names.items()
    ]
    return [CommentSet(None, "Whole force", total, tuple(sorted(
        t for texts in by_unit.values() for t in texts))), *units]
