"""What the panel's own out-of-sample record says: accuracy, intervals and the method to use.

The record is a backtest table (``series, year, method, estimate, actual, ape, covered``,
every row projected from data up to its origin only). For a projection of year ``t`` the
caller passes the rows of earlier years only, so nothing here looks ahead.

**Calibrated intervals** (split-conformal on log errors, pooled over the panel): with
``e = log(actual / estimate)`` of the method's ``n`` past rows sorted ``e_(1) <= ... <=
e_(n)`` and ``a = 1 - level``, the interval of a new estimate ``E`` is
``[E exp(e_(lo)), E exp(e_(hi))]`` with ``lo = floor((n + 1) a / 2)`` and
``hi = ceil((n + 1)(1 - a / 2))``; it covers the actual with probability at least
``level`` when the years are exchangeable (Vovk et al. 2005; Lei et al. 2018). It needs
``lo >= 1`` and ``hi <= n`` (9 errors for 80%), and errors from at least 4 distinct years
(``MIN_RECOMMEND_EVIDENCE``): the counties of one year share that year's shock, so nine
errors of a single year say little about the next; with less there is no interval.

**The recommended method** (:func:`choose`): the default ``share_last`` unless another
method was clearly better on the same past rows: scored in at least 4 distinct years
(``MIN_RECOMMEND_EVIDENCE``), over ``n`` rows where both were scored, with
``MdAPE(other) <= (1 - m(n)) MdAPE(share_last)`` and ``m(n) = 0.20 sqrt(4 / n)``: the
single-series rule's margin (a fifth at 4 years, ``SWITCH_MARGIN``) shrunk as the noise of
a median shrinks with the number of rows. Of the methods that pass, the one with the
lowest ratio to ``share_last`` is chosen.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.projection.annual import MIN_RECOMMEND_EVIDENCE, SWITCH_MARGIN

DEFAULT = "share_last"
COMBO = "combo"
EVIDENCE_COLUMNS = ["method", "n", "years", "mdape", "p90_ape", "coverage", "n_interval",
                    "err_low", "err_high"]


def conformal_bounds(errors: np.ndarray, level: float) -> tuple[float, float]:
    """``(e_(lo), e_(hi))`` of the module formula, NaN when there are too few errors."""
    values = np.sort(np.asarray(errors, dtype=float)[np.isfinite(errors)])
    n = len(values)
    alpha = 1 - level
    lo = math.floor((n + 1) * alpha / 2 + 1e-9)  # 1e-9: 1 - 0.8 is 0.19999999999999996
    hi = math.ceil((n + 1) * (1 - alpha / 2) - 1e-9)
    if n == 0 or lo < 1 or hi > n:
        return np.nan, np.nan
    return float(values[lo - 1]), float(values[hi - 1])


def log_errors(record: pd.DataFrame) -> pd.Series:
    """``log(actual / estimate)`` per row (NaN unless both are positive)."""
    actual = record["actual"].where(record["actual"] > 0)
    estimate = record["estimate"].where(record["estimate"] > 0)
    return np.log(actual / estimate)


def pooled_evidence(record: pd.DataFrame, level: float = 0.80) -> pd.DataFrame:
    """Per method over the record: scored rows ``n``, distinct ``years``, MdAPE, 90th-percentile
    APE, interval ``coverage`` (of ``n_interval`` rows with one) and the conformal error
    bounds ``err_low, err_high`` at ``level``. Sorted by MdAPE."""
    ape = record["ape"].to_numpy(dtype=float)
    scored = np.isfinite(ape)
    methods = record["method"].to_numpy(dtype=object)[scored]
    ape, years = ape[scored], record["year"].to_numpy()[scored]
    covered = record["covered"].to_numpy(dtype=float)[scored]
    errors = log_errors(record).to_numpy(dtype=float)[scored]
    rows = []
    for method in dict.fromkeys(methods):
        part = methods == method
        low, high = conformal_bounds(errors[part], level)
        if len(set(years[part])) < MIN_RECOMMEND_EVIDENCE:
            low = high = np.nan
        held = covered[part][np.isfinite(covered[part])]
        rows.append({"method": method, "n": int(part.sum()), "years": len(set(years[part])),
                     "mdape": float(np.median(ape[part])),
                     "p90_ape": float(np.quantile(ape[part], 0.9)),
                     "coverage": float(held.mean()) if len(held) else np.nan,
                     "n_interval": len(held), "err_low": low, "err_high": high})
    out = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return out.sort_values("mdape", kind="stable").reset_index(drop=True)


def switch_margin(n: int) -> float:
    """``m(n) = SWITCH_MARGIN sqrt(MIN_RECOMMEND_EVIDENCE / n)`` (module docstring)."""
    return SWITCH_MARGIN * math.sqrt(MIN_RECOMMEND_EVIDENCE / max(n, 1))


def choose(record: pd.DataFrame, methods: list[str] | tuple[str, ...]) -> tuple[list[str], str]:
    """Methods in the order to recommend them, and a note saying what the choice rests on.

    ``combo`` when :func:`clearly_better` than :data:`DEFAULT` on the pooled record, else
    the default; the rest follow by pooled MdAPE (a series takes the first one it has an
    estimate for). Single methods are not candidates: on the development panel choosing
    among them chased noise (docs/methods.md), and combo already drops weak members.
    """
    ape = _wide_ape(record)
    medians = {m: float(ape[m].median()) for m in methods if m in ape and ape[m].notna().any()}
    order = [DEFAULT, *sorted((m for m in methods if m != DEFAULT),
                              key=lambda m: medians.get(m, np.inf))]
    if DEFAULT not in medians:
        return order, f"{DEFAULT} by default: no pooled record yet"
    ratio, text = clearly_better(ape, COMBO, DEFAULT) if COMBO in methods else (None, "")
    if ratio is None:
        return order, f"{DEFAULT}: {COMBO} not clearly better in the pooled record ({_span(record)})"
    return ([COMBO, *[m for m in order if m != COMBO]],
            f"{COMBO}: pooled record {_span(record)}, {text}")


def _wide_ape(record: pd.DataFrame) -> pd.DataFrame:
    """APE with one row per (series, year) and one column per method."""
    if record.empty:
        return pd.DataFrame()
    rows = record.drop_duplicates(["series", "year", "method"])
    return rows.set_index(["series", "year", "method"])["ape"].unstack("method")


def clearly_better(ape: pd.DataFrame, method: str, incumbent: str) -> tuple[float | None, str]:
    """``(ratio, text)`` when ``method`` passes the module's rule against ``incumbent``, else None.

    ``ratio = MdAPE(method) / MdAPE(incumbent)`` over the rows where both were scored.
    """
    if method not in ape or incumbent not in ape:
        return None, ""
    both = ape[[method, incumbent]].dropna()
    years = both.index.get_level_values("year").nunique()
    base = both[incumbent].median()
    if years < MIN_RECOMMEND_EVIDENCE or not base > 0:
        return None, ""
    ratio = float(both[method].median() / base)
    if ratio > 1 - switch_margin(len(both)):
        return None, ""
    return ratio, (f"MdAPE {both[method].median():.2f}% vs {incumbent} {base:.2f}% "
                   f"on the same {len(both)} series-years")


def _span(record: pd.DataFrame) -> str:
    years = record["year"].dropna()
    if years.empty:
        return "empty"
    series = record["series"].nunique()
    return f"{int(years.min())}-{int(years.max())}, {series} series"
