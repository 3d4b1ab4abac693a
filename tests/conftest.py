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
