"""The city's own note on the bundled sample: the city's rows against the county sums, the city
against its targets and 时序进度, the counties ranked and behind schedule, the township bottom
list, the batch's choice of regions and the index order; the executed note (slow).

Figures worked by hand from the sample's raw files (``data/raw``):
固定资产投资累计值 1-3月 2026 of the nine counties (北塘 84.03, 南湖 64.88, 青山 59.92,
河口 44.26, 石桥 43.17, 柳溪 37.21, 松林 38.51, 白沙 29.61, 临江 42.76) sums to 444.35亿元
(the city publishes 444.37); 1-3月 2025 they sum to 425.49 (81.62, 60.88, 55.59, 42.06, 46.06,
34.88, 35.83, 27.38, 41.19), so the growth of the sum is 444.35 / 425.49 - 1 = 4.43%.
The city's targets (targets.csv): 固定资产投资 annual 2053.91, Q1 445.43; 规上工业增加值 Q1 7.0%.
"""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _batch_data import REPO, ingest_sample

from analysis.batch.index import render_index
from analysis.batch.runner import CITY_NOTEBOOKS, plan_jobs, select_regions
from analysis.data.processed import ProcessedTables
from analysis.gaps.aggregate import AGGREGATED_SOURCE, with_city_rows
from analysis.report import city_note
from analysis.report.context import BriefingContext
from analysis.report.options import note_options

CITY = "990100"
M = pd.Period("2026-03", "M")
FAI_COUNTIES_2026 = [84.03, 64.88, 59.92, 44.26, 43.17, 37.21, 38.51, 29.61, 42.76]
FAI_COUNTIES_2025 = [81.62, 60.88, 55.59, 42.06, 46.06, 34.88, 35.83, 27.38, 41.19]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> ProcessedTables:
    return ProcessedTables(ingest_sample(tmp_path_factory.mktemp("city") / "processed"))


def _without_city(data: ProcessedTables, indicator: str) -> dict[str, pd.DataFrame]:
    """The sample with the city's rows of ``indicator`` removed (as if the bureau did not publish them)."""
    obs = data["observations"]
    tables = {name: data[name] for name in ("regions", "targets", "catalogue", "projects", "township_weekly")}
    return {**tables, "observations": obs[~((obs["region_code"] == CITY) & (obs["indicator"] == indicator))]}


def _city(obs: pd.DataFrame, indicator: str, measure: str) -> pd.DataFrame:
    return obs[(obs["region_code"] == CITY) & (obs["indicator"] == indicator) & (obs["measure"] == measure)
               & (obs["period"] == M)]


def test_hand_sums_are_the_sample_counties():
    assert sum(FAI_COUNTIES_2026) == pytest.approx(444.35)
    assert sum(FAI_COUNTIES_2025) == pytest.approx(425.49)


def test_city_rows_the_bureau_publishes_are_kept(sample):
    catalogue = note_options(sample).catalogue
    full = with_city_rows(sample["observations"], sample["regions"], catalogue)
    fai = _city(full, "fai", "ytd_value")
    assert len(fai) == 1 and fai["value"].iloc[0] == 444.37  # the published row, not the sum 444.35
    assert fai["source"].iloc[0].startswith("示例市.csv!")


def test_missing_city_rows_are_formed_from_the_counties(sample):
    catalogue = note_options(sample).catalogue
    data = _without_city(sample, "fai")
    filled = with_city_rows(data["observations"], data["regions"], catalogue)
    level, growth = _city(filled, "fai", "ytd_value"), _city(filled, "fai", "ytd_growth")
    assert level["value"].iloc[0] == pytest.approx(444.35)
    assert growth["value"].iloc[0] == pytest.approx((444.35 / 425.49 - 1) * 100)  # 4.43, growth of the sum
    assert set(level["source"]) == {AGGREGATED_SOURCE} and set(level["label"]) == {"city_agg=sum"}
    assert level["unit"].iloc[0] == "亿元" and growth["unit"].iloc[0] == "%"
    assert _city(filled, "retail", "ytd_value")["value"].iloc[0] == 445.76  # published rows untouched
    assert len(data["observations"]) < len(filled)  # a new frame; the input is not changed


