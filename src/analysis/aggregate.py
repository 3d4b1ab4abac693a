"""City figures from county figures, as the indicator catalogue says (``city_agg``).

Used by the gap table when the bureau publishes no city row. Every rule needs all of the
city's counties (from ``regions``): a city figure built from some counties only would be
wrong, so it is NaN instead ("never a partial aggregate").

Rules, with ``x_i`` the county figure, ``w_i`` the county's weight indicator (catalogue
column ``weight``, its ``ytd_value`` in the same period), ``L_i`` the county's YTD level
and ``B_i`` its YTD level a year earlier:

- ``sum``, levels: ``sum(L_i)``.
- ``sum``, growth: growth of the sum, ``(sum(L_i) / sum(B_i) - 1) * 100``. ``B_i`` is the
  level published 12 months earlier; where that is missing it is implied from the
  county's published growth ``g_i``: ``B_i = L_i / (1 + g_i / 100)``. Never a plain mean
  of county growth rates for a flow.
- ``weighted_growth``, growth: ``sum(w_i * g_i) / sum(w_i)`` (e.g. industrial value added,
  published as growth only, weighted by industrial output).
- ``weighted_mean``, levels: ``sum(w_i * x_i) / sum(w_i)`` (shares weighted by output).
- ``mean``, levels: ``mean(x_i)`` (ratios with no denominator in the tables).

Other (rule, measure) pairs have no city aggregate (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CITY_KEY = ["parent", "indicator", "measure", "period"]


def county_counts(regions: pd.DataFrame, levels: tuple[str, ...] = ("county",)) -> pd.Series:
    """Number of regions of ``levels`` under each parent code (the peer-group sizes)."""
    peers = regions.loc[regions["level"].isin(levels)]
    return peers.groupby("parent").size().rename("n_counties")


def aggregate_counties(
    values: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """City figures aggregated from county rows of a tidy frame (see the module rules).

    ``values`` holds ``region_code, indicator, period, measure, value`` for the periods
    wanted *and* the periods 12 months earlier (for growth of the sum). Returns
    ``parent, indicator, measure, period, city_value`` for each period and indicator of
    ``values`` whose rule applies; ``city_value`` is NaN unless every county under the
    parent had the inputs the rule needs.
    """
    members = regions.loc[regions["level"].isin(levels), ["code", "parent"]]
    frame = values.merge(members, left_on="region_code", right_on="code", how="inner")
    frame = frame.drop(columns="code")
    key = ["region_code", "indicator", "period"]
    level = frame.loc[frame["measure"] == "ytd_value", [*key, "value"]].rename(columns={"value": "level"})
    growth = frame.loc[frame["measure"] == "ytd_growth", [*key, "value"]].rename(columns={"value": "growth"})

    # Last year's level of the same county and indicator, and the weight indicator's level.
    level_ly = level.assign(period=level["period"] + 12).rename(columns={"level": "level_ly"})
    rules = catalogue[["city_agg", "weight"]].rename_axis("indicator").reset_index()
    weights = level.rename(columns={"indicator": "weight", "level": "w"})

    rows = frame[["parent", "region_code", "indicator", "period", "measure"]]
    rows = rows.merge(level, on=key, how="left").merge(growth, on=key, how="left")
    rows = rows.merge(level_ly, on=key, how="left").merge(rules, on="indicator", how="inner")
    rows = rows.merge(weights, on=["region_code", "weight", "period"], how="left")

    is_value = (rows["measure"] == "ytd_value").to_numpy()
    rule = rows["city_agg"].to_numpy()
    x = np.where(is_value, rows["level"], rows["growth"]).astype(float)
    w = rows["w"].to_numpy(dtype=float)
    lvl = rows["level"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = lvl / (1 + rows["growth"].to_numpy(dtype=float) / 100)
    base = np.where(np.isnan(rows["level_ly"].to_numpy(dtype=float)), implied, rows["level_ly"])

    method = np.select(
        [
            is_value & (rule == "sum"),
            is_value & (rule == "weighted_mean"),
            is_value & (rule == "mean"),
            ~is_value & (rule == "sum"),
            ~is_value & (rule == "weighted_growth"),
        ],
        ["sum", "wmean", "mean", "growth_of_sum", "wmean"],
        default="",
    )
    valid = np.select(
        [method == "sum", method == "mean", method == "wmean", method == "growth_of_sum"],
        [~np.isnan(x), ~np.isnan(x), ~np.isnan(x) & ~np.isnan(w), ~np.isnan(lvl) & ~np.isnan(base)],
        default=False,
    )
    parts = rows[CITY_KEY].assign(
        method=method,
        n_valid=valid.astype(int),
        sx=np.where(valid, x, 0.0),
        swx=np.where(valid, w * x, 0.0),
        sw=np.where(valid, w, 0.0),
        sl=np.where(valid, lvl, 0.0),
        sb=np.where(valid, base, 0.0),
    )
    parts = parts.loc[parts["method"] != ""]
    sums = parts.groupby([*CITY_KEY, "method"], sort=False, observed=True).sum().reset_index()
    sums = sums.merge(county_counts(regions, levels), left_on="parent", right_index=True, how="left")

    m = sums["method"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        city = np.select(
            [m == "sum", m == "mean", m == "wmean", m == "growth_of_sum"],
            [
                sums["sx"],
                sums["sx"] / sums["n_valid"],
                sums["swx"] / sums["sw"].where(sums["sw"] != 0),
                (sums["sl"] / sums["sb"].where(sums["sb"] != 0) - 1) * 100,
            ],
            default=np.nan,
        )
    complete = (sums["n_valid"] == sums["n_counties"]).to_numpy()
    out = sums[CITY_KEY].copy()
    out["city_value"] = np.where(complete, city, np.nan)
    return out.reset_index(drop=True)


def city_values(
    values: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """City figure per parent, indicator, measure and period: published row, else aggregate.

    Returns ``parent, indicator, measure, period, city_value, city_source`` where
    ``city_source`` is ``"published"`` (the parent's own row in ``values``, when not NaN)
    or ``"aggregated"`` (:func:`aggregate_counties`).
    """
    parents = regions.loc[regions["level"].isin(levels), "parent"].dropna().unique()
    cols = ["region_code", "indicator", "measure", "period", "value"]
    published = values.loc[values["region_code"].isin(parents), cols]
    published = published.dropna(subset=["value"]).rename(
        columns={"region_code": "parent", "value": "city_value"}
    )
    published = published.assign(city_source="published")
    aggregated = aggregate_counties(values, regions, catalogue, levels).assign(city_source="aggregated")
    aggregated = aggregated.dropna(subset=["city_value"])
    both = pd.concat([published, aggregated], ignore_index=True)
    # Published first, so drop_duplicates keeps it over the aggregate.
    return both.drop_duplicates(subset=CITY_KEY, keep="first").reset_index(drop=True)
