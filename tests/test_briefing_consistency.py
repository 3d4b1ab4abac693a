"""Issue 10, items 1-4 on the bundled sample: one number everywhere, nothing after the as-of
month, a methods note generated from the code's rules, optional inputs optional.

Figures worked by hand from data/raw: 北塘区 (990102) 固定资产投资 1-3月 84.03亿元 against an
annual target of 380.08 (targets.csv row 29): completion 84.03 / 380.08 = 22.108% -> 22.1%,
3/12 = 25% elapsed, so 2.892 -> 2.9 points behind 时序进度. In February 时序进度 is 2/12 =
16.7% and the Q1 schedule 2/3 = 66.7%.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest
from _batch_data import REPO, ingest_sample

from analysis.core.formatting import number_text, percent_text
from analysis.core.settings import StatusThresholds
from analysis.data.ingest import ingest
from analysis.report import headline, methods
from analysis.report.context import briefing_context

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return ingest_sample(tmp_path_factory.mktemp("sample") / "processed")


@pytest.fixture(scope="module")
def through_february(sample, tmp_path_factory):
    """The same processed folder with nothing after February 2026 (what a February run saw)."""
    folder = tmp_path_factory.mktemp("feb") / "processed"
    shutil.copytree(sample, folder)
    obs = pd.read_parquet(folder / "observations.parquet")
    obs[obs["period"] <= "2026-02"].to_parquet(folder / "observations.parquet", index=False)
    weekly = pd.read_parquet(folder / "township_weekly.parquet")
    weekly[weekly["week_end"] <= pd.Timestamp("2026-02-28")].to_parquet(folder / "township_weekly.parquet",
                                                                         index=False)
    return folder


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The sample without targets.csv, projects.csv and township_weekly.csv."""
    tmp = tmp_path_factory.mktemp("bare")
    shutil.copytree(REPO / "data" / "raw", tmp / "raw")
    for name in ("targets.csv", "projects.csv", "township_weekly.csv"):
        (tmp / "raw" / name).unlink()
    assert ingest(tmp / "raw", tmp / "processed").ok
    return tmp / "processed"


# ---------------------------------------------------------------------- 1. one number everywhere
def test_the_issue_example_rounds_half_up_in_the_box():
    gaps = pd.DataFrame([{"region_code": "A", "region_name": "甲县", "indicator": "iva", "measure": "ytd_growth",
                          "unit": "%", "actual": 5.25, "target": float("nan"), "completion_rate": float("nan"),
                          "gap_to_schedule_pp": float("nan"), "city_value": 6.7, "gap_to_city_pp": -1.45,
                          "rank": 4.0, "n_peers": 9, "status": "amber"}])
    item = headline.headline_items(gaps, "A", ("iva",)).iloc[0]
    assert (item["value"], item["note"]) == ("5.3%", "低于全市1.5个百分点，第4/9位")  # not 5.2% / 1.4
    assert [number_text(2.25), number_text(-0.04, signed=True), number_text(1.25, signed=True)] == \
        ["2.3", "0.0", "+1.3"]
    assert (percent_text(0.22108), percent_text(None)) == ("22.1%", "—")


def _sentence(paragraphs: str, name: str) -> str:
    """The sentence of the paragraphs about indicator ``name`` (全区<name>...。)."""
    hits = [s for s in re.split(r"(?<=。)", paragraphs) if re.search(rf"全.{name}|^.*月，全.{name}", s)]
    assert hits, (name, paragraphs)
    return hits[0]


@pytest.mark.parametrize("as_of", ["2026-03", "2026-02"])
def test_every_headline_figure_has_the_same_digits_in_the_paragraphs(sample, as_of):
    counties = briefing_context(sample, "990102", as_of).city.gaps["region_code"].unique()
    assert len(counties) >= 9  # every county of the sample
    regions = [*counties, "990100"]  # and the city's own note
    checked = 0
    for code in regions:
        ctx = briefing_context(sample, code, as_of)
        text = "".join(p.text for p in ctx.narrative().items)
        for item in ctx.headline().items.itertuples():
            if item.value == "无数据":
                continue
            sentence = _sentence(text, item.label)
            figures = NUMBER.findall(item.value) + NUMBER.findall(re.sub(r"第(\d+)/\d+位", r"第\1位", item.note))
            for figure in figures:
                assert figure in NUMBER.findall(sentence), (code, item.label, figure, sentence)
            checked += 1
        # the gap-analysis note's 短板 table and the briefing's 短板 sentence say the same
        shortfalls = ctx.narrative().items[-1].text
        for row in ctx.lagging().frame.itertuples():
            assert f"{row.指标}（{row.差距}）" in shortfalls, (code, row)
    assert checked >= 50


