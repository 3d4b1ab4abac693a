"""Gap analysis: each county against its target, 时序进度, the city and its peers.

:mod:`.cube` lays out the few months a table needs as a dense array, :mod:`.aggregate` forms
city figures from counties, :mod:`.status` judges each row red/amber/green, and
:mod:`.table` builds the gap table and the 短板 list from them.
"""

from analysis.gaps.aggregate import aggregate_counties, city_values
from analysis.gaps.status import STATUS_COLOURS, STATUSES, StatusThresholds, assess_status, comparison_status
from analysis.gaps.table import COLUMNS, gap_table, lagging_by_region, lagging_list, previous_period

__all__ = [
    "COLUMNS",
    "STATUSES",
    "STATUS_COLOURS",
    "StatusThresholds",
    "aggregate_counties",
    "assess_status",
    "city_values",
    "comparison_status",
    "gap_table",
    "lagging_by_region",
    "lagging_list",
    "previous_period",
]
