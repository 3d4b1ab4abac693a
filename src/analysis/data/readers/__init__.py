"""Read a bureau or data-terminal export, as delivered, into tidy observations.

:func:`read_export` reads one file (CSV in UTF-8, UTF-8 with BOM or GB18030; ``.xls``;
``.xlsx``), detects its layout by content (:data:`LAYOUTS`, ``docs/data-formats.md``) and
returns the observations with the file's metadata (database, time span, notes and source
lines, which are never read as data). :func:`read_bureau_table` returns the observations only.

Observation columns: ``region_code, region_name, indicator, period, frequency, measure,
value, unit, source, label, raw``. Values are kept exactly as in the cell (unit as in the
file); masked cells become NaN with their text in ``raw``; ``source`` is ``file!cell``.
An indicator no catalogue knows keeps a code derived from its name
(:func:`analysis.core.catalog.derived_code`), never dropped; a region not in ``regions``
(or the package's country and provinces) has no ``region_code``: the validator reports both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from analysis.core.catalog import package_regions, region_name_index
from analysis.core.errors import DataError
from analysis.data.readers.block import COLUMNS, empty_observations, tidy
from analysis.data.readers.cells import MASKED, parse_value, parse_values, row_text
from analysis.data.readers.detect import LAYOUTS, detect
from analysis.data.readers.grid import SUFFIXES, Grid, decode_csv, iter_rows, read_grid
from analysis.data.readers.nbs import data_rows, is_footer, read_periods_as_columns, read_periods_as_rows
from analysis.data.readers.parts import concat, in_parts
from analysis.data.readers.terminal import read_terminal

__all__ = [
    "COLUMNS", "LAYOUTS", "MASKED", "SUFFIXES", "Export", "decode_csv", "empty_observations", "parse_value",
    "parse_values", "read_bureau_table", "read_export", "read_grid", "region_codes",
]


@dataclass
class Export:
    """One file read: its layout, observations and what it says about itself."""

    path: Path
    layout: str
    observations: pd.DataFrame
    metadata: dict[str, str] = field(default_factory=dict)


HEAD_ROWS = 60  # rows read before the layout is known: the header is within the first 40 (detect)


def region_codes(regions: pd.DataFrame | None = None) -> dict[str, str]:
    """Region name (full or short) -> code: the package's country and provinces, then ``regions``."""
    names = region_name_index(package_regions())
    if regions is not None:
        names.update(region_name_index(regions))
    return names


def _footer(rows: list[list[object]]) -> tuple[str, str]:
    """(notes, source) from the lines after the table: 数据来源/资料来源 lines are the source."""
    notes, sources = [], []
    started = False
    for row in rows:
        line = row_text(row)
        started = started or is_footer(row)
        if not started or not line:
            continue
        (sources if line.startswith(("数据来源", "资料来源", "来源")) else notes).append(line)
    return "\n".join(notes), "\n".join(sources)


def stated_end(time_line: str) -> pd.Period | None:
    """The last month a file says it covers (``时间：2019年1月-2026年3月`` -> 2026-03), or None."""
    months = re.findall(r"(\d{4})\s*年\s*(\d{1,2})\s*月", time_line)
    if not months or not 1 <= int(months[-1][1]) <= 12:
        return None
    return pd.Period(year=int(months[-1][0]), month=int(months[-1][1]), freq="M")


def _check_stated_time(obs: pd.DataFrame, time_line: str, path: Path) -> None:
    """A period later than the file's own ``时间：`` line is a wrong header, not a figure."""
    stated = stated_end(time_line)
    if stated is None or obs.empty:
        return
    late = (obs["period"] > stated).to_numpy()
    if late.any():
        first = obs.iloc[int(late.argmax())]
        raise DataError(f"month {first['period']} is later than the file's stated time (时间：… to {stated})",
                        path=path, location=str(first["source"]).split("!")[-1],
                        expected="periods no later than the '时间：' line above the table")


def read_export(path: str | Path, regions: pd.DataFrame | None = None,
                catalogue: pd.DataFrame | None = None, names: dict[str, str] | None = None) -> Export:
    """One export as observations and metadata. ``regions`` (code, name, short_name) maps
    region names to codes (``names``, from :func:`region_codes`, saves rebuilding the map for
    every file); ``catalogue`` (default: the packaged one) matches indicator names.

    Raises ``DataError`` naming the file and cell for an unreadable file, an unknown layout
    (with the layouts tried and the first rows), unparseable periods or numbers, a value
    without a period or a name, and a row, column or period given twice.
    """
    path = Path(path)
    names = names if names is not None else region_codes(regions)
    read_as: dict[str, str] = {}
    rows = iter_rows(path, read_as)
    first = Grid(path, list(islice(rows, HEAD_ROWS)), read_as)
    layout = detect(first)
    frames, sources, tail = [], [], []
    for part in in_parts(first, rows, layout):
        if frames and not data_rows(part, layout.header + 1)[0]:
            tail = part.rows[layout.header + 1:]  # only the lines after the table
            continue
        if layout.name == "terminal":
            block, sources = read_terminal(part, layout)
        elif layout.name == "months_as_rows":
            block = read_periods_as_rows(part, layout)
        else:
            block = read_periods_as_columns(part, layout)
        last = int(block.rows.max()) + 1 if len(block.rows) else layout.header + 1
        tail = part.rows[last:]
        del part  # the rows are in the block now: a part's row lists are freed before tidying
        frames.append(tidy(block, names, catalogue))
        _check_stated_time(frames[-1], layout.meta.get("时间", ""), path)
    notes, source = _footer(tail)
    meta = {
        "layout": layout.name, "database": layout.meta.get("数据库", ""), "region": layout.meta.get("地区", ""),
        "indicator": layout.meta.get("指标", ""), "time": layout.meta.get("时间", ""),
        "title": "\n".join(layout.preamble), "notes": notes,
        "source": "\n".join(filter(None, [source, *sources])), **read_as,
    }
    obs = concat(frames)
    return Export(Path(path), layout.name, obs, meta)


def read_bureau_table(path: str | Path, regions: pd.DataFrame | None = None,
                      catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy observations of one export (:func:`read_export` without the metadata)."""
    return read_export(path, regions, catalogue).observations
