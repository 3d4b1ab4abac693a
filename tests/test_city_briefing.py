"""An indicator added only in the data folder reaches the gap table, the headline box, the
index page, the overall rank and the narrative of the bundled sample city's notes."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from _batch_data import REPO

from analysis.batch.index import render_index
from analysis.data.ingest import ingest
from analysis.data.processed import read_catalogue, read_processed, read_settings
from analysis.gaps import gap_table
from analysis.report import headline, narrative

# 数字经济核心产业增加值 (invented) year-to-date growth, 1-3月 and 1-2月 2026, city first.
DIGITAL = {"示例市": (8.0, 7.5), "北塘区": (9.1, 8.0), "南湖区": (7.0, 6.0), "青山县": (12.5, 11.0),
           "河口县": (3.0, 2.5), "石桥县": (6.1, 6.0), "柳溪县": (8.2, 9.0), "松林县": (5.0, 4.0),
           "白沙县": (4.4, 4.0), "临江县": (10.3, 10.0)}
CATALOGUE_LINE = ("code,name_zh,aliases,name_en,unit,kind,forms,direction,city_agg,weight,section,note,display_unit\n"
                  "digital,数字经济核心产业增加值,数字经济增加值,digital economy core value added,%,flow,ytd_growth,"
                  "higher,mean,,industry,Published as growth only.,\n")
SETTINGS = ('city_name = "示例市（测试）"\nheadline_indicators = ["digital", "iva", "fai"]\n'
            'index_indicators = ["digital", "retail"]\nrank_indicators = ["digital"]\n')


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    raw = tmp_path_factory.mktemp("city") / "raw"
    shutil.copytree(REPO / "data" / "raw", raw)
    lines = ["数据库：示例市县区月度数据（虚构示例数据）", "时间：2026年1月-2026年3月",
             "地区,指标,2026年3月,2026年2月,2026年1月"]
    lines += [f"{name},数字经济核心产业增加值累计增长(%),{march},{feb}," for name, (march, feb) in DIGITAL.items()]
    (raw / "bureau" / "分县数字经济.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    (raw / "indicators.csv").write_text(CATALOGUE_LINE, encoding="utf-8")
    (raw / "q1brief.toml").write_text(SETTINGS, encoding="utf-8")
    processed = raw.parent / "processed"
    assert ingest(raw, processed).ok
    return processed


@pytest.fixture(scope="module")
def table(city):
    data = read_processed(city)
    return gap_table(data["observations"], data["targets"], data["regions"], "2026-03",
                     thresholds=read_settings(city).thresholds, catalogue=read_catalogue(city))


def test_the_gap_table_ranks_the_new_indicator(table):
    rows = table[table["indicator"] == "digital"].set_index("region_code")
    assert rows.loc["990121", "actual"] == 12.5 and rows.loc["990121", "city_value"] == 8.0
    assert rows.loc["990121", "rank"] == 1 and rows.loc["990122", "rank"] == 9 and rows.loc["990102", "rank"] == 3
    assert rows.loc["990121", "gap_to_city_pp"] == pytest.approx(4.5)


def test_headline_box_index_and_rank_follow_the_settings(city, table):
    cat, settings = read_catalogue(city), read_settings(city)
    items = headline.headline_items(table, "990121", settings.headline_indicators, cat)
    assert items["label"].tolist() == ["数字经济核心产业增加值", "规上工业增加值", "固定资产投资"]
    assert items["value"].iloc[0] == "12.5%" and items["note"].iloc[0] == "高于全市4.5个百分点，第1/9位"
    ranks = headline.overall_rank(table, settings.rank_indicators)
    assert ranks["990121"] == 1 and ranks["990127"] == 2 and ranks["990122"] == 9  # the digital ranks alone
    default = headline.overall_rank(table)
    assert not ranks.equals(default)
    index_items = headline.headline_items(table, "990121", settings.index_indicators, cat)
    payload = headline.headline_payload("990121", "青山县", "2026-03", index_items, ranks["990121"], len(ranks))
    state = {"as_of": "2026-03", "city_name": settings.city_name,
             "jobs": {"990121/05_briefing": {"region_code": "990121", "region_name": "青山县",
                                             "notebook": "05_briefing", "status": "ok", "headline": payload,
                                             "outputs": {"html": "990121/05_briefing.html"}}}}
    page = render_index(json.loads(json.dumps(state)))
    assert "<th>数字经济核心产业增加值</th><th>社会消费品零售总额</th><th>简报</th>" in page
    assert "<h1>示例市（测试）开门红简报索引（2026-03）</h1>" in page and "<td>1</td>" in page


def test_the_narrative_speaks_of_it_in_its_section(city, table):
    paragraphs = narrative.county_narrative(table, "990121", catalogue=read_catalogue(city))
    assert "全县数字经济核心产业增加值同比增长12.5%，高于全市平均4.5个百分点，居全市第1位" in paragraphs["industry"]


def test_defaults_give_todays_headline(city, table):
    """Without settings the headline is today's six indicators, in today's order."""
    items = headline.headline_items(table, "990121")
    assert items["indicator"].tolist() == ["iva", "fai", "retail", "tech_invest", "ind_output", "electricity"]


@pytest.mark.slow
def test_the_executed_briefing_and_index_show_it(city, tmp_path):
    from analysis.batch.runner import RunConfig, run_batch

    summary = run_batch(RunConfig(as_of="2026-03", region_codes=["990121"], notebooks=["05_briefing"],
                                  notebook_dir=REPO / "notebooks", data_dir=city, out=tmp_path, jobs=1, quiet=True))
    assert not summary.failed, summary.failed
    html = (tmp_path / "2026-03" / "990121" / "05_briefing.html").read_text(encoding="utf-8")
    assert '<div class="label">数字经济核心产业增加值</div>' in html
    assert "数字经济核心产业增加值同比增长12.5%" in html
    page = (tmp_path / "2026-03" / "index.html").read_text(encoding="utf-8")
    assert "<th>数字经济核心产业增加值</th><th>社会消费品零售总额</th>" in page
    assert "示例市（测试）开门红简报索引" in page
    manifest = json.loads((tmp_path / "2026-03" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jobs"]["990121/05_briefing"]["headline"]["rank"] == 1
    assert pd.notna(manifest["jobs"]["990121/05_briefing"]["headline"]["n_regions"])


def test_the_city_workbook_ranks_and_names_as_the_settings_say(city):
    from analysis.report.workbook import city_sheets, read_inputs

    data, findings = read_inputs(city)
    sheets = city_sheets(data, "2026-03", "990100", findings=findings, settings=read_settings(city))
    summary = sheets[0]
    regions = next(c for c in summary.columns if c.header == "地区").values
    assert list(regions[:4]) == ["示例市", "青山县", "临江县", "北塘区"]  # by the digital ranks alone
    assert [label for label, _ in summary.groups] == ["数字经济核心产业增加值", "社会消费品零售总额"]
    gap_names = set(next(c for c in sheets[1].columns if c.header == "指标").values)
    assert "数字经济核心产业增加值" in gap_names
