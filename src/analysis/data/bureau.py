"""Read one bureau export (NBS "分省月度数据" layout) into tidy observations.

Two layouts are read (see docs/data-formats.md):

(a) one region per file: header lines ``数据库：…``, ``地区：<name>``, ``时间：…``, then a row
    ``指标, 2026年3月, 2026年2月, …`` (newest first) and one row per indicator;
(b) several regions: a header row ``地区, 指标, <months>`` and a region name on every row.

Values are kept exactly as in the cell (unit as in the file); masked cells become NaN with
their text kept in ``raw`` so the validator can list them. Rows whose indicator is not in
the catalogue are kept with ``indicator`` missing and their ``label``: reported, never
silently dropped.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import match_indicator, package_regions, parse_row_label, region_name_index
from analysis.core.errors import DataError, excel_cell
from analysis.core.periods import parse_period_label

COLUMNS = [
    "region_code", "region_name", "indicator", "period", "measure", "value", "unit",
    "source", "label", "raw",
]
MASKED = frozenset({"**", "*", "…", "……", "...", "-", "—", "--", "——", "－", "x", "X"})
_FOOTER = ("数据来源", "注：", "注:", "说明", "备注")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:%|％|亿元|万元|元|万千瓦时|亿千瓦时|户|家|个)?$")
_NO_SUFFIX_MEASURE = "ytd_value"  # ratio/stock rows without 累计值 are period-end levels

Cell = object  # str, float, int or None, as the file gives it


def read_grid(path: str | Path) -> list[list[Cell]]:
    """All cells of the first sheet (Excel) or of the CSV, as a list of rows.

    CSV is decoded as UTF-8 (with or without BOM), then GB18030; anything else is a
    ``DataError`` naming the file and the encodings tried.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError("file not found", path=path, expected="a readable .csv, .xls or .xlsx file")
    if suffix == ".csv":
        return _read_csv_grid(path)
    if suffix == ".xls":
        return _read_xls_grid(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx_grid(path)
    raise DataError(f"unsupported file type {suffix!r}", path=path, expected=".csv, .xls or .xlsx")


def decode_csv(path: Path) -> str:
    """Text of a CSV sent as UTF-8 (with or without BOM) or GB18030, as bureaus do."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(
        "cannot decode the file", path=path, expected="CSV encoded as UTF-8 (with or without BOM) or GB18030"
    )


def _read_csv_grid(path: Path) -> list[list[Cell]]:
    return [list(row) for row in csv.reader(io.StringIO(decode_csv(path)))]


def _read_xls_grid(path: Path) -> list[list[Cell]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises many types for a damaged file
        raise DataError(f"unreadable .xls file ({exc})", path=path, expected="an Excel 97-2003 workbook") from exc
    sheet = book.sheet_by_index(0)
    grid: list[list[Cell]] = []
    for r in range(sheet.nrows):
        row: list[Cell] = []
        for c in range(sheet.ncols):
            kind, value = sheet.cell_type(r, c), sheet.cell_value(r, c)
            row.append(None if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) else value)
        grid.append(row)
    book.release_resources()
    return grid


def _read_xlsx_grid(path: Path) -> list[list[Cell]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many types for a damaged file
        raise DataError(f"unreadable .xlsx file ({exc})", path=path, expected="an Excel workbook") from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _text(cell: Cell) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell).strip()


def parse_value(cell: Cell, *, path: Path, location: str) -> tuple[float, str]:
    """Number in a cell -> (value, status) with status ``ok``, ``blank`` or ``masked``.

    Accepts numbers, numeric text with thousands separators and a trailing unit or %.
    Anything else raises ``DataError`` naming the cell.
    """
    if isinstance(cell, bool):
        raise DataError(f"unparseable number {cell!r}", path=path, location=location, expected="a number")
    if isinstance(cell, (int, float, np.number)):
        value = float(cell)
        return (value, "ok") if not math.isnan(value) else (math.nan, "blank")
    text = _text(cell).replace("\u3000", "")
    if not text:
        return math.nan, "blank"
    if text in MASKED:
        return math.nan, "masked"
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    if m := _NUMBER.match(cleaned):
        return float(m.group(1)), "ok"
    raise DataError(
        f"unparseable number {text!r}", path=path, location=location,
        expected="a number (masked cells as **, …, -; blank for missing)",
    )


def _header_row(grid: list[list[Cell]], path: Path) -> tuple[int, int]:
    """Index of the header row and of its 指标 column (1 for layout (b), else 0)."""
    for r, row in enumerate(grid):
        first = [_text(c) for c in row[:2]] + ["", ""]
        if first[0] == "指标":
            return r, 0
        if first[0] in {"地区", "地区名称", "区县", "县区"} and first[1] == "指标":
            return r, 1
    raise DataError(
        "missing header: no row starting with '指标' (or '地区,指标')",
        path=path, expected="the NBS export layout: header lines, then '指标,2026年3月,2026年2月,…'",
    )


def _header_region(grid: list[list[Cell]], header: int) -> str | None:
    for row in grid[:header]:
        text = _text(row[0]) if row else ""
        if m := re.match(r"^地区[：:]\s*(.+)$", text):
            return m.group(1).strip()
    return None


def _year_hint(grid: list[list[Cell]], header: int) -> int | None:
    """The newest year named above the header (``时间：2025年1月-2026年3月`` -> 2026)."""
    years = [int(y) for row in grid[:header] for y in re.findall(r"(\d{4})年", _text(row[0]) if row else "")]
    return max(years) if years else None


def _header_period(cell: Cell, year: int | None) -> pd.Period:
    """A month header: a label, or a date cell (Excel turns '2026年3月' into a date)."""
    if isinstance(cell, (datetime.date, pd.Timestamp)):
        return pd.Period(cell, freq="M")
    return parse_period_label(_text(cell), year)


def _month_columns(
    row: Sequence[Cell], start: int, path: Path, header: int, year: int | None
) -> list[tuple[int, pd.Period]]:
    """(column, month) of every month header. A label without a year ('1-2月', '12月') takes
    the year of its left neighbour, one less when the month goes up (columns run newest first)."""
    columns: list[tuple[int, pd.Period]] = []
    previous: pd.Period | None = None
    for c in range(start, len(row)):
        label = _text(row[c])
        if not label:
            continue
        has_year = isinstance(row[c], (datetime.date, pd.Timestamp)) or re.match(r"^\s*\d{4}", label)
        guess = year
        if not has_year and previous is not None:
            guess = previous.year
        try:
            period = _header_period(row[c], guess)
            if not has_year and previous is not None and period.month >= previous.month:
                period = pd.Period(year=period.year - 1, month=period.month, freq="M")
        except ValueError as exc:
            raise DataError(
                str(exc), path=path, location=excel_cell(header, c),
                expected="'2026年3月', '2026年1-3月', '1-2月', '一季度' or '2026-03'",
            ) from exc
        previous = period
        columns.append((c, period))
    if not columns:
        raise DataError("header row has no month columns", path=path, location=f"row {header + 1}",
                        expected="month labels such as '2026年3月' after '指标'")
    periods = [p for _, p in columns]
    if len(set(periods)) != len(periods):
        dup = next(p for p in periods if periods.count(p) > 1)
        raise DataError(f"month {dup} appears twice in the header", path=path, location=f"row {header + 1}",
                        expected="each month once")
    return columns


def read_bureau_table(path: str | Path, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy observations from one bureau export (``.csv``, ``.xls``, ``.xlsx``).

    Columns: ``region_code, region_name, indicator, period, measure, value, unit, source,
    label, raw``. ``regions`` (code, name, short_name) maps region names to codes; the
    package's country/province catalogue is always included. Raises ``DataError`` naming
    the file and cell for unreadable files, a missing header, unparseable month labels
    or numbers, and a row repeated within the file.
    """
    path = Path(path)
    grid = read_grid(path)
    header, indicator_col = _header_row(grid, path)
    year = _year_hint(grid, header)
    columns = _month_columns(grid[header], indicator_col + 1, path, header, year)
    month_of = dict(columns)
    names = region_name_index(package_regions())
    if regions is not None:
        names.update(region_name_index(regions))
    file_region = _header_region(grid, header)
    if indicator_col == 0 and file_region is None:
        raise DataError("no region: neither a '地区：' header line nor a '地区' column", path=path,
                        expected="a line '地区：<name>' above the header row")

    records: list[tuple] = []
    seen: dict[tuple, int] = {}
    for r in range(header + 1, len(grid)):
        row = grid[r]
        if row and _text(row[0]).startswith(_FOOTER):
            break
        label = _text(row[indicator_col]) if len(row) > indicator_col else ""
        if not label:
            if any(_text(c) for c in row):
                raise DataError("row has values but no indicator name", path=path,
                                location=excel_cell(r, indicator_col), expected="an indicator name")
            continue
        region_name = _text(row[0]) if indicator_col == 1 else file_region
        name, measure, unit = parse_row_label(label)
        code = match_indicator(name)
        measure = measure or _NO_SUFFIX_MEASURE
        key = (region_name, label)
        if key in seen:
            raise DataError(f"duplicate row {label!r} for region {region_name!r} (also row {seen[key] + 1})",
                            path=path, location=f"row {r + 1}", expected="each region and indicator once")
        seen[key] = r
        region_code = names.get(region_name)
        stray = [c for c in range(indicator_col + 1, len(row)) if c not in month_of and _text(row[c])]
        if stray:
            raise DataError(f"value {_text(row[stray[0]])!r} in a column without a month header", path=path,
                            location=excel_cell(r, stray[0]), expected="a month label above every value")
        for c, period in columns:
            cell = row[c] if c < len(row) else None
            where = excel_cell(r, c)
            value, _status = parse_value(cell, path=path, location=where)
            records.append((region_code, region_name, code, period, measure, value, unit or "",
                            f"{path.name}!{where}", label, _text(cell)))
    return _frame(records)


def _frame(records: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M") if len(frame) else pd.PeriodIndex([], freq="M")
    frame["value"] = frame["value"].astype(float)
    return frame
