"""Headline figures, overall rank and display tables from a hand-made gap table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.projection import outlook
from analysis.report import headline, tables

NAN = np.nan
COLS = ["region_code", "region_name", "indicator", "measure", "unit", "actual", "target",
        "completion_rate", "gap_to_schedule_pp", "city_value", "gap_to_city_pp", "rank",
        "n_peers", "status"]


def _gaps() -> pd.DataFrame:
    rows = [
        # county A: fai has both rows; the completion row wins the headline
        ("A", "甲县", "fai", "ytd_growth", "%", 9.7, 10.5, NAN, NAN, 4.3, 5.4, 2, 3, "amber"),
        ("A", "甲县", "fai", "ytd_value", "亿元", 62.93, 294.43, 0.2137, -3.63, 448.8, NAN, 3, 3,
         "red"),
        ("A", "甲县", "iva", "ytd_growth", "%", 6.4, 5.5, NAN, NAN, 6.2, 0.2, 1, 3, "green"),
        ("B", "乙县<script>", "fai", "ytd_value", "亿元", 80.0, 300.0, 0.2667, 1.67, 448.8, NAN, 1,
         3, "green"),
        ("B", "乙县<script>", "iva", "ytd_growth", "%", 4.0, 5.5, NAN, NAN, 6.2, -2.2, 3, 3,
         "red"),
        ("C", "丙县", "fai", "ytd_value", "亿元", 70.0, NAN, NAN, NAN, 448.8, NAN, 2, 3, None),
        ("C", "丙县", "iva", "ytd_growth", "%", NAN, 5.5, NAN, NAN, 6.2, NAN, NAN, 3, "unknown"),
    ]
    return pd.DataFrame(rows, columns=COLS)


def test_headline_rows_prefer_completion_then_growth():
    rows = headline.headline_rows(_gaps(), ("iva", "fai"))
    picked = list(zip(rows["region_code"], rows["indicator"], rows["measure"], strict=True))
    assert picked == [("A", "iva", "ytd_growth"), ("A", "fai", "ytd_value"),
                      ("B", "iva", "ytd_growth"), ("B", "fai", "ytd_value"),
                      ("C", "iva", "ytd_growth"), ("C", "fai", "ytd_value")]


def test_overall_rank_is_rank_of_mean_rank():
    # A: (1 + 3) / 2 = 2.0; B: (3 + 1) / 2 = 2.0; C: only fai ranked -> 2.0: all tie at 1.
    ranks = headline.overall_rank(_gaps(), ("iva", "fai"))
    assert ranks.to_dict() == {"A": 1.0, "B": 1.0, "C": 1.0}
    gaps = _gaps()
    gaps.loc[gaps["region_code"] == "C", "rank"] = [3, NAN]  # C: fai rank 3 -> mean 3
    assert headline.overall_rank(gaps, ("iva", "fai")).to_dict() == {"A": 1.0, "B": 1.0, "C": 3.0}


def test_headline_items_text():
    items = headline.headline_items(_gaps(), "A", ("iva", "fai"))
    assert items.to_dict("records") == [
        {"indicator": "iva", "label": "规上工业增加值", "value": "6.4%", "status": "green",
         "note": "高于全市0.2个百分点，第1/3位"},
        {"indicator": "fai", "label": "固定资产投资", "value": "62.9亿元", "status": "red",
         "note": "完成目标21.4%，低于时序进度3.6个百分点，第3/3位"},
    ]
    level = _gaps().assign(gap_to_schedule_pp=[NAN, -0.04, NAN, 1.67, NAN, NAN, NAN])
    notes = headline.headline_items(level, "A", ("fai",))["note"].tolist()
    assert notes == ["完成目标21.4%，与时序进度持平，第3/3位"]  # -0.04 rounds to 0.0
    notes = headline.headline_items(level, "B", ("fai",))["note"].tolist()
    assert notes == ["完成目标26.7%，超时序进度1.7个百分点，第1/3位"]
    unknown = headline.headline_items(_gaps(), "C", ("iva", "fai"))
    assert unknown["value"].tolist() == ["无数据", "70.0亿元"]
    assert unknown["status"].tolist() == ["unknown", "unknown"]  # None is unknown, never green


def test_headline_html_escapes_and_colours():
    items = pd.DataFrame([{"indicator": "x", "label": "<b>指标</b>", "value": "1 & 2",
                           "status": "purple", "note": '"引号"'}])
    html = headline.headline_html(items)
    assert "&lt;b&gt;指标&lt;/b&gt;" in html and "1 &amp; 2" in html and "&#34;引号&#34;" in html  # Jinja2 autoescape
    assert 'class="q1-card unknown"' in html and "#9e9e9e" in html


def test_headline_payload_plain_types():
    items = headline.headline_items(_gaps(), "B", ("iva", "fai"))
    payload = headline.headline_payload("B", "乙县<script>", "2026-03", items,
                                        rank=np.float64(2.0), n_regions=3)
    assert payload["rank"] == 2 and type(payload["rank"]) is int
    assert payload["items"][0] == {"indicator": "iva", "label": "规上工业增加值",
                                   "value": "4.0%", "status": "red",
                                   "note": "低于全市2.2个百分点，第3/3位"}
    assert headline.headline_payload("B", "乙", "2026-03", items, rank=np.nan)["rank"] is None


def test_gap_overview_worst_first_and_table_html_escaped():
    view = tables.gap_overview(_gaps(), "B")
    assert view["指标"].tolist() == ["规上工业增加值", "固定资产投资"]  # red before green
    assert view.iloc[1][["实际", "目标", "完成率(%)", "较时序进度(百分点)", "全市排名", "状态"]].tolist() \
        == ["80.0", "300.0", "26.7", "1.7", "1/3", "正常"]
    html = tables.table_html(view.assign(指标=["<i>x</i>", "y"]))
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "<i>" not in html
    assert '<tr class="status-red">' in html
    assert ">status<" not in html  # the colour key column is not shown


def _constant_share_city():
    periods = pd.period_range("2021-01", "2026-03", freq="M")
    # Every month 10 (Jan empty: Jan-Feb reported in February), so YTD(m) = 10 m.
    rows = [("A", "fai", p, "ytd_value", 10.0 * p.month if p.month > 1 else NAN, "亿元")
            for p in periods]
    obs = pd.DataFrame(rows, columns=["region_code", "indicator", "period", "measure", "value",
                                      "unit"])
    targets = pd.DataFrame([("A", "fai", 2026, "annual", "ytd_value", 132.0)],
                           columns=["region_code", "indicator", "year", "horizon", "measure",
                                    "target"])
    return obs, targets


def test_annual_outlook_on_a_constant_share_series():
    obs, targets = _constant_share_city()
    out = outlook.annual_outlook(obs, targets, "A", "fai", "2026-03")
    proj = out.methods.set_index("method")
    assert proj.loc["share_last", "estimate"] == pytest.approx(120.0)  # 30 / (30/120)
    assert out.recommended["method"] == "share_last" and out.estimate == pytest.approx(120.0)
    assert out.target == 132.0 and out.has_target
    assert out.ytd.tolist()[1:] == [20.0, 30.0]
    assert len(out.last_year) == 12 and out.last_year.iloc[-1] == 120.0
    # 132 = 30 + 90 (1 + g)  ->  g = 13.33%; YTD growth so far 30 / 30 - 1 = 0
    assert out.required_growth_pct == pytest.approx(100 * (102 / 90 - 1))
    assert out.growth_so_far_pct == pytest.approx(0.0)
    assert out.pace_sentence() == "完成全年目标，4-12月需同比增长13.3%（1-3月为0.0%）。"
    assert out.title == "固定资产投资（亿元）" and out.name == "固定资产投资"
    assert out.table_zh().loc[out.table_zh()["推荐"] == "是", "方法"].tolist() == ["上年占比法"]
    assert repr(out).startswith("AnnualOutlook(A fai 2026-03: share_last 120.0 [")


def test_annual_outlook_without_target_or_levels():
    obs, _ = _constant_share_city()
    out = outlook.annual_outlook(obs, None, "A", "fai", "2026-03", recommended_only=True)
    assert len(out.methods) == 1 and out.recommended["method"] == "share_last"
    assert not out.has_target and np.isnan(out.required_growth_pct) and out.pace_sentence() is None
    none = outlook.annual_outlook(obs, None, "B", "fai", "2026-03")  # no rows for county B
    assert none.unit == "" and none.ytd.empty and np.isnan(none.estimate)


def test_annual_outlook_takes_a_ready_projection_table():
    # e.g. the county's rows of a panel projection: used as given, nothing is fitted
    obs, targets = _constant_share_city()
    ready = pd.DataFrame({"method": ["share_shrunk", "stl"], "estimate": [118.0, 125.0],
                          "lower": [110.0, 111.0], "upper": [126.0, 139.0],
                          "implied_q1_share": [30 / 118, 30 / 125], "note": ["", ""],
                          "recommended": [False, True]})
    out = outlook.annual_outlook(obs, targets, "A", "fai", "2026-03", projection=ready)
    assert out.methods is ready
    assert out.recommended["method"] == "stl" and out.interval == (111.0, 139.0)
    assert out.required_growth_pct == pytest.approx(100 * (102 / 90 - 1))  # the pace is still computed


def test_projection_overview_is_a_chinese_table_of_every_method():
    proj = pd.DataFrame({
        "method": ["share_last", "sarimax", "share_assumption"],
        "estimate": [1234.56, np.nan, 1000.0],
        "lower": [1100.0, np.nan, np.nan],
        "upper": [1400.04, np.nan, np.nan],
        "implied_q1_share": [0.243, np.nan, 0.3],
        "note": ["", "sarimax needs 5 full years of history, has 3", None],
        "recommended": [True, False, False],
    })
    out = tables.projection_overview(proj)
    assert list(out.columns) == ["方法", "全年推算", "80%区间", "隐含一季度占比(%)", "推荐", "说明"]
    assert out.iloc[0].tolist() == ["上年占比法", "1,234.6", "1,100.0 ~ 1,400.0", "24.3", "是", ""]
    assert out.iloc[1].tolist() == ["季节ARIMA（SARIMAX）", "—", "—", "—", "",
                                    "sarimax needs 5 full years of history, has 3"]
    assert out.iloc[2, 0] == "假定占比法" and out.iloc[2, 2] == "—" and out.iloc[2, 5] == ""
    from analysis.projection import METHODS
    from analysis.projection.pooled import PANEL_METHODS

    assert set(tables.METHOD_NAMES_ZH) == set(METHODS) | set(PANEL_METHODS)


def _constant_share_panel(counties: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counties of city "C0", county k with 10 k every month (Jan-Feb reported together)."""
    periods = pd.period_range("2019-01", "2026-03", freq="M")
    rows = [(code, "fai", p, "ytd_value", 10.0 * k * p.month if p.month > 1 else NAN, "亿元")
            for k, code in enumerate(counties, start=1) for p in periods]
    obs = pd.DataFrame(rows, columns=["region_code", "indicator", "period", "measure", "value", "unit"])
    regions = pd.DataFrame({"code": ["C0", *counties], "name": ["市", *counties],
                            "level": ["city", *["county"] * len(counties)],
                            "parent": [None, *["C0"] * len(counties)]})
    return obs, regions


