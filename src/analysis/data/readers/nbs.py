"""Statistics-database layouts (a)-(e): periods along one edge of the table, labels along the other.

(a) one region, indicators as rows; (b) a region column beside the indicator column; (c) one
indicator (an ``指标：`` line), regions as rows; (d) months as rows, indicators (or, with an
``指标：`` line, regions) as columns; (e) a national database read as (a) or (d) for 全国.
Each reader checks the table's shape (a value without a period or a name, a row or a period
given twice) and returns a :class:`~analysis.data.readers.block.Block`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.core.errors import DataError, excel_cell
from analysis.core.periods import parse_period
from analysis.data.readers.block import Block
from analysis.data.readers.cells import text
from analysis.data.readers.detect import Layout
from analysis.data.readers.grid import Cell, Grid

FOOTER = ("数据来源", "资料来源", "来源：", "注：", "注:", "注 ：", "说明", "备注")
PERIOD_FORMS = "'2026年3月', '2026年1-3月', '1-2月', '2026年第一季度', '2026Q1', '2026年' or '2026-03'"


def is_footer(row: list[Cell]) -> bool:
    """A note (注：), source (数据来源：) or remark line: the table has ended."""
    for c in row:
        if c is None or c == "":
            continue
        first = text(c)
        if first:
            return first.startswith(FOOTER)
    return False


def data_rows(grid: Grid, start: int) -> tuple[list[int], int]:
    """Non-blank rows from ``start`` up to the footer, and the footer's first row."""
    rows = []
    for r in range(start, len(grid.rows)):
        row = grid.rows[r]
        if is_footer(row):
            return rows, r
        if (any(row) or any(c is not None and c != "" for c in row)) and any(text(c) for c in row):
            rows.append(r)  # any(row): the quick test for a row of text (a 0.0 cell is falsy)
    return rows, len(grid.rows)


def check_complete(grid: Grid, rows: list[int], columns: list[int], footer: int, header: int) -> None:
    """A table must have rows under its header, and every row the cells its header promises.

    A row shorter than the last value column is cut: at the end of a file without a closing
    line it is a table cut mid-row (the error names the last complete row); elsewhere the
    row lost its cells. Excel rows always have the sheet's width, so this concerns text files.
    """
    path = grid.path
    if not rows:
        raise DataError("the table has a header row but no data rows (was the file cut?)", path=path,
                        location=f"row {header + 1}", expected="data rows below the header row")
    width = max(columns) + 1
    for i, r in enumerate(rows):
        row = grid.rows[r]
        if len(row) >= width:
            continue
        label = next((text(c) for c in row if text(c)), "")
        cells, promised = sum(1 for c in columns if c < len(row)), len(columns)
        if i == len(rows) - 1 and footer == len(grid.rows) and grid.complete:
            before = f"row {rows[i - 1] + 1} ({next((text(c) for c in grid.rows[rows[i - 1]] if text(c)), '')!r})" \
                if i else "none: only the header row"
            raise DataError(f"the table ends in the middle of row {r + 1} ({label!r}): {cells} of the {promised} "
                            f"value cells the header promises; the last complete row is {before}", path=path,
                            location=f"row {r + 1}", expected="the whole table (was the file cut?)")
        raise DataError(f"row {r + 1} ({label!r}) has {cells} of the {promised} value cells the header promises",
                        path=path, location=f"row {r + 1}", expected="a cell (blank if missing) under every header")


def matrix(grid: Grid, rows: list[int], width: int) -> np.ndarray:
    """The cells of ``rows`` as an object array padded with None to ``width`` columns."""
    out = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        row = grid.rows[r]
        out[i, : len(row)] = row
    return out


def _filled(cells: np.ndarray) -> np.ndarray:
    """True where a cell has text (vectorised first pass, exact check on the candidates)."""
    mask = (cells != None) & (cells != "")  # noqa: E711  (element-wise on an object array)
    for i, j in zip(*np.nonzero(mask), strict=True):
        mask[i, j] = bool(text(cells[i, j]))
    return mask


def period_axis(cells: list[Cell], year: int | None, where: Callable[[int], str], path) -> list[tuple[int, int, str]]:
    """(position, month ordinal, frequency) of every period label in ``cells``.

    A label without a year ('1-2月', '12月') takes the year of its neighbour before it, one
    less when the month goes up (periods run newest first), else ``year``.
    """
    out: list[tuple[int, int, str]] = []
    previous: pd.Period | None = None
    for i, cell in enumerate(cells):
        label = text(cell)
        if not label:
            continue
        has_year = not isinstance(cell, str) or label[:4].isdigit()
        guess = previous.year if (not has_year and previous is not None) else year
        try:
            period, freq = parse_period(cell, guess)
            if not has_year and previous is not None and period.month >= previous.month:
                period = pd.Period(year=period.year - 1, month=period.month, freq="M")
        except ValueError as exc:
            raise DataError(str(exc), path=path, location=where(i), expected=PERIOD_FORMS) from exc
        previous = period
        out.append((i, period.ordinal, freq))
    seen: dict[tuple[int, str], int] = {}
    for i, ordinal, freq in out:
        if (ordinal, freq) in seen:
            raise DataError(f"period {_period_text(ordinal)} appears twice", path=path,
                            location=f"{where(seen[ordinal, freq])} and {where(i)}", expected="each period once")
        seen[ordinal, freq] = i
    return out


