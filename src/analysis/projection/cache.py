"""The backtest of every flow series in the tidy observations, cached in ``data/processed``.

``backtest.parquet`` holds two kinds of rows (column ``scope``):

* ``"series"``: each series' own :func:`~analysis.projection.backtest.backtest`; a notebook
  passes :func:`series_evidence` to ``project_annual(..., evidence=...)``;
* ``"panel"``: the :func:`~analysis.projection.pooled.panel_backtest` record of each city's
  counties for each flow indicator (column ``panel`` = the city's code); a notebook calls
  :func:`city_projection`, which projects every county of the city from that record
  without refitting it, and reports the city's pooled evidence per method.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.core.atomic import write_atomic
from analysis.core.catalog import indicators
from analysis.core.conversions import ytd_to_monthly
from analysis.data.processed import read_catalogue
from analysis.projection.backtest import accuracy, backtest
from analysis.projection.calibrate import pooled_evidence
from analysis.projection.pooled import MAX_YEARS, panel_backtest, project_panel

BACKTEST_NAME = "backtest.parquet"
SEP = "|"
CACHE_COLUMNS = ["scope", "panel", "region_code", "indicator", "year", "through_month", "method",
                 "estimate", "lower", "upper", "actual", "pct_error", "ape", "covered", "note"]


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
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`backtest` of every flow series in ``obs`` for each of ``through_months``.

    ``years`` defaults to every year after the first that has a December value. Returns
    :data:`CACHE_COLUMNS` (``series`` split into ``region_code`` and ``indicator``); with
    ``regions`` (``code, parent``) the city panels' records of :func:`panel_records` follow
    the ``scope == "series"`` rows.
    """
    panel = flow_panel(obs, catalogue)
    if years is None:
        december = panel.index[panel.index.month == 12]
        known = sorted({p.year for p in december if panel.loc[p].notna().any()})
        years = [y for y in known if y > panel.index.min().year] if len(panel) else []
    frames = [backtest(panel, years, t, methods, jobs=jobs, client=client)
              for t in through_months if len(panel.columns) and years]
    if frames:
        out = pd.concat(frames, ignore_index=True)
        parts = out["series"].str.split(SEP, n=1, expand=True)
        out = out.drop(columns="series").assign(scope="series", panel="", region_code=parts[0],
                                                indicator=parts[1])
        frames = [out]
    if regions is not None:
        frames.append(panel_records(obs, regions, through_months, years, catalogue))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=CACHE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CACHE_COLUMNS]


def city_panel(obs: pd.DataFrame, regions: pd.DataFrame, city: str, indicator: str,
               catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly values of ``indicator`` for every county of ``city``, one column per region code.

    The counties are the regions whose ``parent`` is ``city`` and that have ``ytd_value``
    observations of the (flow) indicator; monthly values as in :func:`flow_panel` (flows of
    ``catalogue``, the packaged one by default).
    """
    counties = set(regions.loc[regions["parent"].astype(str) == str(city), "code"].astype(str))
    rows = obs[obs["region_code"].astype(str).isin(counties) & (obs["indicator"] == indicator)]
    panel = flow_panel(rows, catalogue)
    panel.columns = [str(c).split(SEP, 1)[0] for c in panel.columns]
    return panel


def panel_records(obs: pd.DataFrame, regions: pd.DataFrame, through_months: tuple[int, ...] = (2, 3),
                  years: list[int] | None = None, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`panel_backtest` of each city's counties for each flow indicator of ``catalogue``
    (``scope="panel"``)."""
    parents = regions.loc[regions["parent"].notna() & (regions["parent"].astype(str) != ""), "parent"]
    frames = []
    codes = set(obs["region_code"].astype(str))
    for city in sorted(set(parents.astype(str))):
        counties = set(regions.loc[regions["parent"].astype(str) == city, "code"].astype(str))
        if not counties & codes:
            continue
        wide = flow_panel(obs[obs["region_code"].astype(str).isin(counties)], catalogue)
        for indicator in sorted({str(c).split(SEP, 1)[1] for c in wide.columns}):
            panel = city_panel(obs, regions, city, indicator, catalogue)
            for month in through_months:
                record = panel_backtest(panel, years, month)
                frames.append(record.rename(columns={"series": "region_code"}).assign(
                    scope="panel", panel=city, indicator=indicator))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True)[CACHE_COLUMNS] if frames else \
        pd.DataFrame(columns=CACHE_COLUMNS)


