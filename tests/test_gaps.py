"""Gap table on a hand-made city of three counties; every expected number worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.errors import DataError
from analysis.core.periods import as_period
from analysis.gaps import gap_table, lagging_by_region, lagging_list
from analysis.gaps.status import StatusThresholds

A, B, C, CITY = "330101", "330102", "330103", "330100"


def regions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [CITY, A, B, C],
            "name": ["甲市", "一县", "二县", "三区"],
            "level": ["city", "county", "county", "county"],
            "parent": ["330000", CITY, CITY, CITY],
            "short_name": ["甲市", "一县", "二县", "三区"],
        }
    )


def obs() -> pd.DataFrame:
    rows = []

    def add(region, indicator, period, measure, value, unit):
        rows.append((region, indicator, pd.Period(period, "M"), measure, value, unit))

    for region, feb, mar in ((A, 60, 100), (B, 120, 200), (C, 60, 100)):
        add(region, "ind_output", "2026-02", "ytd_value", feb, "亿元")
        add(region, "ind_output", "2026-03", "ytd_value", mar, "亿元")
    # iva: growth only; city = output-weighted growth.
    for region, feb, mar in ((A, 4.0, 5.0), (B, 9.0, 8.0), (C, 3.0, 6.0)):
        add(region, "iva", "2026-02", "ytd_growth", feb, "%")
        add(region, "iva", "2026-03", "ytd_growth", mar, "%")
    for period, value in (("2025-03", 7.0), ("2024-03", 6.0), ("2023-03", 8.0)):
        add(A, "iva", period, "ytd_growth", value, "%")
    # fai: levels this year and last year, growth published in March.
    for region, feb, mar, feb_ly, mar_ly, growth in (
        (A, 12.0, 21.3, 11.0, 20.0, 6.5),
        (B, 15.0, 30.0, 13.0, 25.0, 20.0),
        (C, 5.0, 10.0, 5.0, 10.0, 0.0),
    ):
        add(region, "fai", "2026-02", "ytd_value", feb, "亿元")
        add(region, "fai", "2026-03", "ytd_value", mar, "亿元")
        add(region, "fai", "2025-02", "ytd_value", feb_ly, "亿元")
        add(region, "fai", "2025-03", "ytd_value", mar_ly, "亿元")
        add(region, "fai", "2026-03", "ytd_growth", growth, "%")
    # trad_share: lower is better, city = output-weighted mean.
    for region, value in ((A, 60.0), (B, 40.0), (C, 50.0)):
        add(region, "trad_share", "2026-03", "ytd_value", value, "%")
    # retail growth: city row published; C masked (NaN).
    for region, value in ((A, 4.0), (B, 4.0), (C, np.nan), (CITY, 5.0)):
        add(region, "retail", "2026-03", "ytd_growth", value, "%")
    frame = pd.DataFrame(rows, columns=["region_code", "indicator", "period", "measure", "value", "unit"])
    frame["region_name"] = frame["region_code"].map(dict(zip(regions()["code"], regions()["name"], strict=True)))
    return frame


def targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": [A, B, A, A, A],
            "indicator": ["fai", "fai", "fai", "fai", "fai"],
            "year": [2026, 2026, 2026, 2026, 2026],
            "horizon": ["annual", "annual", "annual", "q1", "q1"],
            "measure": ["ytd_value", "ytd_value", "ytd_growth", "ytd_growth", "ytd_value"],
            "target": [100.0, 100.0, 7.0, 8.0, 25.0],
        }
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return gap_table(obs(), targets(), regions(), "2026-03")


def row(table: pd.DataFrame, region: str, indicator: str, measure: str) -> pd.Series:
    mask = (table["region_code"] == region) & (table["indicator"] == indicator)
    hit = table.loc[mask & (table["measure"] == measure)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_one_row_per_county_indicator_measure(table):
    # Counties only (the city row is not a county); C gets rows for everything its peers report.
    assert set(table["region_code"]) == {A, B, C}
    combos = {("fai", "ytd_growth"), ("fai", "ytd_value"), ("ind_output", "ytd_value"),
              ("iva", "ytd_growth"), ("retail", "ytd_growth"), ("trad_share", "ytd_value")}
    assert len(table) == 3 * len(combos)
    assert set(zip(table["indicator"], table["measure"], strict=True)) == combos
    assert (table["period"] == pd.Period("2026-03", "M")).all()


def test_weighted_growth_city_rank_and_change(table):
    r = row(table, A, "iva", "ytd_growth")
    # city = (100*5 + 200*8 + 100*6) / 400 = 6.75; Feb: (60*4 + 120*9 + 60*3) / 240 = 6.25
    assert r["city_value"] == pytest.approx(6.75)
    assert r["city_source"] == "aggregated"
    assert r["gap_to_city_pp"] == pytest.approx(-1.75)
    assert r["rank"] == 3 and r["n_peers"] == 3
    assert r["prev_rank"] == 2 and r["rank_change"] == -1  # moved back one place (后移1位)
    assert r["gap_to_city_change_pp"] == pytest.approx(-1.75 - (4.0 - 6.25))
    assert r["status"] == "amber" and r["status_basis"] == "city"
    assert r["shortfall_pp"] == pytest.approx(1.75)
    # own history: 2025-03 = 7.0; mean(7, 6, 8) = 7.0
    assert r["actual_last_year"] == 7.0 and r["vs_last_year"] == pytest.approx(-2.0)
    assert r["avg_3y"] == pytest.approx(7.0) and r["vs_avg_3y"] == pytest.approx(-2.0)
    assert np.isnan(row(table, B, "iva", "ytd_growth")["avg_3y"])  # no history: NaN, not 0
    assert row(table, B, "iva", "ytd_growth")["status"] == "green"


def test_growth_of_sum_for_flows_and_q1_target(table):
    r = row(table, A, "fai", "ytd_growth")
    city = (61.3 / 55.0 - 1) * 100  # growth of the sum, not mean(6.5, 20, 0) = 8.83
    assert r["city_value"] == pytest.approx(city)
    assert r["gap_to_city_pp"] == pytest.approx(6.5 - city)
    # Q1 target (8.0) used in March instead of the annual 7.0
    assert r["target"] == 8.0 and r["target_horizon"] == "q1"
    assert r["gap_to_target"] == pytest.approx(-1.5)
    assert r["status"] == "red" and r["status_basis"] == "city"
    assert r["shortfall_pp"] == pytest.approx(city - 6.5)
    assert r["row_kind"] == "rate" and np.isnan(r["completion_rate"])


def test_completion_rate_against_schedule(table):
    r = row(table, A, "fai", "ytd_value")
    assert r["row_kind"] == "cumulative"
    assert r["target"] == 100.0 and r["target_horizon"] == "annual"  # annual even with a Q1 target
    assert r["completion_rate"] == pytest.approx(0.213)
    assert r["q1_completion_rate"] == pytest.approx(21.3 / 25)
    assert r["schedule_progress"] == pytest.approx(0.25)
    assert r["gap_to_schedule_pp"] == pytest.approx(-3.7)
    # Feb: 12/100 vs 2/12 -> -4.6667 pp; change = -3.7 + 4.6667
    assert r["gap_to_schedule_change_pp"] == pytest.approx(-3.7 + 100 * (2 / 12 - 0.12))
    # Status in Q1 comes from the Q1 target: 21.3 / 25 = 85.2% of it, against 100% of Q1 elapsed.
    assert r["q1_schedule_progress"] == 1.0 and r["q1_gap_to_schedule_pp"] == pytest.approx(-14.8)
    assert r["status"] == "red" and r["status_basis"] == "q1_schedule" and r["lagging"]
    assert r["shortfall_pp"] == pytest.approx(14.8)
    # A county total is not compared with the city total: share of city instead.
    assert np.isnan(r["gap_to_city"]) and r["city_value"] == pytest.approx(61.3)
    assert r["share_of_city"] == pytest.approx(21.3 / 61.3)
    assert r["actual_last_year"] == 20.0
    b = row(table, B, "fai", "ytd_value")
    assert b["gap_to_schedule_pp"] == pytest.approx(5.0) and b["status"] == "green"
    c = row(table, C, "fai", "ytd_value")  # no target: nothing to judge a total against
    assert c["status"] == "unknown" and not c["lagging"]


def test_q1_target_met_is_not_lagging_although_behind_the_annual_schedule():
    tg = targets()
    tg.loc[(tg["horizon"] == "q1") & (tg["measure"] == "ytd_value"), "target"] = 20.0
    r = row(gap_table(obs(), tg, regions(), "2026-03"), A, "fai", "ytd_value")
    assert r["gap_to_schedule_pp"] == pytest.approx(-3.7)  # annual: 21.3% vs 25%, kept as information
    assert r["q1_completion_rate"] == pytest.approx(1.065) and r["q1_gap_to_schedule_pp"] == pytest.approx(6.5)
    assert r["status"] == "green" and r["status_basis"] == "q1_schedule" and not r["lagging"]
    # February: 12 / 20 = 60% of the Q1 target against 2/3 of the quarter -> 6.67 pp behind, red.
    feb = row(gap_table(obs(), tg, regions(), "2026-02"), A, "fai", "ytd_value")
    assert feb["q1_schedule_progress"] == pytest.approx(2 / 3)
    assert feb["q1_gap_to_schedule_pp"] == pytest.approx(60 - 200 / 3)
    assert feb["status"] == "red" and feb["shortfall_pp"] == pytest.approx(200 / 3 - 60)
    # After March, and with horizon="annual", the annual schedule decides again.
    annual = row(gap_table(obs(), tg, regions(), "2026-03", horizon="annual"), A, "fai", "ytd_value")
    assert np.isnan(annual["q1_gap_to_schedule_pp"]) and annual["status_basis"] == "schedule"
    assert annual["status"] == "red" and annual["shortfall_pp"] == pytest.approx(3.7)


def test_lower_is_better_rank_and_weighted_mean(table):
    r = row(table, A, "trad_share", "ytd_value")
    assert r["city_value"] == pytest.approx((100 * 60 + 200 * 40 + 100 * 50) / 400)
    assert r["gap_to_city_pp"] == pytest.approx(12.5)
    assert r["shortfall_pp"] == pytest.approx(12.5) and r["status"] == "red"
    ranks = table.loc[table["indicator"] == "trad_share"].set_index("region_code")["rank"]
    assert ranks.to_dict() == {A: 3.0, B: 1.0, C: 2.0}


def test_ties_missing_and_published_city(table):
    a, b, c = (row(table, x, "retail", "ytd_growth") for x in (A, B, C))
    assert a["city_source"] == "published" and a["city_value"] == 5.0
    assert a["rank"] == 1 and b["rank"] == 1 and a["n_peers"] == 2
    assert np.isnan(c["rank"]) and c["rank_note"] == "not ranked: value missing"
    assert c["status"] == "unknown" and not c["lagging"]
    assert a["status"] == "amber"
    # Previous period has no retail: no change, no crash.
    assert np.isnan(a["rank_change"])


def test_lagging_list(table):
    lag = lagging_list(table)
    # fai: 14.8 pp behind its Q1 target (worse than its growth row); trad_share 12.5 pp above the city
    assert lag.loc[lag["region_code"] == A, "indicator"].tolist() == ["fai", "trad_share"]
    assert lag.loc[lag["region_code"] == A, "name_zh"].tolist() == ["固定资产投资", "传统产业产值占比"]
    by_region = lagging_by_region(table)
    assert by_region[A] == ["fai", "trad_share"]
    assert by_region[B] == []


def test_thresholds_are_configurable():
    wide = gap_table(obs(), targets(), regions(), "2026-03", thresholds=StatusThresholds(red_pp=20.0))
    assert row(wide, A, "trad_share", "ytd_value")["status"] == "amber"
    no_city = gap_table(obs(), targets(), regions(), "2026-03", thresholds=StatusThresholds(compare_city=False))
    r = row(no_city, A, "fai", "ytd_growth")
    assert r["status"] == "amber" and r["status_basis"] == "target"  # 1.5 pp behind the Q1 target
    assert row(no_city, A, "iva", "ytd_growth")["status"] == "unknown"
    with pytest.raises(ValueError):
        StatusThresholds(red_pp=1.0, amber_pp=2.0)


def test_q1_horizon_runs_the_schedule_over_the_quarter():
    t = gap_table(obs(), targets(), regions(), "2026-03", horizon="q1")
    r = row(t, A, "fai", "ytd_value")
    assert r["target"] == 25.0 and r["target_horizon"] == "q1"
    assert r["schedule_progress"] == 1.0 and r["gap_to_schedule_pp"] == pytest.approx((0.852 - 1) * 100)
    assert np.isnan(row(t, B, "fai", "ytd_value")["target"])  # B has no Q1 target
    annual = gap_table(obs(), targets(), regions(), "2026-03", horizon="annual")
    assert row(annual, A, "fai", "ytd_growth")["target"] == 7.0


def test_february_has_no_previous_period_and_day_schedule():
    t = gap_table(obs(), targets(), regions(), pd.Period("2026-02", "M"), schedule_by="day")
    r = row(t, A, "fai", "ytd_value")
    assert pd.isna(r["prev_period"]) and np.isnan(r["rank_change"])
    assert r["schedule_progress"] == pytest.approx(59 / 365)
    assert r["gap_to_target"] == pytest.approx(12 - 100)


def test_peers_all_ranks_across_parents():
    reg = pd.concat([regions(), pd.DataFrame({"code": ["330201"], "name": ["四县"], "level": ["county"],
                                              "parent": ["330200"], "short_name": ["四县"]})])
    extra = pd.DataFrame({"region_code": ["330201"], "indicator": ["iva"], "period": [pd.Period("2026-03", "M")],
                          "measure": ["ytd_growth"], "value": [9.0], "unit": ["%"], "region_name": ["四县"]})
    data = pd.concat([obs(), extra], ignore_index=True)
    by_city = gap_table(data, targets(), reg, "2026-03")
    assert row(by_city, "330201", "iva", "ytd_growth")["rank"] == 1
    assert row(by_city, B, "iva", "ytd_growth")["rank"] == 1
    everyone = gap_table(data, targets(), reg, "2026-03", peers="all")
    assert row(everyone, B, "iva", "ytd_growth")["rank"] == 2
    assert row(everyone, A, "iva", "ytd_growth")["n_peers"] == 4


def test_duplicates_are_reported():
    data = pd.concat([obs(), obs().iloc[:1]], ignore_index=True)
    with pytest.raises(DataError, match="duplicate observation"):
        gap_table(data, targets(), regions(), "2026-03")
    with pytest.raises(DataError, match="duplicate target"):
        gap_table(obs(), pd.concat([targets(), targets().iloc[:1]]), regions(), "2026-03")


def test_a_month_without_data_is_an_error():
    with pytest.raises(DataError, match="no observations for 2026-04"):
        gap_table(obs(), targets(), regions(), "2026-04")


def test_january_is_published_with_february():
    # Bureau tables carry a blank January column: rows that exist with NaN values.
    jan = obs().loc[lambda f: f["period"] == pd.Period("2026-02", "M")].assign(
        period=pd.Period("2026-01", "M"), value=np.nan
    )
    data = pd.concat([obs(), jan], ignore_index=True)
    with pytest.raises(DataError, match=r"January .*1-2月.*use 2026-02"):
        gap_table(data, targets(), regions(), "2026-01")
    with pytest.raises(DataError, match=r"1-2月.*use 2026-02"):  # no January rows at all
        gap_table(obs(), targets(), regions(), "2026-01")


def test_as_of_accepts_bureau_labels():
    march = pd.Period("2026-03", "M")
    for label in ("2026-03", "202603", "2026年3月", "2026年1-3月", "2026年一季度", "2026-03-31",
                  pd.Timestamp("2026-03-15"), march):
        assert as_period(label) == march, label
    with pytest.raises(ValueError, match="has no year"):
        as_period("1-3月")
    t = gap_table(obs(), targets(), regions(), "2026年1-3月")
    assert (t["period"] == march).all()


def test_inputs_not_modified():
    data, tg = obs(), targets()
    before = data.copy()
    gap_table(data, tg, regions(), "2026-03")
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.realdata
def test_real_provinces_add_up_to_the_national_release(real_data):
    """NBS 分省月度数据, 31 provinces: the country figure aggregated from them matches the
    national release for 2019年1-3月 (房地产开发投资 23803亿元, +11.8%)."""
    from analysis.core.catalog import package_regions
    from analysis.data.readers import read_bureau_table

    files = sorted((real_data / "nbs-province-monthly" / "csv").glob("*.csv"))
    data = pd.concat([read_bureau_table(p) for p in files], ignore_index=True)
    no_targets = pd.DataFrame(columns=["region_code", "indicator", "year", "horizon", "measure", "target"])
    t = gap_table(data, no_targets, package_regions(), "2019-03", levels=("province",))
    inv = t.loc[t["indicator"] == "re_invest"]
    assert len(inv) == 62 and (inv["city_source"] == "aggregated").all()
    level = inv.loc[inv["measure"] == "ytd_value", "city_value"].iloc[0]
    growth = inv.loc[inv["measure"] == "ytd_growth", "city_value"].iloc[0]
    assert level == pytest.approx(23803, abs=1)
    assert growth == pytest.approx(11.8, abs=0.05)  # growth of the sum of levels
    g = inv.loc[inv["measure"] == "ytd_growth"].set_index("region_name")
    assert g.loc["西藏自治区", "rank"] == 1 and g["rank"].max() <= 31 and g["n_peers"].iloc[0] == 31
    assert g.loc["西藏自治区", "gap_to_city_pp"] == pytest.approx(33.7 - growth)
    assert g.loc["云南省", "prev_rank"] == 4 and g.loc["云南省", "rank_change"] == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=3, max_size=3))
def test_rank_is_one_plus_the_number_strictly_better(values):
    """Any mix of values, ties and gaps: rank = 1 + peers strictly better, by direction."""
    data = obs()
    data = data.loc[~((data["indicator"] == "retail") & (data["region_code"] != CITY))]
    extra = pd.DataFrame({"region_code": [A, B, C], "indicator": "retail", "period": pd.Period("2026-03", "M"),
                          "measure": "ytd_growth", "value": [np.nan if v is None else float(v) for v in values],
                          "unit": "%", "region_name": ["一县", "二县", "三区"]})
    t = gap_table(pd.concat([data, extra], ignore_index=True), targets(), regions(), "2026-03")
    ranks = t.loc[t["indicator"] == "retail"].set_index("region_code")["rank"]
    known = [v for v in values if v is not None]
    for code, v in zip([A, B, C], values, strict=True):
        if v is None:
            assert np.isnan(ranks[code])
        else:
            assert ranks[code] == 1 + sum(w > v for w in known)
