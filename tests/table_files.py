"""Write small export files in every format the readers take: CSV (any encoding), .xlsx, .xls.

The tests build their fixtures with invented numbers in the real layouts; ``.xls`` files are
real Excel 97-2003 workbooks written by xlwt (date cells with a date format, as bureaus send).
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

FORMATS = ["utf-8", "utf-8-sig", "gb18030", "xls", "xlsx"]


def write_table(folder: Path, stem: str, rows: list[list[object]], fmt: str = "utf-8-sig") -> Path:
    """``rows`` (str, numbers, None, datetime) as ``folder/stem.<ext>`` in format ``fmt``."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        path = folder / f"{stem}.xlsx"
        book.save(path)
        return path
    if fmt == "xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("数据")
        dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if isinstance(cell, datetime.date):
                    sheet.write(r, c, cell, dates)
                elif cell is not None:
                    sheet.write(r, c, cell)
        path = folder / f"{stem}.xls"
        book.save(str(path))
        return path
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [["" if c is None else (c.strftime("%Y-%m-%d") if isinstance(c, datetime.date) else c) for c in row]
         for row in rows])
    path = folder / f"{stem}.csv"
    path.write_bytes(buffer.getvalue().encode(fmt))
    return path
