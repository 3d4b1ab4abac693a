"""Golden tests: a fixed gap table gives exactly these sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_gaps import obs, regions, targets

from analysis.gaps import COLUMNS, gap_table
from analysis.key_projects import county_summary
from analysis.report.narrative import (
    county_narrative,
    indicator_sentence,
    narratives,
    projects_sentence,
    projects_sentences,
    section_paragraph,
    shortfall_sentence,
)

MAR, FEB = pd.Period("2026-03", "M"), pd.Period("2026-02", "M")


def make_row(**values) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(region_code="330101", region_name="一县", parent="330100", period=MAR, unit="%",
               row_kind="rate", direction="higher", status="green", lagging=False, status_basis=np.nan,
               target_horizon=np.nan, rank_note="", prev_period=FEB, rank_change=np.nan,
               gap_to_schedule_change_pp=np.nan)
    row.update(values)
    return row


IVA = make_row(indicator="iva", measure="ytd_growth", actual=5.2, gap_to_city_pp=-1.3, gap_to_city=-1.3,
               rank=7.0, rank_change=2.0)
FAI_G = make_row(indicator="fai", measure="ytd_growth", actual=6.5, gap_to_city_pp=-5.0, gap_to_city=-5.0,
                 rank=3.0, rank_change=0.0, target=8.0, target_horizon="q1", gap_to_target=-1.5,
                 status="red", lagging=True, status_basis="city", shortfall_pp=5.0)
FAI_L = make_row(indicator="fai", measure="ytd_value", unit="亿元", row_kind="cumulative", actual=21.3,
                 target=100.0, target_horizon="annual", completion_rate=0.213, schedule_progress=0.25,
                 gap_to_schedule_pp=-3.7, gap_to_schedule_change_pp=0.4, q1_completion_rate=0.852,
                 status="red", lagging=True,
                 status_basis="schedule", shortfall_pp=3.7)
TRAD = make_row(indicator="trad_share", measure="ytd_value", direction="lower", actual=60.0, gap_to_city=12.5,
                gap_to_city_pp=12.5, rank=3.0, prev_period=None, status="red", lagging=True,
                status_basis="city", shortfall_pp=12.5)
RETAIL = make_row(indicator="retail", measure="ytd_growth", actual=np.nan, status="unknown")


def table(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_growth_sentence_matches_the_briefing_example():
    t = table(IVA)
    assert indicator_sentence(t, "330101", "iva") == (
        "1-3月，全县规上工业增加值同比增长5.2%，低于全市平均1.3个百分点，居全市第7位，比1-2月前移2位。"
    )
    assert indicator_sentence(t, "330101", "iva", lang="en") == (
        "In Jan-Mar, the county's industrial value added above designated size grew 5.2% year on year, "
        "1.3 percentage points below the city average, ranking 7th in the city, up 2 places from Jan-Feb."
    )
    assert indicator_sentence(t, "330101", "fai") is None


def test_rank_wording_follows_the_peer_group():
    t = gap_table(obs(), targets(), regions(), "2026-03", peers="all")
    assert set(t["peer_group"]) == {"all"}
    assert set(gap_table(obs(), targets(), regions(), "2026-03")["peer_group"]) == {"city"}
    everyone = table(dict(IVA, peer_group="all"))
    assert indicator_sentence(everyone, "330101", "iva", with_period=False) == (
        "全县规上工业增加值同比增长5.2%，低于全市平均1.3个百分点，居所有县（市、区）第7位，比1-2月前移2位。"
    )
    assert "ranking 7th in all counties" in indicator_sentence(everyone, "330101", "iva", lang="en")
    city = table(dict(IVA, peer_group="city"))
    assert "居全市第7位" in indicator_sentence(city, "330101", "iva")


def test_county_level_city_is_named_not_quanshi():
    yiwu = table(dict(IVA, region_name="义乌市"))
    assert indicator_sentence(yiwu, "330101", "iva", with_period=False) == (
        "义乌市规上工业增加值同比增长5.2%，低于全市平均1.3个百分点，居全市第7位，比1-2月前移2位。"
    )


def test_completion_against_schedule():
    t = table(FAI_L)
    assert indicator_sentence(t, "330101", "fai", with_period=False) == (
        "全县固定资产投资21.3亿元；完成年度目标的21.3%，低于时序进度3.7个百分点，差距比1-2月收窄0.4个百分点，"
        "完成一季度目标的85.2%。"
    )
    assert indicator_sentence(t, "330101", "fai", lang="en", with_period=False) == (
        "The county's fixed-asset investment reached 2.13 billion yuan; 21.3% of the annual target completed, "
        "3.7 percentage points below the time schedule, the gap narrowing by 0.4 percentage points from Jan-Feb, "
        "85.2% of the Q1 target."
    )


def test_q1_target_decides_the_shortfall_reason():
    q1 = dict(FAI_L, q1_schedule_progress=1.0, q1_gap_to_schedule_pp=-14.8, status_basis="q1_schedule",
              shortfall_pp=14.8)
    assert shortfall_sentence(table(q1), "330101") == "当前短板指标1项：固定资产投资（完成一季度目标的85.2%）。"
    # February: 48% of the Q1 target against 2/3 of the quarter elapsed.
    feb = dict(q1, period=FEB, prev_period=None, completion_rate=0.12, schedule_progress=2 / 12,
               gap_to_schedule_pp=12 - 100 * 2 / 12, q1_completion_rate=0.48, q1_schedule_progress=2 / 3,
               q1_gap_to_schedule_pp=48 - 200 / 3, shortfall_pp=200 / 3 - 48)
    assert indicator_sentence(table(feb), "330101", "fai") == (
        "1-2月，全县固定资产投资21.3亿元；完成年度目标的12.0%，低于时序进度4.7个百分点，"
        "完成一季度目标的48.0%，低于一季度时序进度18.7个百分点。"
    )
    assert shortfall_sentence(table(feb), "330101", lang="en") == (
        "Lagging indicators (1): fixed-asset investment (48.0% of the Q1 target, "
        "18.7 percentage points below the Q1 time schedule)."
    )


def test_growth_and_level_in_one_sentence():
    assert indicator_sentence(table(FAI_G, FAI_L), "330101", "fai") == (
        "1-3月，全县固定资产投资21.3亿元，同比增长6.5%，低于全市平均5.0个百分点，居全市第3位，位次与1-2月持平，"
        "低于一季度目标1.5个百分点；完成年度目标的21.3%，低于时序进度3.7个百分点，差距比1-2月收窄0.4个百分点，"
        "完成一季度目标的85.2%。"
    )


def test_ratio_and_missing():
    assert indicator_sentence(table(TRAD), "330101", "trad_share", with_period=False) == (
        "全县传统产业产值占比为60.0%，高于全市平均12.5个百分点，居全市第3位。"
    )
    assert indicator_sentence(table(RETAIL), "330101", "retail") == "1-3月，全县社会消费品零售总额数据暂缺。"
    assert indicator_sentence(table(RETAIL), "330101", "retail", lang="en") == (
        "In Jan-Mar, the county's retail sales of consumer goods data not available."
    )


def test_shortfall_sentence_and_paragraphs():
    t = table(IVA, FAI_G, FAI_L, TRAD, RETAIL)
    assert shortfall_sentence(t, "330101") == (
        "当前短板指标2项：传统产业产值占比（高于全市平均12.5个百分点）、固定资产投资（低于全市平均5.0个百分点）"
        "；另有1项指标数据暂缺或无可比基准。"
    )
    assert shortfall_sentence(table(IVA), "330101") == "各项指标均未明显落后于目标、时序进度和全市平均。"
    # A level row without a target is unknown, but its indicator was judged on growth: not counted.
    no_target = dict(FAI_L, status="unknown", lagging=False, status_basis=np.nan, target=np.nan,
                     completion_rate=np.nan, shortfall_pp=np.nan)
    assert shortfall_sentence(table(FAI_G, no_target, IVA, RETAIL), "330101") == (
        "当前短板指标1项：固定资产投资（低于全市平均5.0个百分点）；另有1项指标数据暂缺或无可比基准。"
    )
    assert shortfall_sentence(table(dict(IVA, status="green"), no_target), "330101") == (
        "各项指标均未明显落后于目标、时序进度和全市平均；另有1项指标数据暂缺或无可比基准。"
    )
    industry = section_paragraph(t, "330101", "industry")
    assert industry == (
        "1-3月，全县规上工业增加值同比增长5.2%，低于全市平均1.3个百分点，居全市第7位，比1-2月前移2位。"
        "全县传统产业产值占比为60.0%，高于全市平均12.5个百分点，居全市第3位。"
    )
    paragraphs = county_narrative(t, "330101")
    assert list(paragraphs) == ["industry", "investment", "consumption", "shortfalls"]


def test_projects_sentence():
    summary = pd.Series({"county_code": "330101", "n_planned": 3, "n_started": 2, "start_rate": 2 / 3,
                         "completed_investment": 6500.0, "completion_rate": 0.13, "gap_to_schedule_pp": -12.0,
                         "start_ok": False, "completion_ok": False, "n_late_projects": 1, "max_days_late": 19,
                         "top3": ["丙镇", "甲镇", "乙镇"], "interview": ["丙镇"]})
    summary["county_name"] = "一县"
    assert projects_sentence(summary, "2026-03-20") == (
        "截至3月20日，全县重点项目计划开工3个，已开工2个，开工率66.7%；完成投资6500万元，投资完成率13.0%，"
        "低于时序进度12.0个百分点。“双90”目标：开工率未达90%，投资完成率未达时序进度的90%。"
        "逾期未开工项目1个，最长逾期19天。本周投资贡献前三位的乡镇为丙镇、甲镇、乙镇；丙镇连续两周排名末位。"
    )
    bare = summary.drop(["n_late_projects", "max_days_late", "top3", "interview", "county_name"])
    assert projects_sentence(bare, "2026-03-20", lang="en") == (
        "By 20 Mar, 2 of the 3 key projects due had started (start rate 66.7%); investment completed "
        "65.0 million yuan, 13.0% of the annual plan, 12.0 percentage points below the time schedule. "
        "Double-90 goal: start rate not met, investment vs 90% of schedule not met."
    )
    # A district is 全区, like in every other sentence; with no name at all, no subject is guessed.
    assert projects_sentence(bare, "2026-03-20", region_name="北塘区").startswith("截至3月20日，全区重点项目计划开工3个")
    assert projects_sentence(bare, "2026-03-20", lang="en", region_name="北塘区").startswith(
        "By 20 Mar, 2 of the district's 3 key projects due"
    )
    assert projects_sentence(bare, "2026-03-20").startswith("截至3月20日，重点项目计划开工3个")


def test_projects_paragraph_from_the_ledger():
    from test_projects import AS_OF, ledger, weekly

    names = {"330101003": "丙镇", "330101001": "甲镇", "330101": "一县"}
    summary = county_summary(ledger(), AS_OF, weekly(), names)
    assert summary["county_name"].tolist()[:1] == ["一县"]
    sentences = projects_sentences(summary, AS_OF)
    assert projects_sentences(summary.drop(columns="county_name"), AS_OF, region_names={"330101": "三区"})[
        "330101"
    ].startswith("截至3月20日，全区重点项目")
    assert sentences["330101"] == (
        "截至3月20日，全县重点项目计划开工3个，已开工2个，开工率66.7%；完成投资6500万元，投资完成率13.0%，"
        "低于时序进度12.0个百分点。“双90”目标：开工率未达90%，投资完成率未达时序进度的90%。"
        "逾期未开工项目1个，最长逾期19天。本周投资贡献前三位的乡镇为丙镇、甲镇、330101002。"
    )
    t = table(IVA)
    out = narratives(t, projects=sentences)
    assert out.loc[out["section"] == "projects", "text"].tolist() == [sentences["330101"]]


def test_every_county_gets_paragraphs_from_a_computed_table():
    t = gap_table(obs(), targets(), regions(), "2026-03")
    out = narratives(t)
    assert set(out["region_code"]) == {"330101", "330102", "330103"}
    first = out.loc[(out["region_code"] == "330101") & (out["section"] == "industry"), "text"].iloc[0]
    assert first.startswith(
        "1-3月，全县规上工业增加值同比增长5.0%，低于全市平均1.8个百分点，居全市第3位，比1-2月后移1位。"
    )
    en = narratives(t, lang="en")
    assert (en["text"].str.len() > 0).all() and len(en) == len(out)
