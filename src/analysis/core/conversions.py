"""Year-to-date <-> monthly, quarterly and annual figures, and growth from levels.

Conventions of the bureau's tables (docs/data-formats.md): figures are year-to-date (YTD). January is usually not
released on its own; February's YTD figure covers 1-2月. Monthly values are differences
of YTD values within a year, and **February's monthly value is the combined Jan-Feb
value when January is missing** (January stays NaN: one combined period). Nothing is
zero-filled: a month whose previous YTD value is missing (other than that January) is NaN.

Every function works on a tidy frame for all regions and indicators at once; the
``*_series`` variants wrap them for one series on a monthly ``PeriodIndex``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.measures import INDEX_MEASURES

SERIES_KEY = ["region_code", "indicator"]


def _with_previous(frame: pd.DataFrame, keys: list[str], lag: int) -> pd.Series:
    """Value of the same series ``lag`` months earlier (NaN where that month is absent)."""
    shifted = frame[[*keys, "period", "value"]].copy()
    shifted["period"] = shifted["period"] + lag
    merged = frame[[*keys, "period"]].merge(
        shifted, on=[*keys, "period"], how="left", validate="many_to_one"
    )
    return pd.Series(merged["value"].to_numpy(), index=frame.index)


def ytd_to_monthly(ytd: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """Monthly values from YTD values: ``m_t = ytd_t - ytd_{t-1}`` within a year.

    ``ytd`` has columns ``keys + [period, value]``. January's monthly value is its YTD
    value; February's is ``ytd_Feb - ytd_Jan`` when January is known, else the combined
    Jan-Feb value ``ytd_Feb`` (January stays NaN). Returns the same columns plus
    ``combined_jan_feb`` (True where the February value covers two months).
    """
    keys = SERIES_KEY if keys is None else keys
    frame = ytd.reset_index(drop=True)
    previous = _with_previous(frame, keys, 1)
    month = frame["period"].dt.month.to_numpy()
    combined = (month == 2) & previous.isna().to_numpy()
    value = np.where(
        month == 1,
        frame["value"],
        np.where(combined, frame["value"], frame["value"] - previous),
    )
    out = frame[[*keys, "period"]].copy()
    out["value"] = value.astype(float)
    out["combined_jan_feb"] = combined & frame["value"].notna().to_numpy()
    return out


def monthly_to_ytd(monthly: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """YTD values from monthly values: cumulative sum within each year.

    A missing January is allowed (February then carries Jan-Feb); any other missing
    month makes that month and the rest of the year NaN, never a partial sum.
    """
    keys = SERIES_KEY if keys is None else keys
    frame = monthly.sort_values([*keys, "period"]).reset_index(drop=True)
    year = frame["period"].dt.year
    month = frame["period"].dt.month
    previous_row = _with_previous(frame.assign(value=1.0), keys, 1).notna()
    # A month breaks the sum when it is missing, or when the month before it has no row at all
    # (February may stand alone: it then carries Jan-Feb).
    gap = (frame["value"].isna() & (month != 1)) | (~previous_row & (month > 2))
    groups = [frame[k] for k in keys] + [year]
    broken = gap.groupby(groups).cummax()
    ytd = frame["value"].fillna(0).groupby(groups).cumsum().where(~broken)
    ytd = ytd.where(~(frame["value"].isna() & (month == 1)))
    out = frame[[*keys, "period"]].copy()
    out["value"] = ytd.astype(float)
    return out


def ytd_to_period_totals(ytd: pd.DataFrame, freq: str = "Q", keys: list[str] | None = None) -> pd.DataFrame:
    """Quarterly (``freq="Q"``) or annual (``"Y"``) totals from YTD values.

    Q1 = YTD at March, Q2 = YTD(Jun) - YTD(Mar), ...; the year = YTD at December.
    A total is NaN when the YTD value at either end is missing.
    """
    keys = SERIES_KEY if keys is None else keys
    ends = (3, 6, 9, 12) if freq == "Q" else (12,)
    frame = ytd[ytd["period"].dt.month.isin(ends)].reset_index(drop=True)
    if freq == "Q":
        previous = _with_previous(frame, keys, 3)
        first = frame["period"].dt.month == 3
        value = frame["value"].where(first, frame["value"] - previous)
        period = frame["period"].dt.asfreq("Q")
    elif freq == "Y":
        value = frame["value"]
        period = frame["period"].dt.asfreq("Y")
    else:
        raise ValueError(f"freq must be 'Q' or 'Y', got {freq!r}")
    out = frame[keys].copy()
    out["period"] = period
    out["value"] = value.astype(float)
    return out


def growth_from_levels(frame: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """Growth over the same period last year, in percent: ``(x_t / x_{t-12} - 1) * 100``.

    Works for YTD values (YTD growth) and monthly values (monthly growth) alike. NaN where
    last year's value is missing or zero.
    """
    keys = SERIES_KEY if keys is None else keys
    base = frame.reset_index(drop=True)
    last_year = _with_previous(base, keys, 12)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (base["value"] / last_year.where(last_year != 0) - 1) * 100
    out = base[[*keys, "period"]].copy()
    out["value"] = growth.astype(float)
    return out


def compare_growth(
    obs: pd.DataFrame, tolerance_pp: float = 1.0, keys: list[str] | None = None,
    level: str = "ytd_value", growth: str = "ytd_growth",
) -> pd.DataFrame:
    """Published growth next to growth recomputed from levels (comparable-basis rule):
    ``ytd_growth`` against ``ytd_value`` by default, or ``month_growth`` against ``month_value``.

    The published figure is kept as the figure of record; the recomputed one is for
    checking only. Returns ``keys, period, published, recomputed, diff_pp, flagged`` where
    ``flagged`` marks ``|published - recomputed| > tolerance_pp``.
    """
    keys = SERIES_KEY if keys is None else keys
    levels = obs.loc[obs["measure"] == level, [*keys, "period", "value"]]
    published = obs.loc[obs["measure"] == growth, [*keys, "period", "value"]]
    recomputed = growth_from_levels(levels, keys).rename(columns={"value": "recomputed"})
    table = published.rename(columns={"value": "published"}).merge(
        recomputed, on=[*keys, "period"], how="inner"
    )
    table = table.dropna(subset=["published", "recomputed"]).reset_index(drop=True)
    table["diff_pp"] = table["published"] - table["recomputed"]
    table["flagged"] = table["diff_pp"].abs() > tolerance_pp
    return table


def index_to_growth(obs: pd.DataFrame) -> pd.DataFrame:
    """Growth rates (%) from index rows: ``growth = index - 100`` (上年同月=100 gives the month's
    growth, 上年同期=100 the year to date's, 上月=100 the month on month). Returns the index rows
    as growth rows (``measure`` renamed, ``unit`` %), for the caller to add to or compare with
    published growth."""
    rows = obs[obs["measure"].isin(INDEX_MEASURES)].copy()
    rows["value"] = rows["value"] - 100.0
    rows["measure"] = rows["measure"].map(INDEX_MEASURES)
    rows["unit"] = "%"
    return rows.reset_index(drop=True)


def _series_frame(series: pd.Series) -> pd.DataFrame:
    if not isinstance(series.index, pd.PeriodIndex):
        raise TypeError("expected a Series on a monthly PeriodIndex")
    frame = pd.DataFrame({"period": series.index, "value": series.to_numpy(dtype=float)})
    frame["indicator"] = "x"
    frame["region_code"] = "x"
    return frame


def _to_series(frame: pd.DataFrame, name: object) -> pd.Series:
    return pd.Series(frame["value"].to_numpy(), index=pd.PeriodIndex(frame["period"]), name=name)


def ytd_to_monthly_series(ytd: pd.Series) -> pd.Series:
    """:func:`ytd_to_monthly` for one series on a monthly ``PeriodIndex``."""
    return _to_series(ytd_to_monthly(_series_frame(ytd)), ytd.name)


def monthly_to_ytd_series(monthly: pd.Series) -> pd.Series:
    """:func:`monthly_to_ytd` for one series on a monthly ``PeriodIndex``."""
    return _to_series(monthly_to_ytd(_series_frame(monthly)), monthly.name)


def growth_from_levels_series(values: pd.Series) -> pd.Series:
    """:func:`growth_from_levels` for one series on a monthly ``PeriodIndex``."""
    return _to_series(growth_from_levels(_series_frame(values)), values.name)


def ytd_to_period_totals_series(ytd: pd.Series, freq: str = "Q") -> pd.Series:
    """:func:`ytd_to_period_totals` for one series on a monthly ``PeriodIndex``."""
    return _to_series(ytd_to_period_totals(_series_frame(ytd), freq), ytd.name)
