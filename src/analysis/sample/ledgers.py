"""Targets, the key-project ledger and township weekly reports of the sample city.

All three are built from the published bureau figures and the region list so that they
agree with each other: level targets are last year's figure times ``1 + growth target``;
a township's ``projects_started`` counts the ledger's projects started by that week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.periods import spring_festival_dates
from analysis.sample.geography import CITY_CODE

YEAR = 2026
REPORT_DATE = pd.Timestamp("2026-03-31")
WEEK_ENDS = pd.date_range("2026-01-04", "2026-03-29", freq="W-SUN")
SLOW_STARTERS = {"990123": 0.4}  # 石桥县: share of due projects not started (others 10%)
SLOW_PACE = {"990123": 0.6}  # ... and slower investment on the started ones
SUMMONED = ("990123", "990126")  # counties whose weakest township is last two weeks running

# indicator: (measures, annual target parameter range, decimals). The parameter is the city's
# growth target above its trend in pp (growth indicators), the yearly increment (ratios) or
# the growth of the count (new_hightech).
TARGETS: dict[str, tuple[tuple[str, ...], tuple[float, float], int]] = {
    "fai": (("ytd_value", "ytd_growth"), (0.5, 1.0), 2),
    "iva": (("ytd_growth",), (0.5, 1.0), 1),
    "retail": (("ytd_value", "ytd_growth"), (0.5, 1.0), 2),
    "electricity": (("ytd_growth",), (0.5, 1.0), 1),
    "new_entities": (("ytd_value",), (0.5, 1.0), 0),
    "tech_invest": (("ytd_growth",), (0.5, 1.0), 1),
    "sei_share": (("ytd_value",), (1.0, 2.0), 1),
    "new_hightech": (("ytd_value",), (5.0, 12.0), 0),
    "project_conversion": (("ytd_value",), (0.5, 1.5), 1),
    "financing_rate": (("ytd_value",), (0.3, 1.0), 1),
}
RATIOS = ("sei_share", "project_conversion", "financing_rate")
TREND_YEARS = (2023, 2024, 2025)  # the trend: mean December YTD growth of these years
AMBITIOUS = 0.1  # share of county targets set 1.5pp further above the trend


def _last_year(cells: pd.DataFrame, month: str) -> pd.DataFrame:
    """Published values of ``month`` as a (region_code, indicator) -> value frame."""
    sub = cells[(cells["period"] == month) & (cells["measure"] == "ytd_value")]
    return sub.set_index(["region_code", "indicator"])["value"]


def trend_growth(cells: pd.DataFrame, code: str, regions: list[str]) -> np.ndarray:
    """Each region's growth trend in %: mean published December YTD growth of ``TREND_YEARS``.

    ``new_entities`` counts and the other flows alike; the planners' view of "normal" growth.
    """
    months = [f"{y}-12" for y in TREND_YEARS]
    sub = cells[(cells["indicator"] == code) & (cells["measure"] == "ytd_growth") & cells["period"].isin(months)]
    return sub.groupby("region_code")["value"].mean().reindex(regions).to_numpy()


def _q1_share(cells: pd.DataFrame, code: str, regions: list[str]) -> np.ndarray:
    """Each region's usual Q1 share of the year: sum of March YTD / sum of December YTD levels."""
    sub = cells[(cells["indicator"] == code) & (cells["measure"] == "ytd_value")]
    by = sub.pivot_table(index="region_code", columns="period", values="value", aggfunc="sum")
    march = by[[f"{y}-03" for y in TREND_YEARS]].sum(axis=1)
    december = by[[f"{y}-12" for y in TREND_YEARS]].sum(axis=1)
    return (march / december).reindex(regions).to_numpy()


def _half(x: np.ndarray) -> np.ndarray:
    """Round to steps of 0.5 (targets are set in half points)."""
    return np.round(np.asarray(x) * 2) / 2


