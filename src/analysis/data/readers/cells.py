"""Cell text and numbers: masked cells, thousands separators, units in the cell.

Masked or missing cells (``**``, ``…``, ``-``, ``—``, blank) become NaN with their text kept
in ``raw``, never zero. :func:`parse_values` reads a whole column of cells at once (numbers
and plain numeric text through pandas, only the odd cells one by one), so a table of a
hundred thousand rows reads in seconds.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core.errors import DataError

MASKED = frozenset({"**", "*", "…", "……", "...", "-", "—", "--", "——", "－", "x", "X"})
_MASKED_ARRAY = pa.array(sorted(MASKED), type=pa.string())
_PLAIN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_SPACES = r"[,，\s\x{3000}]"  # thousands separators and spaces (full-width too) are dropped
_NUMBER_TEXT = (r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
                r"(?:%|％|亿元|万元|元|万千瓦时|亿千瓦时|户|家|个)?$")


def text(cell: object) -> str:
    """A cell as stripped text ('' for empty cells and NaN)."""
    if type(cell) is str:
        return cell.strip()
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    return str(cell).strip()


def row_text(row: list[object]) -> str:
    """The non-empty cells of a row joined by spaces (for notes and error messages)."""
    return " ".join(t for t in (text(c) for c in row) if t)


def cell_texts(cells: np.ndarray) -> pa.Array:
    """The stripped text of every cell, as an Arrow string array ('' for empty cells)."""
    try:  # a CSV gives only text (and None for padding): convert and trim in Arrow
        texts = pa.array(cells, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # Excel numbers and dates: one by one
        return pa.array([c.strip() if type(c) is str else text(c) for c in cells], type=pa.string())
    return pc.fill_null(pc.utf8_trim_whitespace(texts), "")


def parse_values(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, pa.Array, int]:
    """(values, status, raw text, index of the first unparseable cell or -1) of 1-D ``cells``.

    ``status`` is ``ok``, ``blank``, ``masked`` or ``bad``; values are NaN unless ``ok``.
    Accepts numbers, numeric text with thousands separators and a trailing unit or %. The
    text is parsed column-wise with Arrow compute (no Python call per cell): plain numbers
    first, then the rest without separators and units.
    """
    raw = cell_texts(cells)
    plain = pc.match_substring_regex(raw, _PLAIN)
    values = pc.cast(pc.if_else(plain, raw, None), pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    odd = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    status = np.full(len(raw), "ok", dtype=object)
    if len(odd):
        cleaned = pc.replace_substring_regex(raw.take(pa.array(odd)), _SPACES, "")
        number = pc.struct_field(pc.extract_regex(cleaned, _NUMBER_TEXT), [0])
        found = pc.cast(number, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
        blank = pc.equal(cleaned, "").to_numpy(zero_copy_only=False)
        masked = pc.is_in(cleaned, value_set=_MASKED_ARRAY).to_numpy(zero_copy_only=False)
        ok = np.isfinite(found)
        values[odd] = np.where(ok, found, np.nan)
        status[odd] = np.where(ok, "ok", np.where(masked, "masked", np.where(blank, "blank", "bad")))
    bad = np.flatnonzero(status == "bad")
    return values, status, raw, int(bad[0]) if len(bad) else -1


def parse_value(cell: object, *, path: Path, location: str) -> tuple[float, str]:
    """Number in one cell -> (value, status); ``DataError`` naming the cell when unparseable."""
    values, status, raw, bad = parse_values(np.array([cell], dtype=object))
    if bad >= 0:
        raise unparseable(raw[0].as_py(), path, location)
    return float(values[0]), str(status[0])


def unparseable(raw: str, path: Path, location: str) -> DataError:
    """The error for a cell that is not a number."""
    return DataError(f"unparseable number {raw!r}", path=path, location=location,
                     expected="a number (masked cells as **, …, -; blank for missing)")
