"""project_growth on an exact linear history; required_pace by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from projection_helpers import constant_share_monthly

from analysis.projection import project_growth, required_pace


def _growth_series(years: range, q1: dict[int, float], annual: dict[int, float]) -> pd.Series:
    index = pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M")
    series = pd.Series(np.nan, index=index)
    for year in years:
        if year in q1:
            series[pd.Period(year=year, month=3, freq="M")] = q1[year]
        if year in annual:
            series[pd.Period(year=year, month=12, freq="M")] = annual[year]
    return series


def test_growth_ols_exact_line():
    years = range(2018, 2027)
    q1 = {y: 4.0 + (y - 2018) * 0.7 for y in years}
    annual = {y: 1.0 + 0.8 * q1[y] for y in years if y < 2026}
    out = project_growth(_growth_series(years, q1, annual), 2026, 3).set_index("method")
    assert out.loc["growth_ols", "estimate"] == pytest.approx(1.0 + 0.8 * q1[2026])
    assert out.loc["growth_ols", "slope"] == pytest.approx(0.8)
    assert out.loc["growth_ols", "intercept"] == pytest.approx(1.0)
    assert out.loc["growth_ols", "n_years"] == 8
    assert out.loc["growth_ols", "lower"] == pytest.approx(out.loc["growth_ols", "estimate"], abs=1e-6)
    assert out.loc["growth_carry", "estimate"] == q1[2026]


def test_growth_interval_and_short_history():
    years = range(2018, 2027)
    q1 = {2018: 5, 2019: 6, 2020: -8, 2021: 18, 2022: 4, 2023: 6, 2024: 5, 2025: 6, 2026: 5.5}
    annual = {2018: 6, 2019: 5.5, 2020: -2, 2021: 12, 2022: 3.5, 2023: 5, 2024: 5.2, 2025: 5.8}
    out = project_growth(_growth_series(years, q1, annual), 2026, 3).set_index("method")
    row = out.loc["growth_ols"]
    assert row["lower"] < row["estimate"] < row["upper"]
    short = project_growth(_growth_series(range(2024, 2027), q1, annual), 2026, 3)
    short = short.set_index("method")
    assert np.isnan(short.loc["growth_ols", "estimate"])
    assert "needs 4 past years" in short.loc["growth_ols", "note"]


def test_required_pace_by_hand():
    index = pd.period_range("2025-01", "2026-03", freq="M")
    values = [np.nan, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, np.nan, 24, 12]
    monthly = pd.Series(values, index=index, dtype=float)
    # last year: Q1 = 30, Apr-Dec = 90, year = 120. This year Q1 = 36 (+20%).
    out = required_pace(monthly, 2026, annual_target=135.0, through_month=3)
    assert list(out["period"].astype(str)) == [f"2026-{m:02d}" for m in range(4, 13)]
    # (135 - 36) / 90 - 1 = 10%
    assert out["required_growth_pct"].iloc[0] == pytest.approx(10.0)
    assert out["growth_so_far_pct"].iloc[0] == pytest.approx(20.0)
    assert out["required_value"].tolist() == pytest.approx([11.0] * 9)
    assert out["required_ytd"].iloc[0] == pytest.approx(47.0)
    assert out["required_ytd"].iloc[-1] == pytest.approx(135.0)
    assert (out["note"] == "").all()


def test_required_pace_without_last_year_notes():
    monthly = constant_share_monthly(2026, 2026)[:"2026-03"]
    out = required_pace(monthly, 2026, annual_target=120.0)
    assert out["required_growth_pct"].isna().all()
    assert "last year's months 4-12" in out["note"].iloc[0]
