"""Share methods: annual = YTD / (share of the year that the YTD period usually holds).

With ``Y`` the YTD value at ``through_month`` of the projection year and ``s_t`` the YTD
share of past year ``t`` (``ytd_t(through_month) / ytd_t(12)``):

* ``share_last``: ``annual = Y / s_{t-1}`` (last year's share);
* ``share_mean``: ``annual = Y / mean(s_{t-k}, ..., s_{t-1})`` (k = 3 by default);
* ``share_assumption``: ``annual = Y / a`` for a stated share ``a`` (the speech's 30%).

Intervals for the first two come from the rule's own past errors: for every past year with
k earlier shares, ``e = log(s) - log(rule share)``; with ``r = sqrt(mean(e^2))`` over the
last ``max_years`` such errors and ``q`` the ``t`` quantile with ``len(e)`` degrees of freedom,
the interval is ``Y / (s_hat * exp(+q r))`` .. ``Y / (s_hat * exp(-q r))``. An assumption
has no interval; it is flagged when it lies outside the range of past shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile; scipy.stats costs ~1 s to import

MIN_ERRORS = 3


def _row(method: str, estimate: float = np.nan, lower: float = np.nan,
         upper: float = np.nan, note: str = "") -> dict:
    return {"method": method, "estimate": estimate, "lower": lower, "upper": upper, "note": note}


def rule_shares(shares: pd.Series, k: int) -> pd.Series:
    """Rule share per year: the mean of the k previous known shares (NaN with fewer than k)."""
    prior = shares.shift(1).rolling(k, min_periods=k).mean()
    return prior.dropna()


def share_rule(ytd: float, shares: pd.Series, k: int, method: str, level: float,
               max_years: int = 10) -> dict:
    """Projection ``Y / mean(last k shares)`` with the interval from the rule's past errors."""
    if shares.empty:
        return _row(method, note="no past year with both this YTD value and December")
    used = shares.tail(k)
    s_hat = float(used.mean())
    note = "" if len(used) == k else f"mean of {len(used)} year(s), {k} asked"
    errors = (np.log(shares) - np.log(rule_shares(shares, k))).dropna().tail(max_years)
    estimate = ytd / s_hat
    if len(errors) < MIN_ERRORS:
        extra = f"no interval: {len(errors)} past error(s), need {MIN_ERRORS}"
        return _row(method, estimate, note="; ".join(filter(None, [note, extra])))
    spread = float(np.sqrt(np.mean(errors.to_numpy() ** 2)))
    q = float(stdtrit(len(errors), (1 + level) / 2))
    lower, upper = ytd / (s_hat * np.exp(q * spread)), ytd / (s_hat * np.exp(-q * spread))
    return _row(method, estimate, lower, upper, note)


def share_assumption_row(ytd: float, shares: pd.Series, assumed: float,
                         through_month: int) -> dict:
    """Projection ``Y / a``; the note flags ``a`` outside the range of past shares."""
    if not np.isfinite(assumed) or assumed <= 0:
        return _row("share_assumption", note=f"stated share {assumed!r} is not a positive number")
    notes = []
    if through_month != 3:
        notes.append(f"stated share read as the share of months 1-{through_month}")
    if not shares.empty:
        low, high = float(shares.min()), float(shares.max())
        span = f"{shares.index.min()}-{shares.index.max()}"
        if not low <= assumed <= high:
            notes.append(
                f"stated share {assumed:.1%} is outside the historical range "
                f"{low:.1%}-{high:.1%} ({span}, mean {shares.mean():.1%})"
            )
        else:
            notes.append(f"stated share {assumed:.1%} within historical range {low:.1%}-{high:.1%}")
    return _row("share_assumption", ytd / assumed, note="; ".join(notes))