def _period_text(ordinal: int) -> str:
    return str(pd.PeriodIndex.from_ordinals([ordinal], freq="M")[0])


def _no_strays(cells: np.ndarray, rows: list[int], allowed: set[int], first: int, path, what: str) -> None:
    """A value in a column without a header (a shifted or truncated table) is an error."""
    others = [c for c in range(first, cells.shape[1]) if c not in allowed]
    if not others:
        return
    hits = np.argwhere(_filled(cells[:, others]))
    if len(hits):
        i, j = hits[0]
        raise DataError(f"value {text(cells[i, others[j]])!r} in a column without {what}", path=path,
                        location=excel_cell(rows[i], others[j]), expected=f"{what} above every value")


def _unique_rows(keys: list[tuple], rows: list[int], path, what: Callable[[tuple], str]) -> None:
    seen: dict[tuple, int] = {}
    for key, r in zip(keys, rows, strict=True):
        if key in seen:
            raise DataError(f"duplicate row {what(key)} (also row {seen[key] + 1})", path=path,
                            location=f"row {r + 1}", expected="each region and indicator once")
        seen[key] = r


def read_periods_as_columns(grid: Grid, layout: Layout) -> Block:
    """Layouts (a), (b), (c), (e): a header row of periods, one row per indicator or region."""
    path, h = grid.path, layout.header
    header = grid.rows[h]
    names = {"nbs_region": ["label"], "nbs_national": ["label"], "region_column": ["region", "label"],
             "nbs_indicator": ["region"]}[layout.name]
    first = len(names)
    axis = period_axis(header[first:], layout.year, lambda i: excel_cell(h, first + i), path)
    if not axis:
        raise DataError("header row has no period columns", path=path, location=f"row {h + 1}",
                        expected=f"period labels such as {PERIOD_FORMS}")
    rows, footer = data_rows(grid, h + 1)
    positions = [first + i for i, _, _ in axis]
    check_complete(grid, rows, positions, footer, h)
    width = max([len(header), *(len(grid.rows[r]) for r in rows)])
    cells = matrix(grid, rows, width)
    _no_strays(cells, rows, set(positions), first, path, "a period header")
    keys = {name: np.array([text(v) for v in cells[:, k]], dtype=object) for k, name in enumerate(names)}
    for k, name in enumerate(names):
        blank = np.flatnonzero(keys[name] == "")
        if len(blank):
            r = rows[blank[0]]
            word = "an indicator name" if name == "label" else "a region name"
            raise DataError(f"row has values but no {'indicator name' if name == 'label' else 'region'}", path=path,
                            location=excel_cell(r, k), expected=word)
    fixed: dict[str, object] = {}
    if "region" not in keys:
        fixed["region"] = layout.region
    if "label" not in keys:
        fixed["label"] = layout.meta.get("指标", "")
    row_ids = list(zip(*(keys.get(n, np.full(len(rows), fixed.get(n))) for n in ("region", "label")), strict=True))
    _unique_rows(row_ids, rows, path, lambda key: f"{key[1]!r} for region {key[0]!r}")
    return Block(path, np.array(rows, dtype=int), np.array(positions, dtype=int), cells[:, positions],
                 row_keys=keys, col_keys={"period": np.array([o for _, o, _ in axis]),
                                          "frequency": np.array([f for _, _, f in axis], dtype=object)},
                 fixed=fixed)


def read_periods_as_rows(grid: Grid, layout: Layout) -> Block:
    """Layout (d): '时间' then indicators (or regions, with an '指标：' line) as columns."""
    path, h = grid.path, layout.header
    header = grid.rows[h]
    across = "region" if "指标" in layout.meta else "label"
    columns = [(c, text(header[c])) for c in range(1, len(header)) if text(header[c])]
    seen: dict[str, int] = {}
    for c, name in columns:
        if name in seen:
            raise DataError(f"column {name!r} appears twice", path=path,
                            location=f"{excel_cell(h, seen[name])} and {excel_cell(h, c)}", expected="each column once")
        seen[name] = c
    rows, footer = data_rows(grid, h + 1)
    positions = [c for c, _ in columns]
    check_complete(grid, rows, positions, footer, h)
    width = max([len(header), *(len(grid.rows[r]) for r in rows)])
    cells = matrix(grid, rows, width)
    _no_strays(cells, rows, set(positions), 1, path, "a column header")
    axis = period_axis(list(cells[:, 0]), layout.year, lambda i: excel_cell(rows[i], 0), path)
    if len(axis) != len(rows):
        missing = sorted(set(range(len(rows))) - {i for i, _, _ in axis})[0]
        raise DataError("row has values but no period", path=path, location=excel_cell(rows[missing], 0),
                        expected=f"a period label such as {PERIOD_FORMS}")
    fixed = {"region": layout.region} if across == "label" else {"label": layout.meta["指标"]}
    return Block(path, np.array(rows, dtype=int), np.array(positions, dtype=int), cells[:, positions],
                 row_keys={"period": np.array([o for _, o, _ in axis]),
                           "frequency": np.array([f for _, _, f in axis], dtype=object)},
                 col_keys={across: np.array([n for _, n in columns], dtype=object)}, fixed=fixed)
