"""The annual outlook of one county's flow indicator: projection, YTD paths, target, 倒排 pace."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core.settings import STATED_Q1_SHARE


def annual_outlook(
    obs: pd.DataFrame,
    targets: pd.DataFrame | None,
    region_code: str,
    indicator: str,
    as_of: str | pd.Period,
    share_assumption: float = STATED_Q1_SHARE,
    backtest: pd.DataFrame | None = None,
    recommended_only: bool = False,
) -> dict[str, Any]:
    """What the fan chart and projection table of one flow indicator need.

    ``recommended_only`` (for the leader's briefing, which shows one projection) returns only
    the recommended row and skips model fits that cannot change it.

    Returns ``projection`` (:func:`analysis.projection.project_annual` of the county's
    monthly series, with the cached backtest as evidence when given), ``ytd`` and
    ``last_year`` (YTD values by month of this year and last year), ``target`` (the annual
    ``ytd_value`` target or NaN) and ``pace`` (:func:`analysis.projection.required_pace`,
    empty without a target).
    """
    from analysis.projection import project_annual, project_recommended, required_pace
    from analysis.projection.cache import SEP, flow_panel, series_evidence

    period = pd.Period(as_of, freq="M")
    rows = obs[(obs["region_code"] == region_code) & (obs["indicator"] == indicator)]
    ytd = rows[rows["measure"] == "ytd_value"].set_index("period")["value"].sort_index()
    panel = flow_panel(rows)
    monthly = panel.get(f"{region_code}{SEP}{indicator}", pd.Series(dtype=float))
    evidence = (series_evidence(backtest, region_code, indicator, period.month)
                if backtest is not None and not backtest.empty else None)
    project = project_recommended if recommended_only else project_annual
    projection = project(monthly, period.year, through_month=period.month,
                         share_assumption=share_assumption, evidence=evidence)
    target = np.nan
    if targets is not None and not targets.empty:
        hit = targets[(targets["region_code"] == region_code) & (targets["indicator"] == indicator)
                      & (targets["year"] == period.year) & (targets["horizon"] == "annual")
                      & (targets["measure"] == "ytd_value")]
        target = float(hit["target"].iloc[0]) if len(hit) else np.nan
    pace = (required_pace(monthly, period.year, target, through_month=period.month)
            if np.isfinite(target) else pd.DataFrame())
    this_year = ytd[(ytd.index.year == period.year) & (ytd.index <= period)]
    last_year = ytd[ytd.index.year == period.year - 1]
    return {"projection": projection, "ytd": this_year, "last_year": last_year,
            "target": target, "pace": pace, "unit": str(rows["unit"].iloc[0]) if len(rows) else ""}
