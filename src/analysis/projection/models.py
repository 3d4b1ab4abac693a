"""Seasonal models on the 11-period model year (Jan-Feb, Mar, ..., Dec), in logs.

Why the model year: bureaus publish Jan-Feb as one value (January blank), so instead of
inventing a January/February split the models use one Jan-Feb period and the single
months March..December (seasonal period 11). Every year, including years where January
was published, is aggregated the same way. Both models work on ``y = log(value)`` and
project ``annual = YTD(through_month) + sum_h exp(y_hat_h)`` over the remaining periods.

* ``ets``: ETS(A, Ad, A) on ``y`` (additive error, damped additive trend, additive
  seasonality of period 11; statsmodels ``ETSModel``, heuristic initialisation), needs two
  full years. Interval: quantiles of the remaining total over simulated future paths.
* ``sarimax``: regression with SARIMA errors, ``y_t = b' x_t + u_t`` with
  ``(1-B)(1-B^11) u_t = (1 + th B)(1 + TH B^11) a_t`` (the "airline" model) and, when
  ``festival=True``, ``x_t`` the Spring Festival window shares of
  :func:`festival.festival_regressors` (off by default: on the model year the regressors
  made the national and sample backtests worse, docs/methods.md). Fitted on the
  differenced data ``(1-B)(1-B^11)`` (statsmodels ``SARIMAX`` with ``order=(0,0,1)``,
  ``seasonal_order=(0,0,1,11)``); needs three full years. Interval: paths drawn from the
  joint normal forecast errors ``e_h = sum_j psi_j a_{n+h-j}`` (psi the MA(inf) weights of
  the integrated model), exponentiated and summed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from analysis.projection.festival import festival_regressors
from analysis.projection.history import SLOTS

N_PATHS = 1000
SEED = 20260301


def _row(method: str, estimate: float = np.nan, lower: float = np.nan,
         upper: float = np.nan, note: str = "") -> dict:
    return {"method": method, "estimate": estimate, "lower": lower, "upper": upper, "note": note}


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence only the warnings optimisers give on short or flat series, inside one fit."""
    # statsmodels (and the scipy modules it pulls in) is imported only when a model is fitted:
    # it costs ~2 s per process, and most briefings never fit one.
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, EstimationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", EstimationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*(Non-invertible|Non-stationary).*")
        yield


def _checks(method: str, values: np.ndarray, full_years: int, need: int, steps: int) -> str:
    if steps < 0:
        return f"{method} uses the Jan-Feb period: needs through_month >= 2"
    if full_years < need:
        return f"{method} needs {need} full years of history, has {full_years}"
    if (values <= 0).any():
        return f"{method} works on logs: needs positive values"
    return ""


