"""Write the sample city's files in the layouts analysts receive (data-formats.md).

Bureau tables follow the NBS "分省月度数据" export: three header lines, an ``指标`` row with
months newest first, ``<name>累计值(<unit>)`` / ``<name>累计增长(%)`` rows, a source footer,
every line padded with commas to the table width. Most are UTF-8 CSV with a BOM; one county
is an ``.xlsx`` workbook and one a GB18030 CSV; 规上工业增加值 growth of all regions is in one
multi-region file (layout (b)). Every file is written to a temporary name and renamed, and
the ``.xlsx`` gets fixed zip timestamps and document dates so reruns are byte-identical.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.core.atomic import write_bytes
from analysis.core.catalog import indicator as catalogue_row
from analysis.core.ooxml import freeze_package, w3cdtf
from analysis.sample.geography import CITY_CODE

DATABASE = "数据库：示例市县区月度数据（虚构示例数据）"
TIME_LINE = "时间：2019年1月-2026年3月"
SOURCE = "数据来源：示例市统计局（虚构示例数据，非真实统计）"
XLSX_COUNTY = "990122"  # 河口县 arrives as an Excel workbook
GB18030_COUNTY = "990124"  # 柳溪县 arrives as a GB18030 CSV
IVA_FILE = "分县规上工业增加值.csv"
FIXED_TIME = (2026, 4, 10, 9, 0, 0)

# Row order of the per-region tables and the names the bureau uses (variants by county).
ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fai", ("固定资产投资", "固定资产投资(不含农户)")),
    ("tech_invest", ("技改投资", "工业技术改造投资")),
    ("ind_output", ("规上工业总产值", "规模以上工业总产值")),
    ("trad_share", ("传统产业产值占比", "纺织机械产值占比")),
    ("sei_share", ("战略性新兴产业产值占比", "战新产业产值占比")),
    ("electricity", ("工业用电量", "全社会工业用电量")),
    ("new_entities", ("新增市场主体", "新登记市场主体")),
    ("new_hightech", ("新增高新技术企业", "新认定高新技术企业")),
    ("retail", ("社会消费品零售总额", "社零总额")),
    ("project_conversion", ("招商引资项目落地转化率", "项目落地转化率")),
    ("financing_rate", ("企业融资需求满足率", "融资需求满足率")),
    ("plot_ratio", ("工业用地容积率", "开发区工业用地容积率")),
)
SUFFIX = {"ytd_value": "累计值", "ytd_growth": "累计增长"}
RATIO_KINDS = ("ratio", "stock")


def month_label(period: str) -> str:
    """``2026-03`` -> ``2026年3月`` (the NBS header form)."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def row_label(code: str, name: str, measure: str) -> str:
    """Bureau row label, e.g. ``固定资产投资累计值(亿元)``, ``传统产业产值占比(%)``."""
    meta = catalogue_row(code)
    if meta["kind"] in RATIO_KINDS:
        return f"{name}({meta['unit']})" if meta["unit"] else name
    unit = "%" if measure == "ytd_growth" else meta["unit"]
    return f"{name}{SUFFIX[measure]}({unit})"


def region_grid(cells: pd.DataFrame, region: str, name: str, variant: int) -> list[list[object]]:
    """Layout (a) table of one region as rows of cells (numbers as float, text as str)."""
    sub = cells[(cells["region_code"] == region) & (cells["indicator"] != "iva")]
    periods = sorted(sub["period"].unique(), reverse=True)
    grid: list[list[object]] = [
        [DATABASE],
        [f"地区：{name}"],
        [TIME_LINE],
        ["指标", *(month_label(p) for p in periods)],
    ]
    for k, (code, names) in enumerate(ROWS):
        for measure in ("ytd_value", "ytd_growth"):
            row = sub[(sub["indicator"] == code) & (sub["measure"] == measure)]
            if row.empty:
                continue
            label = row_label(code, names[(variant + k) % len(names)], measure)
            grid.append([label, *_cells(row.set_index("period").reindex(periods))])
    grid.append([SOURCE])
    return grid


def iva_grid(cells: pd.DataFrame, names: dict[str, str]) -> list[list[object]]:
    """Layout (b): 规上工业增加值 growth of the city and every county in one table."""
    sub = cells[cells["indicator"] == "iva"]
    periods = sorted(sub["period"].unique(), reverse=True)
    grid: list[list[object]] = [
        [DATABASE],
        [TIME_LINE],
        ["地区", "指标", *(month_label(p) for p in periods)],
    ]
    for region, name in names.items():
        row = sub[sub["region_code"] == region].set_index("period").reindex(periods)
        grid.append([name, "规上工业增加值累计增长(%)", *_cells(row)])
    return grid


def _cells(row: pd.DataFrame) -> list[object]:
    """Cell contents: the number when the text is a plain number, else the text ('' blank)."""
    plain = re.compile(r"^-?\d+(\.\d+)?$")
    return [float(v) if plain.match(t) else t for v, t in zip(row["value"], row["text"], strict=True)]


def _csv_text(grid: Sequence[Sequence[object]]) -> str:
    width = max(len(r) for r in grid)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in grid:
        padded = [_csv_cell(c) for c in row] + [""] * (width - len(row))
        writer.writerow(padded)
    return buffer.getvalue()


def _csv_cell(cell: object) -> str:
    if isinstance(cell, float):
        text = f"{cell:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return str(cell)


def write_csv(grid: Sequence[Sequence[object]], path: Path, encoding: str = "utf-8-sig") -> None:
    """A grid as CSV (LF line ends, rows padded to the table width)."""
    write_bytes(path, _csv_text(grid).encode(encoding))


def write_xlsx(grid: Sequence[Sequence[object]], path: Path) -> None:
    """A grid as a one-sheet workbook, with fixed dates so the bytes do not change on rerun."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "月度数据"
    for row in grid:
        sheet.append([None if c == "" else c for c in row])
    book.properties.creator = "示例市统计局"
    book.properties.created = datetime(*FIXED_TIME)
    buffer = io.BytesIO()
    book.save(buffer)
    write_bytes(path, freeze_package(buffer.getvalue(), FIXED_TIME, w3cdtf(FIXED_TIME)))


def write_bureau(cells: pd.DataFrame, regions: pd.DataFrame, out: Path) -> list[Path]:
    """All bureau tables under ``out/bureau``; returns the paths written."""
    names = regions[regions["level"].isin(["city", "county"])].set_index("code")["name"].to_dict()
    written = []
    for i, (code, name) in enumerate(names.items()):
        grid = region_grid(cells, code, name, variant=0 if code == CITY_CODE else i)
        if code == XLSX_COUNTY:
            path = out / "bureau" / f"{name}.xlsx"
            write_xlsx(grid, path)
        else:
            path = out / "bureau" / f"{name}.csv"
            write_csv(grid, path, "gb18030" if code == GB18030_COUNTY else "utf-8-sig")
        written.append(path)
    path = out / "bureau" / IVA_FILE
    write_csv(iva_grid(cells, names), path)
    return [*written, path]


def write_frame(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """A plain CSV (dates as YYYY-MM-DD, numbers without trailing zeros)."""
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.10g")
    write_bytes(path, text.encode(encoding))
