"""read_bureau_table on the 62 real NBS exports and on bad input."""

import csv
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlrd

from analysis.core.errors import DataError
from analysis.data.readers import read_bureau_table
from tests.conftest import write_nbs_csv


def province_files(real_data, kind):
    files = sorted((real_data / "nbs-province-monthly" / kind).glob(f"*.{kind}"))
    assert len(files) == 31
    return files


def cell_values_csv(path):
    """Every data cell of an NBS CSV, parsed independently of the package: {(row, col): float|nan}."""
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    return {(r, c): (float(v) if v.strip() else math.nan)
            for r in range(4, len(rows) - 1) for c, v in enumerate(rows[r]) if c > 0}


@pytest.mark.realdata
def test_all_31_csv_files_equal_their_cells(real_data):
    for path in province_files(real_data, "csv"):
        obs = read_bureau_table(path)
        expected = cell_values_csv(path)
        assert len(obs) == len(expected) == 4 * 36, path.name
        got = {_cell(source): value for source, value in zip(obs["source"], obs["value"], strict=True)}
        for key, value in expected.items():
            assert got[key] == value or (math.isnan(got[key]) and math.isnan(value)), (path.name, key)
        assert obs["region_code"].notna().all() and obs["indicator"].notna().all()


def _cell(source):
    """(row, col), 0-based, of a source such as '北京.csv!C5'."""
    cell = source.split("!")[1]
    return int("".join(ch for ch in cell if ch.isdigit())) - 1, _col(cell)


def _col(cell):
    letters = "".join(ch for ch in cell if ch.isalpha())
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


@pytest.mark.realdata
def test_all_31_xls_files_equal_their_cells_and_the_csv(real_data):
    for path in province_files(real_data, "xls"):
        obs = read_bureau_table(path)
        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
        for source, value in zip(obs["source"], obs["value"], strict=True):
            raw = sheet.cell_value(*_cell(source))
            assert (raw == "" and math.isnan(value)) or raw == value, (path.name, source)
        twin = read_bureau_table(real_data / "nbs-province-monthly" / "csv" / (path.stem + ".csv"))
        np.testing.assert_array_equal(obs["value"].to_numpy(), twin["value"].to_numpy())


@pytest.mark.realdata
def test_values_checked_by_hand(real_data):
    beijing = read_bureau_table(real_data / "nbs-province-monthly" / "csv" / "北京.csv").set_index(
        ["indicator", "measure", "period"])["value"]
    assert beijing[("re_invest", "ytd_value", pd.Period("2019-12", "M"))] == 3838.38
    assert beijing[("re_invest", "ytd_growth", pd.Period("2019-12", "M"))] == -0.9
    assert beijing[("re_resid_invest", "ytd_value", pd.Period("2017-02", "M"))] == 144.14
    assert math.isnan(beijing[("re_invest", "ytd_value", pd.Period("2019-01", "M"))])  # 1-2月 is in February
    tibet = read_bureau_table(real_data / "nbs-province-monthly" / "xls" / "西藏自治区.xls")
    row = tibet[(tibet["measure"] == "ytd_growth") & (tibet["indicator"] == "re_resid_invest")
                & (tibet["period"] == pd.Period("2019-05", "M"))]
    assert row["value"].item() == 431.2
    assert row["region_code"].item() == "540000" and row["unit"].item() == "%"


@pytest.mark.realdata
def test_tidy_columns_and_types(real_data):
    obs = read_bureau_table(real_data / "nbs-province-monthly" / "csv" / "新疆维吾尔族自治区.csv")
    assert list(obs.columns) == ["region_code", "region_name", "indicator", "period", "frequency", "measure", "value",
                                 "unit", "source", "label", "raw"]
    assert set(obs["frequency"]) == {"M"}
    assert obs["period"].dtype == "period[M]"
    assert set(obs["measure"]) == {"ytd_value", "ytd_growth"}
    assert obs["region_code"].unique().tolist() == ["650000"]
    assert obs["period"].max() == pd.Period("2019-12", "M") and obs["period"].min() == pd.Period("2017-01", "M")