def _interval(ytd: float, paths: np.ndarray, level: float) -> tuple[float, float]:
    totals = ytd + np.exp(paths).sum(axis=0)
    low, high = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def ets_row(values: np.ndarray, full_years: int, steps: int, ytd: float, level: float) -> dict:
    """ETS(A,Ad,A) projection of the year (see module docstring)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    problem = _checks("ets", values, full_years, 2, steps)
    if problem:
        return _row("ets", note=problem)
    if steps == 0:
        return _row("ets", ytd, ytd, ytd, "year complete")
    y = np.log(values)
    try:
        with _quiet():
            model = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add",
                             seasonal_periods=SLOTS, initialization_method="heuristic")
            fit = model.fit(disp=False)
            point = np.asarray(fit.forecast(steps))
            paths = np.asarray(fit.simulate(steps, repetitions=N_PATHS, anchor="end",
                                            rng=np.random.default_rng(SEED))).reshape(steps, -1)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return _row("ets", note=f"ets fit failed: {exc}")
    lower, upper = _interval(ytd, paths, level)
    return _row("ets", ytd + float(np.exp(point).sum()), lower, upper)


def _difference(x: np.ndarray) -> np.ndarray:
    """``(1-B)(1-B^11) x`` along axis 0 (drops the first 12 rows)."""
    seasonal = x[SLOTS:] - x[:-SLOTS]
    return seasonal[1:] - seasonal[:-1]


def sarimax_row(values: np.ndarray, window_years: list[int], steps: int, ytd: float,
                level: float, festival: bool = False, estimator: str = "css") -> dict:
    """Airline model with the Spring Festival regressors (see module docstring).

    ``estimator="css"`` (default) takes the conditional-least-squares parameters of
    :func:`css_params` and runs the SARIMAX Kalman filter at them; ``"mle"`` refines them
    by maximum likelihood (2.5x slower and less accurate on the national backtest).
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    problem = _checks("sarimax", values, len(window_years) - 1, 3, steps)
    if problem:
        return _row("sarimax", note=problem)
    if steps == 0:
        return _row("sarimax", ytd, ytd, ytd, "year complete")
    n = len(values)
    y = np.log(values)
    regs = festival_regressors(window_years)[: n + steps] if festival else np.zeros((n + steps, 0))
    dx = _difference(regs)
    keep = np.flatnonzero(np.abs(dx[: n - SLOTS - 1]).sum(axis=0) > 0)
    exog = dx[: n - SLOTS - 1, keep] if len(keep) else None
    future = dx[n - SLOTS - 1 :, keep] if len(keep) else None
    try:
        with _quiet():
            dy = _difference(y)
            model = SARIMAX(dy, exog=exog, order=(0, 0, 1), seasonal_order=(0, 0, 1, SLOTS),
                            trend="n", concentrate_scale=True,
                            initialization="approximate_diffuse")
            start = css_params(dy, exog)
            if estimator == "mle":
                fit = model.fit(start_params=start, disp=False, maxiter=50, cov_type="none")
            else:
                fit = model.filter(start, cov_type="none")
            dz = np.asarray(fit.forecast(steps, exog=future))
    except (ValueError, np.linalg.LinAlgError) as exc:
        return _row("sarimax", note=f"sarimax fit failed: {exc}")
    path = np.concatenate([y, np.zeros(steps)])
    for i in range(n, n + steps):
        path[i] = dz[i - n] + path[i - 1] + path[i - SLOTS] - path[i - SLOTS - 1]
    point = path[n:]
    theta, seasonal_theta = fit.params[-2], fit.params[-1]
    ma = _ma_poly(theta, seasonal_theta)
    ar = np.zeros(SLOTS + 2)
    ar[[0, 1, SLOTS, SLOTS + 1]] = [1.0, -1.0, -1.0, 1.0]
    from statsmodels.tsa.arima_process import arma2ma

    psi = arma2ma(ar, ma, lags=steps)
    cov = np.array([[psi[: min(i, j) + 1] @ psi[abs(i - j): abs(i - j) + min(i, j) + 1]
                     for j in range(steps)] for i in range(steps)]) * float(fit.scale)
    rng = np.random.default_rng(SEED)
    draws = rng.multivariate_normal(point, cov, size=N_PATHS).T
    lower, upper = _interval(ytd, draws, level)
    note = "no festival variation in the fit window" if festival and not len(keep) else ""
    return _row("sarimax", ytd + float(np.exp(point).sum()), lower, upper, note)


def _ma_poly(theta: float, seasonal_theta: float) -> np.ndarray:
    """Coefficients of ``(1 + th B)(1 + TH B^11)`` in increasing powers of B."""
    seasonal = np.zeros(SLOTS + 1)
    seasonal[[0, SLOTS]] = [1.0, seasonal_theta]
    return np.convolve([1.0, theta], seasonal)


def css_params(z: np.ndarray, exog: np.ndarray | None) -> np.ndarray:
    """Conditional least squares for ``z_t = b' w_t + (1 + th B)(1 + TH B^11) a_t``.

    Residuals ``a = (z - W b) / ((1 + th B)(1 + TH B^11))`` with zero pre-sample values
    (``scipy.signal.lfilter``); ``b`` is concentrated out by least squares on the filtered
    data, and ``(th, TH)`` minimise ``sum a_t^2`` within (-0.99, 0.99). Returns the SARIMAX
    parameter vector ``[b..., th, TH]``.
    """
    from scipy.optimize import minimize
    from scipy.signal import lfilter

    w = np.zeros((len(z), 0)) if exog is None else np.asarray(exog, dtype=float)

    def solve(ma: np.ndarray) -> tuple[float, np.ndarray]:
        poly = _ma_poly(ma[0], ma[1])
        fz = lfilter([1.0], poly, z)
        if w.shape[1] == 0:
            return float(fz @ fz), np.zeros(0)
        fw = lfilter([1.0], poly, w, axis=0)
        beta = np.linalg.lstsq(fw, fz, rcond=None)[0]
        resid = fz - fw @ beta
        return float(resid @ resid), beta

    best = minimize(lambda ma: solve(ma)[0], x0=np.array([-0.3, -0.3]), method="Nelder-Mead",
                    bounds=[(-0.99, 0.99), (-0.99, 0.99)],
                    options={"xatol": 1e-3, "fatol": 1e-10})
    _, beta = solve(best.x)
    return np.concatenate([beta, best.x])