def test_hand_worked_figures_of_beitang(sample):
    ctx = briefing_context(sample, "990102", "2026-03")
    fai = ctx.headline().items.set_index("indicator").loc["fai"]
    assert (fai["value"], fai["note"]) == ("84.0亿元", "完成目标22.1%，低于时序进度2.9个百分点，总量第1/9位")
    assert "完成年度目标的22.1%，低于时序进度2.9个百分点" in ctx.narrative().items[2].text
    gap_row = ctx.gap_overview().frame.set_index(["指标", "口径"]).loc[("固定资产投资", "累计值(亿元)")]
    assert gap_row[["实际", "目标", "完成率(%)", "较时序进度(百分点)"]].tolist() == ["84.0", "380.1", "22.1", "-2.9"]


# ---------------------------------------------------------------------- 2. nothing after the as-of month
def _views(ctx) -> dict[str, object]:
    outlook = ctx.outlook("fai")
    return {
        "headline": ctx.headline().items.to_dict("records"), "record": ctx.headline().record,
        "narrative": ctx.narrative(), "gaps": ctx.gap_overview().frame.to_dict("records"),
        "lagging": ctx.lagging().frame.to_dict("records"), "latest": ctx.latest_table().to_dict(),
        "projects": ctx.project_table().frame.to_dict("records"), "weekly": ctx.weekly_ranking()[0],
        "outlook": outlook.table_zh().to_dict("records"), "pace": outlook.pace_sentence(),
        "growth": ctx.growth_projection().frame.to_dict("records"),
        "methods": ctx.methods_note(outlook, ctx.briefing_figures(outlook)).text,
    }


def test_a_february_note_on_data_through_march_shows_no_march_value(sample, through_february):
    full = briefing_context(sample, "990124", "2026-02")
    assert (full.data.source["observations"]["period"].max() == pd.Period("2026-03", "M"))  # March is there
    assert full.obs["period"].max() == pd.Period("2026-02", "M")
    assert _views(full) == _views(briefing_context(through_february, "990124", "2026-02"))
    for fig in [*full.growth_charts(), *full.briefing_figures(full.outlook("fai"))]:
        for line in fig.axes[0].get_lines():
            x = pd.to_datetime(pd.Series(line.get_xdata())) if fig.get_gid() != "outlook" else None
            assert x is None or x.max() <= pd.Timestamp("2026-02-01"), fig.axes[0].get_title()
    assert list(full.outlook("fai").ytd.index.month) == [1, 2]  # the fan chart's path stops in February
    # The ledger is a 31-March snapshot: February's starts are dated, its investment is March's.
    assert full.project_sentence() == (
        "截至2月28日，全县重点项目计划开工10个，已开工9个，开工率90.0%。“双90”目标：开工率未达90%，"
        "投资完成率无本期数据。逾期未开工项目1个，最长逾期35天。本周投资贡献前三位的乡镇为荷塘乡、新塘镇、三里镇；"
        "铁山镇连续两周排名末位。项目台账填报日期为2026年3月31日，晚于本期（2026年2月），投资完成情况不计入本期。")
    assert full.project_table().frame[["投资完成率(%)", "双90达标"]].iloc[0].tolist() == ["—", "—"]
    march = briefing_context(sample, "990124", "2026-03")
    assert "完成投资48.5亿元，投资完成率23.7%" in march.project_sentence()  # shown in its own month


# ---------------------------------------------------------------------- 3. generated methods note
def test_methods_note_is_built_from_the_rules_used(sample, bare):
    ctx = briefing_context(sample, "990124", "2026-02")
    outlook = ctx.outlook("fai", recommended_only=True)
    figures = ctx.briefing_figures(outlook)
    assert [f.axes[0].get_title(loc="left")[:3] for f in figures] == ["图1 ", "图2 ", "图3 ", "图4 "]
    note = ctx.methods_note(outlook, figures).text
    assert "来源：统计部门月度报表、年度与一季度目标、重点项目台账、乡镇周报。" in note
    assert "时序进度按已过月份/12计算，2026年1-2月为16.7%" in note
    assert "一季度内，有一季度目标的累计指标（固定资产投资、" in note and "2026年1-2月为66.7%" in note
    assert outlook.basis == "panel" and outlook.recommended["method"] == "combo"  # the city's pooled record
    assert ("只有当组合法在至少4个年份、n个两者都有的县年记录中误差中位数比它低20%×√(4/n)以上时才改用组合法；"
            "本次采用组合法，因其回测明显更好；区间为80%预测区间。") in note
    own = methods.projection_text("share_last", "上年占比法", 0.3, "series")  # a city of fewer than 3 counties
    assert "只有当本县该指标至少4年的回测中另一方法的误差中位数比它低20%以上时才改用该方法；本次采用上年占比法，为默认方法" in own
    assert "落后=落后超过2个百分点" in note and "图1、图2的颜色只按图中这一项差距判断" in note
    assert "回测误差最小" not in note and "图3、" not in note

    plain = briefing_context(bare, "990124", "2026-02")
    outlook = plain.outlook("fai", recommended_only=True)
    figures = plain.briefing_figures(outlook)  # no targets: no completion chart, numbers stay 1-2-3
    titles = [f.axes[0].get_title(loc="left") for f in figures]
    assert titles == ["图1 主要指标累计增速较全市（百分点）", "图2 规上工业增加值累计增长（%）",
                      "图3 固定资产投资累计走势与全年推算（亿元）"]
    note = plain.methods_note(outlook, figures).text
    assert "来源：统计部门月度报表。未提供年度与一季度目标（targets.csv）、重点项目台账（projects.csv）、" \
           "乡镇周报（township_weekly.csv）。" in note
    assert "图1的颜色只按图中这一项差距判断" in note and "图2的颜色" not in note and "项目台账、" not in note