ROWS = [["固定资产投资累计值(亿元)", "30.5", "12.1", ""], ["固定资产投资累计增长(%)", "6.2", "5.1", ""]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    obs = read_bureau_table(write_nbs_csv(tmp_path / "t.csv", ROWS, encoding=encoding))
    assert obs["region_name"].iloc[0] == "青山县"
    assert obs.set_index(["measure", "period"]).loc[("ytd_value", pd.Period("2026-03", "M")), "value"] == 30.5


def test_wrong_encoding_names_the_file(tmp_path):
    path = write_nbs_csv(tmp_path / "utf16.csv", ROWS, encoding="utf-16")
    with pytest.raises(DataError, match=r"utf16\.csv.*cannot decode.*UTF-8.*GB18030"):
        read_bureau_table(path)


def test_missing_header_names_the_layouts_tried_and_the_first_rows(tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("地区：青山县\n固定资产投资累计值(亿元),1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"noheader\.csv: unknown layout.*first rows: row: 地区：青山县 \| "
                       r"row: 固定资产投资累计值\(亿元\) 1 2; expected one of the layouts \(a\) NBS.*\(f\) data terminal"):
        read_bureau_table(path)


def test_unparseable_number_names_the_cell(tmp_path):
    rows = [["固定资产投资累计值(亿元)", "30.5", "十二", ""]]
    with pytest.raises(DataError, match=r"t\.csv \[C5\].*unparseable number '十二'"):
        read_bureau_table(write_nbs_csv(tmp_path / "t.csv", rows))


def test_unparseable_period_label_names_the_cell(tmp_path):
    path = write_nbs_csv(tmp_path / "t.csv", ROWS, months=["2026年3月", "2026年13月", "2026年1月"])
    with pytest.raises(DataError, match=r"\[C4\].*period label '2026年13月': month 13 is not 1-12"):
        read_bureau_table(path)


def test_period_label_forms(tmp_path):
    path = write_nbs_csv(tmp_path / "t.csv", ROWS, months=["2026年1-3月", "1-2月", "2025年一季度"])
    periods = read_bureau_table(path)["period"].astype(str).unique().tolist()
    assert periods == ["2026-03", "2026-02", "2025-03"]  # 1-2月 takes the year from the table


def test_masked_cells_thousands_and_units(tmp_path):
    rows = [["社会消费品零售总额累计值(亿元)", "1,234.5", "**", "…"],
            ["工业用电量累计值(万千瓦时)", "-", "—", "12.5亿元"]]
    obs = read_bureau_table(write_nbs_csv(tmp_path / "t.csv", rows))
    assert obs["value"].iloc[0] == 1234.5
    assert obs["value"].iloc[1:5].isna().all()  # masked: missing, never zero
    assert obs["raw"].iloc[1:5].tolist() == ["**", "…", "-", "—"]
    assert obs["value"].iloc[5] == 12.5


def test_unknown_indicator_is_kept_under_a_code_from_its_name(tmp_path):
    rows = [*ROWS, ["房地产销售面积累计值(万平方米)", "1", "2", ""]]
    obs = read_bureau_table(write_nbs_csv(tmp_path / "t.csv", rows))
    unknown = obs[obs["indicator"] == "房地产销售面积"]
    assert len(unknown) == 3 and unknown["label"].iloc[0] == "房地产销售面积累计值(万平方米)"
    assert unknown["value"].tolist()[:2] == [1.0, 2.0] and set(unknown["unit"]) == {"万平方米"}
    assert set(unknown["measure"]) == {"ytd_value"}


def test_duplicate_row_in_one_file(tmp_path):
    with pytest.raises(DataError, match=r"\[row 6\].*duplicate row '固定资产投资累计值\(亿元\)'.*also row 5"):
        read_bureau_table(write_nbs_csv(tmp_path / "t.csv", [ROWS[0], ROWS[0]]))


def test_row_without_name(tmp_path):
    with pytest.raises(DataError, match=r"\[A5\].*no indicator name"):
        read_bureau_table(write_nbs_csv(tmp_path / "t.csv", [["", "1", "2", ""]]))


def test_no_region_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("指标,2026年3月\n固定资产投资累计值(亿元),1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no region"):
        read_bureau_table(path)


def test_unreadable_excel_and_unknown_type(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(DataError, match=r"broken\.xlsx.*unreadable \.xlsx"):
        read_bureau_table(bad)
    bad_xls = tmp_path / "broken.xls"
    bad_xls.write_bytes(b"\x00" * 600)
    with pytest.raises(DataError, match=r"broken\.xls.*unreadable \.xls"):
        read_bureau_table(bad_xls)
    text = tmp_path / "x.txt"
    text.write_text("")
    with pytest.raises(DataError, match=r"unsupported file type '\.txt'"):
        read_bureau_table(text)


def test_xlsx_and_region_column_layout(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["数据库：县区月度数据"])
    sheet.append(["地区", "指标", "2026年3月", "2026年2月"])
    sheet.append(["青山县", "规模以上工业增加值累计增长(%)", 5.2, 4.8])
    sheet.append(["河口县", "规模以上工业增加值累计增长(%)", "**", 3.1])
    sheet.append(["数据来源：示例市统计局"])
    book.save(tmp_path / "iva.xlsx")
    regions = pd.DataFrame({"code": ["990101", "990102"], "name": ["青山县", "河口县"], "short_name": ["青山", "河口"]})
    obs = read_bureau_table(tmp_path / "iva.xlsx", regions)
    assert obs["region_code"].tolist() == ["990101", "990101", "990102", "990102"]
    assert obs["indicator"].unique().tolist() == ["iva"]
    assert obs["value"].iloc[0] == 5.2 and np.isnan(obs["value"].iloc[2])
    assert obs["source"].iloc[0] == "iva.xlsx!C3"


def test_labels_without_year_count_back_across_new_year(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("数据库：县区月度数据\n地区：北京市\n时间：2025年1月-2026年3月\n指标,1-3月,1-2月,12月,11月\n"
                    "社会消费品零售总额累计值(亿元),3,2,12,11\n", encoding="utf-8")
    periods = read_bureau_table(path)["period"].astype(str).tolist()
    assert periods == ["2026-03", "2026-02", "2025-12", "2025-11"]


def test_excel_date_headers_and_values_without_a_header(tmp_path):
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["地区：北京市"], ["指标", datetime.datetime(2026, 3, 1), datetime.datetime(2026, 2, 1)],
                ["社会消费品零售总额累计值(亿元)", 30.5, 12.0]):
        sheet.append(row)
    book.save(tmp_path / "dates.xlsx")
    obs = read_bureau_table(tmp_path / "dates.xlsx")
    assert obs["period"].astype(str).tolist() == ["2026-03", "2026-02"] and obs["value"].tolist() == [30.5, 12.0]
    sheet.append(["社会消费品零售总额累计增长(%)", 5.0, 4.0, 9.9])
    book.save(tmp_path / "stray.xlsx")
    with pytest.raises(DataError, match=r"\[D4\]: value '9.9' in a column without a period header"):
        read_bureau_table(tmp_path / "stray.xlsx")


def test_growth_rate_suffix_variants(tmp_path):
    obs = read_bureau_table(write_nbs_csv(tmp_path / "t.csv", [["固定资产投资累计增长率(%)", "6.2", "5.1", ""]]))
    assert set(obs["indicator"]) == {"fai"} and set(obs["measure"]) == {"ytd_growth"}
