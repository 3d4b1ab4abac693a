"""The measure table (resources/measures.csv): NBS meanings, 同比 never taken for 累计."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.conversions import index_to_growth
from analysis.core.measures import (
    MEASURES,
    caliber_measure,
    for_frequency,
    measure_table,
    parse_row_label,
)
from analysis.data.ingest import ingest
from analysis.data.readers import read_bureau_table
from analysis.data.validation import check_month_vs_ytd_growth
from tests.conftest import write_city, write_nbs_csv


@pytest.mark.parametrize(("label", "measure"), [
    ("工业增加值累计值(亿元)", "ytd_value"),
    ("工业增加值累计增长(%)", "ytd_growth"),
    ("工业增加值累计同比增长(%)", "ytd_growth"),
    ("工业增加值同比增长(%)", "month_growth"),  # the bug of issue 9: never ytd_growth
    ("工业增加值当月增长(%)", "month_growth"),
    ("工业增加值当月同比增长(%)", "month_growth"),
    ("社会消费品零售总额当月值(亿元)", "month_value"),
    ("社会消费品零售总额本月(亿元)", "month_value"),
    ("社会消费品零售总额环比增长(%)", "mom_growth"),
    ("各项贷款余额(亿元)", "end_value"),
    ("居民消费价格指数(上年同月=100)", "month_index"),
    ("居民消费价格指数(上年同期=100)", "ytd_index"),
    ("居民消费价格指数(上月=100)", "mom_index"),
    ("国内生产总值当季值(亿元)", "quarter_value"),
    ("战略性新兴产业产值占比(%)", None),
])
def test_row_label_suffixes(label, measure):
    assert parse_row_label(label)[1] == measure


@pytest.mark.parametrize(("caliber", "measure"), [
    ("累计", "ytd_value"), ("当期", "month_value"), ("累计同比", "ytd_growth"), ("累计同比增速", "ytd_growth"),
    ("累计同比实际增速", "ytd_growth"), ("当期同比实际增速", "month_growth"), ("当期环比实际增速", "mom_growth"),
    ("期末", "end_value"), ("同比", "month_growth"), ("本月", "month_value"), ("不知道", None),
])
def test_terminal_calibers(caliber, measure):
    assert caliber_measure(caliber) == measure


def test_the_table_is_data_and_every_measure_is_known():
    table = measure_table()
    assert set(table["measure"]) <= set(MEASURES)
    assert set(table["applies_to"]) == {"suffix", "unit"}
    assert not table["pattern"].duplicated().any()
    assert table.set_index("pattern").loc["同比增长", "measure"] == "month_growth"


def test_frequency_changes_what_the_period_words_mean():
    assert for_frequency("month_value", "Q") == "quarter_value"
    assert for_frequency("month_growth", "Y") == "ytd_growth"
    assert for_frequency("ytd_value", "Q") == "ytd_value"
    assert for_frequency("month_growth", "M") == "month_growth"


def test_index_gives_growth_minus_100():
    obs = pd.DataFrame({"region_code": ["110000", "110000"], "indicator": ["cpi", "cpi"],
                        "period": pd.PeriodIndex(["2020-03", "2020-03"], freq="M"),
                        "measure": ["month_index", "ytd_index"], "value": [104.3, 104.9], "unit": ["上年同月=100"] * 2})
    growth = index_to_growth(obs)
    assert growth["measure"].tolist() == ["month_growth", "ytd_growth"]
    assert growth["value"].tolist() == pytest.approx([4.3, 4.9]) and set(growth["unit"]) == {"%"}


MONTHS = ["2020年3月", "2020年2月", "2020年1月"]


def test_a_file_with_only_the_tongbi_row_never_gives_ytd_growth(tmp_path):
    """The published March 2020 figures: 同比增长 -1.1 (the month), 累计增长 -8.4 (Jan-Mar)."""
    path = write_nbs_csv(tmp_path / "t.csv", [["工业增加值同比增长(%)", "-1.1", "", ""]], region="北京市",
                         months=MONTHS)
    obs = read_bureau_table(path)
    assert set(obs["measure"]) == {"month_growth"}
    assert obs.set_index("period").loc[pd.Period("2020-03", "M"), "value"] == -1.1


def test_tongbi_only_county_file_reaches_no_ytd_gap(tmp_path):
    city = write_city(tmp_path / "raw")
    write_nbs_csv(city / "bureau" / "iva.csv", [["工业增加值同比增长(%)", "-1.1", "3.0", ""]], region="青山县",
                  months=["2026年3月", "2026年2月", "2026年1月"])
    result = ingest(city, tmp_path / "out")
    obs = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    iva = obs[obs["indicator"] == "iva"]
    assert result.ok and set(iva["measure"]) == {"month_growth"}  # stored as the month, never as YTD
    assert iva.set_index("period").loc[pd.Period("2026-03", "M"), "value"] == -1.1


def test_month_and_ytd_growth_are_checked_against_each_other(tmp_path):
    rows = [["工业增加值同比增长(%)", "-1.1", "", ""], ["工业增加值累计增长(%)", "-8.4", "-13.5", ""]]
    good = read_bureau_table(write_nbs_csv(tmp_path / "good.csv", rows, region="北京市", months=MONTHS))
    assert check_month_vs_ytd_growth(good).empty  # -8.4 lies between -13.5 (1-2月) and -1.1 (March)
    swapped = [["工业增加值同比增长(%)", "-8.4", "", ""], ["工业增加值累计增长(%)", "-1.1", "-13.5", ""]]
    bad = read_bureau_table(write_nbs_csv(tmp_path / "bad.csv", swapped, region="北京市", months=MONTHS))
    found = check_month_vs_ytd_growth(bad)
    assert len(found) == 1 and found["location"].iloc[0] == "B6"
    assert ("year-to-date growth -1.1% is not between the previous year-to-date growth -13.5% and this "
            "month's growth -8.4%") in found["message"].iloc[0]


def test_month_growth_is_checked_against_month_levels(tmp_path):
    from analysis.data.validation import check_growth_consistency

    rows = [["社会消费品零售总额累计值(亿元)", "30", "12", "", "28", "11", ""],
            ["社会消费品零售总额同比增长(%)", "25.0", "", "", "1", "", ""]]
    months = ["2026年3月", "2026年2月", "2026年1月", "2025年3月", "2025年2月", "2025年1月"]
    obs = read_bureau_table(write_nbs_csv(tmp_path / "r.csv", rows, region="北京市", months=months))
    found = check_growth_consistency(obs)
    # March alone: 30 - 12 = 18 against 28 - 11 = 17, i.e. 5.9%, not the published 25.0%
    assert len(found) == 1 and found["location"].iloc[0] == "B6"
    assert "published month growth 25.0% vs 5.9% recomputed from levels" in found["message"].iloc[0]


def test_an_index_prints_its_base_in_brackets():
    from analysis.core.formatting import quantity_phrase
    from analysis.report.headline import _value_text

    assert quantity_phrase(106.4, "上年同月=100") == "106.4（上年同月=100）"
    assert quantity_phrase(106.4, "上年同月=100", "en") == "106.4 (上年同月=100)"
    assert _value_text(106.4, "ytd_value", "上年同月=100") == "106.4（上年同月=100）"
    assert _value_text(1234.5, "ytd_value", "亿元") == "1234.5亿元"  # as the sentences print it
    assert _value_text(9999.6, "ytd_value", "万元") == "1.0亿元"


def test_split_labels_splits_many_labels_as_the_one_label_functions_do():
    from analysis.core.measures import split_labels

    labels = pd.Series(["房地产投资累计值（亿元）", "工业增加值同比增长(%)", "居民消费价格指数(上年同月=100)",
                        "各项贷款余额", "累计值", " 房地产(住宅)投资 累计值(亿元)"])
    got = split_labels(labels)
    assert got.to_dict("list") == {
        "bare": ["房地产投资累计值", "工业增加值同比增长", "居民消费价格指数", "各项贷款余额", "累计值",
                 "房地产(住宅)投资累计值"],
        "name": ["房地产投资", "工业增加值", "居民消费价格指数", "各项贷款", "累计值", "房地产(住宅)投资"],
        "suffix_measure": ["ytd_value", "month_growth", None, "end_value", None, "ytd_value"],
        "unit": ["亿元", "%", "上年同月=100", None, None, "亿元"],
        "index_measure": [None, None, "month_index", None, None, None],
    }
