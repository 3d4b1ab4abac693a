"""Panel estimators that borrow strength across series: a shrunk share and a pooled growth.

Notation: ``Y_{t,i}`` the YTD value of series ``i`` at ``through_month`` of year ``t``,
``A_{t,i}`` its annual total, ``l_{t,i} = log(Y_{t,i} / A_{t,i})`` its log share and
``R_{t,i} = A_{t,i} - Y_{t,i}`` the rest of its year. Only the ``W`` past years before the
projected year ``t`` enter (``W = max_years``).

**share_shrunk** (partial pooling of the share; one-way random-effects model
``l_{s,i} = c_s + mu_i + e_{s,i}``, common year level ``c_s``, a lasting series effect
``mu_i`` of variance ``tau^2`` and yearly noise ``e`` of variance ``sigma^2``)::

    c_s     = mean_i l_{s,i}                  (the panel's level in year s)
    d_{s,i} = l_{s,i} - c_s                   (series' deviation from the panel)
    dbar_i  = mean_s d_{s,i} over its n_i past years
    sigma^2 = sum_i sum_s (d_{s,i} - dbar_i)^2 / sum_i (n_i - 1)
    tau^2   = max(0, var_i(dbar_i) - mean_i(sigma^2 / n_i))
    B_i     = tau^2 / (tau^2 + sigma^2 / n_i)          (empirical-Bayes weight)
    share_i = exp(c_{t-1} + B_i dbar_i),   annual = Y_{t,i} / share_i

``B_i`` near 1: the series' own share pattern is reliable (few noisy years, or series that
really differ); near 0: its deviations are mostly noise and the panel's share is used.
With one series ``d = 0`` and the estimate is last year's share.

**growth_pooled** (the growth view, Q1 growth shrunk toward "rest of the year as last
year")::

    q_{s,i} = log(Y_{s,i} / Y_{s-1,i}),   r_{s,i} = log(R_{s,i} / R_{s-1,i})
    b       = sum q r / sum q^2              (least squares through 0, pooled over the panel)
    annual  = Y_{t,i} + R_{t-1,i} exp(b q_{t,i})

``b = 1`` is exactly last year's share (``Y_t A_{t-1} / Y_{t-1}``); ``b < 1`` damps the
early months' growth, which the panel's record learns (0.3-0.5 on the development panel).
"""

from __future__ import annotations

import numpy as np

MIN_PAIRS = 4  # growth pairs (q, r) the pooled slope needs, as the share rule's 4 scored years


def shrinkage_weight(dev: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``(B_i, sigma^2, tau^2)`` of the module formula from deviations ``dev[s, i]`` (NaN = unknown).

    Series with no known deviation get ``B = 0``; ``sigma^2`` is NaN (and ``B = 0``) when no
    series has two known years.
    """
    known = np.isfinite(dev)
    n = known.sum(axis=0)
    dbar = _nanmean(dev, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.nansum(np.where(known, dev - dbar, 0.0) ** 2)
        dof = int(np.maximum(n - 1, 0).sum())
        sigma2 = within / dof if dof else np.nan
        used = n > 0
        if not np.isfinite(sigma2) or used.sum() < 2:
            return np.zeros(dev.shape[1]), float(sigma2), 0.0
        between = float(np.var(dbar[used], ddof=1))
        tau2 = max(0.0, between - float(np.mean(sigma2 / n[used])))
        weight = np.where(used, tau2 / (tau2 + sigma2 / np.maximum(n, 1)), 0.0)
    weight = np.nan_to_num(weight, nan=1.0)  # tau2 = sigma2 = 0: every share identical
    return weight, float(sigma2), float(tau2)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean over the finite values along ``axis`` (NaN where there are none), without warnings."""
    known = np.isfinite(values)
    count = known.sum(axis=axis)
    total = np.where(known, values, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def shrunk_log_share(log_shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted log share per series and its weight ``B_i`` from past log shares ``[s, i]``.

    ``log_shares`` holds the window's past years in order (last row = the year before the
    projection); ``c_{t-1}`` is the level of the latest year with any share. NaN where a
    series has no past share at all.
    """
    levels = _nanmean(log_shares, axis=1)
    dev = log_shares - levels[:, None]
    weight, _, _ = shrinkage_weight(dev)
    known_levels = levels[np.isfinite(levels)]
    has_own = np.isfinite(dev).any(axis=0)
    if not len(known_levels):
        return np.full(log_shares.shape[1], np.nan), weight
    pred = known_levels[-1] + weight * np.where(has_own, _nanmean(dev, axis=0), 0.0)
    return np.where(has_own, pred, np.nan), weight


def pooled_growth_slope(q: np.ndarray, r: np.ndarray) -> tuple[float, int]:
    """``(b, n)``: least-squares slope through 0 of ``r`` on ``q`` over the finite pairs."""
    ok = np.isfinite(q) & np.isfinite(r)
    n = int(ok.sum())
    denominator = float(q[ok] @ q[ok]) if n else 0.0
    if n < MIN_PAIRS or denominator == 0:
        return np.nan, n
    return float(q[ok] @ r[ok]) / denominator, n
