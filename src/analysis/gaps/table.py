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
  ``gap_to_city`` is NaN and ``share_of_city = actual / city_value`` is given instead; the
  same holds for the level of a stock whose city figure is a sum (``city_agg`` ``sum``, e.g.
  a loans balance), which is otherwise a rate row.

Targets: with ``horizon="auto"`` rate rows use the Q1 target in January-March when there
is one, otherwise the annual target; cumulative rows keep the annual target in
``target``/``completion_rate``/``gap_to_schedule_pp`` (the 完成率 vs 时序进度 convention)
and give ``q1_completion_rate = actual / Q1 target`` beside it. **Status in Q1**: from
January to March a cumulative row with a Q1 target is judged on the Q1 target, not on the
annual one - ``q1_gap_to_schedule_pp = (q1_completion_rate - q1_schedule_progress) * 100``
with ``q1_schedule_progress`` the elapsed share of the quarter (month / 3, so 100% in March;
or elapsed days / days of Q1) - because Q1 targets already carry the slow start of the year
(Spring Festival), and a county that met its Q1 target is not a 短板. The annual columns
stay as information. ``horizon="q1"`` uses Q1 targets only (the schedule then runs over the
quarter); ``"annual"`` annual targets only (and annual status all year).
City figures: the published city row, else the catalogue aggregate
(:mod:`analysis.gaps.aggregate`). Ranks: among the counties of the same parent (``peers=
"city"``) or among all counties (``"all"``), 1 = best by the catalogue ``direction``,
ties share the best rank (``method="min"``), missing values are not ranked
(``rank`` NaN, ``rank_note`` says why); ``peer_group`` records which (``"city"`` or
``"all"``) so the wording can say 全市 or 所有县（市、区）. Status: :mod:`analysis.gaps.status`.

The arithmetic runs on the dense cube of :mod:`analysis.gaps.cube` (numpy indexing, no joins
on string keys), so a table for all 2,850 counties of China takes about a second.

January is not published on its own (1-2月 comes out in February; bureau tables carry a
blank January column): ``as_of`` January with no figures is a ``DataError`` telling the
caller to use February, never a table of unknown rows.

Changes are against the previous published YTD period of the same year (for 1-3月 that is
1-2月; none for 1-2月, since January is not published on its own). Own history: the same
period last year and the mean of the same period in the last three years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.errors import DataError
from analysis.core.periods import as_period, q1_schedule_progress, schedule_progress
from analysis.gaps.aggregate import city_cube
from analysis.gaps.cube import CUBE_MEASURES, GapCube, build_cube, codes_of, repeat_period
from analysis.gaps.status import StatusThresholds, assess_status

GAP_MEASURES = CUBE_MEASURES  # the measures a gap table compares
KEY = ["region_code", "indicator", "measure"]
_CATALOGUE_COLUMNS = ("direction", "kind", "city_agg", "weight", "unit")

COLUMNS = [
    "region_code", "region_name", "parent", "indicator", "period", "measure", "row_kind", "unit",
    "direction", "actual", "target", "target_horizon", "gap_to_target", "completion_rate",
    "q1_completion_rate", "schedule_progress", "gap_to_schedule_pp", "q1_schedule_progress",
    "q1_gap_to_schedule_pp", "city_value", "city_source",
    "gap_to_city", "gap_to_city_pp", "share_of_city", "rank", "n_peers", "peer_group", "rank_note", "shortfall_pp",
    "status_basis", "status", "lagging",
]


def previous_period(period: pd.Period) -> pd.Period | None:
    """The previous published YTD period of the same year (None for January and 1-2月)."""
    return period - 1 if period.month >= 3 else None


