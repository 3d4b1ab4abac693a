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
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core.catalog import alias_index, derived_code
from analysis.core.errors import excel_cell
from analysis.core.measures import (
    NO_SUFFIX_MEASURE,
    caliber_measure,
    for_frequency,
    index_measure,
    split_labels,
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
STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default string dtype


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


def _spread(block: Block, name: str, default: object, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(code per cell, distinct values) of one attribute: attributes belong to a data row, a
    column or the whole block, so they are factorised before being spread over the cells."""
    n_rows, n_cols = shape
    if name in block.row_keys or name in block.col_keys:
        by_row = name in block.row_keys
        values = pd.Series(block.row_keys[name] if by_row else block.col_keys[name], dtype=object)
        codes, uniques = pd.factorize(values.fillna(default), use_na_sentinel=False)
        spread = np.repeat(codes, n_cols) if by_row else np.tile(codes, n_rows)
        return spread, np.asarray(uniques, dtype=object)
    value = block.fixed.get(name, default)
    return np.zeros(n_rows * n_cols, dtype=np.int64), np.array([default if value is None else value], dtype=object)


def _label_table(keys: pd.DataFrame, catalogue: pd.DataFrame | None) -> pd.DataFrame:
    """Indicator code, measure and unit of every distinct (label, 口径, unit, frequency).

    A name that merely ends like a suffix (a city's ``各项贷款余额``) is matched whole when the
    stripped name is unknown (the suffix still gives the measure); an index bracket
    (``上年同月=100``) decides the measure over any suffix. Labels are split column-wise
    (:func:`analysis.core.measures.split_labels`): a table of two million distinct names is
    not two million Python calls. Terminal columns ``<指标>_<口径>`` (few) go one by one.
    """
    keys = keys.reset_index(drop=True)
    aliases = alias_index(catalogue)
    plain = (keys["caliber"].fillna("").astype(str) == "").to_numpy()
    out = pd.DataFrame({"indicator": None, "measure": None, "unit": None}, index=keys.index, dtype=object)
    if plain.any():
        rows = keys[plain]
        split = split_labels(rows["label"]).set_axis(rows.index)
        code = split["name"].map(aliases).astype(object)
        whole = code.isna() & split["bare"].isin(list(aliases))  # the whole text is a name
        name = split["name"].where(~whole, split["bare"])
        code = code.where(~whole, split["bare"].map(aliases)).astype(object)
        derived = name.str.replace("|", "/").str.replace(",", "，").str.replace("!", "！")
        measure = split["index_measure"].fillna(split["suffix_measure"]).fillna(NO_SUFFIX_MEASURE)
        pairs = pd.DataFrame({"m": measure, "f": rows["frequency"].astype(str)})
        meant = {(m, f): for_frequency(m, f) for m, f in pairs.drop_duplicates().itertuples(index=False)}
        out.loc[plain, "indicator"] = code.where(code.notna(), derived).astype(object)
        out.loc[plain, "measure"] = [meant[p] for p in zip(pairs["m"], pairs["f"], strict=True)]
        out.loc[plain, "unit"] = split["unit"].where(split["unit"].notna(), rows["unit"].fillna("")).astype(object)
    for i in np.flatnonzero(~plain):
        out.loc[i] = _one_label(*keys.loc[i], aliases)
    return out


def _one_label(label: str, caliber: str, hint: str, frequency: str, aliases: dict[str, str]) -> tuple:
    """(indicator, measure, unit) of one terminal column ``<指标>_<口径>`` (its 口径 split off)."""
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
    measure = for_frequency(index or measure or NO_SUFFIX_MEASURE, frequency)
    return code or derived_code(name), measure, unit if unit is not None else (hint or "")


def tidy(block: Block, region_codes: dict[str, str], catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observations (:data:`COLUMNS`) of every cell of ``block``; regions named in words get
    their code from ``region_codes`` (missing when unknown, for the validator to report).

    The block's cells are consumed (released once parsed), and text repeated over many cells
    (region, indicator, frequency, measure, unit, label) comes as categoricals, each distinct
    text stored once: a table of millions of cells costs arrays, not a string per cell.
    """
    shape = n_rows, n_cols = block.cells.shape
    keep = np.ones(n_rows * n_cols, bool) if block.keep is None else block.keep.reshape(-1)
    spread = {name: _spread(block, name, "M" if name == "frequency" else "", shape) for name in ATTRIBUTES}
    codes = {name: c[keep] for name, (c, _) in spread.items()}
    uniques = {name: u for name, (_, u) in spread.items()}
    grid_rows, grid_cols = np.repeat(block.rows, n_cols)[keep], np.tile(block.cols, n_rows)[keep]
    flat = block.cells.reshape(-1)[keep]
    block.cells = np.empty((0, n_cols), dtype=object)  # consumed: the cells' text is released once parsed
    values, _status, raw, bad = parse_values(flat)
    del flat
    if bad >= 0:
        raise unparseable(raw[bad].as_py(), block.path, excel_cell(int(grid_rows[bad]), int(grid_cols[bad])))
    uniques["frequency"] = np.where(uniques["frequency"] == "", "M", uniques["frequency"]).astype(object)
    names = ("label", "caliber", "unit", "frequency")
    combined = np.ravel_multi_index([codes[n] for n in names], [len(uniques[n]) for n in names])
    distinct, which = np.unique(combined, return_inverse=True)
    parts = np.unravel_index(distinct, [len(uniques[n]) for n in names])
    parsed = _label_table(pd.DataFrame({n: uniques[n][p] for n, p in zip(names, parts, strict=True)}), catalogue)
    region_code = [region_codes.get(str(n)) for n in uniques["region"]]
    letters = pa.array([excel_cell(0, int(c))[:-1] for c in block.cols], type=pa.string())
    column = np.tile(np.arange(len(block.cols)), n_rows)[keep]
    source = pc.binary_join_element_wise(block.path.name + "!", letters.take(pa.array(column)),
                                         pc.cast(pa.array(grid_rows + 1), pa.string()), "")
    frame = pd.DataFrame({
        "region_code": _categorical(region_code, codes["region"]),
        "region_name": _categorical(uniques["region"], codes["region"]),
        "indicator": _categorical(parsed["indicator"], which),
        "period": pd.PeriodIndex.from_ordinals(uniques["period"].astype("int64")[codes["period"]], freq="M"),
        "frequency": _categorical(uniques["frequency"], codes["frequency"]),
        "measure": _categorical(parsed["measure"], which),
        "value": values,
        "unit": _categorical(parsed["unit"], which),
        "source": pd.Series(source, dtype=STR),
        "label": _categorical(uniques["label"], codes["label"]),
        "raw": pd.Series(raw, dtype=STR),
    })
    return frame[COLUMNS]


def _categorical(values: object, codes: np.ndarray) -> pd.Categorical:
    """``values[codes]`` as a categorical of text: each distinct value once, None missing."""
    texts = pd.Series([None if v is None else str(v) for v in values], dtype=object)
    distinct, categories = pd.factorize(texts)
    return pd.Categorical.from_codes(distinct[codes], categories=pd.Index(categories, dtype=STR))


def empty_observations() -> pd.DataFrame:
    """Reader output with no rows (the right columns and dtypes)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["period"] = pd.PeriodIndex([], freq="M")
    frame["value"] = frame["value"].astype(float)
    return frame
