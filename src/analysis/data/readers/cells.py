"""Cell text and numbers: masked cells, thousands separators, units in the cell.

Masked or missing cells (``**``, ``…``, ``-``, ``—``, blank) become NaN with their text kept
in ``raw``, never zero. :func:`parse_values` reads a whole column of cells at once (numbers
and plain numeric text through pandas, only the odd cells one by one), so a table of a
hundred thousand rows reads in seconds.
"""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import DataError

MASKED = frozenset({"**", "*", "…", "……", "...", "-", "—", "--", "——", "－", "x", "X"})
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:%|％|亿元|万元|元|万千瓦时|亿千瓦时|户|家|个)?$")


def text(cell: object) -> str:
    """A cell as stripped text ('' for empty cells and NaN)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    return str(cell).strip()


def row_text(row: list[object]) -> str:
    """The non-empty cells of a row joined by spaces (for notes and error messages)."""
    return " ".join(t for t in (text(c) for c in row) if t)


def parse_values(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(values, status, raw text, index of the first unparseable cell or -1) of 1-D ``cells``.

    ``status`` is ``ok``, ``blank`` or ``masked``; values are NaN unless ``ok``. Accepts
    numbers, numeric text with thousands separators and a trailing unit or %.
    """
    series = pd.Series(cells, dtype=object)
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, copy=True)
    raw = series.map(text).to_numpy(dtype=object)
    status = np.full(len(series), "ok", dtype=object)
    odd = np.flatnonzero(~np.isfinite(numeric) | np.fromiter((type(c) is bool for c in cells), bool, len(cells)))
    for i in odd:
        value, state = _one_value(cells[i], raw[i])
        if state == "bad":
            return numeric, status, raw, int(i)
        numeric[i], status[i] = value, state
    return numeric, status, raw, -1


def _one_value(cell: object, raw: str) -> tuple[float, str]:
    if isinstance(cell, bool | datetime.date):
        return math.nan, "bad"
    if isinstance(cell, int | float | np.number) and math.isnan(float(cell)):
        return math.nan, "blank"
    cleaned = raw.replace("\u3000", "")
    if not cleaned:
        return math.nan, "blank"
    if cleaned in MASKED:
        return math.nan, "masked"
    cleaned = cleaned.replace(",", "").replace("，", "").replace(" ", "")
    if m := _NUMBER.match(cleaned):
        return float(m.group(1)), "ok"
    return math.nan, "bad"


def parse_value(cell: object, *, path: Path, location: str) -> tuple[float, str]:
    """Number in one cell -> (value, status); ``DataError`` naming the cell when unparseable."""
    values, status, raw, bad = parse_values(np.array([cell], dtype=object))
    if bad >= 0:
        raise unparseable(raw[0], path, location)
    return float(values[0]), str(status[0])


def unparseable(raw: str, path: Path, location: str) -> DataError:
    """The error for a cell that is not a number."""
    return DataError(f"unparseable number {raw!r}", path=path, location=location,
                     expected="a number (masked cells as **, …, -; blank for missing)")
