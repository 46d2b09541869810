"""Reading the tally and turning its rows into sufficient statistics for analytics."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from analytics.means import MeanStats
from analytics.proportions import Tally
from survey.extensions import db
from survey.instruments import NOT_STATED, Definition
from survey.models import Tally as TallyRow
from survey.models import Wave
from survey.services.tally import RESPONDENTS, SCORE

Stats = dict[str, dict[str, list[float]]]  # measure -> category -> [n, total, total_sq]


def read_tally(
    wave: Wave, dimensions: list[str] | None = None, measures: list[str] | None = None
) -> dict[str, dict[str, Stats]]:
    """The wave's tally in one query: dimension -> group -> (measure, category) -> stats."""
    table = TallyRow.__table__.c
    query = select(table.dimension, table.grp, table.measure, table.category, table.n,
                   table.total, table.total_sq).where(table.wave_id == wave.id)
    if dimensions is not None:
        query = query.where(table.dimension.in_(dimensions))
    if measures is not None:
        query = query.where(table.measure.in_(measures))
    # A fixed order makes every roll-up add in the same order, so each output agrees to the
    # last digit whichever query fed it.
    query = query.order_by(table.dimension, table.grp, table.measure, table.category)
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for dim, grp, measure, category, n, total, total_sq in db.session.execute(query):
        out[dim][grp][measure][category] = [n, total, total_sq]
    return out


def roll_up_by(mapping: dict[str, str], finest: dict[str, Stats]) -> dict[str, Stats]:
    """Finest groups' statistics added up into the groups of a (recoded) level."""
    parts: dict[str, list[Stats]] = defaultdict(list)
    for group, stats in finest.items():
        parts[mapping.get(group, NOT_STATED)].append(stats)
    return {group: merge_stats(stats) for group, stats in parts.items()}


def merge_stats(parts: list[Stats]) -> Stats:
    """The statistics of the union of disjoint groups, added in the order given."""
    merged: Stats = {}
    for stats in parts:
        for measure, categories in stats.items():
            for category, (n, total, total_sq) in categories.items():
                cell = merged.setdefault(measure, {}).setdefault(category, [0, 0.0, 0.0])
                cell[0] += n
                cell[1] += total
                cell[2] += total_sq
    return merged


def respondents_for(stats: Stats, code: str) -> int:
    """Respondents a figure for `code` describes: those scored, or giving a counted answer."""
    categories = stats.get(code, {})
    if code == RESPONDENTS or SCORE in categories:
        return int(categories.get(SCORE, [0])[0])
    return sum(int(n) for c, (n, _, _) in categories.items() if is_counted(c))


def category_count(stats: Stats, code: str, category: str) -> int:
    return int(stats.get(code, {}).get(category, [0])[0])


def score_stats(stats: Stats, code: str) -> MeanStats:
    n, total, total_sq = stats.get(code, {}).get(SCORE, [0, 0.0, 0.0])
    return MeanStats(int(n), float(total), float(total_sq))


def favourable_values(definition: Definition, code: str) -> set[str]:
    return {str(v) for v in definition.scale(definition.items[code])["favourable"]}


def favourable_tally(stats: Stats, code: str, wanted: set[str]) -> Tally:
    counted = {c: n for c, (n, _, _) in stats.get(code, {}).items() if is_counted(c)}
    favourable = sum(n for c, n in counted.items() if c in wanted)
    return Tally(int(favourable), int(sum(counted.values())))


def is_counted(category: str) -> bool:
    return category.lstrip("-").isdigit()


def answer_value(category: str) -> int | str:
    return int(category) if is_counted(category) else category


