"""The briefing context and the per-batch city tables, on the two-county city of conftest.

Figures worked by hand from ``conftest.write_city`` (fai in 亿元; 青山县 reports 万元):
青山县 fai 1-3月 25.0 (2025: 23.2), 河口县 18.2 (17.0); the city sums them, so city growth is
43.2 / 40.2 - 1 = 7.46% and 青山县's 7.8% is 0.34 pp above it. 青山县's annual target 120
gives a completion rate of 25 / 120 = 20.8%, 4.2 pp behind 时序进度 (25%). Its ledger: P001
planned 15 Feb and started 20 Feb, P002 planned 10 March and not started (21 days late on
31 March): start rate 1 / 2, investment 9000 / 70000 = 12.9%.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.data.ingest import ingest
from analysis.data.processed import fingerprint
from analysis.report.blocks import Paragraph, Table
from analysis.report.city import city_tables, load_city_tables, save_city_tables
from analysis.report.context import ProcessedTables, briefing_context
from tests.conftest import write_city


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("city")
    write_city(tmp / "raw")
    assert ingest(tmp / "raw", tmp / "processed").ok
    return tmp / "processed"


def test_context_identity_and_headline(data_dir):
    ctx = briefing_context(data_dir, "990101", "2026-03")
    assert (ctx.region_name, ctx.city_code, ctx.label) == ("青山县", "990100", "2026年1-3月")
    assert ctx.title("开门红简报") == "青山县开门红简报（2026年1-3月）"
    assert ctx.heading("差距分析")._repr_html_() == "<h1>青山县差距分析（2026年1-3月）</h1>"
    record = ctx.headline().record
    assert (record["rank"], record["n_regions"], record["as_of"]) == (1, 2, "2026-03")
    fai = next(i for i in record["items"] if i["indicator"] == "fai")
    assert fai == {"indicator": "fai", "label": "固定资产投资", "value": "25.0亿元", "status": "red",
                   "note": "完成目标20.8%，低于时序进度4.2个百分点，第1/2位"}
    bundle = ctx.headline()._repr_mimebundle_()
    assert "q1-headline" in bundle["text/html"] and bundle["application/vnd.q1brief.headline+json"] == record


def test_context_narrative_and_projects(data_dir):
    ctx = briefing_context(data_dir, "990101", "2026-03")
    paragraphs = {p.lead: p.text for p in ctx.narrative().items}
    assert "高于全市平均0.3个百分点，居全市第1位" in paragraphs["投资："]
    assert "完成年度目标的20.8%，低于时序进度4.2个百分点" in paragraphs["投资："]
    assert paragraphs["短板："].startswith("当前短板指标1项：固定资产投资（低于时序进度4.2个百分点）")
    assert paragraphs["项目："] == ctx.project_sentence()
    assert "计划开工2个，已开工1个，开工率50.0%" in ctx.project_sentence()
    assert "投资完成率12.9%" in ctx.project_sentence() and "最长逾期21天" in ctx.project_sentence()
    assert ctx.project_table().frame.iloc[0][["计划开工", "已开工", "开工率"]].tolist() == ["2", "1", "0.5"]
    assert ctx.township_table().frame["乡镇"].tolist() == ["青山镇", "柳林乡"]
    caption, table = ctx.weekly_ranking()
    assert caption == Paragraph("2026-03-29当周乡镇投资贡献排名：") and isinstance(table, Table)
    late = ctx.late_projects().frame
    assert late.to_dict("records") == [{"项目": "智能装备厂房", "计划开工日期": "2026-03-10", "延期天数": "21"}]
    html = ctx.narrative()._repr_html_()
    assert html.startswith("<p><b>工业：</b>1-3月，全县规上工业增加值数据暂缺。</p><p><b>投资：</b>")


def test_context_gap_views(data_dir):
    ctx = briefing_context(data_dir, "990101", "2026-03")
    overview = ctx.gap_overview().frame
    assert overview["指标"].tolist()[0] == "固定资产投资" and overview["状态"].tolist()[0] == "落后"
    assert ctx.gap_bars("schedule") is not None  # 青山县 has an annual fai target
    assert briefing_context(data_dir, "990102", "2026-03").gap_bars("schedule") is None  # 河口县 has none
    assert ctx.lagging().frame.to_dict("records") == [
        {"指标": "固定资产投资", "口径": "ytd_value", "依据": "schedule", "差距(百分点)": 4.2}]
    note = ctx.methods_note(None).text
    assert note.startswith("数据截至2026年3月（2026年1-3月累计）。") and "全年推算" not in note


def test_city_tables_round_trip_through_the_batch_folder(data_dir, tmp_path):
    ctx = briefing_context(data_dir, "990101", "2026-03")
    computed = ctx.city
    sha = fingerprint(data_dir)["sha256"]
    folder = save_city_tables(computed, tmp_path / "context", sha)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == "2026-03" and meta["tables"] == ["gaps", "projects", "ranks"]
    loaded = load_city_tables(folder, "2026-03", sha)
    pd.testing.assert_frame_equal(loaded.gaps, computed.gaps)
    pd.testing.assert_series_equal(loaded.ranks, computed.ranks, check_names=False)
    assert loaded.projects["top3"].tolist() == computed.projects["top3"].tolist()  # lists again
    batch = briefing_context(data_dir, "990101", "2026-03", context_dir=folder)
    assert batch.city is not computed
    assert batch.headline().record == ctx.headline().record
    assert batch.narrative() == ctx.narrative()


def test_city_tables_for_other_data_are_refused(data_dir, tmp_path):
    folder = save_city_tables(city_tables(ProcessedTables(data_dir), "2026-03"), tmp_path / "ctx", "0" * 64)
    with pytest.raises(DataError, match="data_fingerprint '0000"):
        briefing_context(data_dir, "990101", "2026-03", context_dir=folder)
    sha = fingerprint(data_dir)["sha256"]
    with pytest.raises(DataError, match=r"as_of .2026-03. \(expected .2026-02.\)"):
        load_city_tables(folder, "2026-02", sha)
    with pytest.raises(DataError, match=r"no readable meta\.json"):
        load_city_tables(tmp_path / "nowhere", "2026-03", sha)


def test_processed_tables_read_on_demand(data_dir):
    tables = ProcessedTables(data_dir)
    assert tables._frames == {}
    assert len(tables["regions"]) == 6 and list(tables._frames) == ["regions"]
    assert tables.get("backtest") is None and "targets" in tables


def test_bad_region_or_language(data_dir):
    with pytest.raises(DataError, match=r"region 999999 is not in regions\.parquet"):
        briefing_context(data_dir, "999999", "2026-03")
    with pytest.raises(ValueError, match="lang must be one of"):
        briefing_context(data_dir, "990101", "2026-03", lang="fr")


def test_the_processed_catalogue_reaches_every_view(data_dir):
    # a city's own catalogue (e.g. its own names) is used by the gap table, headline and sentences
    from analysis.core import catalog
    from analysis.report.context import BriefingContext

    data = ProcessedTables(data_dir)
    own = catalog.indicators().copy()
    own.loc["fai", "name_zh"] = "固投"
    ctx = BriefingContext({**{name: data[name] for name in data}, "catalogue": own}, "990101", "2026-03")
    assert ctx.options.catalogue is own
    assert [i["label"] for i in ctx.headline().record["items"]] == ["规上工业增加值", "固投"]
    assert ctx.gap_overview().frame["指标"].tolist()[0] == "固投"
    assert "全县固投25.0亿元" in {p.lead: p.text for p in ctx.narrative().items}["投资："]
    assert ctx.city.gaps is not None and ctx.lagging().frame["指标"].tolist() == ["固投"]


def test_the_city_settings_reach_the_context_and_guard_the_batch_tables(data_dir, tmp_path):
    import shutil

    from analysis.core.settings import Settings

    folder = tmp_path / "processed"
    shutil.copytree(data_dir, folder)
    settings = Settings(headline_indicators=("fai",), index_indicators=("iva", "fai"), rank_indicators=("iva",),
                        stated_q1_share=0.25)
    (folder / "settings.json").write_text(json.dumps(settings.to_dict()), encoding="utf-8")
    ctx = briefing_context(folder, "990101", "2026-03")
    assert ctx.share_assumption == 0.25  # None: the city's stated share
    assert briefing_context(folder, "990101", "2026-03", share_assumption=0.3).share_assumption == 0.3
    box = ctx.headline()
    assert box.items["indicator"].tolist() == ["fai"]  # the box: headline indicators
    assert [i["indicator"] for i in box.record["items"]] == ["iva", "fai"]  # the index: index indicators
    assert box.record["rank"] is None  # ranked over iva only, which no county of this city reports
    assert "一季度占全年比重假设25%" in ctx.methods_note(ctx.outlook("fai")).text
    sha = fingerprint(folder)["sha256"]
    made = save_city_tables(ctx.city, tmp_path / "ctx", sha, ProcessedTables(folder).settings)
    assert load_city_tables(made, "2026-03", sha, settings).ranks.isna().all()
    with pytest.raises(DataError, match="settings"):  # tables made with the default settings
        load_city_tables(save_city_tables(ctx.city, tmp_path / "old", sha), "2026-03", sha, settings)


def test_outlook_of_a_two_county_city_rests_on_the_county_alone(data_dir):
    # the test city has two counties: too few to pool (MIN_PANEL_SERIES = 3)
    ctx = briefing_context(data_dir, "990101", "2026-03")
    out = ctx.outlook("fai", recommended_only=True)
    assert out is not None and out.basis == "series" and out.evidence is None