def test_annual_outlook_from_the_city_panel():
    obs, regions = _constant_share_panel(("A", "B", "C", "D"))
    panel = outlook.panel_projection(obs, regions, "C", "fai", "2026-03", recommended_only=True)
    assert panel is not None and not panel.from_cache
    out = outlook.annual_outlook(obs, None, "C", "fai", "2026-03", recommended_only=True, panel=panel)
    # county C: 30 a month, YTD March 90 = a quarter of the year, so every share rule says 360
    assert out.basis == "panel" and out.recommended["method"] == "share_last"
    assert out.estimate == pytest.approx(360.0)
    evidence = out.evidence.set_index("method")
    assert evidence.loc["share_last", "mdape"] == pytest.approx(0.0)
    # 4 counties x the years 2020-2025 that have a year before them
    assert evidence.loc["share_last", "n"] == 4 * 6
    shown = out.evidence_zh().set_index("方法")
    assert shown.loc["上年占比法", "中位误差(%)"] == "0.0" and shown.loc["上年占比法", "回测（县·年）"] == "24"


def test_a_city_of_two_counties_or_a_county_without_city_uses_its_own_series():
    obs, regions = _constant_share_panel(("A", "B"))
    assert outlook.panel_projection(obs, regions, "A", "fai", "2026-03") is None
    out = outlook.annual_outlook(obs, None, "A", "fai", "2026-03", panel=None)
    assert out.basis == "series" and out.evidence is None and out.evidence_zh() is None
    orphan = regions.assign(parent=None)
    assert outlook.panel_projection(obs, orphan, "A", "fai", "2026-03") is None


