"""The panel estimators' formulas on hand examples: shrinkage weight, pooled growth, STL."""

from __future__ import annotations

import numpy as np
import pytest
from projection_helpers import annual_total, constant_share_monthly

from analysis.projection.shrink import pooled_growth_slope, shrinkage_weight, shrunk_log_share
from analysis.projection.stl import ses_fit, smooth_forecast, stl_estimate


def test_shrinkage_weight_by_hand():
    # two series, three years; series means 0.2 and -0.2, each +-0.1 around its mean
    dev = np.array([[0.1, -0.1], [0.3, -0.3], [0.2, -0.2]])
    weight, sigma2, tau2 = shrinkage_weight(dev)
    # within: (0.01 + 0.01 + 0) * 2 / ((3-1) * 2) = 0.01
    assert sigma2 == pytest.approx(0.01)
    # between: var([0.2, -0.2], ddof=1) = 0.08, minus mean(sigma2 / n) = 0.01 / 3
    assert tau2 == pytest.approx(0.08 - 0.01 / 3)
    # B = tau2 / (tau2 + sigma2 / 3) = 0.076667 / 0.08
    assert weight == pytest.approx([0.9583333, 0.9583333])


def test_shrinkage_weight_is_zero_when_series_do_not_differ():
    dev = np.array([[0.1, -0.1], [-0.1, 0.1]])
    weight, sigma2, tau2 = shrinkage_weight(dev)
    assert tau2 == 0.0
    assert sigma2 == pytest.approx(0.02)  # (0.01 + 0.01) * 2 series / (2 - 1) * 2 series
    assert weight == pytest.approx([0.0, 0.0])


def test_shrinkage_weight_unbalanced_and_missing():
    # series c has one year only (no within variance), d none at all
    dev = np.array([[0.1, -0.1, 0.5, np.nan], [0.3, -0.3, np.nan, np.nan]])
    weight, sigma2, tau2 = shrinkage_weight(dev)
    assert sigma2 == pytest.approx((0.01 + 0.01 + 0.01 + 0.01) / 2)  # dof (2-1) + (2-1)
    n = np.array([2, 2, 1])
    dbar = np.array([0.2, -0.2, 0.5])
    expected_tau2 = np.var(dbar, ddof=1) - np.mean(sigma2 / n)
    assert tau2 == pytest.approx(expected_tau2)
    assert weight[:3] == pytest.approx(expected_tau2 / (expected_tau2 + sigma2 / n))
    assert weight[3] == 0.0


def test_shrunk_log_share_is_last_panel_level_plus_shrunk_deviation():
    logs = np.log(np.array([[0.20, 0.25], [24 / 110, 0.22], [0.20, 0.25]]))
    pred, weight = shrunk_log_share(logs)
    level = logs.mean(axis=1)
    dev = logs - level[:, None]
    b, _, _ = shrinkage_weight(dev)
    assert weight == pytest.approx(b)
    assert pred == pytest.approx(level[-1] + b * dev.mean(axis=0))


def test_one_series_panel_gives_last_years_share():
    logs = np.log(np.array([[0.2], [0.3], [0.25]]))
    pred, _ = shrunk_log_share(logs)
    assert np.exp(pred) == pytest.approx([0.25])


def test_pooled_growth_slope_by_hand():
    q = np.array([0.1, 0.2, np.nan, -0.1, 0.0])
    r = np.array([0.05, 0.1, 0.3, -0.02, 0.01])
    slope, n = pooled_growth_slope(q, r)
    assert n == 4
    assert slope == pytest.approx((0.005 + 0.02 + 0.002 + 0) / (0.01 + 0.04 + 0.01 + 0))
    assert np.isnan(pooled_growth_slope(q[:3], r[:3])[0])  # 2 pairs < MIN_PAIRS


def test_ses_fit_by_hand():
    # alpha = 1 follows the data exactly: level = last value, SSE = sum of squared changes
    level, alpha, sse = ses_fit(np.array([1.0, 2.0, 3.0]), alphas=np.array([1.0]))
    assert (level, alpha, sse) == (3.0, 1.0, 2.0)
    # with drift 1 the straight line is predicted without error
    level, _, sse = ses_fit(np.array([1.0, 2.0, 3.0]), drift=1.0, alphas=np.array([0.5]))
    assert (level, sse) == (3.0, 0.0)


def test_smooth_forecast_keeps_a_clear_trend_and_ignores_noise():
    line = np.log(100) + 0.01 * np.arange(40)
    assert smooth_forecast(line, 3) == pytest.approx(line[-1] + 0.01 * np.arange(1, 4))
    noise = np.random.default_rng(0).normal(0, 0.05, 60)
    flat = smooth_forecast(noise, 3)
    assert flat[0] == flat[2]  # BIC keeps no drift on pure noise


def test_stl_estimate_on_a_steadily_growing_seasonal_series():
    from analysis.projection.cube import year_cube

    monthly = constant_share_monthly(2015, 2026, noise=0.003, seed=4)
    cube = year_cube(monthly.to_frame())
    values = np.concatenate([cube.model[-11:-1, :, 0].ravel(), cube.model[-1, :2, 0]])
    ytd = cube.ytd[-1, 2, 0]
    estimate, note = stl_estimate(values, 10, 9, ytd)
    assert note == ""
    assert estimate == pytest.approx(annual_total(2015, 2026), rel=0.01)
    assert "needs 2 full years" in stl_estimate(values[-13:], 1, 9, ytd)[1]
    assert "through_month >= 2" in stl_estimate(values, 10, -1, ytd)[1]
