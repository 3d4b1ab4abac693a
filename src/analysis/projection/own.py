"""The series' own backtest of the share rules: what ``project_annual`` recommends on without
cached ``evidence``.

A share rule's error needs no refit: projecting year ``s`` with rule share ``r_s`` (last
known share for ``share_last``, mean of the last ``k`` known shares for ``share_mean``)
gives ``Y_s / r_s`` against the actual ``A_s = Y_s / s_s``, so

    APE_s = 100 |s_s / r_s - 1|

from the YTD shares alone. Scored over the last ``max_years`` years that have a rule share,
it is the same ``accuracy`` table a cached backtest would give for those two methods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.projection.history import ytd_shares
from analysis.projection.shares import rule_shares

OWN_COLUMNS = ["method", "n", "mdape", "first_year", "last_year"]


def own_share_evidence(table: pd.DataFrame, year: int, through_month: int, k: int = 3,
                       max_years: int = 10) -> pd.DataFrame:
    """``method, n, mdape, first_year, last_year`` of share_last and share_mean over the
    years before ``year`` (module formula); ``n = 0`` rows when a rule was never scored."""
    shares = ytd_shares(table.loc[table.index < year], through_month)
    rows = []
    for method, window in (("share_last", 1), ("share_mean", k)):
        rule = rule_shares(shares, window)
        ape = (100 * (shares.reindex(rule.index) / rule - 1).abs()).dropna().tail(max_years)
        rows.append({"method": method, "n": len(ape),
                     "mdape": float(ape.median()) if len(ape) else np.nan,
                     "first_year": int(ape.index.min()) if len(ape) else np.nan,
                     "last_year": int(ape.index.max()) if len(ape) else np.nan})
    return pd.DataFrame(rows, columns=OWN_COLUMNS)


def own_basis(evidence: pd.DataFrame, choice: str, minimum: int) -> str:
    """The note saying what the recommendation rests on (``minimum`` scored years needed)."""
    scored = evidence[evidence["n"] >= minimum]
    if scored.empty or "share_last" not in set(scored["method"]):
        most = int(evidence["n"].max()) if len(evidence) else 0
        return (f"{choice} by default: the own backtest of the share rules needs {minimum} "
                f"scored years, has {most}")
    parts = ", ".join(f"{r.method} {r.mdape:.2f}%" for r in scored.itertuples())
    first, last = int(scored["first_year"].min()), int(scored["last_year"].max())
    return f"{choice} on the own backtest of the share rules {first}-{last} (MdAPE {parts})"
