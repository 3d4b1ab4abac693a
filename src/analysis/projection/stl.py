"""Seasonal decomposition on the 11-period model year (Jan-Feb, Mar, ..., Dec), in logs.

``stl``: ``y = log(value)`` over the fit window (at most ``max_years`` full years plus the
known periods of the projected year) is split by STL (Cleveland et al. 1990; statsmodels
``STL``, period 11, seasonal smoother spanning 11 years, the first-season default of R's
``mstl``) into ``y = S + T + R``. The seasonally adjusted ``a = T + R`` (``n`` values) is
forecast by simple exponential smoothing with an optional drift ``d``::

    L_0 = a_0,   L_j = alpha a_j + (1 - alpha)(L_{j-1} + d),   forecast a_{n+h} = L_n + h d

with ``alpha`` on the grid 0.05, 0.10, ..., 1.00 minimising the one-step squared errors
``SSE = sum_j (a_j - L_{j-1} - d)^2``. ``d`` is 0 (ETS(A,N,N)) or the window's mean change
``(a_{n-1} - a_0) / (n - 1)`` (random walk with drift), whichever has the lower BIC
``n log(SSE / n) + p log n`` (``p`` = 1 or 2): growing series (most county indicators)
keep their growth, cyclical ones are not extrapolated. The seasonal part of each
remaining period repeats its value one year earlier, and
``annual = Y + sum_h exp(L_n + h d + S_{n+h-11})``. This is the STL-plus-ETS forecast of
the MSTL family, which did best from Jan-Feb among the libraries measured in issue 11; it
needs two full years, positive values and ``through_month >= 2``.
There is no model interval: the panel projection calibrates every method's interval from
its pooled out-of-sample errors.
"""

from __future__ import annotations

import numpy as np

from analysis.projection.history import SLOTS

STL_SEASONAL = 11  # seasonal smoother span in years (odd); R's mstl uses 7 + 4 for one season
ALPHAS = np.round(np.arange(1, 21) * 0.05, 2)


def ses_fit(values: np.ndarray, drift: float = 0.0, alphas: np.ndarray = ALPHAS
            ) -> tuple[float, float, float]:
    """``(L_n, alpha, SSE)`` of SES with ``drift`` at the alpha of least one-step squared error."""
    level = np.full(len(alphas), values[0])
    sse = np.zeros(len(alphas))
    for value in values[1:]:
        predicted = level + drift
        sse += (value - predicted) ** 2
        level = alphas * value + (1 - alphas) * predicted
    best = int(np.argmin(sse))
    return float(level[best]), float(alphas[best]), float(sse[best])


def smooth_forecast(adjusted: np.ndarray, steps: int) -> np.ndarray:
    """Forecast of the seasonally adjusted values: SES or SES with drift, by BIC (module doc)."""
    n = len(adjusted)
    drift = (adjusted[-1] - adjusted[0]) / (n - 1)
    level, _, sse = ses_fit(adjusted)
    level_d, _, sse_d = ses_fit(adjusted, drift)
    tiny = np.finfo(float).tiny
    bic = n * np.log(max(sse, tiny) / n) + np.log(n)
    bic_d = n * np.log(max(sse_d, tiny) / n) + 2 * np.log(n)
    if bic_d < bic:
        return level_d + drift * np.arange(1, steps + 1)
    return np.full(steps, level)


def stl_estimate(values: np.ndarray, full_years: int, steps: int, ytd: float) -> tuple[float, str]:
    """``(annual, note)`` of the module formula; NaN and the reason when it cannot run."""
    if steps < 0:
        return np.nan, "stl uses the Jan-Feb period: needs through_month >= 2"
    if full_years < 2:
        return np.nan, f"stl needs 2 full years of history, has {full_years}"
    if not np.all(values > 0):
        return np.nan, "stl works on logs: needs positive values"
    if steps == 0:
        return ytd, "year complete"
    from statsmodels.tsa.seasonal import STL  # ~1 s to import: only when a panel is projected

    y = np.log(values)
    fit = STL(y, period=SLOTS, seasonal=STL_SEASONAL).fit()
    seasonal = np.asarray(fit.seasonal)
    n = len(y)
    future = smooth_forecast(y - seasonal, steps) + seasonal[n - SLOTS : n - SLOTS + steps]
    return ytd + float(np.exp(future).sum()), ""
