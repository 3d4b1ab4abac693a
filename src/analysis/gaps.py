"""Gap analysis: each county against its target, the time-schedule, the city and its peers.

:func:`gap_table` returns one row per county, indicator and headline measure
(``ytd_growth`` and/or ``ytd_value``, whichever the county's city publishes or has a
target for) at the as-of month. Two kinds of row:

- **rate** rows (a YTD growth rate, or the level of a ratio/stock such as a share):
  ``gap_to_target = actual - target`` and ``gap_to_city = actual - city_value``, in
  percentage points (百分点) when the unit is %.
- **cumulative** rows (the YTD level of a flow or count): ``completion_rate = actual /
  target`` judged against 时序进度 ``schedule_progress`` (elapsed months / 12, or days
  with ``schedule_by="day"``): ``gap_to_schedule_pp = (completion_rate -
  schedule_progress) * 100``. A county total is not comparable with a city total, so
  ``gap_to_city`` is NaN and ``share_of_city = actual / city_value`` is given instead.

Targets: with ``horizon="auto"`` the Q1 target is used in January-March when there is one
(its schedule then runs over the quarter: month / 3), otherwise the annual target.
City figures: the published city row, else the catalogue aggregate
(:mod:`analysis.aggregate`). Ranks: among the counties of the same parent (``peers=
"city"``) or among all counties (``"all"``), 1 = best by the catalogue ``direction``,
ties share the best rank (``method="min"``), missing values are not ranked
(``rank`` NaN, ``rank_note`` says why). Status: :mod:`analysis.status`.

Changes are against the previous published YTD period of the same year (for 1-3月 that is
1-2月; none for 1-2月, since January is not published on its own). Own history: the same
period last year and the mean of the same period in the last three years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import catalog
from analysis.aggregate import city_values
from analysis.errors import DataError
from analysis.periods import schedule_progress as _schedule_progress
from analysis.status import StatusThresholds, assess_status

GAP_MEASURES = ("ytd_growth", "ytd_value")
KEY = ["region_code", "indicator", "measure"]
_CATALOGUE_COLUMNS = ("direction", "kind", "city_agg", "weight", "unit")

COLUMNS = [
    "region_code", "region_name", "parent", "indicator", "period", "measure", "row_kind", "unit",
    "direction", "actual", "target", "target_horizon", "gap_to_target", "completion_rate",
    "schedule_progress", "gap_to_schedule_pp", "city_value", "city_source", "gap_to_city",
    "gap_to_city_pp", "share_of_city", "rank", "n_peers", "rank_note", "shortfall_pp",
    "status_basis", "status", "lagging",
]


def as_period(as_of: object) -> pd.Period:
    """The as-of month as a monthly ``Period`` (accepts ``"2026-03"``, a date or a Period)."""
    if isinstance(as_of, pd.Period):
        return as_of.asfreq("M")
    return pd.Period(pd.Timestamp(as_of) if not isinstance(as_of, str) else as_of, freq="M")


def previous_period(period: pd.Period) -> pd.Period | None:
    """The previous published YTD period of the same year (None for January and 1-2月)."""
    return period - 1 if period.month >= 3 else None


def _check_columns(frame: pd.DataFrame, needed: list[str], name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"{name} frame lacks columns {missing}", expected=f"columns {needed}")


def select_periods(obs: pd.DataFrame, periods: list[pd.Period]) -> pd.DataFrame:
    """Rows of ``obs`` for the given months and the gap measures, with plain string keys.

    Filters on the period ordinals (fast on tens of millions of rows) before copying.
    """
    _check_columns(obs, ["region_code", "indicator", "period", "measure", "value"], "observations")
    period = obs["period"]
    if not isinstance(period.dtype, pd.PeriodDtype):
        period = pd.Series(pd.PeriodIndex(period, freq="M"), index=obs.index)
    ordinals = period.array.asi8
    wanted = np.array([p.ordinal for p in periods], dtype="int64")
    # Lookup table over the wanted ordinals' range: one pass, no sort (np.isin sorts).
    low = wanted.min()
    lut = np.zeros(wanted.max() - low + 1, dtype=bool)
    lut[wanted - low] = True
    offset = ordinals - low
    inside = (offset >= 0) & (offset < len(lut))
    mask = np.zeros(len(ordinals), dtype=bool)
    mask[inside] = lut[offset[inside]]
    idx = np.flatnonzero(mask)
    idx = idx[obs["measure"].iloc[idx].isin(GAP_MEASURES).to_numpy()]
    mask = np.zeros(len(ordinals), dtype=bool)
    mask[idx] = True
    cols = [c for c in ("region_code", "indicator", "measure", "value", "unit") if c in obs.columns]
    out = obs.loc[mask, cols].copy()
    out["period"] = period[mask]
    for col in ("region_code", "indicator", "measure", "unit"):
        if col in out.columns:
            out[col] = out[col].astype(str)
    out["value"] = out["value"].astype(float)
    if out.duplicated(subset=[*KEY, "period"]).any():
        dup = out.loc[out.duplicated(subset=[*KEY, "period"], keep=False)].iloc[0]
        raise DataError(
            "duplicate observation",
            location=f"{dup['region_code']} {dup['indicator']} {dup['measure']} {dup['period']}",
            expected="one value per region, indicator, measure and month",
        )
    return out.reset_index(drop=True)


def _period_schedule(period: pd.Period, horizon: str, by: str) -> float:
    """时序进度 of the annual target, or of the Q1 target (elapsed share of January-March)."""
    if horizon == "annual":
        return _schedule_progress(period, by)
    if by == "month":
        return min(period.month, 3) / 3
    end = min(period.end_time.normalize(), pd.Timestamp(year=period.year, month=3, day=31))
    start = pd.Timestamp(year=period.year, month=1, day=1)
    q1_days = (pd.Timestamp(year=period.year, month=3, day=31) - start).days + 1
    return ((end - start).days + 1) / q1_days


def _skeleton(sel: pd.DataFrame, targets: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """Every county x every (indicator, measure) its parent's counties or city report."""
    parents = counties[["code", "parent"]].rename(columns={"code": "region_code"})
    seen = pd.concat([sel[KEY], targets[KEY]], ignore_index=True)
    own = seen.merge(parents, on="region_code")[["parent", "indicator", "measure"]]
    city = seen.rename(columns={"region_code": "parent"})
    city = city.loc[city["parent"].isin(parents["parent"]), ["parent", "indicator", "measure"]]
    combos = pd.concat([own, city], ignore_index=True).drop_duplicates()
    skeleton = counties.rename(columns={"code": "region_code", "name": "region_name"})
    return skeleton.merge(combos, on="parent", how="inner")