def test_a_masked_city_cell_is_replaced_not_duplicated(sample):
    catalogue = note_options(sample).catalogue
    obs = sample["observations"].copy()
    masked = (obs["region_code"] == CITY) & (obs["indicator"] == "fai") & (obs["measure"] == "ytd_value") \
        & (obs["period"] == M)
    obs.loc[masked, "value"] = np.nan
    filled = with_city_rows(obs, sample["regions"], catalogue)
    fai = _city(filled, "fai", "ytd_value")
    assert len(fai) == 1 and fai["value"].iloc[0] == pytest.approx(444.35)


def test_city_against_its_own_targets_and_schedule(sample):
    ctx = BriefingContext(sample, CITY, "2026-03")
    assert ctx.is_city and ctx.city_code == CITY
    fai = ctx.gaps[(ctx.gaps["indicator"] == "fai") & (ctx.gaps["measure"] == "ytd_value")].iloc[0]
    assert fai["actual"] == 444.37 and fai["target"] == 2053.91
    assert fai["completion_rate"] == pytest.approx(444.37 / 2053.91)  # 21.6%
    assert fai["schedule_progress"] == 0.25
    assert fai["gap_to_schedule_pp"] == pytest.approx((444.37 / 2053.91 - 0.25) * 100)  # -3.4
    assert fai["q1_completion_rate"] == pytest.approx(444.37 / 445.43)  # 99.8% of the Q1 target
    assert fai["status_basis"] == "q1_schedule" and fai["figure_source"] == "published"
    assert np.isnan(fai["rank"]) and np.isnan(fai["city_value"])
    iva = ctx.headline().items.set_index("indicator").loc["iva"]
    assert (iva["value"], iva["note"]) == ("5.9%", "低于目标1.1个百分点")  # 5.9 against the Q1 target 7.0
    assert ctx.gap_bars("city") is None  # no city to compare the city with
    paragraphs = {p.lead: p.text for p in ctx.narrative().items}
    assert paragraphs["投资："].startswith("1-3月，全市固定资产投资")  # the city is 全市, never 示例市
    assert "截至3月31日，全市重点项目计划开工" in paragraphs["项目："]
    assert "全市平均" not in paragraphs["短板："]


def test_the_note_says_which_city_figures_were_aggregated(sample):
    data = _without_city(sample, "fai")
    ctx = BriefingContext(data, CITY, "2026-03")
    rows = ctx.gaps.set_index(["indicator", "measure"])
    assert rows.loc[("fai", "ytd_value"), "actual"] == pytest.approx(444.35)
    assert rows.loc[("fai", "ytd_value"), "figure_source"] == "aggregated"
    assert rows.loc[("retail", "ytd_value"), "figure_source"] == "published"
    sentence = city_note.sources_sentence(ctx.gaps, ctx.options.catalogue)
    assert "固定资产投资总量（各县（市、区）相加）" in sentence
    assert "固定资产投资增速、新增高新技术企业增速（各县（市、区）总量相加后计算增速）" in sentence
    assert sentence.endswith("其余指标采用市统计局发布数。")
    table = city_note.city_overview(ctx.gaps, CITY, ctx.options.catalogue)
    fai = table[(table["指标"] == "固定资产投资") & (table["口径"] == "累计值(亿元)")].iloc[0]
    # (实际 444.35 is left out: how a figure on the rounding edge is written is issue 10 item 1's.)
    assert (fai["完成率(%)"], fai["时序进度(%)"], fai["较时序进度(百分点)"], fai["来源"]) == (
        "21.6", "25.0", "-3.4", "由县（市、区）汇总")
    assert list(table.columns[-3:]) == ["来源", "状态", "status"]  # the status word stays the coloured cell


def test_counties_ranked_and_behind_schedule(sample):
    ctx = BriefingContext(sample, CITY, "2026-03")
    counties = ctx.city.gaps
    ranking = city_note.ranking_rows(counties, ("iva",), ctx.options.catalogue)
    iva = ranking.set_index("region_name")
    assert len(iva) == 9 and ranking["region_name"].iloc[0] == "石桥县"  # 8.1%, first
    assert (iva.loc["石桥县", "actual"], iva.loc["石桥县", "rank"]) == (8.1, 1)
    assert (iva.loc["柳溪县", "actual"], iva.loc["柳溪县", "rank"]) == (1.6, 9)
    assert iva.loc["柳溪县", "city_value"] == 5.9 and iva.loc["柳溪县", "colour"] == "red"  # 4.3 pp below
    table = city_note.ranking_overview(ranking, ctx.city.ranks)
    assert list(table.iloc[0, [0, 2]]) == ["全市", "5.9%"]
    assert table.set_index("县（市、区）").loc["石桥县", "规上工业增加值增速"] == "8.1%（1）"
    behind = city_note.behind_schedule(counties, ctx.options.catalogue)
    shiqiao = behind[(behind["县（市、区）"] == "石桥县") & (behind["指标"] == "固定资产投资")].iloc[0]
    # 43.17 of the Q1 target 48.13 = 89.7% at the end of the quarter (100%).
    assert list(shiqiao[["目标", "完成率(%)", "时序进度(%)", "较时序进度(百分点)", "状态"]]) == [
        "一季度目标", "89.7", "100.0", "-10.3", "落后"]
    gaps = behind["较时序进度(百分点)"].astype(float)
    assert (gaps < 0).all() and gaps.is_monotonic_increasing