def _target_cubes(targets: pd.DataFrame, panel: GapCube, year: int) -> dict[str, np.ndarray]:
    """Annual and Q1 targets for ``year`` as arrays (regions, indicators, 2), NaN when none."""
    needed = ["region_code", "indicator", "year", "horizon", "measure", "target"]
    missing = [c for c in needed if c not in targets.columns]
    if missing:
        raise DataError(f"targets frame lacks columns {missing}", expected=f"columns {needed}")
    tg = targets.loc[(targets["year"].astype(int) == year) & targets["measure"].isin(CUBE_MEASURES)]
    tg = tg.astype({"region_code": str, "indicator": str, "measure": str, "horizon": str})
    dup = tg.duplicated(subset=[*KEY, "horizon"], keep=False)
    if dup.any():
        first = tg.loc[dup].iloc[0]
        raise DataError(
            "duplicate target",
            location=f"{first['region_code']} {first['indicator']} {first['measure']} {first['horizon']}",
            expected="one target per region, indicator, year, horizon and measure",
        )
    r = codes_of(tg["region_code"], panel.codes)
    i = codes_of(tg["indicator"], panel.indicators)
    m = codes_of(tg["measure"], pd.Index(CUBE_MEASURES))
    out = {}
    for horizon in ("annual", "q1"):
        cube = np.full((len(panel.codes), len(panel.indicators), len(CUBE_MEASURES)), np.nan)
        keep = (r >= 0) & (i >= 0) & (m >= 0) & (tg["horizon"] == horizon).to_numpy()
        cube[r[keep], i[keep], m[keep]] = tg["target"].to_numpy(dtype=float)[keep]
        out[horizon] = cube
    return out


