"""A list of sheets -> one formatted ``.xlsx`` (bytes), the way an analyst formats a table.

:class:`Sheet` holds columns of plain values (numbers stay numbers) with a number format
and optionally a fill colour per cell; :func:`workbook_bytes` writes them with openpyxl:
bold header row (optionally a row of group headings above it), frozen header and key
columns, an autofilter, thin borders, column widths that fit Chinese text (a CJK character
counts as two), and an A4 landscape page one page wide with the header row repeated on
every page. The package is deterministic: member times are fixed and ``dcterms:modified``
equals the creation time, so the same sheets and ``created`` give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core.formatting import fmt, rounded
from analysis.core.ooxml import ZIP_EPOCH, freeze_package, w3cdtf

TEXT = "@"
INTEGER = "0"
PERCENT = "0.0%"  # a fraction shown as a percentage: 0.221 -> 22.1%
DATE = "yyyy-mm-dd"
HEADER_FILL = "D9E1F2"
MIN_WIDTH, MAX_WIDTH = 6, 40
LINE_HEIGHT = 15.0  # points per line of 11-point text


def decimal_format(decimals: int, signed: bool = False) -> str:
    """``#,##0.0`` for one decimal; ``signed`` adds a + to positive figures (gaps)."""
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    if not signed:
        return body
    zero = "0" + ("." + "0" * decimals if decimals else "")
    return f"+{body};-{body};{zero}"


PP = decimal_format(1, signed=True)  # 百分点: +1.2 / -0.4 / 0.0
GROWTH = "0.0"  # a rate in percent (5.2 means 5.2%): the header or 单位 says %


# ---------------------------------------------------------------- cell values


def numbers(values: Sequence[float] | pd.Series, decimals: int | Sequence[int] = 1) -> list[float]:
    """Figures rounded as the notes print them (NaN stays empty); ``decimals`` per cell or one."""
    values = list(values)
    places = [decimals] * len(values) if isinstance(decimals, int) else list(decimals)
    return [rounded(v, d) for v, d in zip(values, places, strict=True)]


def fractions(values: Sequence[float] | pd.Series) -> list[float]:
    """Rates as fractions rounded to one decimal of a percent (0.221085 -> 0.221 -> 22.1%)."""
    return [float(Decimal(fmt(100 * v, 1)).scaleb(-2)) if pd.notna(v) else np.nan for v in values]


def integers(values: Sequence[float] | pd.Series) -> list[int | None]:
    """Whole numbers (ranks, counts); NaN stays empty."""
    return [int(v) if pd.notna(v) else None for v in values]


def dates(values: Sequence[object] | pd.Series) -> list[date | None]:
    """Calendar dates (shown with :data:`DATE`); NaT stays empty."""
    return [v.date() if pd.notna(v) else None for v in pd.to_datetime(pd.Series(list(values), dtype=object))]


@dataclass
class Column:
    """One column: header, values (None = empty), number format(s) and fill colours.

    ``number_format`` is one format for the column or one per cell; ``fills`` one
    ``#rrggbb`` colour (or None) per cell, drawn with white bold text (status colours).
    """

    header: str
    values: Sequence[Any]
    number_format: str | Sequence[str] = "General"
    fills: Sequence[str | None] | None = None
    wrap: bool = False
    max_width: int = MAX_WIDTH
    center: bool = False

    def format_at(self, i: int) -> str:
        return self.number_format if isinstance(self.number_format, str) else self.number_format[i]


@dataclass
class Sheet:
    """A sheet: its tab name, print title, columns and layout.

    ``groups`` (label, number of columns) spanning the columns after ``freeze_cols`` put a
    row of merged group headings above the header row (the autofilter stays on the header row);
    ``empty_note`` is written under the header when there are no rows.
    """

    name: str
    title: str
    columns: list[Column]
    freeze_cols: int = 0
    groups: list[tuple[str, int]] = field(default_factory=list)
    empty_note: str = "无数据"
    autofilter: bool = True

    @property
    def n_rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0


def text_width(text: str) -> int:
    """Display width of ``text``: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def display_text(value: Any, number_format: str) -> str:
    """Roughly what Excel shows for ``value`` under ``number_format`` (for column widths)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value.isoformat() if isinstance(value, date) else str(value)
    section = number_format.split(";")[0]
    decimals = len(re.search(r"\.(0*)", section).group(1)) if "." in section else 0
    shown = 100 * value if section.endswith("%") else value
    text = f"{shown:,.{decimals}f}" if "," in section else f"{shown:.{decimals}f}"
    return ("+" if section.startswith("+") and value > 0 else "") + text + ("%" if "%" in section else "")


