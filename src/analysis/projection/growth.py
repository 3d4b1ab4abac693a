"""Growth-only projection and the required pace for the rest of the year (倒排).

``project_growth``: for indicators published only as YTD growth (规上工业增加值), regress the
December YTD growth on the YTD growth at ``through_month`` over past years,
``g_12 = a + b g_T + e`` (OLS), and predict this year's ``g_12`` from its ``g_T`` with the
OLS prediction interval. A second row, ``growth_carry``, assumes ``g_12 = g_T``.

``required_pace``: with ``Y`` the YTD value at ``through_month``, ``A`` the annual target and
``R`` last year's total of the remaining months, the remaining months must grow by
``g = (A - Y) / R - 1`` over last year's same months; the monthly path is last year's
remaining months times ``1 + g``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.projection.history import regular, ytd_table

MIN_GROWTH_YEARS = 4
GROWTH_COLUMNS = ["method", "estimate", "lower", "upper", "n_years", "intercept", "slope", "note"]
PACE_COLUMNS = ["period", "last_year_value", "required_value", "required_ytd",
                "required_growth_pct", "growth_so_far_pct", "note"]


def project_growth(
    ytd_growth: pd.Series, year: int, through_month: int = 3, level: float = 0.80,
    max_years: int = 15,
) -> pd.DataFrame:
    """December YTD growth of ``year`` (percent) projected from its YTD growth at ``through_month``.

    ``ytd_growth``: published YTD growth in percent on a monthly PeriodIndex. Returns rows
    ``growth_ols`` and ``growth_carry`` with columns :data:`GROWTH_COLUMNS`; NaN and a note
    when the year's growth is missing or fewer than 4 past years have both months.
    """
    import statsmodels.api as sm

    series = regular(ytd_growth)
    frame = pd.DataFrame({"year": series.index.year, "month": series.index.month,
                          "value": series.to_numpy()})
    table = frame.pivot(index="year", columns="month", values="value").reindex(
        columns=range(1, 13))
    current = table[through_month].get(year, np.nan) if len(table) else np.nan
    pairs = table.loc[table.index < year, [through_month, 12]].dropna().tail(max_years)
    carry = {"method": "growth_carry", "estimate": current, "n_years": 0,
             "note": f"assumes the year keeps the growth of months 1-{through_month}"}
    ols = {"method": "growth_ols", "n_years": len(pairs)}
    if not np.isfinite(current):
        ols["note"] = carry["note"] = f"no YTD growth for {year}-{through_month:02d}"
    elif len(pairs) < MIN_GROWTH_YEARS:
        ols["note"] = f"needs {MIN_GROWTH_YEARS} past years with both months, has {len(pairs)}"
    else:
        x = sm.add_constant(pairs[through_month].to_numpy(), has_constant="add")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = sm.OLS(pairs[12].to_numpy(), x).fit()
            pred = fit.get_prediction(np.array([[1.0, current]])).summary_frame(alpha=1 - level)
        ols.update(estimate=float(pred["mean"].iloc[0]), lower=float(pred["obs_ci_lower"].iloc[0]),
                   upper=float(pred["obs_ci_upper"].iloc[0]), intercept=float(fit.params[0]),
                   slope=float(fit.params[1]), note="")
    out = pd.DataFrame([ols, carry]).reindex(columns=GROWTH_COLUMNS)
    out["note"] = out["note"].fillna("")
    return out


def required_pace(
    monthly: pd.Series, year: int, annual_target: float, through_month: int = 3
) -> pd.DataFrame:
    """The monthly path from ``through_month + 1`` to December that reaches ``annual_target``.

    One row per remaining month, columns :data:`PACE_COLUMNS`: ``last_year_value`` (same
    month last year), ``required_value = last_year_value * (1 + g)``, ``required_ytd`` (YTD
    along that path, equal to the target in December), ``required_growth_pct = 100 g`` and
    ``growth_so_far_pct`` (YTD growth at ``through_month``), both repeated on every row.
    NaN with a note when last year's months or this year's YTD value are missing.
    """
    series = regular(monthly)
    table = ytd_table(series)
    periods = pd.period_range(pd.Period(year=year, month=through_month, freq="M") + 1,
                              pd.Period(year=year, month=12, freq="M"), freq="M")
    last = series.reindex(periods - 12).to_numpy(dtype=float)
    ytd = float(table.at[year, through_month]) if year in table.index else np.nan
    ytd_before = float(table.at[year - 1, through_month]) if year - 1 in table.index else np.nan
    rest_before = float(np.sum(last)) if len(last) else np.nan
    notes = []
    if not np.isfinite(ytd):
        notes.append(f"no YTD value for {year}-{through_month:02d}")
    if np.isnan(last).any():
        notes.append(f"last year's months {through_month + 1}-12 are not all known")
    g = (annual_target - ytd) / rest_before - 1 if rest_before else np.nan
    if notes:
        g = np.nan
    required = last * (1 + g)
    out = pd.DataFrame({
        "period": periods,
        "last_year_value": last,
        "required_value": required,
        "required_ytd": ytd + np.cumsum(required),
        "required_growth_pct": 100 * g,
        "growth_so_far_pct": 100 * (ytd / ytd_before - 1) if ytd_before else np.nan,
        "note": "; ".join(notes),
    })
    return out[PACE_COLUMNS]
