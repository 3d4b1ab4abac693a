"""Which layout an export has, by its content (never its file name).

The header lines (``数据库：``, ``地区：``, ``指标：``, ``时间：``) are read as metadata; the
first row that starts a known table decides the layout (:data:`LAYOUTS`). A file that
matches none gets an error naming the layouts tried and showing its first rows.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.core.errors import DataError
from analysis.core.periods import parse_period
from analysis.data.readers.cells import row_text, text
from analysis.data.readers.grid import Cell, Grid

LAYOUTS = {
    "nbs_region": "(a) NBS, one region: a '地区：' line, then '指标,<months>' and one row per indicator",
    "region_column": "(b) one table with a region column: '地区,指标,<months>', a region on every row",
    "nbs_indicator": "(c) NBS, one indicator: an '指标：' line, then '地区,<months>' and one row per region",
    "months_as_rows": "(d) months as rows: '时间,<indicator or region>,…', then one row per month",
    "nbs_national": "(e) NBS national database (月度数据, 季度数据, 年度数据): no '地区：' line, region 全国",
    "terminal": "(f) data terminal: header rows 指标/地区/频度/单位 (来源), then one row per date",
}
NATIONAL_DATABASES = {"月度数据": "M", "季度数据": "Q", "年度数据": "Y"}
NATIONAL_REGION = "全国"
REGION_WORDS = {"地区", "地区名称", "区县", "县区", "县(市、区)", "县（市、区）", "地区(全部)"}
INDICATOR_WORDS = {"指标", "指标名称"}
TIME_WORDS = {"时间", "日期", "月份", "期间", "时期"}
TERMINAL_KEYS = {"指标": "label", "指标名称": "label", "地区": "region", "频度": "frequency",
                 "频率": "frequency", "单位": "unit", "来源": "source", "数据来源": "source"}
_META = re.compile(r"^(数据库|地区|指标|时间|频度|单位|来源)\s*[：:]\s*(.*)$")
_SCAN_ROWS = 40


@dataclass
class Layout:
    """A detected layout: its name, the header row, and what the lines above it said."""

    name: str
    header: int
    meta: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    year: int | None = None
    preamble: list[str] = field(default_factory=list)


def is_period(cell: Cell) -> bool:
    """True for a date cell or a label :func:`parse_period` reads (a year is assumed)."""
    if isinstance(cell, datetime.date | pd.Timestamp):
        return True
    label = text(cell)
    if not label:
        return False
    try:
        parse_period(label, 2000)
    except ValueError:
        return False
    return True


def _cells(row: list[Cell]) -> list[str]:
    cells = [text(c) for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _periods_follow(row: list[Cell], start: int) -> bool:
    """The first filled cell from ``start`` is a period (a bad label further on is then an
    error naming its cell, not an unknown layout)."""
    first = next((c for c in row[start:] if text(c)), None)
    return first is not None and is_period(first)


def classify(grid: Grid, r: int) -> str | None:
    """The layout whose header row ``r`` is, or None."""
    row = grid.rows[r]
    cells = _cells(row)
    if len(cells) < 2:
        return None
    first = cells[0]
    if first in INDICATOR_WORDS:
        below = {text(grid.rows[i][0]) for i in range(r + 1, min(r + 7, len(grid.rows))) if grid.rows[i]}
        if below & {"频度", "频率", "单位"} and not _periods_follow(row, 1):
            return "terminal"
        return "nbs_region" if _periods_follow(row, 1) else None
    if first in REGION_WORDS:
        if cells[1] in INDICATOR_WORDS and _periods_follow(row, 2):
            return "region_column"
        return "nbs_indicator" if _periods_follow(row, 1) else None
    if first in TIME_WORDS and not _periods_follow(row, 1):
        after = next((grid.rows[i] for i in range(r + 1, len(grid.rows)) if _cells(grid.rows[i])), None)
        return "months_as_rows" if after is not None and is_period(after[0]) else None
    return None


def detect(grid: Grid) -> Layout:
    """The layout of ``grid`` with its metadata; ``DataError`` when no layout fits."""
    meta: dict[str, str] = {}
    preamble: list[str] = []
    for r, row in enumerate(grid.rows[:_SCAN_ROWS]):
        cells = _cells(row)
        if not cells:
            continue
        if len(cells) == 1 and (m := _META.match(cells[0])):
            meta.setdefault(m.group(1), m.group(2).strip())
            continue
        name = classify(grid, r)
        if name is None:
            preamble.append(row_text(row))
            continue
        layout = Layout(name, r, meta, year=_year_hint(meta, preamble), preamble=preamble)
        return _with_region(layout, grid)
    raise unknown_layout(grid)


def _year_hint(meta: dict[str, str], preamble: list[str]) -> int | None:
    """The newest year named above the header (``时间：2025年1月-2026年3月`` -> 2026)."""
    years = [int(y) for line in [*meta.values(), *preamble] for y in re.findall(r"(\d{4})年", line)]
    return max(years) if years else None


def _with_region(layout: Layout, grid: Grid) -> Layout:
    """The region the file names: its '地区：' line, or 全国 for a national database."""
    if "地区" in layout.meta:
        layout.region = layout.meta["地区"]
    elif layout.meta.get("数据库", "") in NATIONAL_DATABASES and layout.name in ("nbs_region", "months_as_rows",
                                                                                  "nbs_indicator"):
        layout.region = NATIONAL_REGION
        if layout.name == "nbs_region":
            layout.name = "nbs_national"
    if layout.name in ("nbs_region", "months_as_rows") and layout.region is None and "指标" not in layout.meta:
        raise DataError("no region: neither a '地区：' header line, a '地区' column nor a national database",
                        path=grid.path,
                        expected="a line '地区：<name>' above the header row, or '数据库：月度数据' for 全国")
    return layout


def unknown_layout(grid: Grid) -> DataError:
    """The error for a file no layout fits: the layouts tried and the first rows seen."""
    shown = [row_text(row)[:90] for row in grid.rows if row_text(row)][:6]
    tried = "; ".join(LAYOUTS.values())
    first = " | ".join(f"row: {line}" for line in shown) or "the file is empty"
    return DataError(f"unknown layout (missing header: no row starts a known table); first rows: {first}",
                     path=grid.path, expected=f"one of the layouts {tried}")
