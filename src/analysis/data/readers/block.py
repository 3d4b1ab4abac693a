"""The data cells of one export with what its rows and columns say about them -> tidy rows.

Every layout reader ends in a :class:`Block`: the rectangle of value cells, and for each
data row and column the attributes it carries (region name, indicator label, period,
frequency, unit). :func:`tidy` melts it into observations, one row per cell, parsing each
distinct label once (:func:`analysis.core.measures.parse_row_label`, the catalogue) and the
values column-wise (:func:`analysis.data.readers.cells.parse_values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import alias_index, derived_code
from analysis.core.errors import excel_cell
from analysis.core.measures import (
    NO_SUFFIX_MEASURE,
    caliber_measure,
    for_frequency,
    index_measure,
    split_suffix,
    split_unit,
)
from analysis.core.measures import normalise_label as _norm
from analysis.data.readers.cells import parse_values, unparseable

COLUMNS = [
    "region_code", "region_name", "indicator", "period", "frequency", "measure", "value", "unit",
    "source", "label", "raw",
]
ATTRIBUTES = ("region", "label", "period", "frequency", "unit", "caliber")


@dataclass
class Block:
    """Value cells ``cells[i, j]`` at grid row ``rows[i]`` and column ``cols[j]``.

    ``row_keys``/``col_keys`` give an attribute (one of :data:`ATTRIBUTES`) per data row or
    column, ``fixed`` one for every cell; ``period`` values are monthly ``Period`` ordinals.
    ``keep`` (optional, same shape as ``cells``) drops cells that are not observations (a
    quarterly column on a month that ends no quarter, a series before its first value).
    """

    path: Path
    rows: np.ndarray
    cols: np.ndarray
    cells: np.ndarray
    row_keys: dict[str, np.ndarray] = field(default_factory=dict)
    col_keys: dict[str, np.ndarray] = field(default_factory=dict)
    fixed: dict[str, object] = field(default_factory=dict)
    keep: np.ndarray | None = None


def _spread(block: Block, name: str, default: object) -> np.ndarray:
    n_rows, n_cols = block.cells.shape
    if name in block.row_keys:
        return np.repeat(np.asarray(block.row_keys[name], dtype=object), n_cols)
    if name in block.col_keys:
        return np.tile(np.asarray(block.col_keys[name], dtype=object), n_rows)
    return np.full(n_rows * n_cols, block.fixed.get(name, default), dtype=object)


def _label_table(labels: pd.Series, calibers: pd.Series, units: pd.Series,
                 catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """Indicator code, measure and unit of every distinct (label, 口径, unit) combination.

    A terminal column ``<指标>_<口径>`` comes with its 口径 split off; a name that merely
    ends like a suffix (a city's ``各项贷款余额``) is matched whole when the stripped name is
    unknown (the suffix still gives the measure); an index bracket (``上年同月=100``) decides
    the measure over any suffix.
    """
    aliases = alias_index(catalogue)
    keys = pd.DataFrame({"label": labels, "caliber": calibers, "unit_hint": units}).drop_duplicates()
    out = []
    for label, caliber, hint in keys.itertuples(index=False):
        text = _norm(label)
        if caliber and text.endswith(_norm(caliber)):
            text = text[: -len(_norm(caliber))].rstrip("_:：")
        bare, unit = split_unit(text)
        name, measure = split_suffix(bare)
        index = index_measure(unit)
        if caliber and index is None:
            measure = caliber_measure(caliber) or measure
        code = aliases.get(name)
        if code is None and bare in aliases:  # the whole text is a name: keep what its suffix says
            name, code = bare, aliases[bare]
        out.append((label, caliber, hint, code or derived_code(name), index or measure or NO_SUFFIX_MEASURE,
                    unit if unit is not None else (hint or "")))
    return pd.DataFrame(out, columns=["label", "caliber", "unit_hint", "indicator", "measure", "unit"])


def tidy(block: Block, region_codes: dict[str, str], catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observations (:data:`COLUMNS`) of every cell of ``block``; regions named in words get
    their code from ``region_codes`` (missing when unknown, for the validator to report)."""
    n_rows, n_cols = block.cells.shape
    flat = block.cells.reshape(-1)
    grid_rows = np.repeat(block.rows, n_cols)
    grid_cols = np.tile(block.cols, n_rows)
    keep = np.ones(flat.shape, bool) if block.keep is None else block.keep.reshape(-1)
    attrs = {name: _spread(block, name, "")[keep] for name in ATTRIBUTES}
    flat, grid_rows, grid_cols = flat[keep], grid_rows[keep], grid_cols[keep]
    values, _status, raw, bad = parse_values(flat)
    if bad >= 0:
        raise unparseable(raw[bad], block.path, excel_cell(int(grid_rows[bad]), int(grid_cols[bad])))
    labels = pd.Series(attrs["label"], dtype=object).astype(str)
    calibers = pd.Series(attrs["caliber"], dtype=object).fillna("").astype(str)
    hints = pd.Series(attrs["unit"], dtype=object).fillna("").astype(str)
    table = _label_table(labels, calibers, hints, catalogue)
    parsed = pd.DataFrame({"label": labels, "caliber": calibers, "unit_hint": hints}).merge(
        table, on=["label", "caliber", "unit_hint"], how="left", sort=False)
    frequency = pd.Series(attrs["frequency"], dtype=object).fillna("M").replace("", "M").astype(str)
    measure = [for_frequency(m, f) for m, f in zip(parsed["measure"], frequency, strict=True)]
    region_name = pd.Series(attrs["region"], dtype=object).astype(str)
    letters = {c: excel_cell(0, int(c))[:-1] for c in np.unique(grid_cols)} if len(grid_cols) else {}
    source = (block.path.name + "!" + pd.Series(grid_cols).map(letters).astype(str)
              + (pd.Series(grid_rows) + 1).astype(str))
    frame = pd.DataFrame({
        "region_code": region_name.map(region_codes),
        "region_name": region_name,
        "indicator": parsed["indicator"].to_numpy(dtype=object),
        "period": pd.PeriodIndex.from_ordinals(np.asarray(attrs["period"], dtype="int64"), freq="M")
        if len(flat) else pd.PeriodIndex([], freq="M"),
        "frequency": frequency.to_numpy(dtype=object),
        "measure": np.asarray(measure, dtype=object),
        "value": values.astype(float),
        "unit": parsed["unit"].to_numpy(dtype=object),
        "source": source.to_numpy(dtype=object),
        "label": labels.to_numpy(dtype=object),
        "raw": raw,
    })
    return frame[COLUMNS]


def empty_observations() -> pd.DataFrame:
    """Reader output with no rows (the right columns and dtypes)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["period"] = pd.PeriodIndex([], freq="M")
    frame["value"] = frame["value"].astype(float)
    return frame
