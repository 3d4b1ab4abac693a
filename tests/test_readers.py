"""Every export layout, in every format, read unchanged: values in the right region, month,
measure, frequency and unit, with their label, raw text and cell."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.data.readers import read_export
from tests.table_files import FORMATS, write_table

REGIONS = pd.DataFrame({"code": ["990100", "990101", "990102"], "name": ["示例市", "青山县", "河口县"],
                        "short_name": ["示例", "青山", "河口"]})


def value(obs, **where):
    """The single value of the rows matching ``where`` (period given as 'YYYY-MM')."""
    rows = obs
    for column, wanted in where.items():
        rows = rows[rows[column] == (pd.Period(wanted, "M") if column == "period" else wanted)]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


def cell(obs, **where):
    return value(obs, **where)["value"]


# (c) NBS single indicator, many regions ------------------------------------------------------

CPI_ROWS = [
    ["数据库：分省月度数据"], ["指标：居民消费价格指数(上年同月=100)"], ["时间：最近3个月"],
    ["地区", "2020年3月", "2020年2月", "2020年1月"],
    ["北京市", 101.9, 102.0, 102.3],
    ["天津市", "103.7", "**", "104.8"],
    ["河北省", 105.0, 105.3, 105.5],
    ["注：1.从2016年1月起，居民消费价格指数按2015年为基期。"], ["2.部分地区数据暂缺。"],
    ["数据来源：国家统计局"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_c_single_indicator_regions_as_rows(tmp_path, fmt):
    export = read_export(write_table(tmp_path, "cpi", CPI_ROWS, fmt))
    obs = export.observations
    assert export.layout == "nbs_indicator" and len(obs) == 9
    row = value(obs, region_code="110000", period="2020-03")
    assert (row["value"], row["measure"], row["unit"], row["frequency"]) == (101.9, "month_index", "上年同月=100", "M")
    assert row["indicator"] == "居民消费价格指数" and row["label"] == "居民消费价格指数(上年同月=100)"
    assert row["source"].endswith("!B5")
    assert cell(obs, region_code="130000", period="2020-01") == 105.5
    masked = value(obs, region_code="120000", period="2020-02")
    assert pd.isna(masked["value"]) and masked["raw"] == "**"  # masked: missing, not zero
    assert "从2016年1月起" in export.metadata["notes"] and "2.部分地区数据暂缺" in export.metadata["notes"]
    assert export.metadata["source"] == "数据来源：国家统计局"
    assert export.metadata["database"] == "分省月度数据"


# (d) months as rows, national database (e) --------------------------------------------------

MONTH_ROWS = [
    ["数据库：月度数据"], ["时间：最近3个月"],
    ["时间", "工业增加值同比增长(%)", "工业增加值累计增长(%)", "社会消费品零售总额当期值(亿元)",
     "社会消费品零售总额累计值(亿元)"],
    ["2020年3月", -1.1, -8.4, 26450, 78580],
    ["2020年2月", None, -13.5, None, 52130],
    ["2020年1月", None, None, None, None],
    ["数据来源：国家统计局"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_d_months_as_rows_national(tmp_path, fmt):
    export = read_export(write_table(tmp_path, "monthly", MONTH_ROWS, fmt))
    obs = export.observations
    assert export.layout == "months_as_rows"
    assert set(obs["region_code"]) == {"100000"} and set(obs["region_name"]) == {"全国"}
    month = value(obs, indicator="iva", measure="month_growth", period="2020-03")
    assert month["value"] == -1.1 and month["source"].endswith("!B4") and month["unit"] == "%"
    assert cell(obs, indicator="iva", measure="ytd_growth", period="2020-03") == -8.4
    assert cell(obs, indicator="iva", measure="ytd_growth", period="2020-02") == -13.5
    assert cell(obs, indicator="retail", measure="month_value", period="2020-03") == 26450
    level = value(obs, indicator="retail", measure="ytd_value", period="2020-02")
    assert (level["value"], level["unit"], level["source"].split("!")[1]) == (52130, "亿元", "E5")


def test_d_months_as_rows_with_an_indicator_line_has_regions_as_columns(tmp_path):
    rows = [["数据库：分省月度数据"], ["指标：社会消费品零售总额累计值(亿元)"],
            ["时间", "北京市", "天津市"], ["2026年3月", 3300.5, 1200], ["2026年2月", 2100, 800.25]]
    obs = read_export(write_table(tmp_path, "t", rows)).observations
    assert cell(obs, region_code="120000", period="2026-02") == 800.25
    assert set(obs["measure"]) == {"ytd_value"} and set(obs["indicator"]) == {"retail"}


NATIONAL_ROWS = [
    ["数据库：月度数据"], ["时间：最近3个月"],
    ["指标", "2020年3月", "2020年2月", "2020年1月"],
    ["工业增加值同比增长(%)", -1.1, None, None],
    ["工业增加值累计增长(%)", -8.4, -13.5, None],
    ["注：1-2月数据合并发布。"], ["数据来源：国家统计局"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_e_national_database_without_region_line(tmp_path, fmt):
    export = read_export(write_table(tmp_path, "national", NATIONAL_ROWS, fmt))
    obs = export.observations
    assert export.layout == "nbs_national" and set(obs["region_code"]) == {"100000"}
    assert cell(obs, measure="month_growth", period="2020-03") == -1.1
    assert cell(obs, measure="ytd_growth", period="2020-03") == -8.4
    assert export.metadata["notes"] == "注：1-2月数据合并发布。"


def test_e_national_region_missing_from_regions_names_what_to_add(tmp_path, monkeypatch):
    from analysis.data import readers

    monkeypatch.setattr(readers, "package_regions", lambda: pd.DataFrame(columns=["code", "name", "short_name"]))
    obs = read_export(write_table(tmp_path, "national", NATIONAL_ROWS)).observations
    assert obs["region_code"].isna().all() and set(obs["region_name"]) == {"全国"}  # the validator names it


# (g) quarterly periods ----------------------------------------------------------------------

GDP_ROWS = [
    ["数据库：季度数据"], ["时间：最近4季度"],
    ["指标", "2020年第四季度", "2020年第三季度", "2020年第二季度", "2020年第一季度"],
    ["国内生产总值当季值(亿元)", 296298, 266172, 250110, 206504],
    ["国内生产总值累计值(亿元)", 1015986, 719688, 456614, 206504],
    ["国内生产总值当季同比增长(%)", 6.5, 4.9, 3.2, -6.8],
    ["国内生产总值累计增长(%)", 2.3, 0.7, -1.6, -6.8],
]


@pytest.mark.parametrize("fmt", ["utf-8", "xls"])
def test_g_quarterly_national_database(tmp_path, fmt):
    obs = read_export(write_table(tmp_path, "gdp", GDP_ROWS, fmt)).observations
    assert set(obs["frequency"]) == {"Q"} and set(obs["indicator"]) == {"国内生产总值"}
    assert cell(obs, measure="quarter_value", period="2020-12") == 296298
    assert cell(obs, measure="ytd_value", period="2020-09") == 719688
    assert cell(obs, measure="quarter_growth", period="2020-06") == 3.2
    assert cell(obs, measure="ytd_growth", period="2020-03") == -6.8
    assert sorted(obs["period"].dt.month.unique()) == [3, 6, 9, 12]


def test_g_quarter_labels_in_a_region_column_table(tmp_path):
    rows = [["地区", "指标", "2026Q1", "2025Q4", "2025年1-3季度"],
            ["青山县", "地区生产总值累计增长(%)", 5.1, 4.8, 4.6],
            ["河口县", "地区生产总值累计增长(%)", 6.0, 5.5, 5.2]]
    obs = read_export(write_table(tmp_path, "q", rows), REGIONS).observations
    assert set(obs["frequency"]) == {"Q"}
    assert cell(obs, region_code="990102", period="2026-03") == 6.0
    assert cell(obs, region_code="990101", period="2025-09") == 4.6
    assert cell(obs, region_code="990101", period="2025-12") == 4.8


# (a), (b) in every format -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_a_single_region_every_format(tmp_path, fmt):
    rows = [["数据库：县区月度数据"], ["地区：青山县"], ["时间：2025年12月-2026年3月"],
            ["指标", "2026年3月", "2026年2月", "2026年1月", "2025年12月"],
            ["固定资产投资累计值(万元)", "250,000", 120000, None, 980000],
            ["工业增加值同比增长(%)", 6.1, None, None, 5.0],
            ["数据来源：示例市统计局"]]
    export = read_export(write_table(tmp_path, "青山县", rows, fmt), REGIONS)
    obs = export.observations
    assert export.layout == "nbs_region"
    level = value(obs, indicator="fai", period="2026-03")
    assert (level["value"], level["unit"], level["measure"], level["region_code"]) == (250000, "万元", "ytd_value",
                                                                                      "990101")
    assert cell(obs, indicator="fai", period="2025-12") == 980000
    growth = value(obs, indicator="iva", period="2026-03")
    assert growth["measure"] == "month_growth" and growth["value"] == 6.1  # 同比增长 alone: the month
    assert (export.metadata.get("encoding") or export.metadata.get("sheet")) is not None


def test_a_excel_date_headers_in_xls(tmp_path):
    rows = [["地区：青山县"], ["指标", datetime.datetime(2026, 3, 1), datetime.datetime(2026, 2, 1)],
            ["社会消费品零售总额累计值(亿元)", 30.5, 12.0]]
    obs = read_export(write_table(tmp_path, "dates", rows, "xls"), REGIONS).observations
    assert obs["period"].astype(str).tolist() == ["2026-03", "2026-02"] and obs["value"].tolist() == [30.5, 12.0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_b_region_column_every_format(tmp_path, fmt):
    rows = [["数据库：县区月度数据"], ["地区", "指标", "2026年3月", "2026年2月"],
            ["青山县", "规模以上工业增加值累计增长(%)", 5.2, 4.8],
            ["河口", "规模以上工业增加值累计增长(%)", "…", 3.1],
            ["注：河口县3月数据暂缺。"]]
    export = read_export(write_table(tmp_path, "iva", rows, fmt), REGIONS)
    obs = export.observations
    assert export.layout == "region_column"
    assert cell(obs, region_code="990101", period="2026-03") == 5.2
    assert cell(obs, region_code="990102", period="2026-02") == 3.1  # short name 河口
    assert value(obs, region_code="990102", period="2026-03")["raw"] == "…"
    assert export.metadata["notes"] == "注：河口县3月数据暂缺。"


# (f) data-terminal exports ------------------------------------------------------------------

TERMINAL_HEADER = [
    ["指标名称", "规模以上工业增加值_当期同比实际增速", "规模以上工业增加值_累计同比实际增速", "社会消费品零售总额_累计",
     "社会消费品零售总额_当期", "固定资产投资_累计同比增速", "地区生产总值_累计同比实际增速",
     "社会消费品零售总额_当期环比实际增速", "各项贷款_期末"],
    ["地区", *["青山县"] * 8],
    ["频度", "月", "月", "月", "月", "月", "季", "月", "月"],
    ["单位", "%", "%", "亿元", "亿元", "%", "%", "%", "亿元"],
    ["来源", *["青山县统计局"] * 7, "人民银行青山县支行"],
]
TERMINAL_ROWS = [
    *TERMINAL_HEADER,
    ["2026-03", 6.1, 5.5, 30.5, 12.0, 7.2, 5.0, 1.2, 300],
    [datetime.datetime(2026, 2, 28), None, 5.2, 18.5, None, 6.8, None, None, 290],
    ["2025-12-31", 4.0, 4.4, 120.0, 11.0, 3.3, 4.9, None, 280],
    ["2025-11", 3.9, 4.5, 109.0, 10.0, 3.2, None, None, None],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_f_terminal_export(tmp_path, fmt):
    export = read_export(write_table(tmp_path, "wind", TERMINAL_ROWS, fmt), REGIONS)
    obs = export.observations
    assert export.layout == "terminal" and set(obs["region_code"]) == {"990101"}
    month = value(obs, indicator="iva", measure="month_growth", period="2026-03")
    assert (month["value"], month["frequency"], month["unit"]) == (6.1, "M", "%")
    assert month["label"] == "规模以上工业增加值_当期同比实际增速" and month["source"].endswith("!B6")
    assert cell(obs, indicator="iva", measure="ytd_growth", period="2026-02") == 5.2
    assert cell(obs, indicator="retail", measure="ytd_value", period="2026-03") == 30.5
    assert cell(obs, indicator="retail", measure="month_value", period="2025-12") == 11.0
    assert cell(obs, indicator="retail", measure="mom_growth", period="2026-03") == 1.2
    assert cell(obs, indicator="fai", measure="ytd_growth", period="2025-11") == 3.2
    gdp = obs[obs["indicator"] == "地区生产总值"]
    assert set(gdp["frequency"]) == {"Q"} and set(gdp["measure"]) == {"ytd_growth"}
    assert gdp.set_index("period")["value"].to_dict() == {pd.Period("2026-03", "M"): 5.0,
                                                          pd.Period("2025-12", "M"): 4.9}
    loans = obs[obs["indicator"] == "各项贷款"]
    assert set(loans["measure"]) == {"end_value"} and len(loans) == 3  # the trailing blank is not published
    mom = obs[obs["measure"] == "mom_growth"]
    assert mom["period"].astype(str).tolist() == ["2026-03"]  # nothing before the first value, nor after
    assert export.metadata["source"] == "人民银行青山县支行\n青山县统计局"


def test_f_quarterly_value_on_a_month_that_ends_no_quarter(tmp_path):
    rows = [*TERMINAL_HEADER, ["2026-03", *[1] * 8], ["2026-02", 1, 1, 1, 1, 1, 9.9, 1, 1]]
    with pytest.raises(DataError, match=r"\[G7\]: quarterly column '地区生产总值_累计同比实际增速' has a value on a "
                                        r"month that ends no quarter"):
        read_export(write_table(tmp_path, "bad", rows), REGIONS)


def test_f_unknown_frequency_names_the_cell(tmp_path):
    rows = [["指标", "社会消费品零售总额_累计"], ["地区", "青山县"], ["频度", "周"], ["单位", "亿元"], ["2026-03", 1]]
    with pytest.raises(DataError, match=r"\[B3\]: frequency '周' is not read"):
        read_export(write_table(tmp_path, "weekly", rows), REGIONS)


# shape errors -------------------------------------------------------------------------------

def test_region_given_twice_in_c(tmp_path):
    rows = [CPI_ROWS[1], CPI_ROWS[3], CPI_ROWS[4], ["天津市", 1, 2, 3], ["北京市", 1, 2, 3]]
    with pytest.raises(DataError, match=r"\[row 5\]: duplicate row .*'北京市' \(also row 3\)"):
        read_export(write_table(tmp_path, "dup", rows))


def test_period_given_twice_in_d(tmp_path):
    rows = [*MONTH_ROWS[:4], ["2020年3月", 1, 2, 3, 4]]
    with pytest.raises(DataError, match=r"\[A4 and A5\]: period 2020-03 appears twice"):
        read_export(write_table(tmp_path, "dup", rows))


def test_row_without_period_in_d(tmp_path):
    rows = [*MONTH_ROWS[:4], ["三月", 1, 2, 3, 4]]
    with pytest.raises(DataError, match=r"\[A5\]: cannot parse period label '三月'"):
        read_export(write_table(tmp_path, "bad", rows))


def test_layout_is_detected_by_content_not_file_name(tmp_path):
    obs = read_export(write_table(tmp_path, "地区_分省_月度", NATIONAL_ROWS)).observations
    assert set(obs["region_name"]) == {"全国"}
