"""Validation checks produce findings that name the file, the cell and what was expected."""

import numpy as np
import pandas as pd
import pytest

from analysis.data.readers import read_bureau_table
from analysis.data.validation import (
    Limits,
    check_duplicates,
    check_growth_consistency,
    check_growth_range,
    check_ytd_monotonic,
    validate_observations,
)
from tests.conftest import write_nbs_csv

MONTHS = ["2026年4月", "2026年3月", "2026年2月", "2026年1月"]


def table(tmp_path, rows, name="t.csv", region="北京市"):
    return read_bureau_table(write_nbs_csv(tmp_path / name, rows, region=region, months=MONTHS))


def test_ytd_decrease_is_found_with_the_cell(tmp_path):
    obs = table(tmp_path, [["社会消费品零售总额累计值(亿元)", "90", "100", "60", ""]])
    found = check_ytd_monotonic(obs)
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["severity"], row["file"], row["location"]) == ("warning", "t.csv", "B5")
    assert "falls from 100 to 90 in 2026-04" in row["message"]


def test_growth_range(tmp_path):
    obs = table(tmp_path, [["社会消费品零售总额累计增长(%)", "-120", "150", "5", ""]])
    found = check_growth_range(obs)
    assert found[["severity", "location"]].values.tolist() == [["error", "B5"], ["warning", "C5"]]
    assert "growth -120% is impossible" in found["message"].iloc[0]
    assert check_growth_range(obs, Limits(growth_warn_abs=200))["severity"].tolist() == ["error"]


def test_duplicates_across_files(tmp_path):
    rows = [["社会消费品零售总额累计值(亿元)", "90", "100", "60", ""]]
    obs = pd.concat([table(tmp_path, rows, "a.csv"), table(tmp_path, rows, "b.xlsx.csv")])
    found = check_duplicates(obs)
    assert len(found) == 1
    assert "for 3 month(s) 2026-02..2026-04 in a.csv and b.xlsx.csv" in found["message"].iloc[0]
    assert found["severity"].iloc[0] == "error"


def test_growth_vs_levels_keeps_published_and_flags(tmp_path):
    months = ["2026年3月", "2025年3月"]
    obs = read_bureau_table(write_nbs_csv(tmp_path / "g.csv", [
        ["社会消费品零售总额累计值(亿元)", "110", "100"], ["社会消费品零售总额累计增长(%)", "12.5", "3"]],
        region="北京市", months=months))
    found = check_growth_consistency(obs)
    assert len(found) == 1 and found["location"].iloc[0] == "B6"
    assert "published growth 12.5% vs 10.0% recomputed from levels (+2.5 pp)" in found["message"].iloc[0]
    assert check_growth_consistency(obs, Limits(growth_tolerance_pp=3)).empty


def test_validate_reports_masked_and_unknown(tmp_path):
    obs = table(tmp_path, [["社会消费品零售总额累计值(亿元)", "**", "100", "60", ""],
                           ["房地产销售面积累计值(万平方米)", "1", "2", "3", ""]], region="火星市")
    found = validate_observations(obs)
    checks = found.set_index("check")
    assert checks.loc["masked_cell", "location"] == "B5"
    assert "read as missing, not zero" in checks.loc["masked_cell", "message"]
    assert "房地产销售面积累计值(万平方米)" in checks.loc["unknown_indicator", "message"]
    assert checks.loc["unknown_region", "severity"] == "error" and "火星市" in checks.loc["unknown_region", "message"]
    assert np.isnan(obs["value"].iloc[0])


@pytest.mark.realdata
def test_real_data_findings(real_data):
    obs = pd.concat([read_bureau_table(p) for p in sorted((real_data / "nbs-province-monthly" / "csv").glob("*.csv"))])
    found = validate_observations(obs)
    assert not (found["severity"] == "error").any()
    # three December revisions in 2017 (内蒙古 twice, 青海 once) make a YTD flow fall
    decreases = found[found["check"] == "ytd_decrease"]
    assert sorted(decreases["file"]) == ["内蒙古.csv", "内蒙古.csv", "青海.csv"]
    assert set(decreases["location"].str[0]) == {"Z"}  # column Z is 2017年12月


def test_blank_cells_other_than_january_are_reported(tmp_path):
    obs = table(tmp_path, [["社会消费品零售总额累计值(亿元)", "", "100", "60", ""]])
    found = validate_observations(obs)
    blank = found[found["check"] == "blank_cell"]
    assert blank["location"].tolist() == ["B5"]  # 2026-04 only; the blank January (E5) is expected
    assert "read as missing, not zero" in blank["message"].iloc[0]