def _targets(targets: pd.DataFrame, period: pd.Period, horizon: str) -> pd.DataFrame:
    """One target per region, indicator and measure for ``period``'s year, with its horizon."""
    _check_columns(targets, ["region_code", "indicator", "year", "horizon", "measure", "target"], "targets")
    year = targets.loc[targets["year"].astype(int) == period.year].copy()
    for col in ("region_code", "indicator", "measure", "horizon"):
        year[col] = year[col].astype(str)
    if year.duplicated(subset=[*KEY, "horizon"]).any():
        dup = year.loc[year.duplicated(subset=[*KEY, "horizon"], keep=False)].iloc[0]
        raise DataError(
            "duplicate target",
            location=f"{dup['region_code']} {dup['indicator']} {dup['measure']} {dup['horizon']}",
            expected="one target per region, indicator, year, horizon and measure",
        )
    wide = year.pivot_table(index=KEY, columns="horizon", values="target", aggfunc="first")
    wide = wide.reindex(columns=["annual", "q1"]).reset_index()
    use_q1 = wide["q1"].notna() & (
        (horizon == "q1") | ((horizon == "auto") & (period.month <= 3))
    )
    if horizon == "q1":
        wide = wide.loc[wide["q1"].notna()]
        use_q1 = use_q1.loc[wide.index]
    out = wide[KEY].copy()
    out["target"] = wide["q1"].where(use_q1, wide["annual"]).astype(float)
    out["target_horizon"] = np.where(use_q1, "q1", "annual")
    return out.dropna(subset=["target"])


