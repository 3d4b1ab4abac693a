"""A dense cube of the few months a gap table needs, for fast vectorised arithmetic.

A gap table at one month needs that month, the previous month and the same months one to
three years earlier: six months at most. :func:`build_cube` picks those rows out of the
tidy observations (filtering on the integer period ordinals, so tens of millions of rows
take a fraction of a second) and lays them out as ``values[slot, region, indicator,
measure]`` with NaN where nothing was published. Every later step is numpy indexing on
this cube instead of joins on string keys.

Only the peer regions (``levels``, counties by default), their parents (the cities) and
the catalogue's indicators are kept; other rows are not part of a gap table. Measures:
index 0 is ``ytd_value``, 1 is ``ytd_growth``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import DataError

CUBE_MEASURES = ("ytd_value", "ytd_growth")


@dataclass(frozen=True)
class GapCube:
    """The cube and its axes (see the module docstring)."""

    codes: pd.Index  # region codes, axis 1
    indicators: pd.Index  # indicator codes, axis 2
    periods: tuple[pd.Period, ...]  # axis 0
    values: np.ndarray  # float (P, R, I, 2), NaN when missing
    exists: np.ndarray  # bool (P, R, I, 2): a row was published (even if masked)
    county: np.ndarray  # region index of each peer region
    parent: np.ndarray  # region index of each peer's parent, -1 when it has none
    county_names: np.ndarray  # name of each peer region

    def slot(self, period: pd.Period | None) -> int | None:
        """Axis-0 index of ``period`` (None when absent)."""
        return self.periods.index(period) if period in self.periods else None


def codes_of(column: pd.Series, vocab: pd.Index) -> np.ndarray:
    """Positions of ``column``'s values in ``vocab`` (-1 when absent); fast for categoricals."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = vocab.get_indexer(column.cat.categories.astype(str))
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)
    return vocab.get_indexer(column.astype(str))


def repeat_period(period: pd.Period | None, n: int) -> pd.arrays.PeriodArray:
    """``n`` copies of a monthly period (NaT for None), built from ordinals (fast)."""
    ordinal = period.ordinal if period is not None else np.iinfo("int64").min
    return pd.arrays.PeriodArray(np.full(n, ordinal, dtype="int64"), dtype="period[M]")


def _period_ordinals(period: pd.Series) -> np.ndarray:
    if not isinstance(period.dtype, pd.PeriodDtype):
        period = pd.Series(pd.PeriodIndex(period, freq="M"), index=period.index)
    return period.array.asi8


def peer_regions(regions: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """Regions of ``levels`` with ``code, name, parent`` as strings (parent NaN when none)."""
    missing = [c for c in ("code", "name", "level", "parent") if c not in regions.columns]
    if missing:
        raise DataError(f"regions frame lacks columns {missing}", expected="code, name, level, parent")
    peers = regions.loc[regions["level"].isin(levels), ["code", "name", "parent"]].astype(str)
    peers["parent"] = peers["parent"].where(~peers["parent"].isin(["", "nan", "None", "<NA>"]))
    return peers.reset_index(drop=True)


def build_cube(
    obs: pd.DataFrame,
    regions: pd.DataFrame,
    periods: list[pd.Period],
    indicators: pd.Index,
    levels: tuple[str, ...] = ("county",),
) -> GapCube:
    """The cube of ``obs`` for ``periods`` (see the module docstring).

    Raises ``DataError`` naming the first duplicated region, indicator, measure and month.
    """
    needed = ["region_code", "indicator", "period", "measure", "value"]
    missing = [c for c in needed if c not in obs.columns]
    if missing:
        raise DataError(f"observations frame lacks columns {missing}", expected=f"columns {needed}")
    peers = peer_regions(regions, levels)
    codes = pd.Index(pd.unique(pd.concat([peers["code"], peers["parent"].dropna()])))
    periods = tuple(dict.fromkeys(periods))
    ordinals = np.array([p.ordinal for p in periods], dtype="int64")

    # Slot of each row's month through a lookup table over the wanted ordinals' range, with a
    # last entry (-1) that every month outside the range is clamped to: one take, no sort.
    low = ordinals.min()
    lut = np.full(ordinals.max() - low + 2, -1, dtype="int32")  # int8 wrapped from the 129th month
    lut[ordinals - low] = np.arange(len(periods))
    offset = (_period_ordinals(obs["period"]) - low).view("uint64")
    np.minimum(offset, len(lut) - 1, out=offset)
    slot = lut[offset]
    rows = np.flatnonzero(slot >= 0)
    slot = slot[rows].astype("int64")
    sub = obs.iloc[rows]
    r = codes_of(sub["region_code"], codes)
    i = codes_of(sub["indicator"], indicators)
    m = codes_of(sub["measure"], pd.Index(CUBE_MEASURES))
    keep = (r >= 0) & (i >= 0) & (m >= 0)
    shape = (len(periods), len(codes), len(indicators), len(CUBE_MEASURES))
    flat = np.ravel_multi_index((slot[keep], r[keep], i[keep], m[keep]), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if (counts > 1).any():
        s, rr, ii, mm = np.unravel_index(int(np.argmax(counts > 1)), shape)
        raise DataError(
            "duplicate observation",
            location=f"{codes[rr]} {indicators[ii]} {CUBE_MEASURES[mm]} {periods[s]}",
            expected="one value per region, indicator, measure and month",
        )
    values = np.full(shape, np.nan)
    values.reshape(-1)[flat] = sub["value"].to_numpy(dtype=float)[keep]
    exists = counts.reshape(shape) > 0
    parent = codes.get_indexer(peers["parent"].fillna("\0"))
    return GapCube(
        codes=codes,
        indicators=indicators,
        periods=periods,
        values=values,
        exists=exists,
        county=codes.get_indexer(peers["code"]),
        parent=parent,
        county_names=peers["name"].to_numpy(dtype=object),
    )
