"""A wide monthly panel as year x month x series arrays, for the panel projection.

:func:`analysis.projection.history.ytd_table` and ``model_year_table`` describe one series;
:func:`year_cube` builds the same tables for every column of a panel at once with numpy,
so that the panel methods are vectorised over series. The conventions are those of
``history``: ``monthly`` values on a monthly ``PeriodIndex``, February may carry Jan-Feb
with January NaN, and a missing month other than that January makes the YTD value of
that month and the rest of its year NaN (never a partial sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.projection.history import SLOTS


@dataclass(frozen=True)
class YearCube:
    """``ytd[y, m, i]``: YTD value of series ``i`` at month ``m + 1`` of ``years[y]``;
    ``model[y, p, i]``: the 11-period model year (Jan-Feb YTD, then March..December)."""

    names: list[str]
    years: np.ndarray
    ytd: np.ndarray
    model: np.ndarray

    def row(self, year: int) -> int:
        """Index of ``year`` in :attr:`years` (``ValueError`` when absent)."""
        hits = np.flatnonzero(self.years == year)
        if not len(hits):
            raise ValueError(f"{year} is not in the panel's years")
        return int(hits[0])


def year_cube(panel: pd.DataFrame) -> YearCube:
    """:class:`YearCube` of a wide panel (monthly ``PeriodIndex`` rows, one column per series).

    Raises ``TypeError`` when the index is not a monthly PeriodIndex.
    """
    check_monthly(panel)
    names = [str(c) for c in panel.columns]
    values = panel.astype(float).sort_index()
    values = values[~values.index.duplicated(keep="last")]
    if values.empty:
        empty = np.zeros((0, 12, len(names)))
        return YearCube(names, np.zeros(0, dtype=int), empty, np.zeros((0, SLOTS, len(names))))
    first, last = values.index[0].year, values.index[-1].year
    full = pd.period_range(f"{first}-01", f"{last}-12", freq="M")
    months = values.reindex(full).to_numpy().reshape(last - first + 1, 12, len(names))
    return YearCube(names, np.arange(first, last + 1), _ytd(months), _model(months))


def check_monthly(panel: pd.DataFrame) -> None:
    """``TypeError`` unless ``panel`` has a monthly PeriodIndex."""
    index = panel.index
    if not isinstance(index, pd.PeriodIndex) or index.freqstr not in ("M", "ME"):
        raise TypeError("panel must have a monthly PeriodIndex (freq 'M')")


def _ytd(months: np.ndarray) -> np.ndarray:
    """Cumulative sums within each year; a gap (other than January) breaks the rest of the year."""
    missing = np.isnan(months)
    gap = missing.copy()
    gap[:, 0] = False  # February may carry Jan-Feb
    broken = np.maximum.accumulate(gap, axis=1)
    ytd = np.cumsum(np.where(missing, 0.0, months), axis=1)
    ytd[broken] = np.nan
    ytd[:, 0][missing[:, 0]] = np.nan
    return ytd


def _model(months: np.ndarray) -> np.ndarray:
    """Model year: column 0 = YTD at February, columns 1..10 = March..December values."""
    ytd = _ytd(months)
    return np.concatenate([ytd[:, 1:2], months[:, 2:]], axis=1)