def _snapshot(
    sel: pd.DataFrame,
    skeleton: pd.DataFrame,
    targets: pd.DataFrame,
    cities: pd.DataFrame,
    cat: pd.DataFrame,
    period: pd.Period,
    peers: str,
    schedule_by: str,
    horizon: str,
    thresholds: StatusThresholds | None,
) -> pd.DataFrame:
    """The gap table for one period (no month-over-month or history columns)."""
    now = sel.loc[sel["period"] == period, [*KEY, "value", *(["unit"] if "unit" in sel else [])]]
    table = skeleton.merge(now.rename(columns={"value": "actual"}), on=KEY, how="left")
    table["period"] = period
    rules = cat[["direction", "kind", "unit"]].rename(columns={"unit": "cat_unit"})
    table = table.merge(rules.rename_axis("indicator").reset_index(), on="indicator", how="left")
    growth = table["measure"] == "ytd_growth"
    obs_unit = table["unit"] if "unit" in table else pd.Series(np.nan, index=table.index)
    table["unit"] = np.where(growth, "%", obs_unit.where(obs_unit.notna(), table["cat_unit"]))
    table["unit"] = table["unit"].fillna("").astype(str)
    cumulative = ~growth & table["kind"].isin(["flow", "count"])
    table["row_kind"] = np.where(cumulative, "cumulative", "rate")

    table = table.merge(_targets(targets, period, horizon), on=KEY, how="left")
    table["gap_to_target"] = table["actual"] - table["target"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = table["actual"] / table["target"].where(table["target"] != 0)
    table["completion_rate"] = rate.where(cumulative)
    progress = {h: _period_schedule(period, h, schedule_by) for h in ("annual", "q1")}
    table["schedule_progress"] = table["target_horizon"].map(progress).where(cumulative)
    table["gap_to_schedule_pp"] = (table["completion_rate"] - table["schedule_progress"]) * 100

    city_now = cities.loc[cities["period"] == period].drop(columns="period")
    table = table.merge(city_now, on=["parent", "indicator", "measure"], how="left")
    comparable = ~cumulative
    table["gap_to_city"] = (table["actual"] - table["city_value"]).where(comparable)
    table["gap_to_city_pp"] = table["gap_to_city"].where(table["unit"] == "%")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["actual"] / table["city_value"].where(table["city_value"] != 0)
    table["share_of_city"] = share.where(cumulative)

    group = ["parent", "indicator", "measure"] if peers == "city" else ["indicator", "measure"]
    score = table["actual"] * np.where(table["direction"] == "lower", -1.0, 1.0)
    grouped = score.groupby([table[g] for g in group], sort=False)
    table["rank"] = grouped.rank(ascending=False, method="min")
    table["n_peers"] = grouped.transform("count").astype(float)
    table["rank_note"] = np.where(
        table["actual"].isna(),
        "not ranked: value missing",
        np.where(table["parent"].isna() & (peers == "city"), "not ranked: no parent", ""),
    )
    status = assess_status(table, thresholds)
    table = pd.concat([table, status], axis=1)
    return table[COLUMNS]


def gap_table(
    obs: pd.DataFrame,
    targets: pd.DataFrame,
    regions: pd.DataFrame,
    as_of: object,
    peers: str = "city",
    schedule_by: str = "month",
    thresholds: StatusThresholds | None = None,
    catalogue: pd.DataFrame | None = None,
    horizon: str = "auto",
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """The gap table at ``as_of`` for every region of ``levels`` (see the module docstring).

    Columns: :data:`COLUMNS`, then the change since the previous YTD period
    (``prev_period, prev_actual, prev_rank, rank_change`` (positive = moved up, 前移),
    ``gap_to_target_change, gap_to_schedule_change_pp, gap_to_city_change_pp``, each
    ``now - before``) and own history (``actual_last_year, vs_last_year, avg_3y,
    vs_avg_3y``: the same month 12 months earlier, and the mean of the same month 12, 24
    and 36 months earlier, NaN unless all three are known). Rows sorted by region,
    indicator, measure.
    """
    if peers not in ("city", "all"):
        raise ValueError(f"peers must be 'city' or 'all', got {peers!r}")
    if horizon not in ("auto", "annual", "q1"):
        raise ValueError(f"horizon must be 'auto', 'annual' or 'q1', got {horizon!r}")
    _check_columns(regions, ["code", "name", "level", "parent"], "regions")
    period = as_period(as_of)
    prev = previous_period(period)
    cat = catalog.indicators() if catalogue is None else catalogue
    missing = [c for c in _CATALOGUE_COLUMNS if c not in cat.columns]
    if missing:
        raise ValueError(f"catalogue lacks columns {missing}")

    wanted = [period, period - 12, period - 24, period - 36]
    if prev is not None:
        wanted += [prev, prev - 12]
    sel = select_periods(obs, wanted)
    reg = regions.astype({"code": str, "parent": str}).replace({"parent": {"nan": np.nan, "": np.nan}})
    counties = reg.loc[reg["level"].isin(levels), ["code", "name", "parent"]]
    tg = targets.loc[targets["measure"].isin(GAP_MEASURES)]
    tg = tg.astype({"region_code": str, "indicator": str, "measure": str})
    current = sel.loc[sel["period"].isin([period, *([prev] if prev else [])])]
    skeleton = _skeleton(current, tg.loc[tg["year"].astype(int) == period.year], counties)
    cities = city_values(sel, reg, cat, levels)
    args = (skeleton, tg, cities, cat)
    table = _snapshot(sel, *args, period, peers, schedule_by, horizon, thresholds)

    table["prev_period"] = prev
    if prev is not None:
        before = _snapshot(sel, *args, prev, peers, schedule_by, horizon, thresholds)
        before = before[[*KEY, "actual", "rank", "gap_to_target", "gap_to_schedule_pp", "gap_to_city_pp"]]
        table = table.merge(before, on=KEY, how="left", suffixes=("", "_prev"))
    else:
        for col in ("actual", "rank", "gap_to_target", "gap_to_schedule_pp", "gap_to_city_pp"):
            table[f"{col}_prev"] = np.nan
    table["prev_actual"] = table.pop("actual_prev")
    table["prev_rank"] = table.pop("rank_prev")
    table["rank_change"] = table["prev_rank"] - table["rank"]
    table["gap_to_target_change"] = table["gap_to_target"] - table.pop("gap_to_target_prev")
    table["gap_to_schedule_change_pp"] = table["gap_to_schedule_pp"] - table.pop("gap_to_schedule_pp_prev")
    table["gap_to_city_change_pp"] = table["gap_to_city_pp"] - table.pop("gap_to_city_pp_prev")

    history = sel[[*KEY, "period", "value"]]
    for years in (1, 2, 3):
        past = history.loc[history["period"] == period - 12 * years].drop(columns="period")
        table = table.merge(past.rename(columns={"value": f"_y{years}"}), on=KEY, how="left")
    table["actual_last_year"] = table["_y1"]
    table["vs_last_year"] = table["actual"] - table["actual_last_year"]
    table["avg_3y"] = table[["_y1", "_y2", "_y3"]].mean(axis=1, skipna=False)
    table["vs_avg_3y"] = table["actual"] - table["avg_3y"]
    table = table.drop(columns=["_y1", "_y2", "_y3"])
    return table.sort_values(KEY).reset_index(drop=True)


def lagging_list(table: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 短板 list: lagging rows, one per region and indicator, worst shortfall first.

    Returns ``region_code, region_name, indicator, name_zh, name_en, measure, status_basis,
    shortfall_pp`` (the indicator's worst lagging row), sorted by region then shortfall.
    """
    cat = catalog.indicators() if catalogue is None else catalogue
    lag = table.loc[table["lagging"]].sort_values(["region_code", "shortfall_pp"], ascending=[True, False])
    lag = lag.drop_duplicates(subset=["region_code", "indicator"], keep="first")
    names = cat[["name_zh", "name_en"]].rename_axis("indicator").reset_index()
    lag = lag.merge(names, on="indicator", how="left")
    cols = ["region_code", "region_name", "indicator", "name_zh", "name_en", "measure", "status_basis", "shortfall_pp"]
    return lag[cols].reset_index(drop=True)


def lagging_by_region(table: pd.DataFrame) -> pd.Series:
    """Region code -> list of lagging indicator codes (worst first); empty list when none."""
    lag = lagging_list(table)
    lists = lag.groupby("region_code", sort=True)["indicator"].agg(list)
    regions = pd.Index(table["region_code"].unique()).sort_values()
    return lists.reindex(regions).map(lambda v: v if isinstance(v, list) else []).rename("lagging")
