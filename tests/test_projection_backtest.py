"""Rolling-origin backtest and accuracy() by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from projection_helpers import annual_total, constant_share_monthly

from analysis.projection import accuracy, backtest


def test_accuracy_by_hand():
    result = pd.DataFrame({
        "method": ["a", "a", "a", "b", "b"],
        "pct_error": [2.0, -4.0, 6.0, -1.0, np.nan],
        "ape": [2.0, 4.0, 6.0, 1.0, np.nan],
        "covered": [1.0, 0.0, np.nan, 1.0, np.nan],
    })
    out = accuracy(result).set_index("method")
    assert out.loc["a", "n"] == 3
    assert out.loc["a", "mdape"] == 4.0
    assert out.loc["a", "mape"] == 4.0
    assert out.loc["a", "bias_pct"] == pytest.approx(4 / 3)
    assert out.loc["a", "coverage"] == 0.5
    assert out.loc["a", "n_interval"] == 2
    assert out.loc["b", "n"] == 1
    assert out.index.tolist() == ["b", "a"]  # sorted by MdAPE


def test_backtest_uses_only_known_data_and_scores():
    panel = pd.DataFrame({"s1": constant_share_monthly(2015, 2025),
                          "s2": constant_share_monthly(2015, 2025, growth=0.03)})
    result = backtest(panel, [2023, 2024, 2025], 3, methods=["share_last", "share_assumption"])
    assert len(result) == 2 * 3 * 2
    row = result[(result["series"] == "s1") & (result["year"] == 2024)
                 & (result["method"] == "share_last")].iloc[0]
    assert row["actual"] == pytest.approx(annual_total(2015, 2024))
    assert row["ape"] == pytest.approx(0, abs=1e-9)
    assert row["covered"] == 1.0
    flat = result[result["method"] == "share_assumption"]
    q1_share = 0.22 / 1.0
    assert flat["pct_error"].to_numpy() == pytest.approx(100 * (q1_share / 0.30 - 1), rel=0.05)
    assert flat["covered"].isna().all()


def test_backtest_combo_and_parallel_match_serial():
    panel = pd.DataFrame({f"s{i}": constant_share_monthly(2014, 2025, noise=0.02, seed=i)
                          for i in range(3)})
    methods = ["share_last", "share_mean", "combo"]
    serial = backtest(panel, [2022, 2023, 2024, 2025], 3, methods=methods)
    parallel = backtest(panel, [2022, 2023, 2024, 2025], 3, methods=methods, jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    combo = serial[serial["method"] == "combo"]
    assert combo["estimate"].notna().all()
    assert combo["note"].str.contains("mean of").all()
    assert set(serial["series"]) == {"s0", "s1", "s2"}


def test_backtest_short_series_gives_nan_not_error():
    panel = pd.DataFrame({"short": constant_share_monthly(2024, 2025)})
    result = backtest(panel, [2025], 3, methods=["ets", "sarimax", "share_mean"])
    by = result.set_index("method")
    assert np.isnan(by.loc["ets", "estimate"])
    assert by.loc["share_mean", "ape"] == pytest.approx(0, abs=1e-9)


def test_backtest_on_a_dask_client_matches_serial():
    distributed = pytest.importorskip("distributed")
    panel = pd.DataFrame({f"s{i}": constant_share_monthly(2014, 2025, noise=0.02, seed=i)
                          for i in range(2)})
    methods = ["share_last", "share_mean", "combo"]
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        on_dask = backtest(panel, [2024, 2025], 3, methods=methods, client=client)
    pd.testing.assert_frame_equal(on_dask, backtest(panel, [2024, 2025], 3, methods=methods))


@pytest.mark.realdata
def test_recommended_follows_the_margin_rule_on_national_retail(real_data):
    """Each year's pick, redone by hand from accuracy() of the earlier years only."""
    from analysis.core.conversions import ytd_to_monthly_series
    from analysis.data.yyyym import read_yyyym_csv
    from analysis.projection.annual import SWITCH_MARGIN

    ytd = read_yyyym_csv(real_data / "nbs-national-retail" / "retail_sales_cumulative.csv")
    panel = pd.DataFrame({"retail": ytd_to_monthly_series(ytd[ytd.index.year <= 2025])})
    result = backtest(panel, range(2003, 2026), 3)
    picks = result[result["method"] == "recommended"].set_index("year")["note"]
    for year in range(2003, 2026):
        past = accuracy(result[(result["year"] < year) & (result["method"] != "recommended")])
        past = past[past["n"] >= 4].set_index("method")["mdape"]
        expected = "share_last"
        rivals = past.drop(["share_last", "share_assumption"], errors="ignore")
        clear = len(rivals) and rivals.min() <= (1 - SWITCH_MARGIN) * past.get("share_last", -1.0)
        if clear:
            expected = rivals.idxmin()
        assert picks[year] == f"= {expected}", year
    # the rule's purpose (issue 4): nationally from Q1 no worse than share_last
    mdape = accuracy(result).set_index("method")["mdape"]
    assert mdape["recommended"] <= mdape["share_last"]