def test_township_bottom_list_across_the_city():
    day = pd.Timestamp("2026-03-31")
    projects = pd.DataFrame({
        "project_id": ["p1", "p2", "p3", "p4"], "project_name": ["甲", "乙", "丙", "丁"],
        "county_code": ["101", "101", "102", "102"], "township_code": ["101001", "101002", "102001", "102001"],
        "planned_start": pd.to_datetime(["2026-02-01", "2026-03-01", "2026-01-15", "2026-03-15"]),
        "actual_start": pd.to_datetime(["2026-02-10", None, "2026-01-20", None]),
        "planned_investment": [1000.0, 1000.0, 2000.0, 2000.0],
        "completed_investment": [300.0, 50.0, 100.0, 900.0]})
    names = {"101": "甲县", "102": "乙县", "101001": "一镇", "101002": "二镇", "102001": "三镇"}
    table = city_note.township_bottom(projects, day, names, n=2)
    # 二镇 50/1000 = 5.0% (25% schedule: -20.0), 三镇 1000/4000 = 25.0% (0.0), 一镇 30.0% (+5.0).
    assert table.to_dict("list") == {
        "县（市、区）": ["甲县", "乙县"], "乡镇（街道）": ["二镇", "三镇"], "计划开工": [1, 2],
        "已开工": [0, 1], "开工率(%)": ["0.0", "50.0"], "投资完成率(%)": ["5.0", "25.0"],
        "较时序进度(百分点)": ["-20.0", "0.0"]}


def test_city_sections_only_in_the_city_note(sample):
    from analysis.report.blocks import Heading, Table

    assert BriefingContext(sample, "990102", "2026-03").city_sections() == []
    blocks = BriefingContext(sample, CITY, "2026-03").city_sections()
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings == ["全市主要指标与目标、时序进度", "各县（市、区）主要指标排名", "进度滞后的县（市、区）",
                        "乡镇（街道）后进名单", "全市全年推算"]
    assert sum(hasattr(b, "savefig") for b in blocks) == 1  # the ranking chart
    outlook = next(b for b in blocks if isinstance(b, Table) and "全年推算" in b.frame.columns).frame
    fai = outlook.set_index("指标").loc["固定资产投资（亿元）"]
    assert fai["1-3月累计"] == "444.37" and fai["年度目标"] == "2053.91"


def test_all_runs_the_city_briefing_first_and_only_the_briefing(sample):
    regions = sample["regions"]
    chosen = select_regions(regions, None)
    assert chosen[0] == (CITY, "示例市") and len(chosen) == 10
    notebooks = [Path(f"{stem}.ipynb") for stem in ("01_indicators", "02_gap_analysis", "05_briefing")]
    jobs = plan_jobs(chosen, notebooks, {CITY})
    assert [j.notebook for j in jobs if j.region_code == CITY] == list(CITY_NOTEBOOKS)
    assert len(jobs) == 1 + 9 * 3
    with pytest.raises(ValueError, match="990100 has only its own note"):
        plan_jobs([(CITY, "示例市")], notebooks[:2], {CITY})


def test_index_starts_with_the_city():
    def entry(code, name, level, rank):
        headline = {"rank": rank, "items": [{"label": "规上工业增加值", "value": "6.0%", "status": "green"}]}
        return {"region_code": code, "region_name": name, "level": level, "notebook": "05_briefing",
                "status": "ok", "outputs": {"html": f"{code}/05_briefing.html"}, "headline": headline}

    state = {"as_of": "2026-03", "city_name": "示例市", "jobs": {
        "990102/05_briefing": entry("990102", "北塘区", "county", 2),
        "990103/05_briefing": entry("990103", "南湖区", "county", 1),
        "990100/05_briefing": entry(CITY, "示例市", "city", None)}}
    html = render_index(state)
    body = html[html.index("<tbody>"):]
    assert body.index("示例市") < body.index("南湖区") < body.index("北塘区")
    assert '<tr class="city"><td>全市</td>' in body
    assert "2个县区" in html