def targets(cells: pd.DataFrame, counties: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """``targets.csv``: 2026 annual and Q1 targets per county and the city.

    Growth targets follow each county's own trend (:func:`trend_growth`): the city sets
    ``trend_city + o`` with ``o`` drawn from the ``TARGETS`` range; a county ``trend_n + o +
    e_n`` with ``e_n`` in {-0.5, 0, 0, +0.5} and, for ``AMBITIOUS`` of them, 1.5pp more; Q1
    growth targets are the annual one or 0.5pp lower (slow start); all in half points. Level targets are
    ``last year's YTD value * (1 + growth / 100)``. Ratio targets add the drawn yearly
    increment to last December's value (Q1: a quarter of it). New high-tech enterprise
    targets are counts: last year's times ``1 + g``, Q1 ``floor(annual * usual Q1 share)``
    (at least 1) - certification is mostly in Q4 and Q1 counts are small. City level
    targets are the sum of the county targets, city growth targets the growth that sum
    implies (else the mean county target), city ratio targets the mean of the counties'.
    """
    annual, q1 = _last_year(cells, f"{YEAR - 1}-12"), _last_year(cells, f"{YEAR - 1}-03")
    n = len(counties)
    rows = []
    for code, (measures, (low, high), decimals) in TARGETS.items():
        draw = _half(rng.uniform(low, high))
        spread = rng.choice([-0.5, 0.0, 0.0, 0.5], n) + 1.5 * (rng.uniform(0, 1, n) < AMBITIOUS)
        q1_step = rng.choice([-0.5, 0.0, 0.0], n)
        if code in RATIOS:
            last = annual.reindex([(c, code) for c in counties]).to_numpy()
            increment = np.round(rng.uniform(low, high, n), 1)
            for horizon, step in (("annual", increment), ("q1", increment / 4)):
                value = np.minimum(np.round(last + step, decimals), 98.0)
                rows += _rows(counties, code, horizon, "ytd_value", value)
                rows += _rows([CITY_CODE], code, horizon, "ytd_value", [round(value.mean(), 1)])
            continue
        if code == "new_hightech":
            last = annual.reindex([(c, code) for c in counties]).to_numpy()
            yearly = np.round(last * (1 + rng.uniform(low, high, n) / 100))
            quarter = np.maximum(np.floor(yearly * _q1_share(cells, code, counties)), 1)
            for horizon, value in (("annual", yearly), ("q1", quarter)):
                rows += _rows(counties, code, horizon, "ytd_value", value)
                rows += _rows([CITY_CODE], code, horizon, "ytd_value", [value.sum()])
            continue
        g_annual = _half(trend_growth(cells, code, counties) + draw + spread)
        g_q1 = g_annual + q1_step
        for horizon, growth, base in (("annual", g_annual, annual), ("q1", g_q1, q1)):
            if "ytd_growth" in measures:
                rows += _rows(counties, code, horizon, "ytd_growth", growth)
            if "ytd_value" in measures:
                last = base.reindex([(c, code) for c in counties]).to_numpy()
                value = np.round(last * (1 + growth / 100), decimals)
                rows += _rows(counties, code, horizon, "ytd_value", value)
                total = round(value.sum(), decimals)
                rows += _rows([CITY_CODE], code, horizon, "ytd_value", [total])
                implied = 100 * (total / base[(CITY_CODE, code)] - 1)
                if "ytd_growth" in measures:
                    rows += _rows([CITY_CODE], code, horizon, "ytd_growth", [round(implied, 1)])
            else:
                rows += _rows([CITY_CODE], code, horizon, "ytd_growth", [_half(growth.mean())])
    frame = pd.DataFrame(rows, columns=["region_code", "indicator", "year", "horizon", "measure", "target"])
    order = {c: i for i, c in enumerate([CITY_CODE, *counties])}
    return frame.sort_values(
        ["region_code", "indicator", "horizon", "measure"],
        key=lambda s: s.map(order) if s.name == "region_code" else s,
        kind="stable",
    ).reset_index(drop=True)


def _rows(codes: list[str], code: str, horizon: str, measure: str, values) -> list[tuple]:
    return [(c, code, YEAR, horizon, measure, float(v)) for c, v in zip(codes, values, strict=True)]


_PRODUCTS = (
    "新能源电池",
    "智能装备",
    "高端纺织",
    "精密机械",
    "生物医药",
    "光伏组件",
    "新材料",
    "冷链物流",
    "电子元器件",
    "食品加工",
    "汽车零部件",
    "环保装备",
    "数字经济",
    "预制菜",
    "医疗器械",
    "储能设备",
    "功能性面料",
    "工业机器人",
)
_KINDS = ("生产基地项目", "扩建项目", "技术改造项目", "产业园项目", "二期项目", "标准厂房项目")


def _draw_towns(county: np.ndarray, regions: pd.DataFrame, weights: pd.Series, u: np.ndarray) -> np.ndarray:
    """Township of each project, drawn with probability = its weight within the county.

    Searches ``u`` in the county's cumulative weights, offset by the county's position so
    one search serves all counties.
    """
    towns = regions[regions["level"] == "township"]
    counties = regions.loc[regions["level"] == "county", "code"].to_numpy()
    position = {c: i for i, c in enumerate(counties)}
    cumulative = weights.reindex(towns["code"]).groupby(towns["parent"].to_numpy()).cumsum()
    keys = towns["parent"].map(position).to_numpy() + cumulative.to_numpy()
    draw = np.array([position[c] for c in county]) + u * (1 - 1e-9)
    return towns["code"].to_numpy()[np.searchsorted(keys, draw)]


def _new_starts(county: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The year's new starts (新开工): planned start, actual start, plan and completion.

    Planned starts 50% in Q1, 42% in Q2, 8% in Q3 of 2026. Of the due projects (planned by
    the report date) ``floor(n_due * 10%)`` per county are not started (40% in
    ``SLOW_STARTERS``); started ones begin up to 12 days early or, one in four, 8-40 days
    late (never after the report date). Completed investment of a started project:
    ``planned * pace * days_since_start / 365`` (pace 0.9-1.8, times ``SLOW_PACE``),
    capped at the plan; plans are smaller than the continuing projects' (first year).
    """
    n = len(county)
    quarter = rng.choice([1, 2, 3], size=n, p=[0.5, 0.42, 0.08])
    q_start = pd.to_datetime(["2026-01-05", "2026-04-01", "2026-07-01"])[quarter - 1]
    q_days = np.array([86, 91, 92])[quarter - 1]
    planned = q_start + pd.to_timedelta(np.floor(rng.uniform(0, 1, n) * q_days), unit="D")
    due = planned <= REPORT_DATE
    miss = np.array([SLOW_STARTERS.get(c, 0.1) for c in county])
    late = rng.uniform(0, 1, n) < 0.25
    delay = np.where(late, rng.integers(8, 41, n), rng.integers(-12, 4, n))
    actual = planned + pd.to_timedelta(delay, unit="D")
    latest = REPORT_DATE - pd.to_timedelta(rng.integers(0, 4, n), unit="D")
    actual = actual.where(actual <= latest, latest)
    actual = actual.where(actual >= planned - pd.Timedelta(days=12), planned)
    early = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 31, n), unit="D")
    order = pd.Series(rng.uniform(0, 1, n)).where(due).groupby(county).rank(method="first")
    n_due = pd.Series(due).groupby(county).transform("sum").to_numpy()
    missed = due & (order.to_numpy() <= np.floor(n_due * miss))
    started = np.where(due, ~missed, rng.uniform(0, 1, n) < 0.08)
    actual = pd.Series(np.where(due, actual, early)).where(started)
    plan = np.clip(np.round(rng.lognormal(np.log(30000), 0.6, n), -2), 10000, 200000)
    pace = rng.uniform(0.9, 1.8, n) * np.array([SLOW_PACE.get(c, 1.0) for c in county])
    days = ((REPORT_DATE - actual).dt.days + 1).fillna(0).to_numpy()
    done = np.round(np.minimum(plan * pace * days / 365, plan))
    return pd.DataFrame({"planned_start": planned, "actual_start": actual.to_numpy(), "plan": plan, "done": done})


def _continuing(county: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Continuing projects (续建): started March 2024 - November 2025, building all year.

    Actual start 5 days before to 20 days after the planned one. This year's plan is
    larger than a new start's; completed investment by the report date ``plan * pace *
    days_of_year / 365`` with pace 1.15-1.45 (sites at full work after the festival), times
    ``SLOW_PACE``.
    """
    n = len(county)
    planned = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 640, n), unit="D")
    actual = planned + pd.to_timedelta(rng.integers(-5, 21, n), unit="D")
    plan = np.clip(np.round(rng.lognormal(np.log(80000), 0.6, n), -2), 10000, 200000)
    pace = rng.uniform(1.15, 1.45, n) * np.array([SLOW_PACE.get(c, 1.0) for c in county])
    days = REPORT_DATE.day_of_year
    done = np.round(np.minimum(plan * pace * days / 365, plan))
    return pd.DataFrame({"planned_start": planned, "actual_start": actual, "plan": plan, "done": done})


