"""A bureau export file -> its cells, row by row (the one place where rows are read).

CSV is decoded as UTF-8 (with or without BOM), then GB18030, and streamed from disk (the
encoding is found with an incremental decoder, so a large file is never held as text);
``.xls`` is read with xlrd (date cells become ``datetime``), ``.xlsx`` with openpyxl in
read-only mode; the first sheet of a workbook is the table. :func:`iter_rows` yields one
list of cells per row and is where every row is checked: a cell holding a control
character (a NUL byte is never a real label or region) and a CSV cell the csv module
cannot read (``field larger than field limit``: usually a stray double quote) are
``DataError`` naming the file and the cell or line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import CONTROL_CHARACTERS, DataError, excel_cell

Cell = object  # str, float, int, datetime or None, as the file gives it
SUFFIXES = (".csv", ".xls", ".xlsx", ".xlsm")
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Grid:
    """Every row of a file's table, and how it was read (encoding or sheet name)."""

    path: Path
    rows: list[list[Cell]]
    read_as: dict[str, str] = field(default_factory=dict)
    complete: bool = True  # False for a part of a long table that more rows follow (see readers.parts)


def decode_csv(path: Path) -> str:
    """Text of a CSV sent as UTF-8 (with or without BOM) or GB18030, as bureaus do."""
    path = Path(path)
    return path.read_bytes().decode(csv_encoding(path)[0])


def csv_encoding(path: Path) -> tuple[str, str]:
    """(codec, name as reported) of a CSV: ``utf-8-sig`` or ``gb18030``, whichever decodes the
    whole file (read in 1 MB blocks, the text is not kept); ``DataError`` when neither does."""
    with Path(path).open("rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with Path(path).open("rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, ("utf-8 (BOM)" if bom else "utf-8") if encoding == "utf-8-sig" else encoding
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
        encoding, name = csv_encoding(path)
        read_as["encoding"] = name
        return _checked(_csv_rows(path, encoding), path)
    if suffix == ".xls":
        return _checked(_xls_rows(path, read_as), path)
    if suffix in {".xlsx", ".xlsm"}:
        return _checked(_xlsx_rows(path, read_as), path)
    raise DataError(f"unsupported file type {suffix!r}", path=path, expected=".csv, .xls or .xlsx")


def _csv_rows(path: Path, encoding: str) -> Iterator[list[Cell]]:
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


def _checked(rows: Iterator[list[Cell]], path: Path) -> Iterator[list[Cell]]:
    """The rows, each checked for control characters (one pattern search per row)."""
    for r, row in enumerate(rows):
        texts = [c for c in row if type(c) is str]
        if texts and CONTROL_CHARACTERS.search(",".join(texts)):
            c = next(i for i, cell in enumerate(row) if type(cell) is str and CONTROL_CHARACTERS.search(cell))
            char = CONTROL_CHARACTERS.search(row[c]).group()  # type: ignore[union-attr]
            raise DataError(f"unreadable cell {row[c]!r}: it holds the control character U+{ord(char):04X}",
                            path=path, location=excel_cell(r, c),
                            expected="text without control characters (a damaged or binary file?)")
        yield row


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
