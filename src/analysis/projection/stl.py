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


def ses_fit(values: np.ndarray, drift: np.ndarray | float = 0.0, alphas: np.ndarray = ALPHAS
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(L_n, alpha, SSE)`` of SES with ``drift``, at the alpha of least one-step squared error.

    ``values``: one series (1-d) or several of equal length (rows of a 2-d array), smoothed
    together; ``drift`` one per row. Returns arrays with one entry per row.
    """
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    shift = np.broadcast_to(np.asarray(drift, dtype=float), rows.shape[:1])[:, None]
    level = np.repeat(rows[:, :1], len(alphas), axis=1)
    sse = np.zeros_like(level)
    for column in rows[:, 1:].T:
        predicted = level + shift
        sse += (column[:, None] - predicted) ** 2
        level = alphas * column[:, None] + (1 - alphas) * predicted
    best = np.argmin(sse, axis=1)
    pick = np.arange(len(rows))
    return level[pick, best], alphas[best], sse[pick, best]


def smooth_forecast(adjusted: np.ndarray, steps: int) -> np.ndarray:
    """Forecasts of seasonally adjusted values: SES or SES with drift, by BIC (module doc).

    ``adjusted``: one series or rows of equal length; returns ``steps`` values per row.
    """
    rows = np.atleast_2d(adjusted)
    n = rows.shape[1]
    drift = (rows[:, -1] - rows[:, 0]) / (n - 1)
    level, _, sse = ses_fit(rows)
    level_d, _, sse_d = ses_fit(rows, drift)
    tiny = np.finfo(float).tiny
    bic = n * np.log(np.maximum(sse, tiny) / n) + np.log(n)
    bic_d = n * np.log(np.maximum(sse_d, tiny) / n) + 2 * np.log(n)
    use = bic_d < bic
    horizon = np.arange(1, steps + 1)
    out = np.where(use[:, None], level_d[:, None] + drift[:, None] * horizon, level[:, None])
    return out[0] if np.ndim(adjusted) == 1 else out


def stl_estimate(values: np.ndarray, full_years: int, steps: int, ytd: float) -> tuple[float, str]:
    """``(annual, note)`` of the module formula for one series (see :func:`stl_estimates`)."""
    estimates, notes = stl_estimates([values], [full_years], steps, np.array([ytd]))
    return float(estimates[0]), notes[0]


def stl_estimates(windows: list[np.ndarray], full_years: list[int], steps: int, ytd: np.ndarray
                  ) -> tuple[np.ndarray, list[str]]:
    """Annual estimates of several series: one STL fit each, the smoothing batched by length.

    ``windows[i]``: series i's model-year values (past years and the known periods of the
    projected year); NaN and the reason where the method cannot run.
    """
    estimates = np.full(len(windows), np.nan)
    notes = [_problem(v, f, steps) for v, f in zip(windows, full_years, strict=True)]
    fits = [i for i, note in enumerate(notes) if not note and np.isfinite(ytd[i])]
    if steps == 0:
        estimates[fits] = ytd[fits]
        return estimates, [n or "year complete" for n in notes]
    if not fits:
        return estimates, notes
    from statsmodels.tsa.seasonal import STL  # costly import: only when a panel is projected

    seasonal, adjusted = {}, {}
    for i in fits:
        y = np.log(windows[i])
        seasonal[i] = np.asarray(STL(y, period=SLOTS, seasonal=STL_SEASONAL).fit().seasonal)
        adjusted[i] = y - seasonal[i]
    for length in {len(adjusted[i]) for i in fits}:
        group = [i for i in fits if len(adjusted[i]) == length]
        levels = smooth_forecast(np.vstack([adjusted[i] for i in group]), steps)
        for i, path in zip(group, levels, strict=True):
            future = path + seasonal[i][length - SLOTS: length - SLOTS + steps]
            estimates[i] = ytd[i] + float(np.exp(future).sum())
    return estimates, notes


def _problem(values: np.ndarray, full_years: int, steps: int) -> str:
    if steps < 0:
        return "stl uses the Jan-Feb period: needs through_month >= 2"
    if full_years < 2:
        return f"stl needs 2 full years of history, has {full_years}"
    if not np.all(values > 0):
        return "stl works on logs: needs positive values"
    return ""