def projects(regions: pd.DataFrame, weights: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Key-project ledger (亿元以上重点项目), English column names of data-formats.md.

    Per county 12-25 new starts (:func:`_new_starts`) and 15-28 continuing projects
    (:func:`_continuing`, listed first), in townships drawn by their ``weights``; the
    continuing ones carry most of the year's planned investment and of Q1's completion,
    as in a real ledger.
    """
    counties = regions.loc[regions["level"] == "county", "code"].to_numpy()
    n_new = rng.integers(12, 26, len(counties))
    n_cont = rng.integers(15, 29, len(counties))
    sizes = n_new + n_cont
    county = np.repeat(counties, sizes)
    n = len(county)
    number = np.concatenate([np.arange(1, s + 1) for s in sizes])
    town = _draw_towns(county, regions, weights, rng.uniform(0, 1, n))
    towns = regions[regions["level"] == "township"]
    short = towns.set_index("code")["short_name"].reindex(town).to_numpy()
    is_cont = np.concatenate([np.arange(s) < c for s, c in zip(sizes, n_cont, strict=True)])
    parts = pd.concat(
        [_continuing(county[is_cont], rng), _new_starts(county[~is_cont], rng)], ignore_index=True
    )
    # put the rows back in ledger order (each county: continuing first, then new starts)
    index = np.empty(n, dtype=int)
    index[is_cont] = np.arange(is_cont.sum())
    index[~is_cont] = is_cont.sum() + np.arange((~is_cont).sum())
    parts = parts.iloc[index].reset_index(drop=True)
    names = [
        f"{s}{_PRODUCTS[i]}{_KINDS[j]}"
        for s, i, j in zip(
            short,
            rng.integers(len(_PRODUCTS), size=n),
            rng.integers(len(_KINDS), size=n),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "project_id": [f"XM{c[2:]}{k:03d}" for c, k in zip(county, number, strict=True)],
            "project_name": names,
            "county_code": county,
            "township_code": town,
            "planned_start": parts["planned_start"].to_numpy(),
            "actual_start": parts["actual_start"].to_numpy(),
            "planned_investment": parts["plan"].to_numpy(),
            "completed_investment": parts["done"].to_numpy(),
            "reported_on": REPORT_DATE,
        }
    )


def township_weights(regions: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Each township's share of its county's key-project activity (sums to 1 per county).

    Three townships per county, at random positions, get 3.0, 2.3 and 1.8 (times 0.92-1.05)
    so the top three stand clearly ahead; the others 0.4-1.1. Indexed by township code.
    """
    towns = regions[regions["level"] == "township"].reset_index(drop=True)
    weight = rng.uniform(0.4, 1.1, len(towns))
    rank = towns.assign(u=rng.uniform(size=len(towns))).groupby("parent")["u"].rank(method="first")
    top = np.array([3.0, 2.3, 1.8, 0, 0, 0, 0, 0])[(rank.to_numpy() - 1).astype(int)]
    weight = np.where(top > 0, top * rng.uniform(0.92, 1.05, len(towns)), weight)
    weight = weight / pd.Series(weight).groupby(towns["parent"]).transform("sum").to_numpy()
    return pd.Series(weight, index=towns["code"].to_numpy(), name="weight")


def township_weekly(
    regions: pd.DataFrame,
    weights: pd.Series,
    cells: pd.DataFrame,
    ledger: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Township weekly investment reports (万元), English column names of data-formats.md.

    A county's township total for Q1 is 40% of its published 1-3月 fixed-asset investment;
    a township's share is its weight (:func:`township_weights`) and each week
    follows daily activity ``(1 + 0.004 * day_of_year) * (1 - 0.8 * festival)`` where
    ``festival`` marks 7 days before to 10 days after the Spring Festival, times noise.
    In ``SUMMONED`` counties the smallest township is last in the final two weeks; in the
    others no township is last in both of them.
    """
    towns = regions[regions["level"] == "township"].reset_index(drop=True)
    weight = weights.reindex(towns["code"]).to_numpy()
    q1 = cells[
        (cells["period"] == "2026-03") & (cells["indicator"] == "fai") & (cells["measure"] == "ytd_value")
    ].set_index("region_code")["value"]
    town_total = q1.reindex(towns["parent"]).to_numpy() * 1e4 * 0.4 * weight

    days = pd.date_range("2026-01-01", WEEK_ENDS[-1], freq="D")
    festival = spring_festival_dates()[YEAR]
    holiday = (days >= festival - pd.Timedelta(days=7)) & (days < festival + pd.Timedelta(days=10))
    activity = pd.Series((1 + 0.004 * days.day_of_year) * (1 - 0.8 * holiday), index=days)
    weekly = activity.groupby(np.searchsorted(WEEK_ENDS, days)).sum().to_numpy()
    share = weekly / weekly.sum()
    noise = rng.lognormal(0, 0.3, (len(towns), len(WEEK_ENDS)))
    frame = pd.DataFrame(
        {
            "week_end": np.tile(WEEK_ENDS, len(towns)),
            "township_code": np.repeat(towns["code"].to_numpy(), len(WEEK_ENDS)),
            "county_code": np.repeat(towns["parent"].to_numpy(), len(WEEK_ENDS)),
            "investment_week": (town_total[:, None] * share[None, :] * noise).ravel(),
            "weight": np.repeat(weight, len(WEEK_ENDS)),
        }
    )
    frame = _fix_last_places(frame)
    frame["investment_week"] = frame["investment_week"].round(1)
    frame["investment_ytd"] = frame.groupby("township_code")["investment_week"].cumsum().round(1)
    frame["projects_started"] = _started_by_week(frame, ledger)
    return frame.drop(columns="weight")


def _fix_last_places(frame: pd.DataFrame) -> pd.DataFrame:
    """Make the weakest township of ``SUMMONED`` counties last in the final two weeks and
    give no other county a township that is last in both of them."""
    frame = frame.copy()
    final = frame["week_end"].isin(WEEK_ENDS[-2:])
    by_county = frame.groupby("county_code")["weight"].transform("min")
    summoned = frame["county_code"].isin(SUMMONED) & (frame["weight"] == by_county)
    groups = [frame["county_code"], frame["week_end"]]
    others_min = frame["investment_week"].where(~summoned).groupby(groups).transform("min")
    hit = summoned & final
    frame.loc[hit, "investment_week"] = 0.35 * others_min[hit]
    # Other counties: the last township of the final week moves just above the runner-up.
    rank = frame.groupby(groups)["investment_week"].rank(method="first", ascending=True)
    last_prev = frame["township_code"].where(final & (frame["week_end"] == WEEK_ENDS[-2]) & (rank == 1))
    repeat = frame["township_code"].isin(last_prev.dropna()) & (frame["week_end"] == WEEK_ENDS[-1])
    repeat &= (rank == 1) & ~frame["county_code"].isin(SUMMONED)
    second = frame["investment_week"].where(rank == 2).groupby(groups).transform("max")
    frame.loc[repeat, "investment_week"] = second[repeat] * 1.15
    return frame


def _started_by_week(frame: pd.DataFrame, ledger: pd.DataFrame) -> np.ndarray:
    """Cumulative number of ledger projects of each township started this year by each week end
    (continuing projects, started in earlier years, are not counted)."""
    started = ledger.loc[ledger["actual_start"] >= pd.Timestamp(f"{YEAR}-01-01")]
    week = np.searchsorted(WEEK_ENDS.to_numpy(), started["actual_start"].to_numpy())
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([started["township_code"], week]))
    counts = counts.groupby(level=[0, 1]).sum()
    index = pd.MultiIndex.from_arrays([frame["township_code"], frame.groupby("township_code").cumcount()])
    per_week = counts.reindex(index, fill_value=0).to_numpy()
    return pd.Series(per_week).groupby(frame["township_code"].to_numpy()).cumsum().to_numpy()
