"""The backtest of every flow series in the tidy observations, cached in ``data/processed``.

A briefing notebook reads ``backtest.parquet`` and passes :func:`series_evidence` to
``project_annual(..., evidence=...)`` instead of refitting hundreds of models.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.atomic import write_atomic
from analysis.core.catalog import indicators
from analysis.core.conversions import ytd_to_monthly
from analysis.data.processed import read_catalogue
from analysis.projection.backtest import accuracy, backtest

BACKTEST_NAME = "backtest.parquet"
SEP = "|"


def _monthly_flows(obs: pd.DataFrame, catalogue: pd.DataFrame | None) -> pd.DataFrame:
    catalogue = indicators() if catalogue is None else catalogue
    flows = set(catalogue.loc[catalogue["kind"] == "flow", "code"])
    rows = obs[obs["frequency"] == "M"] if "frequency" in obs.columns else obs
    return rows.loc[(rows["measure"] == "ytd_value") & rows["indicator"].isin(flows),
                    ["region_code", "indicator", "period", "value"]]


def flow_panel(obs: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly values of every flow indicator's monthly ``ytd_value`` series, one column per series.

    Columns are named ``"<region_code>|<indicator>"``; monthly values come from
    :func:`analysis.core.conversions.ytd_to_monthly` (Feb = Jan-Feb when January is missing).
    Flows are the ``kind == "flow"`` rows of ``catalogue`` (the packaged one by default).
    """
    ytd = _monthly_flows(obs, catalogue)
    if ytd.empty:
        return pd.DataFrame(index=pd.PeriodIndex([], freq="M"))
    monthly = ytd_to_monthly(ytd.astype({"region_code": str, "indicator": str}))
    monthly["series"] = monthly["region_code"] + SEP + monthly["indicator"]
    panel = monthly.pivot_table(index="period", columns="series", values="value",
                                aggfunc="first", dropna=False)
    panel.index = pd.PeriodIndex(panel.index, freq="M")
    panel.columns.name = None
    return panel.sort_index()


def why_no_backtest(obs: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> str:
    """Why :func:`backtest_observations` finds no series ('' when it finds some)."""
    ytd = _monthly_flows(obs, catalogue).dropna(subset=["value"])
    if ytd.empty:
        return ("no flow indicator has monthly year-to-date levels (ytd_value); growth-only series are "
                "projected with project_growth, not backtested")
    first = int(ytd["period"].min().year)
    years = sorted(int(y) for y in ytd.loc[ytd["period"].dt.month == 12, "period"].dt.year.unique())
    if not [y for y in years if y > first]:
        found = ", ".join(map(str, years)) or "none"
        return (f"a backtest projects a past year from its first months, so it needs a December figure in a "
                f"year after the first year of data ({first}); December figures found: {found}")
    return ""


def backtest_observations(
    obs: pd.DataFrame,
    through_months: tuple[int, ...] = (2, 3),
    years: list[int] | None = None,
    methods: list[str] | None = None,
    jobs: int = 1,
    client: object | None = None,
    catalogue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`backtest` of every flow series in ``obs`` for each of ``through_months``.

    ``years`` defaults to every year after the first that has a December value. Returns the
    backtest columns with ``series`` split into ``region_code`` and ``indicator``.
    """
    panel = flow_panel(obs, catalogue)
    if years is None:
        december = panel.index[panel.index.month == 12]
        known = sorted({p.year for p in december if panel.loc[p].notna().any()})
        years = [y for y in known if y > panel.index.min().year] if len(panel) else []
    frames = [backtest(panel, years, t, methods, jobs=jobs, client=client)
              for t in through_months if len(panel.columns) and years]
    if not frames:
        return pd.DataFrame(columns=["region_code", "indicator", "year", "through_month",
                                     "method", "estimate", "lower", "upper", "actual",
                                     "pct_error", "ape", "covered", "note"])
    out = pd.concat(frames, ignore_index=True)
    parts = out["series"].str.split(SEP, n=1, expand=True)
    out.insert(0, "region_code", parts[0])
    out.insert(1, "indicator", parts[1])
    return out.drop(columns="series")


def series_evidence(result: pd.DataFrame, region_code: str, indicator: str,
                    through_month: int) -> pd.DataFrame:
    """:func:`accuracy` of one series' cached backtest rows (the ``evidence`` of project_annual)."""
    rows = result[(result["region_code"] == region_code) & (result["indicator"] == indicator)
                  & (result["through_month"] == through_month)]
    return accuracy(rows)


def write_backtest(processed_dir: str | Path, jobs: int = 1) -> tuple[Path, pd.DataFrame]:
    """Read ``observations.parquet``, backtest every flow series, write ``backtest.parquet``.

    The Parquet is written to a temporary file and renamed into place.
    """
    folder = Path(processed_dir)
    obs = pd.read_parquet(folder / "observations.parquet")
    result = backtest_observations(obs, jobs=jobs, catalogue=read_catalogue(folder))
    target = folder / BACKTEST_NAME
    write_atomic(target, lambda temp: result.to_parquet(temp, index=False))
    return target, result
