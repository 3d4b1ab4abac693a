"""Red / amber / green status of a gap-table row, with configurable thresholds.

Each row is judged by its **shortfall** in percentage points (positive = behind), the
worst of the comparisons that apply to it:

- ``target``: rate rows (growth, or a ratio/stock level) ``-(actual - target) * s``;
- ``schedule``: cumulative rows (a flow/count YTD level with a target)
  ``-(completion_rate - schedule_progress) * 100 * s``;
- ``q1_schedule``: instead of ``schedule``, for cumulative rows that carry
  ``q1_gap_to_schedule_pp`` (January-March with a Q1 target, see :mod:`analysis.gaps.table`):
  ``-q1_gap_to_schedule_pp * s``, i.e. completion of the Q1 target against the elapsed
  share of the quarter;
- ``city``: rate rows ``-(actual - city_value) * s`` (when ``compare_city``).

``s`` is +1 when higher is better and -1 when lower is better (catalogue ``direction``).
For figures not in percent (e.g. a plot ratio) the difference is taken relative to the
reference, in percent: ``100 * (actual - ref) / |ref|``, so the same thresholds apply.

Status: ``red`` when shortfall > ``red_pp``; ``amber`` when ``amber_pp`` < shortfall <=
``red_pp``; ``green`` otherwise; ``unknown`` when no comparison is possible (missing
actual, or neither target, schedule nor city figure) - never green by default.
``lagging`` (短板) is true for the statuses in ``lagging_statuses`` (red by default).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.settings import STATUSES, StatusThresholds

__all__ = ["STATUSES", "STATUS_COLOURS", "StatusThresholds", "assess_status", "comparison_status"]

# Status colours shared by charts, the briefing headline box and the index page (here, not in
# charts, so the batch client and workers need not import matplotlib for them).
STATUS_COLOURS = {
    "green": "#2e7d32",
    "amber": "#e69b00",
    "red": "#c62828",
    "unknown": "#9e9e9e",
}


def _difference_pp(actual: pd.Series, ref: pd.Series, percent: pd.Series) -> pd.Series:
    """``actual - ref`` in pp for percent rows, else relative difference in percent."""
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = 100 * (actual - ref) / ref.abs().where(ref != 0)
    return (actual - ref).where(percent, relative)


def assess_status(table: pd.DataFrame, thresholds: StatusThresholds | None = None) -> pd.DataFrame:
    """Shortfall, its basis, status and lagging flag for every row of a gap table.

    ``table`` needs ``actual, target, city_value, completion_rate, schedule_progress, unit,
    row_kind`` (``"rate"`` or ``"cumulative"``) and ``direction``, optionally
    ``q1_gap_to_schedule_pp``. Returns a frame on the
    same index with ``shortfall_pp, status_basis, status, lagging``.
    """
    t = thresholds or StatusThresholds()
    sign = np.where(table["direction"] == "lower", -1.0, 1.0)
    percent = table["unit"] == "%"
    rate = table["row_kind"] == "rate"
    actual = table["actual"].astype(float)
    by_target = -sign * _difference_pp(actual, table["target"].astype(float), percent)
    by_target = by_target.where(rate)
    by_schedule = -sign * (table["completion_rate"] - table["schedule_progress"]) * 100
    by_schedule = by_schedule.where(~rate)
    q1_gap = table["q1_gap_to_schedule_pp"] if "q1_gap_to_schedule_pp" in table else pd.Series(np.nan, table.index)
    by_q1 = (-sign * q1_gap.astype(float)).where(~rate)
    by_schedule = by_schedule.where(by_q1.isna())  # the Q1 target, when there is one, decides
    by_city = -sign * _difference_pp(actual, table["city_value"].astype(float), percent)
    by_city = by_city.where(rate & t.compare_city)
    if "gap_to_city" in table:  # no comparison where the city figure is a total (a county's share)
        by_city = by_city.where(table["gap_to_city"].notna())

    candidates = np.column_stack([by_target, by_schedule, by_city, by_q1]).astype(float)
    known = ~np.isnan(candidates).all(axis=1)
    filled = np.where(np.isnan(candidates), -np.inf, candidates)
    shortfall = pd.Series(np.where(known, filled.max(axis=1), np.nan), index=table.index)
    names = np.array(["target", "schedule", "city", "q1_schedule"], dtype=object)
    basis = pd.Series(names[filled.argmax(axis=1)], index=table.index)
    basis = basis.where(known)

    status = _classify(shortfall, t)
    out = pd.DataFrame(index=table.index)
    out["shortfall_pp"] = shortfall
    out["status_basis"] = basis
    out["status"] = status
    out["lagging"] = out["status"].isin(t.lagging_statuses)
    return out


def _classify(shortfall: pd.Series, t: StatusThresholds) -> np.ndarray:
    return np.select(
        [shortfall.isna().to_numpy(), (shortfall > t.red_pp).to_numpy(), (shortfall > t.amber_pp).to_numpy()],
        ["unknown", "red", "amber"],
        default="green",
    )


def comparison_status(gap_pp: pd.Series, direction: pd.Series,
                      thresholds: StatusThresholds | None = None) -> pd.Series:
    """Status of one comparison only (e.g. ``gap_to_schedule_pp`` or ``gap_to_city_pp``).

    A row's ``status`` is its worst comparison, so a county that met its Q1 target is green
    even when it is behind the annual 时序进度; a chart of one gap is coloured by this instead,
    with the same thresholds (``direction`` "lower" flips the sign; NaN gives ``unknown``).
    """
    t = thresholds or StatusThresholds()
    sign = np.where(direction.to_numpy() == "lower", -1.0, 1.0)
    shortfall = -sign * gap_pp.astype(float)
    return pd.Series(_classify(shortfall, t), index=gap_pp.index)