def _skeleton(panel: GapCube, slots: list[int], targets: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Every peer x every (indicator, measure) its parent's peers or the parent report now.

    Returns index arrays ``(peer, indicator, measure)`` into the panel's peer list and axes.
    """
    seen = panel.exists[slots].any(axis=0) | ~np.isnan(targets["annual"]) | ~np.isnan(targets["q1"])
    own = seen[panel.county]
    group = np.where(panel.parent >= 0, panel.parent, len(panel.codes) + np.arange(len(panel.county)))
    by_group = np.zeros((len(panel.codes) + len(panel.county), *seen.shape[1:]), dtype=bool)
    np.logical_or.at(by_group, group, own)
    by_group[: len(panel.codes)] |= seen
    return np.nonzero(by_group[group])


def _target_columns(panel: GapCube, rows: tuple[np.ndarray, ...], targets: dict[str, np.ndarray],
                    period: pd.Period, cumulative: np.ndarray, schedule_by: str, horizon: str) -> dict:
    """The target each row is judged on, its completion and the 时序进度 it is held against.

    In January-March a cumulative row with a Q1 target is judged on that target: completion
    of the Q1 target against the elapsed share of the quarter (the annual columns stay).
    """
    peer, ind, meas = rows
    region = panel.county[peer]
    actual = panel.values[panel.slot(period), region, ind, meas]
    annual, q1 = targets["annual"][region, ind, meas], targets["q1"][region, ind, meas]
    in_q1 = (horizon == "auto") & (period.month <= 3) & ~cumulative
    use_q1 = ~np.isnan(q1) & ((horizon == "q1") | in_q1)
    target = np.where(use_q1, q1, np.nan if horizon == "q1" else annual)
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = np.where(cumulative & (target != 0), actual / target, np.nan)
        q1_completion = np.where(cumulative & (q1 != 0), actual / q1, np.nan)
    progress = np.where(use_q1, q1_schedule_progress(period, schedule_by), schedule_progress(period, schedule_by))
    progress = np.where(cumulative & ~np.isnan(target), progress, np.nan)
    q1_basis = cumulative & ~np.isnan(q1_completion) & (horizon != "annual") & (period.month <= 3)
    q1_progress = np.where(q1_basis, q1_schedule_progress(period, schedule_by), np.nan)
    return {
        "use_q1": use_q1,
        "actual": actual,
        "target": target,
        "gap_to_target": actual - target,
        "completion_rate": completion,
        "q1_completion_rate": q1_completion,
        "schedule_progress": progress,
        "gap_to_schedule_pp": (completion - progress) * 100,
        "q1_schedule_progress": q1_progress,
        "q1_gap_to_schedule_pp": (q1_completion - q1_progress) * 100,
    }


def _rank_columns(panel: GapCube, rows: tuple[np.ndarray, ...], actual: np.ndarray, lower: np.ndarray,
                  peers: str) -> tuple[np.ndarray, np.ndarray]:
    """``(rank, n_peers)``: rank among the peers (1 = best, ties share the best place) and the
    number ranked; NaN for a row with no peer group (no parent)."""
    peer, ind, meas = rows
    has_parent = panel.parent[peer] >= 0
    group = np.where(has_parent, panel.parent[peer], len(panel.codes) + np.arange(len(peer))) \
        if peers == "city" else 0
    key = (np.asarray(group, dtype="int64") * len(panel.indicators) + ind) * 2 + meas
    grouped = pd.Series(np.where(lower, -actual, actual)).groupby(key, sort=False)
    lonely = ~has_parent & (peers == "city")
    rank = np.where(lonely, np.nan, grouped.rank(ascending=False, method="min").to_numpy())
    n_peers = np.where(lonely, np.nan, grouped.transform("count").to_numpy(dtype=float))
    return rank, n_peers


def _label_columns(panel: GapCube, rows: tuple[np.ndarray, ...], period: pd.Period, peers: str,
                   cumulative: np.ndarray, unit: np.ndarray, lower: np.ndarray, use_q1: np.ndarray,
                   numbers: dict, published: np.ndarray) -> dict:
    """The gap table's label columns (who, what, which basis, where the city figure comes from)."""
    peer, ind, meas = rows
    region, parent = panel.county[peer], panel.parent[peer]
    has_parent = parent >= 0
    safe = np.maximum(parent, 0)
    actual, city_value = numbers["actual"], numbers["city_value"]
    lonely = ~has_parent & (peers == "city")  # no peer group: not ranked (see _rank_columns)
    return {
        "region_code": panel.codes[region],
        "region_name": panel.county_names[peer],
        "parent": np.where(has_parent, panel.codes[safe].to_numpy(dtype=object), None),
        "indicator": panel.indicators[ind],
        "period": repeat_period(period, len(peer)),
        "measure": np.array(CUBE_MEASURES)[meas],
        "row_kind": np.where(cumulative, "cumulative", "rate"),
        "unit": unit,
        "direction": np.where(lower, "lower", "higher"),
        "target_horizon": np.where(use_q1, "q1", np.where(np.isnan(numbers["target"]), None, "annual")),
        "city_source": np.where(
            ~np.isnan(city_value), np.where(published[safe, ind, meas], "published", "aggregated"), None
        ),
        "peer_group": np.full(len(peer), peers, dtype=object),
        "rank_note": np.where(
            np.isnan(actual), "not ranked: value missing", np.where(lonely, "not ranked: no parent", "")
        ),
    }


def _snapshot(
    panel: GapCube,
    rows: tuple[np.ndarray, ...],
    targets: dict[str, np.ndarray],
    cat: pd.DataFrame,
    period: pd.Period,
    peers: str,
    schedule_by: str,
    horizon: str,
    thresholds: StatusThresholds | None,
    full: bool = True,
) -> pd.DataFrame:
    """The gap table for one period (no month-over-month or history columns).

    With ``full=False`` only the numeric columns (for the previous period's comparison).
    """
    peer, ind, meas = rows
    parent = panel.parent[peer]
    has_parent = parent >= 0
    safe = np.maximum(parent, 0)
    rules = cat.reindex(panel.indicators)
    lower = (rules["direction"].to_numpy() == "lower")[ind]
    growth = meas == 1
    cumulative = ~growth & np.isin(rules["kind"].to_numpy()[ind], ["flow", "count"])
    unit = np.where(growth, "%", rules["unit"].fillna("").to_numpy().astype(str)[ind])
    numbers = _target_columns(panel, rows, targets, period, cumulative, schedule_by, horizon)
    use_q1, actual = numbers.pop("use_q1"), numbers["actual"]

    city, published = city_cube(panel, panel.slot(period), panel.slot(period - 12), cat)
    city_value = np.where(has_parent, city[safe, ind, meas], np.nan)
    total = cumulative | (~growth & (rules["city_agg"].to_numpy()[ind] == "sum"))  # city figure = a sum
    gap_to_city = np.where(total, np.nan, actual - city_value)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total & (city_value != 0), actual / city_value, np.nan)
    rank, n_peers = _rank_columns(panel, rows, actual, lower, peers)
    numbers |= {
        "city_value": city_value,
        "gap_to_city": gap_to_city,
        "gap_to_city_pp": np.where(unit == "%", gap_to_city, np.nan),
        "share_of_city": share,
        "rank": rank,
        "n_peers": n_peers,
    }
    if not full:
        return pd.DataFrame(numbers)
    labels = _label_columns(panel, rows, period, peers, cumulative, unit, lower, use_q1, numbers, published)
    table = pd.DataFrame({**labels, **numbers})
    table = pd.concat([table, assess_status(table, thresholds)], axis=1)
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
    indicator, measure. Indicators not in the catalogue are left out (the validator
    reports them).
    """
    if peers not in ("city", "all"):
        raise ValueError(f"peers must be 'city' or 'all', got {peers!r}")
    if horizon not in ("auto", "annual", "q1"):
        raise ValueError(f"horizon must be 'auto', 'annual' or 'q1', got {horizon!r}")
    period = as_period(as_of)
    prev = previous_period(period)
    cat = catalog.indicators() if catalogue is None else catalogue
    missing = [c for c in _CATALOGUE_COLUMNS if c not in cat.columns]
    if missing:
        raise ValueError(f"catalogue lacks columns {missing}")

    wanted = [period, period - 12, period - 24, period - 36]
    if prev is not None:
        wanted += [prev, prev - 12]
    panel = build_cube(obs, regions, wanted, pd.Index(cat.index.astype(str)), levels)
    if np.isnan(panel.values[panel.slot(period)]).all():
        if period.month == 1:
            raise DataError(
                f"no figures for January {period.year}: January is released together with February "
                f"as 1-2月, so there is no January gap table; use {period.year}-02",
                expected=f"as_of {period.year}-02 (1-2月)",
            )
        raise DataError(
            f"no observations for {period} in the regions of levels {levels} or their parents",
            expected="an as-of month that the bureau tables cover",
        )
    targets_now = _target_cubes(targets, panel, period.year)
    current = [panel.slot(period)] + ([panel.slot(prev)] if prev is not None else [])
    rows = _skeleton(panel, current, targets_now)
    args = (panel, rows, targets_now, cat)
    table = _snapshot(*args, period, peers, schedule_by, horizon, thresholds)

    if prev is not None:
        before = _snapshot(*args, prev, peers, schedule_by, horizon, thresholds, full=False)
    else:
        before = table.assign(**dict.fromkeys(("actual", "rank", "gap_to_target", "gap_to_schedule_pp",
                                               "gap_to_city_pp"), np.nan))
    table = _with_changes(table, before, prev)
    table = _with_history(table, panel, rows, period)
    return table.sort_values(KEY).reset_index(drop=True)


def _with_changes(table: pd.DataFrame, before: pd.DataFrame, prev: pd.Period | None) -> pd.DataFrame:
    """The change since the previous YTD period, each ``now - before`` (rank: positive = 前移)."""
    return table.assign(
        prev_period=repeat_period(prev, len(table)),
        prev_actual=before["actual"],
        prev_rank=before["rank"],
        rank_change=before["rank"] - table["rank"],
        gap_to_target_change=table["gap_to_target"] - before["gap_to_target"],
        gap_to_schedule_change_pp=table["gap_to_schedule_pp"] - before["gap_to_schedule_pp"],
        gap_to_city_change_pp=table["gap_to_city_pp"] - before["gap_to_city_pp"],
    )


def _with_history(table: pd.DataFrame, panel: GapCube, rows: tuple[np.ndarray, ...],
                  period: pd.Period) -> pd.DataFrame:
    """Own history: the same month a year earlier and the mean of the same month of the last
    three years (NaN unless all three are known)."""
    peer, ind, meas = rows
    region = panel.county[peer]
    past = np.stack([panel.values[panel.slot(period - 12 * k), region, ind, meas] for k in (1, 2, 3)])
    return table.assign(
        actual_last_year=past[0],
        vs_last_year=table["actual"] - past[0],
        avg_3y=past.mean(axis=0),
        vs_avg_3y=table["actual"] - past.mean(axis=0),
    )


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


def lagging_by_region(table: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.Series:
    """Region code -> list of lagging indicator codes (worst first); empty list when none."""
    lag = lagging_list(table, catalogue)
    lists = lag.groupby("region_code", sort=True)["indicator"].agg(list)
    regions = pd.Index(table["region_code"].unique()).sort_values()
    return lists.reindex(regions).map(lambda v: v if isinstance(v, list) else []).rename("lagging")