def _cell_value(value: Any) -> Any:
    """Plain Python values for openpyxl: NaN/NaT -> empty, numpy scalars -> int/float,
    a timestamp at midnight -> a date."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date() if midnight else value
    return value


def _width(column: Column) -> float:
    data = max((text_width(display_text(_cell_value(v), column.format_at(i)))
                for i, v in enumerate(column.values)), default=0)
    header = text_width(column.header)
    if header > max(data, 8):  # long headers wrap onto two lines
        header = max(data, math.ceil(header / 2))
    return float(min(max(data, header, MIN_WIDTH) + 2, column.max_width))


_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(bold=True)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header_cell(ws: Worksheet, row: int, col: int, text: str) -> None:
    cell = ws.cell(row=row, column=col, value=text)
    cell.font, cell.alignment, cell.border = _HEADER_FONT, _HEADER_ALIGN, _BORDER
    cell.fill = PatternFill("solid", fgColor="FF" + HEADER_FILL)


def _write_headers(ws: Worksheet, sheet: Sheet) -> int:
    """Header row(s); returns the row number of the column headers."""
    row = 2 if sheet.groups else 1
    for j, column in enumerate(sheet.columns, start=1):
        _header_cell(ws, row, j, column.header)
    if sheet.groups:
        for j in range(1, sheet.freeze_cols + 1):  # key columns: headed in the filter row only
            _header_cell(ws, 1, j, "")
        start = sheet.freeze_cols + 1
        for label, span in sheet.groups:
            _header_cell(ws, 1, start, label)
            for j in range(start + 1, start + span):
                _header_cell(ws, 1, j, "")
            if span > 1:
                ws.merge_cells(start_row=1, start_column=start, end_row=1, end_column=start + span - 1)
            start += span
    ws.row_dimensions[row].height = 30
    return row


def _write_body(ws: Worksheet, sheet: Sheet, first: int) -> int:
    """The data cells from row ``first``; returns the last row written."""
    if sheet.n_rows == 0:
        ws.cell(row=first, column=1, value=sheet.empty_note)
        return first
    for j, column in enumerate(sheet.columns, start=1):
        align = Alignment(horizontal="center" if column.center else None, vertical="top",
                          wrap_text=column.wrap)
        for i, value in enumerate(column.values):
            cell = ws.cell(row=first + i, column=j, value=_cell_value(value))
            cell.number_format = column.format_at(i)
            cell.border = _BORDER
            cell.alignment = align
            colour = column.fills[i] if column.fills is not None else None
            if colour:
                cell.fill = PatternFill("solid", fgColor="FF" + colour.lstrip("#").upper())
                cell.font = Font(bold=True, color="FFFFFF")
    _wrapped_heights(ws, sheet, first)
    return first + sheet.n_rows - 1


def _wrapped_heights(ws: Worksheet, sheet: Sheet, first: int) -> None:
    """Row heights for wrapped text (spreadsheets do not grow rows on opening a file)."""
    wrapped = [c for c in sheet.columns if c.wrap]
    if not wrapped:
        return
    widths = [_width(c) - 1 for c in wrapped]
    for i in range(sheet.n_rows):
        lines = max(math.ceil(text_width(str(c.values[i] or "")) / w) or 1
                    for c, w in zip(wrapped, widths, strict=True))
        if lines > 1:
            ws.row_dimensions[first + i].height = LINE_HEIGHT * lines


def _page_setup(ws: Worksheet, title: str, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.8  # inches; the page header sits at 0.3
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Fill ``ws`` with ``sheet``: headers, cells, widths, freeze panes, filter, print setup."""
    ws.title = sheet.name
    header_row = _write_headers(ws, sheet)
    last_row = _write_body(ws, sheet, header_row + 1)
    last_col = get_column_letter(max(len(sheet.columns), 1))
    for j, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(column)
    ws.freeze_panes = f"{get_column_letter(sheet.freeze_cols + 1)}{header_row + 1}"
    if sheet.n_rows and sheet.autofilter:
        ws.auto_filter.ref = f"A{header_row}:{last_col}{last_row}"
    _page_setup(ws, sheet.title, header_row)


def _utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without tzinfo, to the second (naive times are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def workbook_bytes(sheets: Sequence[Sheet], created: datetime | None = None, title: str = "",
                   creator: str = "q1brief") -> bytes:
    """The sheets as one ``.xlsx``; the same sheets and ``created`` give the same bytes.

    ``created`` (default: now, UTC) is the only time in the file: it is the document's
    creation and modification time; zip members carry a fixed date.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    created = _utc_naive(created or datetime.now(UTC))
    book = Workbook()
    write_sheet(book.active, sheets[0])
    for sheet in sheets[1:]:
        write_sheet(book.create_sheet(), sheet)
    book.properties.creator = creator
    book.properties.title = title
    book.properties.created = created
    book.properties.lastModifiedBy = creator
    buffer = io.BytesIO()
    book.save(buffer)
    return freeze_package(buffer.getvalue(), ZIP_EPOCH, w3cdtf(created))
