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

import codecs
import csv
import datetime
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from analysis.core.catalog import package_regions, region_name_index
from analysis.core.errors import DataError, excel_cell
from analysis.core.periods import parse_period_label
from analysis.data.bureau_body import COLUMNS, MASKED, Cell, body_frame, check_controls, parse_value, read_body
from analysis.data.bureau_body import text_of as _text

__all__ = ["COLUMNS", "MASKED", "csv_encoding", "decode_csv", "iter_rows", "parse_value", "read_bureau_table",
           "read_grid"]

def read_grid(path: str | Path) -> list[list[Cell]]:
    """All cells of the first sheet (Excel) or of the CSV, as a list of rows.

    CSV is decoded as UTF-8 (with or without BOM), then GB18030; anything else is a
    ``DataError`` naming the file and the encodings tried.
    """
    return list(iter_rows(path))


def iter_rows(path: str | Path) -> Iterator[list[Cell]]:
    """The rows of a table one by one: a CSV is streamed from disk (a 2,000,000-row table is
    never held as text and cells at once), an Excel sheet is read whole."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError("file not found", path=path, expected="a readable .csv, .xls or .xlsx file")
    if suffix == ".csv":
        return _read_csv_rows(path, csv_encoding(path))
    if suffix == ".xls":
        return iter(_read_xls_grid(path))
    if suffix in {".xlsx", ".xlsm"}:
        return iter(_read_xlsx_grid(path))
    raise DataError(f"unsupported file type {suffix!r}", path=path, expected=".csv, .xls or .xlsx")


def csv_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``gb18030``, whichever decodes the whole file (read in 1 MB blocks:
    the decoded text is not kept); ``DataError`` when neither does."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise DataError(
        "cannot decode the file", path=path, expected="CSV encoded as UTF-8 (with or without BOM) or GB18030"
    )


def decode_csv(path: Path) -> str:
    """Text of a CSV sent as UTF-8 (with or without BOM) or GB18030, as bureaus do."""
    return path.read_bytes().decode(csv_encoding(path))


def _read_csv_rows(path: Path, encoding: str) -> Iterator[list[Cell]]:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        try:
            yield from reader
        except csv.Error as exc:
            raise DataError(
                f"unreadable CSV near line {reader.line_num} ({exc}): a cell longer than {csv.field_size_limit()} "
                "characters usually means a stray double quote (\") that opens a quote running to the end of the "
                "file", path=path, location=f"line {reader.line_num}",
                expected="cells of ordinary length, with quotes closed") from None


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


def _find_header(rows: Iterator[list[Cell]], path: Path) -> tuple[list[list[Cell]], int]:
    """The rows up to and including the header row, and the header's 指标 column (1 for
    layout (b), else 0); the rest of ``rows`` is left to read."""
    head: list[list[Cell]] = []
    for row in rows:
        head.append(row)
        first = [_text(c) for c in row[:2]] + ["", ""]
        if first[0] == "指标":
            return head, 0
        if first[0] in {"地区", "地区名称", "区县", "县区"} and first[1] == "指标":
            return head, 1
    raise DataError(
        "missing header: no row starting with '指标' (or '地区,指标')",
        path=path, expected="the NBS export layout: header lines, then '指标,2026年3月,2026年2月,…'",
    )


def _stated_end(grid: list[list[Cell]], header: int) -> pd.Period | None:
    """The last month the file says it covers (``时间：2019年1月-2026年3月`` -> 2026-03)."""
    for row in grid[:header]:
        text = _text(row[0]) if row else ""
        if text.startswith(("时间：", "时间:")) and (months := re.findall(r"(\d{4})年(\d{1,2})月", text)):
            year, month = months[-1]
            if 1 <= int(month) <= 12:
                return pd.Period(year=int(year), month=int(month), freq="M")
    return None


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
    or numbers, a month later than the file's stated time (``时间：…``), a row repeated
    within the file, a cell holding a control character (NUL...), and a table that is cut:
    only a header row, or a row with fewer cells than the header promises.

    ``attrs`` of the result say what the file looked like (``database`` line, ``layout``,
    whether it ended with its ``footer`` line, and its ``last_row``), so that files of one
    export can be compared (:func:`analysis.data.loaders.read_bureau_files`).
    """
    path = Path(path)
    rows = iter_rows(path)
    head, indicator_col = _find_header(rows, path)
    header = len(head) - 1
    for r, row in enumerate(head):
        check_controls(row, r, path)
    columns = _month_columns(head[header], indicator_col + 1, path, header, _year_hint(head, header))
    _check_stated_time(columns, _stated_end(head, header), path, header)
    file_region = _header_region(head, header)
    if indicator_col == 0 and file_region is None:
        raise DataError("no region: neither a '地区：' header line nor a '地区' column", path=path,
                        expected="a line '地区：<name>' above the header row")
    body = read_body(rows, path, header, indicator_col, [c for c, _ in columns], file_region)
    names = region_name_index(package_regions())
    if regions is not None:
        names.update(region_name_index(regions))
    frame = body_frame(body, [p for _, p in columns], names, path)
    database = next((_text(r[0]) for r in head[:header] if r and _text(r[0]).startswith("数据库")), "")
    frame.attrs.update(database=database, layout="b" if indicator_col else "a", footer=body.footer,
                       last_row=body.last_row())
    return frame


def _check_stated_time(columns: list[tuple[int, pd.Period]], stated: pd.Period | None, path: Path,
                       header: int) -> None:
    late = [(c, p) for c, p in columns if stated is not None and p > stated]
    if late:
        c, period = late[0]
        raise DataError(f"month {period} in the header is later than the file's stated time (to {stated})",
                        path=path, location=excel_cell(header, c),
                        expected="months no later than the '时间：' line above the header")


def _frame(records: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M") if len(frame) else pd.PeriodIndex([], freq="M")
    frame["value"] = frame["value"].astype(float)
    return frame
