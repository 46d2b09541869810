"""Free-text comments: published only for populations of at least the comments threshold.

Units are protected like any breakdown (at the comments threshold): a unit with too few
comments is hidden together with the next-smallest, so the force-wide list minus the
visible units never isolates fewer than the threshold.

Counts come from one GROUP BY; texts are read a page at a time (`comment_page`), sorted
and optionally filtered by a search, and only for a population that is shown. The whole
list (`comments_report`) is for exports, which run as background jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from analytics.disclosure import protect_breakdown
from survey.extensions import db
from survey.instruments import NOT_STATED, NOT_STATED_LABEL
from survey.models import Comment, Wave
from survey.services.instruments import top_level_names

PAGE_SIZE = 50


@dataclass(frozen=True)
class CommentSet:
    unit: str | None  # None: the whole force
    label: str
    n: int | None  # None: hidden
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentPage:
    """One page of one shown population's comments, in alphabetical order."""

    texts: tuple[str, ...]
    matches: int  # comments that match the search (all of them without one)
    page: int  # 1-based
    pages: int


def comment_counts(wave: Wave, question: str) -> list[CommentSet]:
    """The force-wide count for one question, then each top-level unit's (None: hidden)."""
    counted = db.session.execute(
        select(Comment.unit_top, func.count())
        .filter_by(wave_id=wave.id, question=question)
        .group_by(Comment.unit_top)
    )
    by_unit: dict[str, int] = {}
    for unit_top, n in counted:
        by_unit[unit_top or NOT_STATED] = by_unit.get(unit_top or NOT_STATED, 0) + n
    names = {**top_level_names(), NOT_STATED: NOT_STATED_LABEL}
    total = sum(by_unit.values())
    k = wave.comment_threshold
    if total < k:
        return [CommentSet(None, "Whole force", None)]
    protected = protect_breakdown({u: by_unit.get(u, 0) for u in names}, k, total=total)
    units = [
        CommentSet(u, label, by_unit.get(u, 0) if protected.is_visible(u) else None)
        for u, label in names.items()
    ]
    return [CommentSet(None, "Whole force", total), *units]


def comment_page(
    wave: Wave, question: str, shown: CommentSet, search: str = "", page: int = 1
) -> CommentPage:
    """A page of a shown population's comments containing `search` (any case)."""
    if shown.n is None:
        raise ValueError("a hidden population's comments are never read")
    query = _texts(wave, question, shown.unit)
    if search:
        query = query.where(func.lower(Comment.text).contains(search.lower(), autoescape=True))
        matches = db.session.scalar(select(func.count()).select_from(query.subquery()))
    else:
        matches = shown.n
    pages = max(1, -(-matches // PAGE_SIZE))
    page = min(max(page, 1), pages)
    texts = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return CommentPage(tuple(texts), matches, page, pages)


def comments_report(wave: Wave, question: str) -> list[CommentSet]:
    """Every shown population with all its comments (for exports)."""
    return [
        CommentSet(s.unit, s.label, s.n, tuple(db.session.scalars(_texts(wave, question, s.unit))))
        if s.n
        else s
        for s in comment_counts(wave, question)
    ]


def _texts(wave: Wave, question: str, unit: str | None):
    query = select(Comment.text).filter_by(wave_id=wave.id, question=question)
    if unit == NOT_STATED:
        query = query.where(Comment.unit_top.is_(None))
    elif unit is not None:
        query = query.where(Comment.unit_top == unit)
    return query.order_by(Comment.text)