def series_evidence(result: pd.DataFrame, region_code: str, indicator: str,
                    through_month: int) -> pd.DataFrame:
    """:func:`accuracy` of one series' cached backtest rows (the ``evidence`` of project_annual)."""
    rows = result[(result["region_code"] == region_code) & (result["indicator"] == indicator)
                  & (result["through_month"] == through_month)]
    if "scope" in rows:
        rows = rows[rows["scope"] == "series"]
    return accuracy(rows)


class CityProjection(NamedTuple):
    """:func:`city_projection`: every county's rows and the city's pooled evidence."""

    projection: pd.DataFrame
    evidence: pd.DataFrame
    from_cache: bool


def city_projection(obs: pd.DataFrame, cached: pd.DataFrame | None, regions: pd.DataFrame,
                    city: str, indicator: str, as_of: str | pd.Period,
                    level: float = 0.80, recommended_only: bool = False,
                    catalogue: pd.DataFrame | None = None, panel: pd.DataFrame | None = None) -> CityProjection:
    """:func:`~analysis.projection.pooled.project_panel` of every county of ``city`` at ``as_of``.

    ``projection``: the panel rows (``series`` = region code) for the year of ``as_of`` from
    its months 1..``as_of.month``. ``evidence``:
    :func:`~analysis.projection.calibrate.pooled_evidence` of the city's record for this
    indicator and month over the years the projection used (every county, earlier years
    only): per method n, MdAPE, 90th-percentile APE and interval coverage. The record comes
    from ``cached`` (``scope == "panel"`` rows of ``backtest.parquet``) when it has this
    city, indicator and month (``from_cache``), else it is computed here (a city's record
    takes about a second without the cache). ``recommended_only``: only the recommended
    rows (no STL fit when they cannot need one; see ``project_panel``). ``catalogue``: the
    city's (for a flow it added), the packaged one by default. ``panel``: the
    :func:`city_panel` when the caller has already built it (not built again).
    """
    period = pd.Period(as_of, freq="M")
    panel = city_panel(obs, regions, city, indicator, catalogue) if panel is None else panel
    panel = panel.loc[panel.index <= period]
    record = _cached_record(cached, city, indicator, period.month)
    from_cache = record is not None
    if record is None:
        first = int(panel.index.min().year) if len(panel) else period.year
        record = panel_backtest(panel, range(first, period.year), period.month, level=level)
    projection = project_panel(panel, period.year, period.month, record=record, level=level,
                               recommended_only=recommended_only)
    window = record[(record["year"] < period.year) & (record["year"] >= period.year - MAX_YEARS)]
    return CityProjection(projection, pooled_evidence(window, level), from_cache)


def _cached_record(cached: pd.DataFrame | None, city: str, indicator: str,
                   through_month: int) -> pd.DataFrame | None:
    if cached is None or cached.empty or "scope" not in cached:
        return None
    rows = cached[(cached["scope"] == "panel") & (cached["panel"].astype(str) == str(city))
                  & (cached["indicator"] == indicator) & (cached["through_month"] == through_month)]
    if rows.empty:
        return None
    return rows.rename(columns={"region_code": "series"}).drop(columns=["scope", "panel", "indicator"])


def write_backtest(processed_dir: str | Path, jobs: int = 1) -> tuple[Path, pd.DataFrame]:
    """Read ``observations.parquet``, backtest every flow series, write ``backtest.parquet``.

    With ``regions.parquet`` beside it the city panels' records are added (``scope ==
    "panel"``). The Parquet is written to a temporary file and renamed into place.
    """
    folder = Path(processed_dir)
    obs = pd.read_parquet(folder / "observations.parquet")
    regions_path = folder / "regions.parquet"
    regions = pd.read_parquet(regions_path) if regions_path.exists() else None
    result = backtest_observations(obs, jobs=jobs, regions=regions, catalogue=read_catalogue(folder))
    target = folder / BACKTEST_NAME
    write_atomic(target, lambda temp: result.to_parquet(temp, index=False))
    return target, result
