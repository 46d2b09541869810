"""Summaries of one item (favourable / neutral / unfavourable shares) and of one score.

Scores are computed per respondent by the web side (measure rules sum, mean, favourable_share);
here they arrive as sufficient statistics plus counts at the cut point and in each band.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from analytics.interval import Interval
from analytics.means import MeanStats
from analytics.proportions import Share, share_of

AnswerValue = int | str


@dataclass(frozen=True)
class ItemSummary:
    """Shares of the n counted answers; not_counted ("don't know") answers are excluded from n."""

    n: int
    not_counted: int
    favourable: Share
    neutral: Share
    unfavourable: Share


@dataclass(frozen=True)
class CutPoint:
    """A threshold on a score: at_most (e.g. WHO-5 poor wellbeing, 50 or below) or at_least."""

    at_most: float | None = None
    at_least: float | None = None

    def __post_init__(self) -> None:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("a cut point has exactly one of at_most and at_least")

    def contains(self, score: float) -> bool:
        if self.at_most is not None:
            return score <= self.at_most
        assert self.at_least is not None
        return score >= self.at_least


@dataclass(frozen=True)
class Band:
    """An ordered band of a score, e.g. ONS4 low = 0..4."""

    code: str
    low: float
    high: float


@dataclass(frozen=True)
class ScoreSummary:
    """Mean score with its t interval, the share beyond the cut point and the band shares."""

    n: int
    mean: float
    sd: float
    interval: Interval
    beyond_cut: Share | None
    bands: dict[str, Share]


def summarise_item(
    counts: Mapping[AnswerValue, int],
    favourable: Collection[AnswerValue],
    neutral: Collection[AnswerValue],
    unfavourable: Collection[AnswerValue],
    confidence: float = 0.95,
) -> ItemSummary:
    """Favourable, neutral and unfavourable shares of the counted answers, with Wilson intervals.

    n = answers in the three categories; any other value (the scale's not-counted option) is
    reported as not_counted and excluded. Share = category count / n, as in the domain brief.
    """
    categories = [set(favourable), set(neutral), set(unfavourable)]
    if sum(len(c) for c in categories) != len(set().union(*categories)):
        raise ValueError("favourable, neutral and unfavourable values must not overlap")
    in_category = [sum(counts.get(value, 0) for value in c) for c in categories]
    n = sum(in_category)
    if n == 0:
        raise ValueError("no counted answers to summarise")
    shares = [share_of(count, n, confidence) for count in in_category]
    return ItemSummary(n, sum(counts.values()) - n, *shares)


def summarise_score(
    stats: MeanStats,
    beyond_cut: int | None = None,
    band_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
) -> ScoreSummary:
    """Mean, sd and t interval of a score; beyond_cut respondents and band counts as shares.

    beyond_cut counts respondents on the cut point's side (e.g. WHO-5 score <= 50); each share
    is count / n with a Wilson interval. Needs n >= 2 for the interval.
    """
    cut_share = None if beyond_cut is None else share_of(beyond_cut, stats.n, confidence)
    bands = {
        code: share_of(count, stats.n, confidence) for code, count in (band_counts or {}).items()
    }
    return ScoreSummary(
        stats.n, stats.mean, stats.sd, stats.mean_interval(confidence), cut_share, bands
    )


def band_of(score: float, bands: Sequence[Band]) -> str | None:
    """The code of the band holding score, or None outside every band.

    Bands are ordered and may leave gaps between integer ranges (0-4, 5-6, ...); a fractional
    score in a gap (4.5) belongs to the lower band: band i covers [low_i, low_(i+1)), the last
    band [low, high].
    """
    if not bands or not bands[0].low <= score <= bands[-1].high:
        return None
    for band, following in itertools.pairwise(bands):
        if score < following.low:
            return band.code
    return bands[-1].code
