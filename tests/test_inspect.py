"""q1brief inspect (what ingest would make of each export, writing nothing) and the folder options."""

from __future__ import annotations

import pytest

from analysis.cli import build_parser, main
from tests.conftest import write_city, write_nbs_csv
from tests.table_files import write_table


@pytest.fixture
def city(tmp_path):
    return write_city(tmp_path / "raw")


def snapshot(folder):
    return sorted((p.relative_to(folder), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_inspect_a_good_folder(city, capsys):
    before = snapshot(city.parent)
    assert main(["inspect", str(city)]) == 0
    out = capsys.readouterr().out
    assert f"data folder: {city}" in out
    assert "== " + str(city / "bureau" / "河口县.csv") in out
    assert "layout: (a) NBS, one region" in out and "[nbs_region]" in out
    assert "regions: 河口县 -> 990102" in out
    assert "固定资产投资累计值(亿元) -> fai ytd_value [M] (亿元), 6 cells" in out
    assert "periods: M: 2025-01 .. 2026-03 (6 periods)" in out
    assert "cells: 7 values, 1 masked, 4 blank" in out  # 6 months x 2 rows: four blank Januaries, one **
    assert "  warning masked_cell (1):\n    [F6] masked cell '**'" in out and "ingest would read this file" in out
    assert "2 file(s) inspected, 0 would stop ingest" in out
    assert snapshot(city.parent) == before  # nothing written


def test_inspect_names_unknown_indicators_with_the_line_to_add(city, capsys):
    path = write_nbs_csv(city / "bureau" / "new.csv", [["房地产销售面积累计值(万平方米)", "12", "5", ""]], region="青山县")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "房地产销售面积累计值(万平方米) -> unknown, kept as '房地产销售面积' ytd_value [M] (万平方米)" in out
    assert ("add to indicators.csv for '房地产销售面积': 房地产销售面积,房地产销售面积,,,万平方米,ratio,ytd_value,higher,"
            "mean,,overall,,") in out


def test_inspect_exits_1_where_ingest_would_fail(city, capsys):
    bad = write_nbs_csv(city / "bureau" / "mars.csv", [["固定资产投资累计值(亿元)", "1", "2", ""]], region="火星县")
    broken = city / "bureau" / "broken.csv"
    broken.write_text("这不是一个表格\n", encoding="utf-8")
    assert main(["inspect", str(bad), str(broken), "--raw-dir", str(city)]) == 1
    out = capsys.readouterr().out
    assert "regions: 火星县 -> unknown (not in regions.csv)" in out
    assert "  error unknown_region (1):\n    [B5] region '火星县' is not in regions.csv" in out
    assert "== " + str(broken) + "\nfindings: 1 error\n  error unreadable_table (1):\n    unknown layout" in out
    assert "first rows: row: 这不是一个表格" in out
    assert out.count("ingest would FAIL on this file") == 2
    assert "2 file(s) inspected, 2 would stop ingest" in out


def test_inspect_a_terminal_export_shows_frequencies_and_sources(city, capsys):
    rows = [["指标名称", "社会消费品零售总额_累计", "地区生产总值_累计同比实际增速"], ["地区", "青山县", "青山县"],
            ["频度", "月", "季"], ["单位", "亿元", "%"], ["来源", "统计局", "统计局"],
            ["2026-03", 30.5, 5.0], ["2026-02", 18.5, None], ["2025-12", 120, 4.9]]
    path = write_table(city / "bureau", "wind", rows, "xls")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[terminal]" in out and "read as: sheet 数据" in out and "source: 统计局" in out
    assert "社会消费品零售总额_累计 -> retail ytd_value [M] (亿元), 3 cells" in out
    assert "地区生产总值_累计同比实际增速 -> unknown, kept as '地区生产总值' ytd_growth [Q] (%), 2 cells" in out
    assert "periods: M: 2025-12 .. 2026-03 (3 periods); Q: 2025-12 .. 2026-03 (2 periods)" in out


def test_inspect_without_files(tmp_path, capsys):
    assert main(["inspect", str(tmp_path)]) == 1
    assert "no .csv, .xls or .xlsx files found" in capsys.readouterr().out


def test_one_folder_name_per_meaning_and_the_old_spellings(city, tmp_path):
    out = tmp_path / "processed"
    assert main(["ingest", "--raw-dir", str(city), "--processed-dir", str(out)]) == 0
    assert (out / "observations.parquet").is_file()
    parser = build_parser()
    old = parser.parse_args(["ingest", "--data-dir", "a", "--out-dir", "b"])
    assert (old.raw_dir, old.processed_dir) == ("a", "b")
    run = parser.parse_args(["run", "--as-of", "2026-03", "--all", "--data-dir", "p"])
    assert run.processed_dir == "p" and run.out == "reports"
    assert parser.parse_args(["run", "--as-of", "2026-03", "--all"]).processed_dir == "data/processed"
    assert parser.parse_args(["backtest"]).processed_dir == "data/processed"
    helps = {name: sub.format_help() for name, sub in parser._subparsers._group_actions[0].choices.items()}
    assert "--out-dir" not in helps["ingest"] and "--data-dir" not in helps["run"]
    assert "--raw-dir" in helps["ingest"] and "--processed-dir" in helps["run"] and "--processed-dir" in helps["backtest"]


def test_backtest_says_why_it_found_nothing(city, tmp_path, capsys):
    out = tmp_path / "processed"
    assert main(["ingest", "--raw-dir", str(city), "--processed-dir", str(out)]) == 0
    capsys.readouterr()
    assert main(["backtest", "--processed-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    # the two counties publish 2025 and 2026 Jan-Mar only: no December to project
    assert "q1brief backtest: 0 series" in printed
    assert ("nothing to backtest: a backtest projects a past year from its first months, so it needs a December "
            "figure in a year after the first year of data (2025); December figures found: none") in printed
