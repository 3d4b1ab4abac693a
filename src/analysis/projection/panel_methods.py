"""Point estimates of the panel methods for one projected year, vectorised over series.

Each function returns ``(estimates, notes)``: an array with one estimate per series of the
:class:`~analysis.projection.cube.YearCube` (NaN where the method cannot run) and the
reason or caveat per series. Only the rows before the projected year and the months up to
``through_month`` of that year are read: the origin's information set.
``share_last``/``share_mean`` equal :func:`analysis.projection.project_annual`'s.
"""

from __future__ import annotations

import numpy as np

from analysis.projection.cube import YearCube
from analysis.projection.history import SLOTS
from analysis.projection.shrink import pooled_growth_slope, shrunk_log_share
from analysis.projection.stl import stl_estimates

Estimates = tuple[np.ndarray, list[str]]


def point_estimates(cube: YearCube, year: int, through_month: int, k: int = 3,
                    max_years: int = 10, stl: bool = True) -> dict[str, Estimates]:
    """``share_last, share_mean, share_shrunk, growth_pooled, stl`` for ``year``.

    ``stl=False`` skips the only fitted method (NaN with a note): for a caller that needs
    just a share rule's rows.
    """
    y0 = cube.row(year)
    ytd = cube.ytd[: y0 + 1, through_month - 1, :]
    annual = cube.ytd[:y0, 11, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(annual > 0, ytd[:y0] / annual, np.nan)
    current = ytd[y0]
    no_ytd = ~np.isfinite(current)
    out = {
        "share_last": _share_rule(current, shares, 1),
        "share_mean": _share_rule(current, shares, k),
        "share_shrunk": _share_shrunk(current, shares[-max_years:]),
        "growth_pooled": _growth(ytd[:y0][-max_years - 1:], annual[-max_years - 1:], current),
        "stl": _stl(cube, y0, through_month, max_years) if stl else
        (np.full(len(current), np.nan), ["stl not computed"] * len(current)),
    }
    missing = f"no YTD value for {year}-{through_month:02d}"
    for method, (estimate, notes) in out.items():
        estimate[no_ytd] = np.nan
        out[method] = (estimate, [missing if gone else note for note, gone
                                  in zip(notes, no_ytd, strict=True)])
    return out


def _last_known(values: np.ndarray, k: int) -> np.ndarray:
    """Mask of the last ``k`` finite values of each column."""
    known = np.isfinite(values)
    from_end = np.cumsum(known[::-1], axis=0)[::-1]
    return known & (from_end <= k)


def _share_rule(current: np.ndarray, shares: np.ndarray, k: int) -> Estimates:
    """``Y / mean(last k known shares)``; a note when fewer than ``k`` are known."""
    used = _last_known(shares, k)
    count = used.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(used, shares, 0.0).sum(axis=0) / count
        estimate = np.where(count > 0, current / mean, np.nan)
    notes = ["no past year with both this YTD value and December" if c == 0 else
             (f"mean of {c} year(s), {k} asked" if c < k else "") for c in count]
    return estimate, notes


def _share_shrunk(current: np.ndarray, shares: np.ndarray) -> Estimates:
    """``Y / exp(c_{t-1} + B_i dbar_i)`` (:mod:`analysis.projection.shrink`)."""
    if shares.shape[0] < 2:
        return np.full(len(current), np.nan), ["share_shrunk needs 2 past years"] * len(current)
    log_share, weight = shrunk_log_share(np.log(shares))
    estimate = current / np.exp(log_share)
    notes = ["no past share" if not np.isfinite(s) else f"own-share weight B = {w:.2f}"
             for s, w in zip(log_share, weight, strict=True)]
    return estimate, notes


def _growth(past_ytd: np.ndarray, past_annual: np.ndarray, current: np.ndarray) -> Estimates:
    """``Y_t + R_{t-1} exp(b q_t)`` with ``b`` pooled over the past rows (shrink module)."""
    nan = np.full(len(current), np.nan)
    if len(past_ytd) < 2:
        return nan, ["growth_pooled needs 2 past years"] * len(current)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ytd = np.log(np.where(past_ytd > 0, past_ytd, np.nan))
        log_rest = np.log(np.where(past_annual > past_ytd, past_annual - past_ytd, np.nan))
        slope, pairs = pooled_growth_slope(np.diff(log_ytd, axis=0).ravel(),
                                           np.diff(log_rest, axis=0).ravel())
        growth_now = np.log(current) - log_ytd[-1]
        estimate = current + np.exp(log_rest[-1] + slope * growth_now)
    if not np.isfinite(slope):
        note = f"growth_pooled needs 4 past (Q1 growth, rest-of-year growth) pairs, has {pairs}"
        return nan, [note] * len(current)
    notes = [f"b = {slope:.2f} from {pairs} pooled pairs" if np.isfinite(e) else
             "needs last year's YTD and December" for e in estimate]
    return estimate, notes


def _stl(cube: YearCube, y0: int, through_month: int, max_years: int) -> Estimates:
    """:func:`analysis.projection.stl.stl_estimates` of every series."""
    steps = SLOTS - (through_month - 1) if through_month >= 2 else -1
    windows = [_fit_window(cube.model[:, :, i], y0, through_month, max_years)
               for i in range(len(cube.names))]
    ytd = cube.ytd[y0, through_month - 1, :]
    return stl_estimates([w for w, _ in windows], [f for _, f in windows], steps, ytd)


def _fit_window(model: np.ndarray, y0: int, through_month: int, max_years: int
                ) -> tuple[np.ndarray, int]:
    """Model-year values of the past ``max_years`` years plus the known periods of year ``y0``,
    cut after the last gap (as :func:`analysis.projection.history.fit_window`)."""
    current = model[y0, : max(through_month - 1, 0)]
    if np.isnan(current).any():
        return current[:0], 0
    past = model[max(0, y0 - max_years): y0]
    values = np.concatenate([past.ravel(), current])
    gaps = np.flatnonzero(np.isnan(values))
    full = len(past)
    if gaps.size:
        cut = gaps[-1] // SLOTS + 1
        values, full = values[cut * SLOTS:], full - cut
    return values, full
