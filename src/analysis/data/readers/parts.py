"""A long table read in parts, so memory follows the part, not the file.

A bureau CSV of two million rows would be two million Python lists of cells at once; the
layout readers need only the header and the rows they turn into a block. :func:`parts`
cuts the rows after the header into parts of :data:`PART_ROWS` and gives each part as a
:class:`~analysis.data.readers.grid.Grid` that keeps the real row numbers (the rows above
the part are one shared empty row), so every cell is still named by its place in the
file. The part that holds the footer (``数据来源：…``, notes) is the last and takes the rest
of the file; only it is ``complete`` (a short row at its end is a table cut mid-row).

What a part cannot see: a row repeated in two parts (the validator's duplicate check
still finds it among the observations). Data-terminal exports, whose columns start at
their first value, are read whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from analysis.data.readers.detect import Layout
from analysis.data.readers.grid import Cell, Grid
from analysis.data.readers.nbs import is_footer

PART_ROWS = 100_000
_EMPTY: list[Cell] = []  # stands for every row above a part (never changed)


def in_parts(grid: Grid, rest: Iterator[list[Cell]], layout: Layout, size: int | None = None) -> Iterator[Grid]:
    """The table of ``grid`` (the first rows read) followed by ``rest``, in parts of ``size``
    rows (default :data:`PART_ROWS`)."""
    size = size or PART_ROWS
    if layout.name == "terminal":
        yield Grid(grid.path, [*grid.rows, *rest], grid.read_as)
        return
    top = grid.rows[: layout.header + 1]
    rows = chain(grid.rows[layout.header + 1:], rest)
    start = layout.header + 1
    while True:
        part = list(islice(rows, size))
        last = len(part) < size or any(is_footer(row) for row in part)
        if last:
            part += list(rows)  # the footer and whatever follows it: notes, never data
        if not last:  # a full part: the next row decides whether this one was the last
            following = list(islice(rows, 1))
            last = not following
            rows = chain(following, rows)
        yield Grid(grid.path, [*top, *([_EMPTY] * (start - len(top))), *part], grid.read_as, complete=last)
        if last:
            return
        start += len(part)


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Observations of several parts as one frame; categorical columns stay categorical (their
    categories united), so the parts' text is not turned into one object per cell."""
    if len(frames) == 1:
        return frames[0]
    columns = {}
    for name in frames[0].columns:
        pieces = [f[name] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in pieces):
            columns[name] = union_categoricals([p.array for p in pieces], ignore_order=True)
        else:
            columns[name] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(columns, index=np.arange(sum(len(f) for f in frames)))
