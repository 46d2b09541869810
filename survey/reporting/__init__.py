"""Database -> sufficient statistics -> analytics -> view data. The only caller of analytics.

Every figure any output shows comes from here, after disclosure control:
- breakdowns.py: every measure by every level of every breakdown, intersections, filters;
- trends.py: a measure across waves, overall or for one group, with changes and their CIs;
- comments.py: free text, only where at least the comments threshold wrote;
- stats.py: reading the tally into sufficient statistics.
"""

from survey.reporting.breakdowns import (
    BreakdownView,
    GroupFigure,
    MeasureBreakdown,
    WaveReport,
    breakdown_view,
    check_filtered_view,
    full_report,
    level_categories,
    levels_of,
    reportable_measures,
)

__all__ = [
    "BreakdownView",
    "GroupFigure",
    "MeasureBreakdown",
    "WaveReport",
    "breakdown_view",
    "check_filtered_view",
    "full_report",
    "level_categories",
    "levels_of",
    "reportable_measures",
]
