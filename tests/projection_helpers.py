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