def test_status_rule_follows_the_settings():
    text = methods.status_text(StatusThresholds(red_pp=3.0, amber_pp=1.0, compare_city=False,
                                                lagging_statuses=("red", "amber")))
    assert text == ("状态按落后目标或时序进度最多的一项判断（非百分比指标按相对差距的百分比）：落后=落后超过3个百分点，"
                    "关注=落后超过1、不超过3个百分点，正常=落后不超过1个百分点或领先，无数据=缺数；"
                    "状态为落后、关注的指标列为短板。")


# ---------------------------------------------------------------------- 4. optional inputs
def test_without_optional_inputs_each_section_says_which_file(bare):
    ctx = briefing_context(bare, "990124", "2026-03")
    paragraphs = {p.lead: p.text for p in ctx.narrative().items}
    assert paragraphs["项目："].endswith("未提供重点项目台账（projects.csv），本期不含重点项目进展。")
    assert paragraphs["短板："].endswith("未提供年度与一季度目标（targets.csv），短板只与全市平均比较。")
    assert ctx.projects_paragraph().text == "未提供重点项目台账（projects.csv），本节无开工率、投资完成率和“双90”情况。"
    assert ctx.project_table() is None
    assert ctx.township_table().text.startswith("未提供重点项目台账（projects.csv）")
    assert [p.text for p in ctx.weekly_ranking()] == ["未提供乡镇周报（township_weekly.csv），无乡镇投资贡献周排名和约谈名单。"]
    assert ctx.late_projects().text == "未提供重点项目台账（projects.csv），无未按期开工项目清单。"
    assert ctx.gap_bars("schedule") is None and ctx.missing("targets", "x").text == "未提供年度与一季度目标（targets.csv），x。"
    assert ctx.headline().items["value"].ne("").all() and ctx.outlook("fai").pace_sentence() is None


# ---------------------------------------------------------------------- the notebooks, as `q1brief run` runs them
class _Text(HTMLParser):
    """The text a reader sees (and the embedded images), without the page's run details."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.parts.append(dict(attrs).get("src") or "")


def _run(processed, out, as_of="2026-02"):
    from analysis.batch.runner import RunConfig, run_batch

    run_batch(RunConfig(as_of=as_of, region_codes=["990124"], notebook_dir=REPO / "notebooks",
                        data_dir=processed, out=out, jobs=2, quiet=True))
    manifest = json.loads((out / as_of / "manifest.json").read_text(encoding="utf-8"))
    failed = {k: v["error"] for k, v in manifest["jobs"].items() if v["status"] != "ok"}
    assert not failed, failed
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((out / as_of / "990124").glob("*.html"))}


def _seen(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


@pytest.mark.slow
def test_february_notes_run_on_march_data_equal_the_notes_of_february_data(sample, through_february, tmp_path):
    full = _run(sample, tmp_path / "full")
    feb = _run(through_february, tmp_path / "feb")
    assert sorted(full) == ["01_indicators", "02_gap_analysis", "03_q1_projection", "04_key_projects", "05_briefing"]
    for name, html in full.items():
        assert _seen(html) == _seen(feb[name]), name  # every sentence, table cell and chart pixel
    assert "数据截至2026年2月" in full["05_briefing"] and "1-3月" not in "".join(_seen(full["05_briefing"]))


@pytest.mark.slow
def test_every_notebook_runs_without_the_optional_inputs_and_says_which_file(bare, tmp_path):
    notes = {k: "".join(_seen(v)) for k, v in _run(bare, tmp_path / "bare", "2026-03").items()}
    assert "未提供重点项目台账（projects.csv），本期不含重点项目进展。" in notes["05_briefing"]
    assert "未提供年度与一季度目标（targets.csv），短板只与全市平均比较。" in notes["05_briefing"]
    assert "图3 固定资产投资累计走势与全年推算（亿元）" not in notes["05_briefing"]  # titles are in the PNG
    assert "未提供年度与一季度目标（targets.csv），无法计算完成率与时序进度。" in notes["02_gap_analysis"]
    assert "未提供年度与一季度目标（targets.csv），不测算完成全年目标所需的后续增速（倒排）。" in notes["03_q1_projection"]
    for sentence in ("未提供重点项目台账（projects.csv），本节无开工率、投资完成率和“双90”情况。",
                     "未提供乡镇周报（township_weekly.csv），无乡镇投资贡献周排名和约谈名单。",
                     "未提供重点项目台账（projects.csv），无未按期开工项目清单。"):
        assert sentence in notes["04_key_projects"]
