"""What a monthly flow series says about past years: YTD values, annual totals, YTD shares.

All helpers take ``monthly``: monthly flow values on a monthly ``PeriodIndex`` where
February may carry the combined Jan-Feb value with January NaN (as
:func:`analysis.core.conversions.ytd_to_monthly_series` produces). YTD values come from
:func:`analysis.core.conversions.monthly_to_ytd_series`, so a gap in a year never yields a
partial sum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.conversions import monthly_to_ytd_series

SLOTS = 11  # the model year: Jan-Feb, Mar, Apr, ..., Dec


def regular(monthly: pd.Series) -> pd.Series:
    """The series as float on a complete monthly range from January of its first year.

    Months absent from the index become NaN, so later differencing and cumulation never
    skip a month silently. Raises ``TypeError`` when the index is not a monthly PeriodIndex.
    """
    index = monthly.index
    if not isinstance(index, pd.PeriodIndex) or index.freqstr not in ("M", "ME"):
        raise TypeError("monthly must be a Series on a monthly PeriodIndex (freq 'M')")
    values = monthly.astype(float).sort_index()
    values = values[~values.index.duplicated(keep="last")]
    if values.empty:
        return values
    start = pd.Period(year=values.index[0].year, month=1, freq="M")
    full = pd.period_range(start, values.index[-1], freq="M")
    return values.reindex(full)


def ytd_table(monthly: pd.Series) -> pd.DataFrame:
    """YTD values as a year x month table (columns 1..12), NaN where unknown."""
    series = regular(monthly)
    if series.empty:
        return pd.DataFrame(columns=range(1, 13), dtype=float)
    ytd = monthly_to_ytd_series(series)
    frame = pd.DataFrame(
        {"year": ytd.index.year, "month": ytd.index.month, "value": ytd.to_numpy()}
    )
    table = frame.pivot(index="year", columns="month", values="value")
    return table.reindex(columns=range(1, 13))


def ytd_shares(table: pd.DataFrame, through_month: int) -> pd.Series:
    """YTD share of the year per year: ``ytd(through_month) / ytd(12)``, NaN when unknown."""
    annual = table[12]
    share = table[through_month] / annual.where(annual > 0)
    return share.dropna()


def model_year_table(monthly: pd.Series, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Values of the 11-period model year per year: Jan-Feb, then March..December.

    Column 0 is YTD at February (the combined Jan-Feb value whether or not January was
    published); columns 1..10 are the monthly values of March..December. NaN where unknown.
    ``table``: the :func:`ytd_table` of ``monthly`` when the caller has it already.
    """
    series = regular(monthly)
    table = ytd_table(series) if table is None else table
    out = pd.DataFrame(index=table.index, columns=range(SLOTS), dtype=float)
    out[0] = table[2]
    months = pd.DataFrame(
        {"year": series.index.year, "month": series.index.month, "value": series.to_numpy()}
    ).pivot(index="year", columns="month", values="value")
    months = months.reindex(index=table.index, columns=range(1, 13))
    for slot in range(1, SLOTS):
        out[slot] = months[slot + 2]
    return out


def fit_window(
    years: pd.DataFrame, year: int, through_month: int, max_years: int
) -> tuple[np.ndarray, list[int], int, str]:
    """The flattened model-year values the models may use for a projection of ``year``.

    Uses full years before ``year`` plus the known periods of ``year`` (Jan-Feb ..
    ``through_month``), at most ``max_years`` past years, cut after the last gap so the
    values are contiguous. Returns ``(values, window_years, n_full_years, note)``.
    """
    known = through_month - 1  # model periods of `year` already known
    past = years.loc[years.index < year].tail(max_years)
    current = years.reindex([year]).to_numpy(dtype=float)[:, :known]
    values = np.concatenate([past.to_numpy(dtype=float).ravel(), current.ravel()])
    window_years = [*past.index.astype(int).tolist(), year]
    if np.isnan(current).any():
        return values[:0], [], 0, f"{year}: a month up to {through_month} is missing"
    gaps = np.flatnonzero(np.isnan(values))
    note = ""
    if gaps.size:
        cut_year = gaps[-1] // SLOTS + 1
        values = values[cut_year * SLOTS :]
        window_years = window_years[cut_year:]
        note = "history cut after a gap"
    return values, window_years, len(window_years) - 1, note
