"""The rows below a bureau table's header: cells checked one row at a time, values parsed
by column.

:func:`read_body` walks the rows once (a CSV is streamed) and keeps only what the tidy
table needs: per row its label, region and month cells. It stops at the footer and
raises ``DataError`` for what makes the table unreadable: a cell holding a control
character (a NUL byte is never a real label), a row with values but no name, values in a
column without a month, and a table that is cut (no indicator row under the header, or a
row with fewer cells than the header promises: the file ends mid-row). :func:`body_frame`
then turns the columns into tidy observations with vectorised pandas operations, so a
2,000,000-row table costs arrays, not millions of Python tuples.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core.catalog import match_indicator, parse_row_label
from analysis.core.errors import CONTROL_CHARACTERS, DataError, excel_cell

COLUMNS = [
    "region_code", "region_name", "indicator", "period", "measure", "value", "unit",
    "source", "label", "raw",
]
MASKED = frozenset({"**", "*", "…", "……", "...", "-", "—", "--", "——", "－", "x", "X"})
FOOTER = ("数据来源", "注：", "注:", "说明", "备注")
NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:%|％|亿元|万元|元|万千瓦时|亿千瓦时|户|家|个)?$")
NO_SUFFIX_MEASURE = "ytd_value"  # ratio/stock rows without 累计值 are period-end levels
_UNPARSEABLE = "a number (masked cells as **, …, -; blank for missing)"

Cell = object  # str, float, int or None, as the file gives it


def text_of(cell: Cell) -> str:
    """A cell as stripped text ('' for an empty cell)."""
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
    text = text_of(cell).replace("\u3000", "")
    if not text:
        return math.nan, "blank"
    if text in MASKED:
        return math.nan, "masked"
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    if m := NUMBER.match(cleaned):
        return float(m.group(1)), "ok"
    raise DataError(f"unparseable number {text!r}", path=path, location=location, expected=_UNPARSEABLE)


CHUNK = 50_000  # rows kept as Python objects before they are packed into arrays


def _pack(values: list) -> pd.Series | np.ndarray:
    """A chunk of cells or labels as an Arrow string array when all are text (a CSV), else
    as an object array (an Excel sheet's numbers and dates)."""
    if all(isinstance(v, str) for v in values):
        return pd.Series(values, dtype="str")
    return np.asarray(values, dtype=object)


@dataclass
class Body:
    """What :func:`read_body` keeps of the data rows (0-based row numbers of the file),
    packed every :data:`CHUNK` rows so that a huge CSV is held as arrays, not objects."""

    months: list[int]  # column of each month
    rows: array = field(default_factory=lambda: array("q"))  # machine ints: no Python object per row
    regions: list[str | None] = field(default_factory=list)  # one shared string per region name
    footer: bool = False
    last_label: str = ""
    _labels: list[str] = field(default_factory=list)  # rows not yet packed
    _cells: list[list[Cell]] = field(default_factory=list)
    _packed: list[tuple] = field(default_factory=list)

    def add(self, r: int, label: str, region: str | None, row: list[Cell]) -> None:
        """Keep one indicator row."""
        if not self._cells:
            self._cells = [[] for _ in self.months]
        self.rows.append(r)
        self.regions.append(region)
        self._labels.append(label)
        for j, c in enumerate(self.months):
            self._cells[j].append(row[c] if c < len(row) else None)
        self.last_label = label
        if len(self._labels) == CHUNK:
            self._pack()

    def _pack(self) -> None:
        self._packed.append((_pack(self._labels), [_pack(column) for column in self._cells]))
        self._labels, self._cells = [], [[] for _ in self.months]

    def columns(self) -> tuple[pd.Series, list[pd.Series | np.ndarray]]:
        """All labels, and the cells of each month column, packed (once: the body is emptied)."""
        if self._labels:
            self._pack()
        labels = [chunk[0] for chunk in self._packed]
        cells = [[chunk[1][j] for chunk in self._packed] for j in range(len(self.months))]
        self._packed = []
        return (_concat(labels), [_concat(column) for column in cells])

    def last_row(self) -> tuple[int, str] | None:
        """(1-based row, label) of the last indicator row read."""
        return (self.rows[-1] + 1, self.last_label) if self.rows else None


def _concat(parts: list[pd.Series | np.ndarray]) -> pd.Series | np.ndarray:
    if parts and all(isinstance(p, pd.Series) for p in parts):
        return pd.concat(parts, ignore_index=True)
    return np.concatenate([np.asarray(p, dtype=object) for p in parts]) if parts else np.empty(0, dtype=object)


def read_body(rows: Iterator[list[Cell]], path: Path, header: int, indicator_col: int, months: list[int],
              file_region: str | None) -> Body:
    """Collect the indicator rows after the header row (``rows`` continues after it)."""
    body = Body(months)
    width = max(months) + 1
    skipped = [c for c in range(indicator_col + 1, width) if c not in set(months)]
    names: dict[str, str] = {}  # one string object per region name, not one per row
    short: tuple[int, list[Cell], str, str] | None = None
    previous: tuple[int, str] | None = None
    for r, row in enumerate(rows, start=header + 1):
        first = text_of(row[0]) if row else ""
        if first.startswith(FOOTER):
            body.footer = True
            break
        check_controls(row, r, path)
        label = text_of(row[indicator_col]) if len(row) > indicator_col else ""
        if not label:
            if any(text_of(c) for c in row):
                raise DataError("row has values but no indicator name", path=path,
                                location=excel_cell(r, indicator_col), expected="an indicator name")
            continue
        if short is not None:  # a short row followed by more rows: cells are missing, not cut off
            _short_row(short, path, months, at_end=False)
        stray = [c for c in skipped if text_of(row[c])] if len(row) > indicator_col + 1 else []
        stray += [c for c in range(width, len(row)) if text_of(row[c])]
        if stray:
            raise DataError(f"value {text_of(row[stray[0]])!r} in a column without a month header", path=path,
                            location=excel_cell(r, stray[0]), expected="a month label above every value")
        if len(row) < width:
            short = (r, row, label, f"row {previous[0] + 1} ({previous[1]!r})" if previous else "none: the header row")
        region = names.setdefault(first, first) if indicator_col == 1 else file_region
        body.add(r, label, region, row)
        previous = (r, label)
    if short is not None:
        _short_row(short, path, months, at_end=short[0] == body.rows[-1])
    if not body.rows:
        raise DataError("the table has a header row but no indicator rows (was the file cut?)", path=path,
                        location=f"row {header + 1}", expected="indicator rows below the header row")
    return body


def check_controls(row: list[Cell], r: int, path: Path) -> None:
    """``DataError`` naming the first cell of row ``r`` that holds a control character."""
    texts = [c for c in row if isinstance(c, str)]
    if not CONTROL_CHARACTERS.search(",".join(texts)):
        return
    c = next(i for i, cell in enumerate(row) if isinstance(cell, str) and CONTROL_CHARACTERS.search(cell))
    char = CONTROL_CHARACTERS.search(row[c]).group()  # type: ignore[union-attr]
    raise DataError(f"unreadable cell {row[c]!r}: it holds the control character U+{ord(char):04X}", path=path,
                    location=excel_cell(r, c), expected="text without control characters (a damaged or binary file?)")


def _short_row(short: tuple[int, list[Cell], str, str], path: Path, months: list[int], *, at_end: bool) -> None:
    r, row, label, before = short
    cells, promised = sum(1 for c in months if c < len(row)), len(months)
    if at_end:
        raise DataError(f"the table ends in the middle of row {r + 1} ({label!r}): {cells} of the {promised} month "
                        f"cells the header promises; the last complete row is {before}", path=path,
                        location=f"row {r + 1}", expected="the whole table (was the file cut?)")
    raise DataError(f"row {r + 1} ({label!r}) has {cells} of the {promised} month cells the header promises",
                    path=path, location=f"row {r + 1}", expected="a cell (blank if missing) under every month")


def body_frame(body: Body, periods: list[pd.Period], names: dict[str, str], path: Path) -> pd.DataFrame:
    """Tidy observations of the rows in ``body``, row by row and month by month.

    Columns repeated per month (region, indicator, measure, unit, label) are categoricals:
    a row's text is stored once, not once per month.
    """
    n, m = len(body.rows), len(periods)
    labels, cells = body.columns()
    label_codes, label_names = _encode(labels)
    region_codes, region_names = _encode(pd.Series(body.regions, dtype="str"))
    body.regions = []
    _check_duplicate_rows(label_codes, region_codes, len(region_names), body, label_names, region_names, path)
    del labels
    value, raw = _parse_cells(cells, body.rows, body.months, path)
    del cells
    per_label = _label_parts(label_names)
    at = np.repeat(label_codes, m)
    rows = np.repeat(np.frombuffer(body.rows, dtype=np.int64) + 1, m)
    letters = pd.Series(pd.Categorical.from_codes(np.tile(np.arange(m), n),
                                                  [excel_cell(0, c)[:-1] for c in body.months])).astype("str")
    frame = pd.DataFrame({
        "region_code": pd.Categorical(pd.Series(region_names, dtype=object).map(names)).take(np.repeat(region_codes, m))
        if n else pd.Categorical([]),
        "region_name": pd.Categorical.from_codes(np.repeat(region_codes, m), region_names),
        "indicator": per_label["indicator"].array.take(at),
        "period": pd.PeriodIndex.from_ordinals(np.tile(np.asarray([p.ordinal for p in periods], dtype=np.int64), n),
                                               freq="M"),
        "measure": per_label["measure"].array.take(at),
        "value": value,
        "unit": per_label["unit"].array.take(at),
        "source": f"{path.name}!" + letters + pd.Series(pa.array(rows).cast(pa.string()), dtype="str"),
        "label": pd.Categorical.from_codes(at, label_names),
        "raw": raw,
    })
    return frame  # built in the order of COLUMNS


def _encode(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """(codes, distinct values in order of appearance), by Arrow's dictionary encoding when
    the values are Arrow strings (no Python object per row)."""
    if isinstance(values, pd.Series) and values.dtype == "str":
        encoded = pa.chunked_array(pa.array(values, from_pandas=True)).dictionary_encode().combine_chunks()
        return (np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64),
                pd.Index(pd.array(encoded.dictionary, dtype="str")))
    codes, uniques = pd.factorize(pd.Series(values, dtype="str"), use_na_sentinel=False)
    return codes, pd.Index(uniques)


def _label_parts(labels: pd.Index) -> pd.DataFrame:
    """Indicator code, measure and unit of each distinct label, as categoricals (one Python
    call per distinct label; the results are interned, so a million labels cost arrays)."""
    n = len(labels)
    indicator, measure, unit = (np.empty(n, dtype=object) for _ in range(3))
    units: dict[str, str] = {}
    for i, label in enumerate(labels):
        name, suffix, bracket = parse_row_label(label)
        indicator[i] = match_indicator(name)  # the catalogue's own code strings
        measure[i] = suffix or NO_SUFFIX_MEASURE
        unit[i] = units.setdefault(bracket or "", bracket or "")
    return pd.DataFrame({"indicator": pd.Categorical(indicator), "measure": pd.Categorical(measure),
                         "unit": pd.Categorical(unit)})


def _check_duplicate_rows(label_codes: np.ndarray, region_codes: np.ndarray, n_regions: int, body: Body,
                          label_names: pd.Index, region_names: pd.Index, path: Path) -> None:
    """A (region, label) pair given twice in one file: the second row names the first."""
    key = pd.Series(label_codes.astype(np.int64) * max(n_regions, 1) + region_codes)
    twice = key.duplicated()
    if twice.any():
        i = int(np.flatnonzero(twice.to_numpy())[0])
        first = int(np.flatnonzero((key == key.iloc[i]).to_numpy())[0])
        label, region = label_names[label_codes[i]], region_names[region_codes[i]]
        raise DataError(f"duplicate row {label!r} for region {region!r} (also row {body.rows[first] + 1})",
                        path=path, location=f"row {body.rows[i] + 1}", expected="each region and indicator once")


def _parse_cells(columns: list[pd.Series | np.ndarray], rows: list[int], months: list[int],
                 path: Path) -> tuple[np.ndarray, pd.Series]:
    """(value, raw text) of every cell, row-major: blank and masked cells are NaN; the first
    cell (row by row) that is not a number raises ``DataError`` naming it."""
    n, m = len(rows), len(months)
    if not n:
        return np.empty(0), pd.Series([], dtype="str")
    if all(isinstance(c, pd.Series) for c in columns):  # a CSV: every cell is text, kept as Arrow strings
        parsed = [_parse_texts(column) for column in columns]
        bad = np.column_stack([p[2] for p in parsed]).ravel()
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            _unparseable(parsed[k % m][1].iloc[k // m], excel_cell(rows[k // m], months[k % m]), path)
        order = np.arange(n * m).reshape(m, n).T.ravel()  # row-major cell k sits at order[k] in the columns
        raw = pd.concat([p[1] for p in parsed], ignore_index=True).take(order).reset_index(drop=True)
        return np.column_stack([p[0] for p in parsed]).ravel(), raw
    cells = np.column_stack([np.asarray(c, dtype=object) for c in columns]).ravel()
    is_text = np.fromiter((isinstance(c, str) for c in cells), dtype=bool, count=len(cells))
    text_at = np.flatnonzero(is_text)
    value = np.full(n * m, np.nan)
    value[is_text], texts, bad = _parse_texts(pd.Series(cells[is_text], dtype="str"))
    raw = np.full(len(cells), "", dtype=object)
    raw[is_text] = texts.to_numpy(dtype=object)
    for i in range(len(cells)):  # row by row: Excel numbers, dates and booleans, and text that is not a number
        if is_text[i]:
            k = int(np.searchsorted(text_at, i))
            if bad[k]:
                _unparseable(texts.iloc[k], excel_cell(rows[i // m], months[i % m]), path)
        elif cells[i] is not None:
            value[i], _ = parse_value(cells[i], path=path, location=excel_cell(rows[i // m], months[i % m]))
            raw[i] = text_of(cells[i])
    return value, pd.Series(raw, dtype="str")


def _parse_texts(cells: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """(value, stripped text, not-a-number mask) of text cells, by Arrow compute (no Python
    object per cell). Blank and masked cells are NaN and not flagged."""
    texts = cells.str.strip().reset_index(drop=True)
    squeezed = texts.str.replace("\u3000", "", regex=False)
    digits = squeezed.str.replace(r"[,， ]", "", regex=True).str.extract(NUMBER.pattern, expand=False)
    number = pc.cast(pa.array(digits, type=pa.string(), from_pandas=True), pa.float64())
    missing = np.asarray(number.is_null().to_numpy(zero_copy_only=False))
    bad = missing & (squeezed != "").to_numpy() & ~squeezed.isin(MASKED).to_numpy()
    return number.to_numpy(zero_copy_only=False).astype(float), texts, bad


def _unparseable(text: str, location: str, path: Path) -> None:
    raise DataError(f"unparseable number {text.replace(chr(0x3000), '')!r}", path=path, location=location,
                    expected=_UNPARSEABLE)
