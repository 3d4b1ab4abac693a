"""A bureau export file -> its cells, row by row (the one place where rows are read).

CSV is decoded as UTF-8 (with or without BOM), then GB18030; ``.xls`` is read with xlrd
(date cells become ``datetime``), ``.xlsx`` with openpyxl in read-only mode; the first
sheet of a workbook is the table. :func:`iter_rows` yields one list of cells per row, so a
structural check (a truncated table, a row count limit) can be added in one place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import DataError

Cell = object  # str, float, int, datetime or None, as the file gives it
SUFFIXES = (".csv", ".xls", ".xlsx", ".xlsm")
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Grid:
    """Every row of a file's table, and how it was read (encoding or sheet name)."""

    path: Path
    rows: list[list[Cell]]
    read_as: dict[str, str] = field(default_factory=dict)


def decode_csv(path: Path) -> str:
    """Text of a CSV sent as UTF-8 (with or without BOM) or GB18030, as bureaus do."""
    return _decode(Path(path))[0]


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        name = "utf-8 (BOM)" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return text, name.replace("utf-8-sig", "utf-8")
    raise DataError(
        "cannot decode the file", path=path, expected="CSV encoded as UTF-8 (with or without BOM) or GB18030"
    )


def read_grid(path: str | Path) -> Grid:
    """All cells of the first sheet (Excel) or of the CSV; ``DataError`` names the file and
    what was expected when it cannot be read."""
    path = Path(path)
    read_as: dict[str, str] = {}
    rows = list(iter_rows(path, read_as))
    return Grid(path, rows, read_as)


def iter_rows(path: Path, read_as: dict[str, str] | None = None) -> Iterator[list[Cell]]:
    """The rows of ``path`` one at a time; ``read_as`` receives the encoding or sheet name."""
    read_as = {} if read_as is None else read_as
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError("file not found", path=path, expected="a readable .csv, .xls or .xlsx file")
    if suffix == ".csv":
        text, encoding = _decode(path)
        read_as["encoding"] = encoding
        return (list(row) for row in csv.reader(io.StringIO(text)))
    if suffix == ".xls":
        return _xls_rows(path, read_as)
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path, read_as)
    raise DataError(f"unsupported file type {suffix!r}", path=path, expected=".csv, .xls or .xlsx")


def _xls_rows(path: Path, read_as: dict[str, str]) -> Iterator[list[Cell]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises many types for a damaged file
        raise DataError(f"unreadable .xls file ({exc})", path=path, expected="an Excel 97-2003 workbook") from exc
    sheet = book.sheet_by_index(0)
    read_as["sheet"] = sheet.name
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)

    def rows() -> Iterator[list[Cell]]:
        try:
            for r in range(sheet.nrows):
                row: list[Cell] = []
                for kind, value in zip(sheet.row_types(r), sheet.row_values(r), strict=True):
                    if kind in empty:
                        row.append(None)
                    elif kind == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(value, book.datemode))
                    else:
                        row.append(value)
                yield row
        finally:
            book.release_resources()

    return rows()


def _xlsx_rows(path: Path, read_as: dict[str, str]) -> Iterator[list[Cell]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many types for a damaged file
        raise DataError(f"unreadable .xlsx file ({exc})", path=path, expected="an Excel workbook") from exc
    sheet = book.worksheets[0]
    read_as["sheet"] = sheet.title

    def rows() -> Iterator[list[Cell]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()

    return rows()
