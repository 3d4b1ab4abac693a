"""project_panel and panel_backtest: estimates by hand, no look-ahead, calibrated coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from projection_helpers import constant_share_monthly, panel_from_totals

from analysis.projection import PANEL_METHODS, accuracy, panel_backtest, project_annual, project_panel
from analysis.projection.cube import year_cube
from analysis.projection.history import model_year_table, ytd_table

TOTALS = {  # {series: {year: (Q1 YTD, annual)}}; 2023's annual is what the origin must not see
    "a": {2020: (20, 100), 2021: (24, 110), 2022: (25, 125), 2023: (30, 150)},
    "b": {2020: (10, 40), 2021: (11, 50), 2022: (12, 48), 2023: (13, 55)},
}


def _rows(out: pd.DataFrame, series: str) -> pd.DataFrame:
    return out[out["series"] == series].set_index("method")


def test_year_cube_matches_the_single_series_tables():
    panel = panel_from_totals(TOTALS)
    panel.iloc[14, 1] = np.nan  # a gap in b's March 2021
    cube = year_cube(panel)
    for i, name in enumerate(panel.columns):
        table = ytd_table(panel[name])
        np.testing.assert_allclose(cube.ytd[:, :, i], table.to_numpy(), equal_nan=True)
        np.testing.assert_allclose(cube.model[:, :, i], model_year_table(panel[name], table).to_numpy(),
                                   equal_nan=True)


def test_share_estimates_by_hand():
    out = project_panel(panel_from_totals(TOTALS), 2023, 3)
    a, b = _rows(out, "a"), _rows(out, "b")
    assert a.at["share_last", "estimate"] == pytest.approx(30 / (25 / 125))  # 150
    assert a.at["share_mean", "estimate"] == pytest.approx(30 / np.mean([0.2, 24 / 110, 0.2]))
    assert b.at["share_last", "estimate"] == pytest.approx(13 / (12 / 48))  # 52
    # share_shrunk: c_2022 + B_i dbar_i with the one-way random-effects weight
    logs = np.log([[0.2, 0.25], [24 / 110, 0.22], [0.2, 0.25]])
    level = logs.mean(axis=1)
    dev = logs - level[:, None]
    dbar = dev.mean(axis=0)
    sigma2 = ((dev - dbar) ** 2).sum() / 4
    tau2 = max(0.0, dbar.var(ddof=1) - sigma2 / 3)
    weight = tau2 / (tau2 + sigma2 / 3)
    assert a.at["share_shrunk", "estimate"] == pytest.approx(30 / np.exp(level[-1] + weight * dbar[0]))
    assert b.at["share_shrunk", "estimate"] == pytest.approx(13 / np.exp(level[-1] + weight * dbar[1]))
    assert f"B = {weight:.2f}" in a.at["share_shrunk", "note"]


def test_growth_estimate_by_hand():
    out = project_panel(panel_from_totals(TOTALS), 2023, 3)
    q = np.log([24 / 20, 25 / 24, 11 / 10, 12 / 11])
    r = np.log([86 / 80, 100 / 86, 39 / 30, 36 / 39])  # rest of the year: annual - Q1
    slope = (q @ r) / (q @ q)
    a, b = _rows(out, "a"), _rows(out, "b")
    assert a.at["growth_pooled", "estimate"] == pytest.approx(30 + 100 * np.exp(slope * np.log(30 / 25)))
    assert b.at["growth_pooled", "estimate"] == pytest.approx(13 + 36 * np.exp(slope * np.log(13 / 12)))
    assert "from 4 pooled pairs" in a.at["growth_pooled", "note"]


def test_combo_rows_and_recommendation_without_a_record():
    out = project_panel(panel_from_totals(TOTALS), 2023, 3)
    assert list(out["method"].unique()) == list(PANEL_METHODS)
    assert out.groupby("series")["recommended"].sum().tolist() == [1, 1]
    for name in ("a", "b"):
        rows = _rows(out, name)
        members = [m for m in ("share_shrunk", "growth_pooled", "stl") if np.isfinite(rows.at[m, "estimate"])]
        assert rows.at["combo", "estimate"] == pytest.approx(rows.loc[members, "estimate"].mean())
        # a record of 2021-2022 is too short to leave share_last or to calibrate an interval
        assert rows.index[rows["recommended"]].tolist() == ["share_last"]
        assert "no pooled record" in rows.at["share_last", "note"] or "not clearly" in rows.at["share_last", "note"]
        assert rows["lower"].isna().all()
        assert rows.at["share_last", "implied_q1_share"] == pytest.approx(
            TOTALS[name][2023][0] / rows.at["share_last", "estimate"])


def test_no_look_ahead():
    panel = panel_from_totals(TOTALS)
    base = project_panel(panel, 2023, 3)
    later = panel.copy()
    later.loc[pd.Period("2023-04", "M"):] *= 3.0  # everything after the origin
    extended = pd.concat([later, 5.0 * later.loc["2023-01":"2023-12"].set_axis(
        pd.period_range("2024-01", "2024-12", freq="M"))])
    pd.testing.assert_frame_equal(project_panel(extended, 2023, 3), base)
    earlier = panel.copy()
    earlier.loc[pd.Period("2022-06", "M")] *= 1.5  # before the origin: must matter
    assert not project_panel(earlier, 2023, 3)["estimate"].equals(base["estimate"])


def _noisy_panel(n_series: int = 12, first: int = 2008, last: int = 2025) -> pd.DataFrame:
    return pd.DataFrame({f"s{i:02d}": constant_share_monthly(first, last, growth=0.02 + 0.01 * (i % 5),
                                                             noise=0.06, seed=100 + i)
                         for i in range(n_series)})


def test_backtest_rows_are_what_project_panel_gives_from_the_same_record():
    panel = _noisy_panel(4, 2012, 2020)
    record = panel_backtest(panel, None, 3)
    assert sorted(record["year"].unique()) == list(range(2013, 2021))
    for year in (2016, 2020):
        fresh = project_panel(panel, year, 3)
        cached = project_panel(panel, year, 3, record=record)
        pd.testing.assert_frame_equal(fresh, cached)
        scored = record[(record["year"] == year) & (record["method"] != "recommended")]
        np.testing.assert_allclose(scored["estimate"].to_numpy(), fresh["estimate"].to_numpy())
        np.testing.assert_allclose(scored["lower"].to_numpy(), fresh["lower"].to_numpy())
    picked = record[record["method"] == "recommended"]
    assert len(picked) == 4 * 8
    assert picked["note"].str.startswith("= ").all()


def test_coverage_is_computed_from_the_bounds():
    record = panel_backtest(_noisy_panel(6, 2010, 2022), None, 3)
    has = record[["lower", "upper", "actual"]].notna().all(axis=1)
    inside = (record["lower"] <= record["actual"]) & (record["actual"] <= record["upper"])
    np.testing.assert_array_equal(record.loc[has, "covered"].to_numpy(), inside[has].astype(float).to_numpy())
    assert record.loc[~has, "covered"].isna().all()
    table = accuracy(record).set_index("method")
    assert table.at["share_last", "coverage"] == pytest.approx(inside[has & (record["method"] == "share_last")].mean())


def test_calibrated_intervals_cover_about_the_level_out_of_sample():
    """Exchangeable noise: the pooled conformal 80% intervals hold ~80% of later actuals."""
    record = panel_backtest(_noisy_panel(), None, 3)
    late = record[record["year"] >= 2014]
    coverage = accuracy(late).set_index("method")["coverage"]
    for method in ("share_last", "share_shrunk", "combo", "recommended"):
        assert 0.72 <= coverage[method] <= 0.90, (method, coverage[method])


def test_shrunk_share_beats_last_years_share_on_a_noisy_panel():
    record = panel_backtest(_noisy_panel(), None, 3)
    mdape = accuracy(record[record["year"] >= 2014]).set_index("method")["mdape"]
    assert mdape["share_shrunk"] < mdape["share_last"]
    assert mdape["recommended"] <= mdape["share_last"]


def test_odd_inputs():
    panel = panel_from_totals(TOTALS)
    with pytest.raises(ValueError, match="through_month"):
        project_panel(panel, 2023, 13)
    with pytest.raises(TypeError, match="PeriodIndex"):
        project_panel(panel.reset_index(drop=True), 2023, 3)
    gone = project_panel(panel, 2030, 3)
    assert gone["estimate"].isna().all() and gone.groupby("series")["recommended"].sum().eq(1).all()
    partial = panel.copy()
    partial.loc["2023-03", "b"] = np.nan  # b has no YTD at the origin
    rows = _rows(project_panel(partial, 2023, 3), "b")
    assert rows["estimate"].isna().all()
    assert rows["note"].str.contains("no YTD value for 2023-03").all()
    assert rows["recommended"].sum() == 1


@pytest.mark.realdata
def test_real_panel_share_last_by_hand_and_one_recommendation(real_data):
    import csv

    path = real_data / "monthly-panel" / "txhousing_sales_dev.csv"
    frame = pd.read_csv(path)
    frame["period"] = pd.PeriodIndex.from_fields(year=frame["year"], month=frame["month"], freq="M")
    panel = frame.pivot(index="period", columns="city", values="sales").astype(float)
    out = project_panel(panel, 2014, 3)
    assert out.groupby("series")["recommended"].sum().eq(1).all()
    assert out.loc[out["recommended"], "method"].isin(["share_last", "combo"]).all()
    sales = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["city"] == "Austin":
                sales[(int(row["year"]), int(row["month"]))] = float(row["sales"])
    q1 = {y: sum(sales[(y, m)] for m in (1, 2, 3)) for y in (2013, 2014)}
    year_2013 = sum(sales[(2013, m)] for m in range(1, 13))
    austin = _rows(out, "Austin")
    assert austin.at["share_last", "estimate"] == pytest.approx(q1[2014] / (q1[2013] / year_2013))
    single = project_annual(panel["Austin"], 2014, 3, methods=["share_last", "share_mean"]).set_index("method")
    assert austin.at["share_mean", "estimate"] == pytest.approx(single.at["share_mean", "estimate"])


@pytest.mark.parametrize("last", [2016, 2022])
def test_recommended_only_gives_the_full_calls_recommended_rows(last):
    """2016: a 3-year record keeps share_last (no STL needed); 2022: combo is recommended."""
    panel = _noisy_panel(6, 2012, last)
    record = panel_backtest(panel, None, 3)
    full = project_panel(panel, last, 3, record=record)
    quick = project_panel(panel, last, 3, record=record, recommended_only=True)
    pd.testing.assert_frame_equal(quick, full[full["recommended"]].reset_index(drop=True))
    assert set(quick["method"]) == ({"share_last"} if last == 2016 else {"combo"})


def test_recommended_only_with_share_last_does_not_import_statsmodels(tmp_path):
    import subprocess
    import sys

    panel = _noisy_panel(3, 2012, 2016)
    panel.to_pickle(tmp_path / "panel.pkl")
    panel_backtest(panel, None, 3).to_pickle(tmp_path / "record.pkl")  # the cache's part
    code = ("import sys, pandas as pd; from analysis.projection import project_panel; "
            f"p = pd.read_pickle(r'{tmp_path / 'panel.pkl'}'); "
            f"r = pd.read_pickle(r'{tmp_path / 'record.pkl'}'); "
            "out = project_panel(p, 2016, 3, record=r, recommended_only=True); "
            "print(sorted(set(out['method'])), 'statsmodels' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['share_last'] False"


def test_an_interval_beside_its_estimate_says_why():
    """A method that was too low every past year gets an interval above its estimate."""
    totals = {name: {y: (20.0, 100.0 * 1.1 ** (y - 2010)) for y in range(2010, 2021)}
              for name in ("a", "b", "c")}  # Q1 flat, the year grows 10%: shares fall
    out = project_panel(panel_from_totals(totals), 2020, 3)
    last = out[(out["series"] == "a") & (out["method"] == "share_last")].iloc[0]
    assert last["lower"] > last["estimate"]
    assert "interval lies above the estimate: the method was too low" in last["note"]
