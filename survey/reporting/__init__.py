"""Database -> sufficient statistics -> analytics -> view data. The only caller of analytics.

Every figure any output shows comes from here, after disclosure control:
- breakdowns.py: every measure by every level of every breakdown, intersections, filters;
- trends.py: a measure across waves, overall or for one group, with changes and their CIs;
- comments.py: free text, only where at least the comments threshold wrote;
- pipeline.py: promotion outcomes by group and stage;
- representativeness.py: response rates, shares of the workforce, weighted estimates;
- stats.py: reading the tally into sufficient statistics.
"""

from survey.reporting.breakdowns import (
    BreakdownView,
    GroupFigure,
    IntersectionView,
    MeasureBreakdown,
    WaveReport,
    breakdown_view,
    check_filtered_view,
    full_report,
    intersection_view,
    level_categories,
    levels_of,
    measure_title,
    overall_figure,
    reportable_measures,
)
from survey.reporting.comments import (
    PAGE_SIZE,
    CommentPage,
    CommentSet,
    comment_counts,
    comment_page,
    comments_report,
)
from survey.reporting.pipeline import PipelineView, pipeline_report
from survey.reporting.representativeness import (
    RepresentationRow,
    WeightingRefused,
    representation,
    weighted_figure,
)
from survey.reporting.trends import Trend, TrendPoint, trend, waves_of_instrument

__all__ = [
    "PAGE_SIZE",
    "BreakdownView",
    "CommentPage",
    "CommentSet",
    "GroupFigure",
    "IntersectionView",
    "MeasureBreakdown",
    "PipelineView",
    "RepresentationRow",
    "Trend",
    "TrendPoint",
    "WaveReport",
    "WeightingRefused",
    "breakdown_view",
    "check_filtered_view",
    "comment_counts",
    "comment_page",
    "comments_report",
    "full_report",
    "intersection_view",
    "level_categories",
    "levels_of",
    "measure_title",
    "overall_figure",
    "pipeline_report",
    "reportable_measures",
    "representation",
    "trend",
    "waves_of_instrument",
    "weighted_figure",
]
