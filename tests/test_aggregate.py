"""City aggregation rules, worked by hand on two counties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core import catalog
from analysis.gaps.aggregate import aggregate_counties, city_values

REGIONS = pd.DataFrame(
    {"code": ["100", "101", "102"], "name": ["市", "甲县", "乙县"], "level": ["city", "county", "county"],
     "parent": ["", "100", "100"]}
)
M, LY = pd.Period("2026-03", "M"), pd.Period("2025-03", "M")


def frame(rows):
    return pd.DataFrame(rows, columns=["region_code", "indicator", "period", "measure", "value"])


def value(out, indicator, measure, period=M):
    hit = out.loc[(out["indicator"] == indicator) & (out["measure"] == measure) & (out["period"] == period)]
    return hit["city_value"].iloc[0] if len(hit) else np.nan


def test_sum_and_growth_of_sum_with_implied_base():
    rows = [
        ("101", "retail", M, "ytd_value", 30.0), ("102", "retail", M, "ytd_value", 10.0),
        ("101", "retail", LY, "ytd_value", 20.0),  # 102 has no level last year ...
        ("101", "retail", M, "ytd_growth", 50.0), ("102", "retail", M, "ytd_growth", 25.0),  # ... base = 10/1.25 = 8
    ]
    out = aggregate_counties(frame(rows), REGIONS, catalog.indicators())
    assert value(out, "retail", "ytd_value") == 40.0
    assert value(out, "retail", "ytd_growth") == pytest.approx((40 / 28 - 1) * 100)


def test_incomplete_counties_give_nan_and_mean_rule():
    rows = [
        ("101", "fai", M, "ytd_value", 30.0),  # 102 missing: no partial sum
        ("101", "financing_rate", M, "ytd_value", 80.0), ("102", "financing_rate", M, "ytd_value", 70.0),
    ]
    out = aggregate_counties(frame(rows), REGIONS, catalog.indicators())
    assert np.isnan(value(out, "fai", "ytd_value"))
    assert value(out, "financing_rate", "ytd_value") == pytest.approx(75.0)


def test_growth_without_levels_is_not_averaged():
    rows = [("101", "fai", M, "ytd_growth", 10.0), ("102", "fai", M, "ytd_growth", 2.0)]
    out = city_values(frame(rows), REGIONS, catalog.indicators())
    assert np.isnan(value(out, "fai", "ytd_growth"))  # never mean(10, 2) = 6


def test_published_city_row_wins():
    rows = [
        ("101", "financing_rate", M, "ytd_value", 80.0), ("102", "financing_rate", M, "ytd_value", 70.0),
        ("100", "financing_rate", M, "ytd_value", 72.5),
    ]
    out = city_values(frame(rows), REGIONS, catalog.indicators())
    hit = out.loc[out["indicator"] == "financing_rate"]
    assert len(hit) == 1
    assert hit["city_value"].iloc[0] == 72.5 and hit["city_source"].iloc[0] == "published"


def test_long_history_gives_every_month():
    # 2 counties x 140 months of fai levels: 140 city sums (128 before the int8 slot fix).
    months = pd.period_range("2015-01", periods=140, freq="M")
    rows = [(code, "fai", p, "ytd_value", 1.0 + k) for code in ("101", "102") for k, p in enumerate(months)]
    out = aggregate_counties(frame(rows), REGIONS, catalog.indicators())
    fai = out.loc[(out["indicator"] == "fai") & (out["measure"] == "ytd_value")]
    assert len(fai) == 140
    assert value(out, "fai", "ytd_value", months[-1]) == 280.0  # 140 + 140
