"""Series whose projections are known by construction (shared by the projection tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A fixed within-year pattern (Jan..Dec) summing to 1: Q1 share = 0.06+0.07+0.09 = 0.22.
PATTERN = np.array([0.06, 0.07, 0.09, 0.08, 0.08, 0.085, 0.085, 0.085, 0.09, 0.09, 0.085, 0.09])
PATTERN = PATTERN / PATTERN.sum()


def constant_share_monthly(first: int, last: int, growth: float = 0.08,
                           combined: bool = True, noise: float = 0.0,
                           seed: int = 0) -> pd.Series:
    """Annual total ``100 (1+growth)^(y-first)`` spread by PATTERN; Jan-Feb combined if asked.

    With ``noise`` > 0 each month is multiplied by ``exp(N(0, noise))``.
    """
    years = np.arange(first, last + 1)
    totals = 100 * (1 + growth) ** (years - first)
    values = (totals[:, None] * PATTERN[None, :]).ravel()
    if noise:
        values = values * np.exp(np.random.default_rng(seed).normal(0, noise, values.size))
    index = pd.period_range(f"{first}-01", f"{last}-12", freq="M")
    series = pd.Series(values, index=index, name="x")
    if combined:
        jan = series.index.month == 1
        feb = series.index.month == 2
        series[feb] = series[feb].to_numpy() + series[jan].to_numpy()
        series[jan] = np.nan
    return series


def annual_total(first: int, year: int, growth: float = 0.08) -> float:
    return 100 * (1 + growth) ** (year - first)


def panel_from_totals(totals: dict[str, dict[int, tuple[float, float]]]) -> pd.DataFrame:
    """A wide monthly panel from ``{series: {year: (Q1 YTD, annual)}}``, Jan-Feb combined.

    Each year: January NaN, February and March half of the Q1 value each, April..December
    ``(annual - Q1) / 9`` each, so YTD(3) and the December total are exactly the given pair.
    """
    years = sorted({y for table in totals.values() for y in table})
    index = pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M")
    columns = {}
    for name, table in totals.items():
        values = np.full(len(index), np.nan)
        for year, (q1, annual) in table.items():
            start = (year - years[0]) * 12
            values[start + 1] = values[start + 2] = q1 / 2
            values[start + 3: start + 12] = (annual - q1) / 9
        columns[name] = values
    return pd.DataFrame(columns, index=index)
