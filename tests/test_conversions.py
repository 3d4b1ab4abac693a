"""YTD <-> monthly/quarterly/annual and growth from levels, by hand and on real retail data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.conversions import (
    compare_growth,
    growth_from_levels_series,
    monthly_to_ytd_series,
    ytd_to_monthly,
    ytd_to_monthly_series,
    ytd_to_period_totals_series,
)


def series(values, start="2025-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_ytd_to_monthly_combined_jan_feb():
    ytd = series([np.nan, 10, 25, 40])
    assert ytd_to_monthly_series(ytd).tolist()[1:] == [10, 15, 15]
    assert np.isnan(ytd_to_monthly_series(ytd).iloc[0])


def test_ytd_to_monthly_with_january_and_across_years():
    ytd = series([4, 10, 25] + [np.nan] * 9 + [5, 12], start="2025-01")
    monthly = ytd_to_monthly_series(ytd)
    assert monthly.loc["2025-01"] == 4 and monthly.loc["2025-02"] == 6 and monthly.loc["2025-03"] == 15
    assert monthly.loc["2026-01"] == 5 and monthly.loc["2026-02"] == 7  # January is not last December
    assert monthly.loc["2025-05"] != monthly.loc["2025-05"]  # NaN, never 0


def test_missing_month_is_nan_not_zero():
    ytd = series([np.nan, 10, np.nan, 40, 55])
    monthly = ytd_to_monthly_series(ytd)
    assert np.isnan(monthly.loc["2025-03"]) and np.isnan(monthly.loc["2025-04"])
    assert monthly.loc["2025-05"] == 15


def test_combined_flag_on_tidy_frame():
    frame = pd.DataFrame({"region_code": "1", "indicator": "x",
                          "period": pd.period_range("2026-01", periods=3, freq="M"), "value": [np.nan, 10, 25]})
    out = ytd_to_monthly(frame)
    assert out["combined_jan_feb"].tolist() == [False, True, False]


def test_monthly_to_ytd_stops_at_a_gap():
    monthly = series([np.nan, 10, 15, np.nan, 5])
    ytd = monthly_to_ytd_series(monthly)
    assert ytd.iloc[1:3].tolist() == [10, 25]
    assert ytd.iloc[3:].isna().all()


def test_monthly_to_ytd_stops_where_a_month_has_no_row():
    monthly = pd.Series([np.nan, 10, 5, 5], index=pd.PeriodIndex(["2025-01", "2025-02", "2025-04", "2025-05"], freq="M"))
    ytd = monthly_to_ytd_series(monthly)
    assert ytd.iloc[1] == 10 and ytd.iloc[2:].isna().all()  # no March: April's YTD is unknown, not 15


def test_quarterly_and_annual_totals():
    ytd = series([np.nan, 10, 25, 33, 41, 50, 60, 70, 80, 90, 100, 120])
    quarters = ytd_to_period_totals_series(ytd, "Q")
    assert quarters.tolist() == [25, 25, 30, 40]
    assert str(quarters.index[0]) == "2025Q1"
    assert ytd_to_period_totals_series(ytd, "Y").tolist() == [120]


def test_growth_from_levels_by_hand():
    levels = series([np.nan, 100, 200] + [np.nan] * 9 + [np.nan, 110, 190])
    growth = growth_from_levels_series(levels)
    assert growth.loc["2026-02"] == pytest.approx(10.0)
    assert growth.loc["2026-03"] == pytest.approx(-5.0)
    assert np.isnan(growth.loc["2026-01"])


def test_compare_growth_flags_large_differences():
    periods = [pd.Period("2025-03", "M"), pd.Period("2026-03", "M")]
    obs = pd.DataFrame({
        "region_code": "1", "indicator": "fai", "period": periods * 2,
        "measure": ["ytd_value", "ytd_value", "ytd_growth", "ytd_growth"], "value": [100.0, 108.0, 5.0, 7.5],
    })
    table = compare_growth(obs, tolerance_pp=1.0)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["recomputed"] == pytest.approx(8.0) and row["diff_pp"] == pytest.approx(-0.5)
    assert not row["flagged"]
    assert compare_growth(obs, tolerance_pp=0.4)["flagged"].item()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=12, max_size=12),
       st.booleans())
def test_round_trip_monthly_ytd_monthly(values, combined):
    monthly = series(values)
    if combined:
        monthly.iloc[1] += monthly.iloc[0]
        monthly.iloc[0] = np.nan
    back = ytd_to_monthly_series(monthly_to_ytd_series(monthly))
    np.testing.assert_allclose(back.to_numpy(), monthly.to_numpy(), rtol=1e-9, atol=1e-6)


def read_national_retail(folder):
    table = pd.read_csv(folder / "nbs-national-retail" / "retail_sales_cumulative.csv", dtype={"yyyym": str})
    index = pd.PeriodIndex([pd.Period(f"{s[:4]}-{s[4:]}", "M") for s in table["yyyym"]])
    return pd.Series(table["value"].to_numpy(dtype=float), index=index)


@pytest.mark.realdata
def test_real_national_retail_monthly_from_ytd(real_data):
    ytd = read_national_retail(real_data)
    monthly = ytd_to_monthly_series(ytd)
    # 2012: January blank, February holds 1-2月 = 33668.6; March = 49318.8 - 33668.6
    assert np.isnan(monthly.loc["2012-01"])
    assert monthly.loc["2012-02"] == pytest.approx(33668.6)
    assert monthly.loc["2012-03"] == pytest.approx(15650.2)
    # 2000 has January: Feb = 5767.8 - 2962.9
    assert monthly.loc["2000-01"] == pytest.approx(2962.9)
    assert monthly.loc["2000-02"] == pytest.approx(2804.9)
    annual = ytd_to_period_totals_series(ytd, "Y")
    assert annual.loc["2011"] == pytest.approx(181225.8)
    # Q1 share of the year, 2012: 49318.8 / 207166.7 = 23.8%
    quarters = ytd_to_period_totals_series(ytd, "Q")
    assert quarters.loc["2012Q1"] / annual.loc["2012"] == pytest.approx(0.23806, abs=1e-5)
    # rebuilding YTD from the monthly values gives the published YTD back
    rebuilt = monthly_to_ytd_series(monthly)
    mask = ytd.notna() & rebuilt.notna()
    np.testing.assert_allclose(rebuilt[mask], ytd[mask], rtol=1e-9)
    assert mask.sum() >= 300
