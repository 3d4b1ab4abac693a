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

Other (rule, measure) pairs have no city aggregate (NaN). The arithmetic runs on the dense
cube of :mod:`analysis.gaps.cube` (:func:`city_cube`); :func:`aggregate_counties` and
:func:`city_values` are the same on a tidy frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.gaps.cube import CUBE_MEASURES, GapCube, build_cube, repeat_period

CITY_KEY = ["parent", "indicator", "measure", "period"]


def _weight_index(catalogue: pd.DataFrame, indicators: pd.Index) -> np.ndarray:
    weights = catalogue["weight"].reindex(indicators).fillna("").astype(str)
    return indicators.get_indexer(weights.where(weights != "", "\0"))


def aggregate_cube(panel: GapCube, slot: int, slot_ly: int | None, catalogue: pd.DataFrame) -> np.ndarray:
    """City figures aggregated from the counties at ``slot``: array (regions, indicators, 2).

    Only the rows of parent regions are filled; NaN unless every county under the parent
    had the inputs its rule needs. ``slot_ly`` is the slot 12 months earlier (or None).
    """
    n_regions, n_ind = len(panel.codes), len(panel.indicators)
    has_parent = panel.parent >= 0
    county, parent = panel.county[has_parent], panel.parent[has_parent]
    level = panel.values[slot, county, :, 0]
    growth = panel.values[slot, county, :, 1]
    level_ly = panel.values[slot_ly, county, :, 0] if slot_ly is not None else np.full_like(level, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(np.isnan(level_ly), level / (1 + growth / 100), level_ly)
    widx = _weight_index(catalogue, panel.indicators)
    weight = np.where(widx >= 0, level[:, np.maximum(widx, 0)], np.nan)
    rule = catalogue["city_agg"].reindex(panel.indicators).fillna("").to_numpy()

    def total(part: np.ndarray, valid: np.ndarray) -> np.ndarray:
        acc = np.zeros((n_regions, n_ind))
        np.add.at(acc, parent, np.where(valid, part, 0.0))
        return acc

    n_counties = np.bincount(parent, minlength=n_regions)[:, None]
    out = np.full((n_regions, n_ind, len(CUBE_MEASURES)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Levels: sum, weighted mean, mean.
        ok = ~np.isnan(level)
        okw = ok & ~np.isnan(weight)
        n, nw = total(np.ones_like(level), ok), total(np.ones_like(level), okw)
        sw = total(weight, okw)
        by_rule = {
            "sum": np.where(n == n_counties, total(level, ok), np.nan),
            "mean": np.where(n == n_counties, total(level, ok) / n, np.nan),
            "weighted_mean": np.where((nw == n_counties) & (sw != 0), total(weight * level, okw) / sw, np.nan),
        }
        for name, city in by_rule.items():
            out[:, rule == name, 0] = city[:, rule == name]
        # Growth: growth of the sum, weighted growth.
        okl = ok & ~np.isnan(base)
        nl, sb = total(np.ones_like(level), okl), total(base, okl)
        okg = ~np.isnan(growth) & ~np.isnan(weight)
        ng, sgw = total(np.ones_like(growth), okg), total(weight, okg)
        by_rule = {
            "sum": np.where((nl == n_counties) & (sb != 0), (total(level, okl) / sb - 1) * 100, np.nan),
            "weighted_growth": np.where((ng == n_counties) & (sgw != 0), total(weight * growth, okg) / sgw, np.nan),
        }
        for name, city in by_rule.items():
            out[:, rule == name, 1] = city[:, rule == name]
    return out


def city_cube(
    panel: GapCube, slot: int, slot_ly: int | None, catalogue: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """City figures at ``slot``: the published row when not NaN, else the aggregate.

    Returns ``(values, published)``, both (regions, indicators, 2); ``published`` is True
    where the figure is the parent's own row.
    """
    own = panel.values[slot]
    published = ~np.isnan(own)
    return np.where(published, own, aggregate_cube(panel, slot, slot_ly, catalogue)), published


def _tidy(panel: GapCube, catalogue: pd.DataFrame, published_only: bool | None) -> pd.DataFrame:
    parents = np.unique(panel.parent[panel.parent >= 0])
    frames = []
    for slot, period in enumerate(panel.periods):
        slot_ly = panel.slot(period - 12)
        values, published = city_cube(panel, slot, slot_ly, catalogue)
        if published_only is False:
            values = aggregate_cube(panel, slot, slot_ly, catalogue)
        p, i, m = np.nonzero(~np.isnan(values[parents]))
        frames.append(
            pd.DataFrame(
                {
                    "parent": panel.codes[parents[p]],
                    "indicator": panel.indicators[i],
                    "measure": np.array(CUBE_MEASURES)[m],
                    "period": repeat_period(period, len(p)),
                    "city_value": values[parents[p], i, m],
                    "city_source": np.where(published[parents[p], i, m], "published", "aggregated"),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.drop(columns="city_source") if published_only is False else out


def aggregate_counties(
    values: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """City figures aggregated from the county rows of a tidy frame, for each of its months.

    ``values`` holds ``region_code, indicator, period, measure, value`` (include the months
    12 months earlier for growth of the sum). Returns ``parent, indicator, measure, period,
    city_value`` where an aggregate exists (complete counties only).
    """
    periods = sorted(pd.PeriodIndex(values["period"], freq="M").unique())
    panel = build_cube(values, regions, periods, pd.Index(catalogue.index), levels)
    return _tidy(panel, catalogue, published_only=False)


def city_values(
    values: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """City figure per parent, indicator, measure and month: published row, else aggregate.

    Returns ``parent, indicator, measure, period, city_value, city_source`` with
    ``city_source`` ``"published"`` or ``"aggregated"``.
    """
    periods = sorted(pd.PeriodIndex(values["period"], freq="M").unique())
    panel = build_cube(values, regions, periods, pd.Index(catalogue.index), levels)
    return _tidy(panel, catalogue, published_only=None)


AGGREGATED_SOURCE = "由所辖县（市、区）汇总"  # ``source`` of the city rows :func:`with_city_rows` adds


def with_city_rows(
    obs: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: pd.DataFrame,
    levels: tuple[str, ...] = ("county",),
) -> pd.DataFrame:
    """``obs`` with every city figure the bureau did not publish (no row, or a masked cell)
    filled from the counties by the catalogue's rule, so a city's own note reads one series.

    Only the YTD measures the rules cover (:data:`CUBE_MEASURES`) are filled, for every month
    of ``obs`` where all the city's counties have the inputs. Added rows have ``source``
    :data:`AGGREGATED_SOURCE` and ``label`` the rule (e.g. ``city_agg=sum``); the city's
    published rows are kept as they are. A new frame; ``obs`` is not changed.
    """
    tidy = obs[obs["measure"].isin(CUBE_MEASURES)]
    agg = aggregate_counties(tidy[["region_code", "indicator", "period", "measure", "value"]], regions,
                             catalogue, levels)
    agg = agg.rename(columns={"parent": "region_code", "city_value": "value"})
    key = ["region_code", "indicator", "measure", "period"]
    city_rows = obs["region_code"].isin(agg["region_code"].unique()) & obs["measure"].isin(CUBE_MEASURES)
    published = obs.loc[city_rows & obs["value"].notna(), key].drop_duplicates()
    fill = agg.merge(published, on=key, how="left", indicator=True)
    fill = fill.loc[fill["_merge"] == "left_only"].drop(columns="_merge")
    if fill.empty:
        return obs
    names = regions.astype({"code": str}).set_index("code")["name"]
    units = catalogue["unit"].reindex(fill["indicator"]).fillna("").to_numpy()
    rules = catalogue["city_agg"].reindex(fill["indicator"]).fillna("").to_numpy()
    added = fill.assign(
        region_name=fill["region_code"].map(names).to_numpy(),
        frequency="M",
        unit=np.where(fill["measure"] == "ytd_growth", "%", units),
        source=AGGREGATED_SOURCE,
        label=[f"city_agg={rule}" for rule in rules],
        raw="",
    )
    added["period"] = pd.PeriodIndex(added["period"], freq="M")
    masked = city_rows & obs["value"].isna() & obs.set_index(key).index.isin(added.set_index(key).index)
    kept = obs.loc[~masked]
    return pd.concat([kept, added[[c for c in obs.columns if c in added.columns]]], ignore_index=True)