def test_county_rows_needs_a_finite_recommended_estimate():
    rows = pd.DataFrame({"series": ["A", "A", "B"], "method": ["share_last", "stl", "share_last"],
                         "estimate": [1.0, 2.0, NAN], "lower": [0.5, 1.0, NAN], "upper": [2.0, 3.0, NAN],
                         "implied_q1_share": [0.3, 0.2, NAN], "recommended": [True, False, True],
                         "note": ["", "", "no data"]})
    mine = outlook.county_rows(rows, "A")
    assert list(mine.columns) == ["method", "estimate", "lower", "upper", "implied_q1_share", "note",
                                  "recommended"]
    assert mine["method"].tolist() == ["share_last", "stl"]
    assert outlook.county_rows(rows, "B") is None and outlook.county_rows(rows, "Z") is None


def test_evidence_overview_in_chinese():
    evidence = pd.DataFrame({"method": ["share_shrunk", "recommended"], "n": [45, 54], "years": [5, 6],
                             "mdape": [1.04, 1.75], "p90_ape": [28.2, 27.06], "coverage": [0.889, 1.0]})
    out = tables.evidence_overview(evidence)
    assert out.iloc[0].tolist() == ["收缩占比法（全市合并）", "45", "1.0", "28.2", "88.9"]
    assert out.iloc[1].tolist() == ["推荐方法（逐年按当时记录选定）", "54", "1.8", "27.1", "100.0"]
