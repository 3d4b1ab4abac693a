"""project_annual on series whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from projection_helpers import annual_total, constant_share_monthly

from analysis.projection import METHODS, project_annual


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("method")


def test_constant_share_gives_exact_year_for_share_methods():
    monthly = constant_share_monthly(2015, 2026)
    out = _rows(project_annual(monthly, 2026, 3))
    truth = annual_total(2015, 2026)
    assert out.loc["share_last", "estimate"] == pytest.approx(truth, rel=1e-12)
    assert out.loc["share_mean", "estimate"] == pytest.approx(truth, rel=1e-12)
    # the rule never erred in the past, so its interval collapses onto the estimate
    assert out.loc["share_mean", "lower"] == pytest.approx(truth, rel=1e-12)
    assert out.loc["share_mean", "upper"] == pytest.approx(truth, rel=1e-12)
    assert out.loc["share_mean", "implied_q1_share"] == pytest.approx(0.22 / 1.0, rel=0.05)
    assert out["recommended"].sum() == 1
    assert list(out.index) == list(METHODS)


def test_share_assumption_is_flagged_outside_history():
    monthly = constant_share_monthly(2015, 2026)
    out = _rows(project_annual(monthly, 2026, 3, share_assumption=0.30))
    q1 = monthly["2026-01":"2026-03"].sum()
    assert out.loc["share_assumption", "estimate"] == pytest.approx(q1 / 0.30)
    assert out.loc["share_assumption", "implied_q1_share"] == pytest.approx(0.30)
    assert "outside the historical range" in out.loc["share_assumption", "note"]
    assert np.isnan(out.loc["share_assumption", "lower"])


def test_seasonal_models_close_to_truth_on_pure_seasonal_series():
    monthly = constant_share_monthly(2015, 2026, noise=0.005, seed=1)
    truth = annual_total(2015, 2026)
    out = _rows(project_annual(monthly, 2026, 3, methods=["ets", "sarimax"]))
    for method in ("ets", "sarimax"):
        assert out.loc[method, "estimate"] == pytest.approx(truth, rel=0.02), method
        assert out.loc[method, "lower"] < out.loc[method, "estimate"] < out.loc[method, "upper"]
        assert out.loc[method, "upper"] / out.loc[method, "lower"] < 1.15


def test_short_history_falls_back_with_notes():
    monthly = constant_share_monthly(2025, 2026)  # one full year before 2026
    out = _rows(project_annual(monthly, 2026, 3))
    assert np.isnan(out.loc["ets", "estimate"])
    assert "needs 2 full years" in out.loc["ets", "note"]
    assert np.isnan(out.loc["sarimax", "estimate"])
    assert "needs 3 full years" in out.loc["sarimax", "note"]
    assert out.loc["share_last", "estimate"] == pytest.approx(annual_total(2025, 2026))
    assert "no interval" in out.loc["share_last", "note"]
    assert out.loc["combo", "estimate"] == pytest.approx(annual_total(2025, 2026))
    assert out["recommended"].sum() == 1
    assert np.isfinite(out.loc[out["recommended"], "estimate"]).all()


def test_no_history_and_missing_ytd_never_raise():
    monthly = constant_share_monthly(2026, 2026)
    out = project_annual(monthly[:"2026-03"], 2026, 3)
    assert out["estimate"].notna().sum() == 1  # only the stated share
    missing = project_annual(monthly[:"2026-02"], 2026, 3)
    assert missing["estimate"].isna().all()
    assert missing["note"].str.contains("no YTD value for 2026-03").all()
    assert missing["recommended"].sum() == 1


def test_through_month_one_and_two():
    monthly = constant_share_monthly(2015, 2026, combined=False)
    jan = _rows(project_annual(monthly, 2026, 1, methods=["share_last", "ets"]))
    assert jan.loc["share_last", "estimate"] == pytest.approx(annual_total(2015, 2026))
    assert "through_month >= 2" in jan.loc["ets", "note"]
    feb = _rows(project_annual(monthly, 2026, 2, methods=["share_mean"]))
    assert feb.loc["share_mean", "estimate"] == pytest.approx(annual_total(2015, 2026))


def test_later_data_are_ignored():
    monthly = constant_share_monthly(2015, 2026)
    full = project_annual(monthly, 2025, 3, methods=["share_mean", "ets"])
    cut = project_annual(monthly[:"2025-03"], 2025, 3, methods=["share_mean", "ets"])
    pd.testing.assert_frame_equal(full, cut)


def test_evidence_picks_recommended_and_combo_members():
    monthly = constant_share_monthly(2015, 2026, noise=0.01, seed=2)
    evidence = pd.DataFrame({"method": ["ets", "share_mean", "share_last", "sarimax", "combo"],
                             "mdape": [0.5, 1.0, 3.0, 4.0, 0.9], "n": [5, 5, 5, 5, 5]})
    out = _rows(project_annual(monthly, 2026, 3, evidence=evidence))
    assert out.index[out["recommended"]].tolist() == ["ets"]
    # good members: MdAPE <= 1.5 x 0.5 -> ets only
    assert out.loc["combo", "estimate"] == pytest.approx(out.loc["ets", "estimate"])
    assert "mean of ets (backtest)" in out.loc["combo", "note"]


def test_bad_arguments_raise():
    monthly = constant_share_monthly(2015, 2026)
    with pytest.raises(ValueError, match="unknown projection method"):
        project_annual(monthly, 2026, 3, methods=["magic"])
    with pytest.raises(TypeError, match="PeriodIndex"):
        project_annual(pd.Series([1.0, 2.0]), 2026, 3)


def test_thin_evidence_keeps_the_default_recommendation():
    monthly = constant_share_monthly(2015, 2026, noise=0.01, seed=2)
    evidence = pd.DataFrame({"method": ["ets", "share_last"], "mdape": [0.5, 3.0], "n": [3, 3]})
    out = project_annual(monthly, 2026, 3, evidence=evidence)
    assert out.loc[out["recommended"], "method"].tolist() == ["share_last"]


def test_festival_regressor_recovers_a_strong_march_effect():
    from analysis.projection.festival import festival_window_shares

    monthly = constant_share_monthly(2012, 2026, noise=0.003, seed=3)
    shares = festival_window_shares(range(2012, 2027))["mar"]
    march = monthly.index.month == 3
    effect = np.exp(-0.8 * shares.reindex(monthly.index.year[march]).to_numpy())
    monthly[march] = monthly[march].to_numpy() * effect
    truth = monthly["2026-01":"2026-12"].sum()
    with_fest = _rows(project_annual(monthly, 2026, 2, methods=["sarimax"], festival=True))
    without = _rows(project_annual(monthly, 2026, 2, methods=["sarimax"]))
    err_with = abs(with_fest.loc["sarimax", "estimate"] / truth - 1)
    err_without = abs(without.loc["sarimax", "estimate"] / truth - 1)
    assert err_with < 0.01
    assert err_with < err_without


def test_a_challenger_must_beat_the_default_by_the_margin():
    monthly = constant_share_monthly(2015, 2026, noise=0.01, seed=2)

    def pick(rival_mdape: float, n_default: int = 5) -> list[str]:
        evidence = pd.DataFrame({"method": ["share_last", "combo", "share_mean"],
                                 "mdape": [2.0, rival_mdape, 3.0], "n": [n_default, 5, 5]})
        out = project_annual(monthly, 2026, 3, evidence=evidence)
        return out.loc[out["recommended"], "method"].tolist()

    # 1.7 / 2.0 = 0.85: better, but not by 20% -> stay with share_last
    assert pick(1.7) == ["share_last"]
    # 1.6 / 2.0 = 0.80: exactly the margin -> switch
    assert pick(1.6) == ["combo"]
    assert pick(1.0) == ["combo"]
    # the default itself has too few scored years to be judged -> keep it
    assert pick(1.0, n_default=3) == ["share_last"]


def test_default_falls_through_when_share_last_has_no_estimate():
    monthly = constant_share_monthly(2015, 2026)
    evidence = pd.DataFrame({"method": ["share_mean", "share_last"], "mdape": [0.1, 5.0],
                             "n": [5, 5]})
    out = project_annual(monthly, 2026, 3, methods=["share_mean", "ets"], evidence=evidence)
    # share_last and combo are not computed: the default is share_mean, kept
    assert out.loc[out["recommended"], "method"].tolist() == ["share_mean"]


def test_evidence_ties_follow_the_default_preference():
    monthly = constant_share_monthly(2015, 2026, noise=0.01, seed=2)
    evidence = pd.DataFrame({"method": ["combo", "share_last"], "mdape": [1.0, 1.0], "n": [5, 5]})
    out = project_annual(monthly, 2026, 3, evidence=evidence)
    assert out.loc[out["recommended"], "method"].tolist() == ["share_last"]


@pytest.mark.realdata
def test_real_national_retail_share_last_by_hand(real_data):
    from analysis.core.conversions import ytd_to_monthly_series
    from analysis.data.yyyym import read_yyyym_csv

    ytd = read_yyyym_csv(real_data / "nbs-national-retail" / "retail_sales_cumulative.csv")
    out = _rows(project_annual(ytd_to_monthly_series(ytd), 2025, 3))
    # file cells: 2025 1-3月 124671.1; 2024 1-3月 120326.8, 全年 487894.8
    expected = 124671.1 / (120326.8 / 487894.8)
    assert out.loc["share_last", "estimate"] == pytest.approx(expected, rel=1e-9)
    assert out.loc["share_last", "implied_q1_share"] == pytest.approx(120326.8 / 487894.8)
    assert out.loc["share_assumption", "estimate"] == pytest.approx(124671.1 / 0.30)
    assert "outside the historical range 20.0%-24.7%" in out.loc["share_assumption", "note"]
    # the actual 2025 total was 501202.4: share_last is off by under 1%
    assert abs(out.loc["share_last", "estimate"] / 501202.4 - 1) < 0.01
    assert out["recommended"].sum() == 1
    assert out.loc["ets", "estimate"] > 0 and out.loc["sarimax", "estimate"] > 0


@pytest.mark.parametrize(
    ("rival_mdape", "n_default", "history_from"),
    [(1.7, 5, 2015), (1.6, 5, 2015), (1.0, 3, 2015), (None, 5, 2015), (1.0, 5, 2026)],
)
def test_project_recommended_equals_the_recommended_row(rival_mdape, n_default, history_from):
    """The briefing's shortcut gives exactly project_annual's recommended row: no switch
    (1.7), a switch to combo (1.6), too little evidence (n=3), no evidence, no history."""
    from analysis.projection import project_recommended

    monthly = constant_share_monthly(history_from, 2026, noise=0.01, seed=2)
    evidence = None if rival_mdape is None else pd.DataFrame(
        {"method": ["share_last", "combo", "share_mean"], "mdape": [2.0, rival_mdape, 3.0],
         "n": [n_default, 5, 5]})
    full = project_annual(monthly, 2026, 3, evidence=evidence)
    quick = project_recommended(monthly, 2026, 3, evidence=evidence)
    pd.testing.assert_frame_equal(quick, full[full["recommended"]].reset_index(drop=True))


def test_importing_the_briefing_libraries_does_not_import_statsmodels():
    """The briefing imports these in every kernel; statsmodels and scipy.stats cost ~2 s per
    process and are needed only when a model is fitted, so they are imported lazily."""
    import subprocess
    import sys

    code = ("import sys; import analysis.report.headline, analysis.report.tables, analysis.report.context, analysis.report.blocks, analysis.projection.outlook, analysis.projection, analysis.gaps.table, analysis.report.charts; "
            "print(sorted(m for m in ('statsmodels', 'scipy.stats', 'scipy.signal') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _alternating(last: int = 2026) -> pd.Series:
    """Q1 share alternating 20% / 24% of a flat year of 100: averaging shares pays off."""
    from projection_helpers import panel_from_totals

    totals = {y: (20.0 if y % 2 == 0 else 24.0, 100.0) for y in range(2015, last + 1)}
    return panel_from_totals({"x": totals})["x"]


def test_own_share_backtest_by_hand():
    from analysis.projection.history import ytd_table
    from analysis.projection.own import own_share_evidence

    own = own_share_evidence(ytd_table(_alternating()), 2026, 3).set_index("method")
    # share_last, 2016-2025: |24/20 - 1| = 20% and |20/24 - 1| = 16.7%, five each
    assert own.at["share_last", "n"] == 10
    assert own.at["share_last", "mdape"] == pytest.approx((20 + 100 / 6) / 2)
    # share_mean (k=3), 2018-2025: 24 / mean(20, 24, 20) and 20 / mean(24, 20, 24)
    assert own.at["share_mean", "n"] == 8
    expected = (100 * (24 / (64 / 3) - 1) + 100 * (1 - 20 / (68 / 3))) / 2
    assert own.at["share_mean", "mdape"] == pytest.approx(expected)
    assert (own.at["share_mean", "first_year"], own.at["share_mean", "last_year"]) == (2018, 2025)


def test_without_evidence_the_own_backtest_chooses_and_says_so():
    out = project_annual(_alternating(), 2026, 3)
    pick = out[out["recommended"]].iloc[0]
    assert pick["method"] == "share_mean"  # 12.1% vs 18.3%: more than a fifth better
    assert "own backtest of the share rules 2016-2025" in pick["note"]
    assert "share_last 18.33%" in pick["note"]
    # a constant share ties: the default stays, and the note still says why
    steady = project_annual(constant_share_monthly(2015, 2026), 2026, 3)
    assert "share_last on the own backtest" in steady.loc[steady["recommended"], "note"].iloc[0]
    # three past years: no rule has 4 scored years, the default is a default
    short = project_annual(_alternating().loc["2022-01":], 2026, 3)
    assert "by default: the own backtest of the share rules needs 4 scored years, has 3" in \
        short.loc[short["recommended"], "note"].iloc[0]


def test_evidence_passed_in_is_named_in_the_note():
    monthly = constant_share_monthly(2015, 2026, noise=0.01, seed=2)
    evidence = pd.DataFrame({"method": ["share_last", "combo"], "mdape": [2.0, 1.0], "n": [5, 5]})
    out = project_annual(monthly, 2026, 3, evidence=evidence)
    assert out.loc[out["recommended"], "note"].iloc[0].endswith("combo on the backtest evidence passed in")


def test_project_recommended_follows_the_own_backtest_without_models():
    from analysis.projection import project_recommended

    full = project_annual(_alternating(), 2026, 3)
    quick = project_recommended(_alternating(), 2026, 3)
    pd.testing.assert_frame_equal(quick, full[full["recommended"]].reset_index(drop=True))
    assert quick["method"].tolist() == ["share_mean"]
