"""The indicator and region catalogues."""

import pandas as pd
import pytest

from analysis.core.catalog import (
    MEASURES,
    indicator,
    indicators,
    match_indicator,
    package_regions,
    parse_row_label,
    unit_factor,
)


def test_catalogue_covers_the_speech():
    names = set(indicators()["name_zh"])
    for name in ["固定资产投资", "规上工业增加值", "规上工业总产值", "传统产业产值占比", "工业用电量",
                 "新增市场主体", "社会消费品零售总额", "技改投资", "战略性新兴产业产值占比",
                 "新增高新技术企业", "招商引资项目落地转化率", "企业融资需求满足率", "工业用地容积率"]:
        assert name in names


def test_catalogue_rows_are_consistent():
    table = indicators()
    assert table.index.is_unique
    assert set(table["kind"]) <= {"flow", "stock", "ratio", "count"}
    assert set(table["direction"]) <= {"higher", "lower"}
    assert set(table["city_agg"]) <= {"sum", "weighted_growth", "weighted_mean", "mean"}
    assert set(table["section"]) <= {"overall", "industry", "investment", "consumption", "projects"}
    for row in table.itertuples():
        assert set(row.forms) <= set(MEASURES), row.code
        assert row.name_en and row.name_zh
        if row.city_agg.startswith("weighted"):
            assert row.weight in table.index, row.code
    # 规上工业增加值 is published as growth only
    assert indicator("iva")["forms"] == ("ytd_growth", "month_growth")
    assert indicator("trad_share")["direction"] == "lower"
    with pytest.raises(KeyError, match="unknown indicator code 'gdp_x'"):
        indicator("gdp_x")


def test_aliases_are_unambiguous():
    seen: dict[str, str] = {}
    for row in indicators().itertuples():
        for name in (row.name_zh, *row.aliases):
            assert seen.setdefault(name, row.code) == row.code, name


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("房地产投资累计值(亿元)", ("房地产投资", "ytd_value", "亿元")),
        ("房地产住宅投资累计增长(%)", ("房地产住宅投资", "ytd_growth", "%")),
        ("规模以上工业增加值累计增长（%）", ("规模以上工业增加值", "ytd_growth", "%")),
        ("社会消费品零售总额当月值(亿元)", ("社会消费品零售总额", "month_value", "亿元")),
        ("社会消费品零售总额当期值(亿元)", ("社会消费品零售总额", "month_value", "亿元")),
        ("战略性新兴产业产值占比(%)", ("战略性新兴产业产值占比", None, "%")),
        ("工业用地容积率", ("工业用地容积率", None, None)),
    ],
)
def test_parse_row_label(label, expected):
    assert parse_row_label(label) == expected


def test_match_indicator_by_name_alias_and_code():
    assert match_indicator("房地产投资") == "re_invest"
    assert match_indicator("规模以上工业增加值") == "iva"
    assert match_indicator("社零总额") == "retail"
    assert match_indicator("固定资产投资（不含农户）") == "fai"
    assert match_indicator("fai") == "fai"
    assert match_indicator("房地产销售面积") is None


def test_unit_factor():
    assert unit_factor("万元", "亿元") == 1e-4
    assert unit_factor("亿元", "亿元") == 1.0
    assert unit_factor("亿千瓦时", "万千瓦时") == 1e4
    assert unit_factor("吨", "亿元") is None


def test_package_regions_are_the_31_provinces():
    regions = package_regions()
    provinces = regions[regions["level"] == "province"]
    assert len(provinces) == 31
    assert (provinces["code"].str.len() == 6).all() and (provinces["parent"] == "100000").all()
    assert provinces.set_index("code").loc["650000", "name"] == "新疆维吾尔自治区"


def test_catalogue_lines_are_the_lines_of_catalogue_line_built_column_wise():
    from analysis.core.catalog import catalogue_line, catalogue_lines

    codes = pd.Series(["测试指标", "新登记户数", "占比", "各项贷款", 'a,"b"'])
    units = pd.Series(["亿元", "户", "%", "亿元", "万元"])
    forms = pd.Series(["ytd_value|ytd_growth", "ytd_value", "", "ytd_growth|end_value", "ytd_value"])
    lines = catalogue_lines(codes, units, forms)
    assert lines.tolist() == [
        "测试指标,测试指标,,,亿元,flow,ytd_value|ytd_growth,higher,sum,,overall,,",
        "新登记户数,新登记户数,,,户,count,ytd_value,higher,sum,,overall,,",
        "占比,占比,,,%,ratio,,higher,mean,,overall,,",
        "各项贷款,各项贷款,,,亿元,stock,ytd_growth|ytd_value,higher,sum,,overall,,",  # a balance: a stock
        '"a,""b""","a,""b""",,,万元,flow,ytd_value,higher,sum,,overall,,',  # quoted as csv does
    ]
    assert lines.tolist() == [catalogue_line(c, c, u, f.split("|") if f else [])
                              for c, u, f in zip(codes, units, forms, strict=True)]
