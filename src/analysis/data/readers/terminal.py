"""Layout (f): data-terminal exports (Wind / iFinD / CEIC style).

Header rows named in the first column (``指标`` or ``指标名称``, ``地区``, ``频度``, ``单位``,
sometimes ``来源``) give each column its indicator ``<指标>_<口径>``, region, frequency and
unit; then one row per date (``2010-05``, ``2010-05-31`` or a date cell). Monthly and
quarterly columns may stand side by side: a quarterly value sits on the quarter's last
month. Cells before a series' first value and after its last are not observations (the
series was not published then); blanks inside a series are kept and reported.
"""

from __future__ import annotations

import numpy as np

from analysis.core.errors import DataError, excel_cell
from analysis.core.measures import caliber_measure
from analysis.data.readers.block import Block
from analysis.data.readers.cells import text
from analysis.data.readers.detect import TERMINAL_KEYS, Layout
from analysis.data.readers.grid import Grid
from analysis.data.readers.nbs import PERIOD_FORMS, _filled, check_complete, data_rows, matrix, period_axis

FREQUENCY_WORDS = {"月": "M", "月度": "M", "m": "M", "monthly": "M", "month": "M",
                   "季": "Q", "季度": "Q", "q": "Q", "quarterly": "Q", "quarter": "Q",
                   "年": "Y", "年度": "Y", "y": "Y", "a": "Y", "annual": "Y", "yearly": "Y", "": "M"}
_QUARTER_END = {"M": None, "Q": 3, "Y": 12}


def _header_rows(grid: Grid, start: int) -> tuple[dict[str, int], int]:
    """Attribute -> grid row of the header rows from ``start``, and the first data row."""
    found: dict[str, int] = {}
    r = start
    while r < len(grid.rows):
        row = grid.rows[r]
        key = TERMINAL_KEYS.get(text(row[0]) if row else "")
        if key is None:
            break
        found.setdefault(key, r)
        r += 1
    return found, r


def split_caliber(label: str) -> str:
    """The 口径 of ``<指标>_<口径>`` when it is a known one, else ''."""
    for sep in ("_", ":", "："):
        if sep in label:
            caliber = label.rsplit(sep, 1)[1].strip()
            if caliber_measure(caliber):
                return caliber
    return ""


def _frequency(word: str, path, location: str) -> str:
    key = word.strip().lower()
    if key not in FREQUENCY_WORDS:
        raise DataError(f"frequency {word!r} is not read", path=path, location=location,
                        expected="月 (monthly), 季 (quarterly, on the quarter's last month) or 年 (annual)")
    return FREQUENCY_WORDS[key]


def _column_attributes(grid: Grid, header: dict[str, int], layout: Layout) -> tuple[list[int], dict[str, list]]:
    path = grid.path
    label_row = grid.rows[header["label"]]
    positions = [c for c in range(1, len(label_row)) if text(label_row[c])]
    if not positions:
        raise DataError("the 指标 row names no column", path=path, location=f"row {header['label'] + 1}",
                        expected="one indicator name per column, e.g. 社会消费品零售总额_累计")

    def row_value(key: str, c: int) -> str:
        row = grid.rows[header[key]] if key in header else []
        return text(row[c]) if c < len(row) else ""

    attrs: dict[str, list] = {"label": [], "caliber": [], "region": [], "frequency": [], "unit": [], "source": []}
    for c in positions:
        label = row_value("label", c)
        region = row_value("region", c) or (layout.region or "")
        if not region:
            raise DataError(f"column {label!r} names no region", path=path, location=excel_cell(header["label"], c),
                            expected="a 地区 header row (or a '地区：' line above the table)")
        where = excel_cell(header.get("frequency", header["label"]), c)
        attrs["label"].append(label)
        attrs["caliber"].append(split_caliber(label))
        attrs["region"].append(region)
        attrs["frequency"].append(_frequency(row_value("frequency", c), path, where))
        attrs["unit"].append(row_value("unit", c))
        attrs["source"].append(row_value("source", c))
    seen: dict[tuple, int] = {}
    for c, key in zip(positions, zip(attrs["label"], attrs["region"], attrs["frequency"], strict=True), strict=True):
        if key in seen:
            raise DataError(f"column {key[0]!r} ({key[1]}) appears twice", path=path,
                            location=f"{excel_cell(header['label'], seen[key])} and {excel_cell(header['label'], c)}",
                            expected="each indicator, region and frequency once")
        seen[key] = c
    return positions, attrs


def read_terminal(grid: Grid, layout: Layout) -> tuple[Block, list[str]]:
    """The terminal export as a block, and the distinct 来源 of its columns."""
    path = grid.path
    header, first = _header_rows(grid, layout.header)
    positions, attrs = _column_attributes(grid, header, layout)
    rows, footer = data_rows(grid, first)
    check_complete(grid, rows, positions, footer, first - 1)
    width = max([max(positions) + 1, *(len(grid.rows[r]) for r in rows)])
    cells = matrix(grid, rows, width)
    axis = period_axis(list(cells[:, 0]), layout.year, lambda i: excel_cell(rows[i], 0), path)
    if len(axis) != len(rows):
        missing = sorted(set(range(len(rows))) - {i for i, _, _ in axis})[0]
        raise DataError("row has values but no date", path=path, location=excel_cell(rows[missing], 0),
                        expected=f"a date such as 2010-05, 2010-05-31 or {PERIOD_FORMS}")
    values = cells[:, positions]
    filled = _filled(values)
    months = np.array([(o % 12) + 1 for _, o, _ in axis])  # ordinal 0 is 1970-01
    keep = np.zeros(values.shape, bool)
    for j, freq in enumerate(attrs["frequency"]):
        on_period = np.ones(len(rows), bool) if _QUARTER_END[freq] is None else months % _QUARTER_END[freq] == 0
        stray = filled[:, j] & ~on_period
        if stray.any():
            i = int(np.flatnonzero(stray)[0])
            what = "quarterly" if freq == "Q" else "annual"
            raise DataError(f"{what} column {attrs['label'][j]!r} has a value on a month that ends no "
                            f"{'quarter' if freq == 'Q' else 'year'}", path=path,
                            location=excel_cell(rows[i], positions[j]),
                            expected="quarterly values on March, June, September or December; annual on December")
        published = np.flatnonzero(filled[:, j])
        if len(published):
            span = np.zeros(len(rows), bool)
            span[published.min(): published.max() + 1] = True
            keep[:, j] = span & on_period
    block = Block(path, np.array(rows, dtype=int), np.array(positions, dtype=int), values,
                  row_keys={"period": np.array([o for _, o, _ in axis])},
                  col_keys={k: np.array(v, dtype=object) for k, v in attrs.items() if k != "source"},
                  keep=keep)
    return block, sorted({s for s in attrs["source"] if s})
