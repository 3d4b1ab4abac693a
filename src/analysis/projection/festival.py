"""The Spring Festival (春节) regressor: how a holiday window splits over Jan, Feb and March.

The festival moves between 21 January and 20 February. Its holiday window, from
``before`` days before the festival to ``after`` days after it (default -7..+21: the
pre-festival week, the official holiday, the Lantern Festival on day +14 and the week in
which factories and building sites restart), is split over calendar months::

    share_m(year) = #{days d in [SF - before, SF + after] with month(d) = m} / (before + after + 1)

for m = Jan, Feb, Mar (a window can start in late December in no year of 1990-2035 with the
defaults, so the three shares sum to 1). The dates are the real ones from
:func:`analysis.core.periods.spring_festival_dates`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.periods import spring_festival_dates

WINDOW_BEFORE = 7
WINDOW_AFTER = 21


def festival_window_shares(
    years: list[int] | np.ndarray | pd.Index, before: int = WINDOW_BEFORE, after: int = WINDOW_AFTER
) -> pd.DataFrame:
    """Share of the festival window in January, February and March, one row per year.

    Returns columns ``festival, jan, feb, mar`` indexed by year (see the module docstring for
    the formula). Years outside the festival table get NaN shares.
    """
    years = pd.Index(np.asarray(years, dtype=int), name="year")
    dates = spring_festival_dates().reindex(years)
    length = before + after + 1
    offsets = pd.to_timedelta(np.arange(-before, after + 1), unit="D")
    days = dates.to_numpy()[:, None] + offsets.to_numpy()[None, :]
    months = pd.DatetimeIndex(days.ravel()).month.to_numpy().reshape(days.shape)
    known = dates.notna().to_numpy()[:, None]
    out = pd.DataFrame({"festival": dates.to_numpy()}, index=years)
    for name, month in (("jan", 1), ("feb", 2), ("mar", 3)):
        share = ((months == month) & known).sum(axis=1) / length
        out[name] = np.where(known[:, 0], share, np.nan)
    return out


def festival_regressors(
    years: list[int] | np.ndarray, before: int = WINDOW_BEFORE, after: int = WINDOW_AFTER
) -> np.ndarray:
    """Regressors for the 11-period year (Jan-Feb, Mar, ..., Dec) used by the models.

    Column 0 is the window share in Jan-Feb on the Jan-Feb period (0 elsewhere); column 1
    is the share in March on the March period (0 elsewhere). Returns an array of shape
    ``(11 * len(years), 2)`` in year order.
    """
    shares = festival_window_shares(years, before, after)
    regs = np.zeros((len(shares), 11, 2))
    regs[:, 0, 0] = (shares["jan"] + shares["feb"]).to_numpy()
    regs[:, 1, 1] = shares["mar"].to_numpy()
    return regs.reshape(-1, 2)
