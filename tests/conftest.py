"""Shared fixtures: the real published data (outside the repo) and small table builders."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def real_data_dir() -> Path:
    """``ANALYSIS_REAL_DATA`` or ``../shared/real-data`` beside the repo."""
    return Path(os.environ.get("ANALYSIS_REAL_DATA", REPO.parent / "shared" / "real-data"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reads the real data must say so (``@pytest.mark.realdata``), so
    ``-m "not realdata"`` deselects every one of them."""
    unmarked = [item.nodeid for item in items
                if "real_data" in getattr(item, "fixturenames", ()) and item.get_closest_marker("realdata") is None]
    if unmarked:
        raise pytest.UsageError("tests using the real_data fixture without @pytest.mark.realdata: "
                                + ", ".join(unmarked))


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real-data folder; skips the test with the reason when it is absent."""
    folder = real_data_dir()
    if not (folder / "nbs-province-monthly").is_dir():
        pytest.skip(f"real data not found at {folder} (set ANALYSIS_REAL_DATA to ../shared/real-data)")
    return folder


def write_nbs_csv(path: Path, rows: list[list[str]], region: str = "青山县", encoding: str = "utf-8-sig",
                  months: list[str] | None = None) -> Path:
    """Write a small NBS-layout CSV: header lines, the 指标 row, ``rows``, the footer."""
    months = months or ["2026年3月", "2026年2月", "2026年1月"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["数据库：县区月度数据"], [f"地区：{region}"], ["时间：最近3个月"], ["指标", *months], *rows,
                      ["数据来源：示例市统计局"]])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


REGIONS_CSV = """code,name,level,parent,short_name
990100,示例市,city,,示例
990101,青山县,county,990100,青山
990102,河口县,county,990100,河口
990101001,青山镇,township,990101,青山镇
990101002,柳林乡,township,990101,柳林
990102001,河口镇,township,990102,河口镇
"""
TARGETS_CSV = """region_code,indicator,year,horizon,measure,target
990101,fai,2026,annual,ytd_value,120
990101,fai,2026,annual,ytd_growth,8
990102,iva,2026,q1,ytd_growth,6.5
"""
PROJECTS_CSV = """项目编号,项目名称,县区代码,乡镇代码,计划开工日期,实际开工日期,年度计划投资(万元),累计完成投资(万元),填报日期
P001,光伏产业园一期,990101,990101001,2026-02-15,2026-02-20,"50,000",9000,2026-03-31
P002,智能装备厂房,990101,990101002,2026-03-10,,20000,0,2026-03-31
P003,河口物流园,990102,990102001,2026-01-20,2026-01-18,30000,8000.5,2026-03-31
"""
WEEKLY_CSV = """周截止日期,乡镇代码,县区代码,本周完成投资(万元),累计完成投资(万元),累计开工项目数
2026-03-22,990101001,990101,800,8200,1
2026-03-29,990101001,990101,800,9000,1
2026-03-29,990101002,990101,0,0,0
"""


def write_city(folder: Path) -> Path:
    """A complete, valid two-county data folder (regions, one bureau table each, targets, ledger)."""
    (folder / "bureau").mkdir(parents=True, exist_ok=True)
    for name, text in [("regions.csv", REGIONS_CSV), ("targets.csv", TARGETS_CSV),
                       ("projects.csv", PROJECTS_CSV), ("township_weekly.csv", WEEKLY_CSV)]:
        (folder / name).write_text(text, encoding="utf-8")
    months = ["2026年3月", "2026年2月", "2026年1月", "2025年3月", "2025年2月", "2025年1月"]
    write_nbs_csv(folder / "bureau" / "青山县.csv", [
        ["固定资产投资累计值(万元)", "250000", "120000", "", "232000", "110000", ""],
        ["固定资产投资累计增长(%)", "7.8", "9.1", "", "5.0", "4.0", ""],
    ], region="青山县", months=months)
    write_nbs_csv(folder / "bureau" / "河口县.csv", [
        ["固定资产投资累计值(亿元)", "18.2", "8.1", "", "17.0", "7.5", ""],
        ["固定资产投资累计增长(%)", "7.1", "8.0", "", "3.2", "**", ""],
    ], region="河口县", months=months)
    return folder
