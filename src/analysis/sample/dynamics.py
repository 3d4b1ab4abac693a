"""Simulated monthly economies of the nine sample counties (true, unpublished values).

Every flow indicator is a monthly level ``M[n, t]`` for county ``n`` and month ``t``::

    M = base_n * trend_n(year) * season(month) * festival(t) * shock2020(t) * lag_n(t) * exp(e)

- ``trend_n``: cumulated yearly growth ``g_y + d_n + u_{n,y}`` (common path, a permanent
  county deviation ``d_n`` and county-year noise ``u``), a step at each January;
- ``season``: twelve monthly weights (mean 1) without the festival;
- ``festival``: ``1 + s * overlap_days / days_in_month`` where ``overlap_days`` is the part of
  a window around the real Spring Festival date (:func:`analysis.core.periods.spring_festival_dates`)
  falling in the month; ``s < 0`` for production and investment (holiday shutdown, longer
  for building sites), ``s > 0`` for retail (festival shopping);
- ``shock2020``: monthly multipliers for 2020 (deep fall in Feb, recovery over the year);
- ``lag_n``: a 2026 multiplier that puts three counties' Q1 growth a set number of
  percentage points below the other counties' (see ``LAGGING`` and :func:`lag_factor`);
- ``e``: monthly log-normal noise.

Simulated for 2018-2026 in full years (2018 only serves as the base of 2019 growth); the
writer publishes 2019-01 to 2026-03. Year-to-date values are cumulative sums within a
year, YTD growth ``100 * (Y_t / Y_{t-12} - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.periods import spring_festival_dates

YEARS = np.arange(2018, 2027)
MONTHS = pd.period_range("2018-01", "2026-12", freq="M")
N_COUNTIES = 9

# Lagging counties: indicator -> {county code: 2026 Q1 growth gap (pp) below the others}.
LAGGING: dict[str, dict[str, float]] = {
    "fai": {"990123": 12.0},  # 石桥县: investment collapses, far behind its target
    "tech_invest": {"990123": 15.0},
    "industry": {"990124": 5.0},  # 柳溪县: weak industrial value added ...
    "electricity": {"990124": 7.0},  # ... and falling electricity use
    "new_entities": {"990126": 10.0},  # 白沙县: few new market entities, weak retail
    "retail": {"990126": 5.0},
}

# 2018 levels of ratio indicators that make the lagging counties' profile coherent.
PROFILES: dict[str, dict[str, float]] = {
    # 柳溪县: an old textile/machinery county (传统工业大县), few new industries, dense old
    # industrial land used poorly and firms short of credit.
    "990124": {"trad_share": 66.0, "sei_share": 10.0, "financing_rate": 68.0, "plot_ratio": 0.7},
    "990123": {"project_conversion": 45.0},  # 石桥县: signed projects do not land
}


@dataclass(frozen=True)
class Flow:
    """Parameters of one simulated flow (see the module docstring for the formula)."""

    code: str
    base: tuple[float, ...]  # 2018 annual level per county, catalogue unit
    growth: tuple[float, ...]  # common underlying growth 2018..2026 (2018 unused)
    dev_sd: float  # sd of the permanent county growth deviation
    year_sd: float  # sd of county-year growth noise
    season: tuple[float, ...]  # Jan..Dec weights
    festival: tuple[int, int, float]  # window (days from festival: start, end) and s
    shock2020: tuple[float, ...]  # Jan..Dec multipliers in 2020
    noise: float  # sd of monthly log noise


_INVEST_2020 = (0.97, 0.45, 0.82, 0.95, 1.0, 1.02, 1.04, 1.05, 1.05, 1.05, 1.05, 1.04)
_PROD_2020 = (0.96, 0.58, 0.9, 0.98, 1.0, 1.01, 1.02, 1.03, 1.03, 1.03, 1.03, 1.03)
_RETAIL_2020 = (0.98, 0.62, 0.8, 0.88, 0.93, 0.96, 0.97, 0.98, 0.99, 0.99, 1.0, 1.0)
_ENTITY_2020 = (0.97, 0.4, 0.8, 0.95, 1.02, 1.05, 1.05, 1.05, 1.03, 1.02, 1.02, 1.02)
_INVEST_SEASON = (0.92, 0.86, 1.18, 1.0, 1.02, 1.2, 0.93, 0.97, 1.12, 0.98, 1.03, 1.15)
_PROD_SEASON = (0.9, 0.82, 1.04, 0.99, 1.01, 1.05, 0.97, 0.98, 1.05, 1.01, 1.06, 1.12)

FLOWS: dict[str, Flow] = {
    "fai": Flow(
        "fai",
        (260, 210, 180, 150, 170, 130, 120, 95, 140),
        (0, 0.065, 0.04, 0.05, 0.06, 0.035, 0.04, 0.035, 0.065),
        0.008,
        0.008,
        _INVEST_SEASON,
        (-10, 15, -0.5),
        _INVEST_2020,
        0.02,
    ),
    "tech_invest": Flow(
        "tech_invest",
        (22, 15, 35, 28, 26, 30, 18, 12, 24),
        (0, 0.09, 0.0, 0.12, 0.1, 0.07, 0.09, 0.08, 0.1),
        0.01,
        0.012,
        _INVEST_SEASON,
        (-10, 15, -0.5),
        _INVEST_2020,
        0.03,
    ),
    # Real (constant-price) industrial output: iva growth comes from it, ind_output adds prices.
    "industry": Flow(
        "industry",
        (420, 300, 650, 520, 480, 560, 380, 260, 450),
        (0, 0.065, 0.03, 0.085, 0.045, 0.05, 0.058, 0.06, 0.062),
        0.006,
        0.006,
        _PROD_SEASON,
        (-5, 12, -0.55),
        _PROD_2020,
        0.012,
    ),
    "electricity": Flow(
        "electricity",
        (180000, 120000, 310000, 260000, 230000, 290000, 170000, 110000, 210000),
        (0, 0.04, 0.02, 0.09, 0.03, 0.06, 0.07, 0.05, 0.065),
        0.006,
        0.008,
        (0.97, 0.86, 1.0, 0.96, 0.99, 1.03, 1.07, 1.09, 1.01, 0.98, 1.0, 1.04),
        (-5, 12, -0.45),
        _PROD_2020,
        0.015,
    ),
    "new_entities": Flow(
        "new_entities",
        (9000, 8000, 5500, 5000, 4500, 4200, 3800, 3000, 4600),
        (0, 0.1, 0.0, 0.12, 0.02, 0.08, 0.05, 0.04, 0.06),
        0.008,
        0.012,
        (0.8, 0.7, 1.15, 1.05, 1.0, 1.05, 1.02, 0.98, 0.98, 0.9, 1.02, 1.35),
        (-7, 10, -0.7),
        _ENTITY_2020,
        0.03,
    ),
    "retail": Flow(
        "retail",
        (300, 260, 120, 110, 95, 90, 85, 70, 100),
        (0, 0.08, 0.01, 0.06, 0.0, 0.07, 0.045, 0.045, 0.05),
        0.005,
        0.006,
        (0.97, 0.88, 0.95, 0.95, 1.0, 1.03, 0.96, 0.97, 1.02, 1.06, 1.06, 1.11),
        (-21, 7, 0.3),
        _RETAIL_2020,
        0.01,
    ),
}

# Industrial producer prices by year (index change), so ind_output growth != iva growth.
PRICES = (0.0, -0.003, -0.018, 0.081, 0.041, -0.03, -0.022, -0.025, -0.01)


def festival_factor(window: tuple[int, int, float]) -> np.ndarray:
    """Per-month festival multiplier ``1 + s * overlap_days / days_in_month`` over MONTHS."""
    start_off, end_off, effect = window
    dates = spring_festival_dates().reindex(YEARS).to_numpy().astype("datetime64[D]")
    festival = np.repeat(dates, 12)
    lo = festival + np.timedelta64(start_off, "D")
    hi = festival + np.timedelta64(end_off, "D")
    m_start = MONTHS.start_time.to_numpy().astype("datetime64[D]")
    m_end = m_start + MONTHS.days_in_month.to_numpy().astype("timedelta64[D]")
    overlap = (np.minimum(hi, m_end) - np.maximum(lo, m_start)).astype(int).clip(min=0)
    return 1.0 + effect * overlap / MONTHS.days_in_month.to_numpy()


def lag_factor(monthly: np.ndarray, gaps: dict[str, float], counties: list[str]) -> np.ndarray:
    """(N, T) multiplier that puts lagging counties' 2026 Q1 growth ``gap`` pp below the rest.

    For a lagging county ``n`` with growth ``g_n = Y_n(2026-03) / Y_n(2025-03) - 1`` and the
    other counties' combined growth ``g_o = sum Y_o(2026-03) / sum Y_o(2025-03) - 1``, every
    2026 month is multiplied by ``(1 + g_o - gap / 100) / (1 + g_n)``; 1 elsewhere. Fixing the
    gap (not a level factor) keeps the lag clear whatever the seed's noise does.
    """
    q1 = ytd(monthly)[:, [_index("2025-03"), _index("2026-03")]]
    lagging = np.array([c in gaps for c in counties])
    others = q1[~lagging].sum(axis=0)
    target = others[1] / others[0] - np.array([gaps.get(c, 0.0) for c in counties]) / 100
    factor = np.where(lagging, target / (q1[:, 1] / q1[:, 0]), 1.0)
    return np.where(np.asarray(MONTHS.year == 2026)[None, :], factor[:, None], 1.0)


def _index(month: str) -> int:
    return int(MONTHS.get_loc(pd.Period(month, "M")))


def simulate_flow(flow: Flow, counties: list[str], rng: np.random.Generator) -> np.ndarray:
    """Monthly true levels, shape (N, 108) over MONTHS (formula in the module docstring)."""
    n = len(counties)
    base = np.asarray(flow.base, float) * rng.lognormal(0.0, 0.05, n)
    growth = (
        np.asarray(flow.growth)[None, :]
        + rng.normal(0, flow.dev_sd, (n, 1))
        + rng.normal(0, flow.year_sd, (n, len(YEARS)))
    )
    growth[:, 0] = 0.0
    trend = np.repeat(np.cumprod(1 + growth, axis=1), 12, axis=1)
    season = np.tile(np.asarray(flow.season) / np.mean(flow.season), len(YEARS))
    shock = np.where(np.asarray(MONTHS.year == 2020), np.tile(flow.shock2020, len(YEARS)), 1.0)
    noise = np.exp(rng.normal(0, flow.noise, (n, len(MONTHS))))
    monthly = base[:, None] / 12 * trend * season * festival_factor(flow.festival) * shock * noise
    return monthly * lag_factor(monthly, LAGGING.get(flow.code, {}), counties)


def ytd(monthly: np.ndarray) -> np.ndarray:
    """Year-to-date sums within each calendar year, same shape as ``monthly``."""
    n, t = monthly.shape
    return np.cumsum(monthly.reshape(n, t // 12, 12), axis=2).reshape(n, t)


def ytd_growth(ytd_values: np.ndarray) -> np.ndarray:
    """YTD growth in percent, ``100 * (Y_t / Y_{t-12} - 1)``; NaN for the first year."""
    out = np.full(ytd_values.shape, np.nan)
    out[..., 12:] = 100 * (ytd_values[..., 12:] / ytd_values[..., :-12] - 1)
    return out


def simulate_counts(counties: list[str], rng: np.random.Generator) -> np.ndarray:
    """New high-tech enterprises per month (integers): Poisson, certified mostly in Q4."""
    base = np.array([45, 38, 30, 25, 22, 24, 15, 10, 20], float) * rng.lognormal(0, 0.1, len(counties))
    season = np.array([0.3, 0.3, 0.6, 0.6, 0.8, 1.0, 0.8, 0.8, 1.2, 1.2, 2.0, 2.4])
    season = np.tile(season / season.sum(), len(YEARS))
    trend = np.repeat(1.08 ** np.arange(len(YEARS)), 12)
    return rng.poisson(base[:, None] * trend * season).astype(float)


def simulate_ratios(counties: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Ratio and stock indicators (N, T): a county level, a smooth drift and AR(1) noise.

    ``value = level_n + drift * months_since_2018 / 12 + a_t`` with ``a_t = 0.9 a_{t-1} +
    e_t``; ``level_n`` is drawn from a narrow band (the counties of one city differ
    little), or fixed by ``PROFILES`` for the lagging counties, so only they sit clearly
    on the wrong side of the city figure.
    """
    n = len(counties)
    years = np.arange(len(MONTHS))[None, :] / 12
    specs = {  # code: (low, high, drift per year, noise sd, clip low, clip high)
        "trad_share": (36.0, 43.0, -1.1, 0.12, 5.0, 95.0),
        "sei_share": (21.0, 27.0, 1.3, 0.12, 1.0, 95.0),
        "project_conversion": (71.0, 78.0, 0.8, 0.35, 20.0, 99.0),
        "financing_rate": (84.0, 89.0, 0.5, 0.25, 30.0, 99.5),
        "plot_ratio": (1.02, 1.14, 0.025, 0.003, 0.3, 3.0),
    }
    out = {}
    for code, (low, high, drift, sd, c_lo, c_hi) in specs.items():
        level = rng.uniform(low, high, n)
        fixed = np.array([PROFILES.get(c, {}).get(code, np.nan) for c in counties])
        level = np.where(np.isnan(fixed), level, fixed)[:, None]
        shocks = rng.normal(0, sd, (n, len(MONTHS)))
        ar = np.zeros_like(shocks)
        for t in range(1, shocks.shape[1]):  # AR(1) recursion over time, vectorised over counties
            ar[:, t] = 0.9 * ar[:, t - 1] + shocks[:, t]
        out[code] = np.clip(level + drift * years + ar, c_lo, c_hi)
    return out