@pytest.mark.slow
def test_the_city_note_runs_and_says_what_it_shows(sample, tmp_path):
    """The briefing notebook run by papermill (through run_batch) for the city and one county,
    on the sample with the city's 固定资产投资 rows removed (so it is formed from the counties)."""
    from analysis.batch.runner import RunConfig, run_batch

    data_dir = tmp_path / "processed"
    data_dir.mkdir()
    for path in Path(sample.data_dir).iterdir():
        (data_dir / path.name).write_bytes(path.read_bytes())
    obs = pd.read_parquet(data_dir / "observations.parquet")
    obs = obs[~((obs["region_code"] == CITY) & (obs["indicator"] == "fai"))]
    obs.to_parquet(data_dir / "observations.parquet", index=False)
    summary = run_batch(RunConfig(as_of="2026-03", region_codes=["990102", CITY], notebooks=["05_briefing"],
                                  notebook_dir=REPO / "notebooks", data_dir=data_dir, out=tmp_path / "reports",
                                  jobs=2, quiet=True))
    assert not summary.failed, summary.failed
    out = tmp_path / "reports" / "2026-03"
    html = unescape((out / CITY / "05_briefing.html").read_text(encoding="utf-8"))
    assert "示例市开门红简报（2026年1-3月）" in html
    assert "完成目标21.6%，低于时序进度3.4个百分点" in html  # 444.35 / 2053.91 against 25%
    assert "低于目标1.1个百分点" in html
    for heading in ("全市主要指标与目标、时序进度", "各县（市、区）主要指标排名", "进度滞后的县（市、区）",
                    "乡镇（街道）后进名单", "全市全年推算"):
        assert heading in html
    assert "固定资产投资总量（各县（市、区）相加）" in html and "由县（市、区）汇总" in html
    assert "各项指标均未明显落后于目标、时序进度和全市平均" not in html
    assert "Traceback" not in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jobs"][f"{CITY}/05_briefing"]["level"] == "city"
    from docx import Document  # the Word note carries the city's sections too

    doc = Document(str(out / CITY / "05_briefing.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "各县（市、区）主要指标排名" in text and "乡镇（街道）后进名单" in text
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "由县（市、区）汇总" in cells and "8.1%（1）" in cells  # 石桥县 first on 规上工业增加值
    index = (out / "index.html").read_text(encoding="utf-8")
    body = index[index.index("<tbody>"):]
    assert body.index("示例市") < body.index("北塘区")


def test_a_city_the_bureau_publishes_nothing_for_still_gets_its_note(sample):
    """No city rows at all, no targets, no ledger, no weekly reports: every figure is formed
    from the counties, and the sections without their input say which file was not supplied."""
    from analysis.core.errors import DataError
    from analysis.report.blocks import Paragraph

    obs = sample["observations"]
    data = {"observations": obs[obs["region_code"] != CITY], "regions": sample["regions"],
            "catalogue": sample["catalogue"]}
    ctx = BriefingContext(data, CITY, "2026-03")
    fai = ctx.gaps[(ctx.gaps["indicator"] == "fai") & (ctx.gaps["measure"] == "ytd_value")].iloc[0]
    assert fai["actual"] == pytest.approx(444.35) and fai["status"] == "unknown"  # no target: unknown
    assert set(ctx.gaps["figure_source"]) == {"aggregated"}
    texts = [b.text for b in ctx.city_sections() if isinstance(b, Paragraph)]
    assert texts[0].startswith("全市数据中，以下指标市统计局未发布") and "其余指标" not in texts[0]
    assert "未提供项目台账（projects.csv），乡镇项目进度从略。" in texts
    assert "未提供乡镇周报（township_weekly.csv），乡镇周排名从略。" in texts
    alone = pd.DataFrame({"code": ["880100"], "name": ["空市"], "level": ["city"], "parent": [""]})
    with pytest.raises(DataError, match="no observations for region 880100"):
        BriefingContext({**data, "regions": pd.concat([sample["regions"], alone])}, "880100", "2026-03")
