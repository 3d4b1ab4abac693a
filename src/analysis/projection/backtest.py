"""Rolling-origin backtest of :func:`project_annual` and its accuracy summary.

For each series and year the projection sees only the months up to ``through_month`` of
that year (what was known at the end of that month) and is compared with the December
YTD value of that year. Series run in parallel processes (``jobs``) or on a Dask
``client``; each worker runs whole series, so no model state crosses processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from analysis.projection.annual import (
    COMBO_MEMBERS,
    DEFAULT_OPTIONS,
    METHODS,
    combo_row,
    project_from_tables,
    recommend,
)
from analysis.projection.history import model_year_table, regular, ytd_table

RESULT_COLUMNS = ["series", "year", "through_month", "method", "estimate", "lower", "upper",
                  "actual", "pct_error", "ape", "covered", "note"]


def _score(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``pct_error``, ``ape`` and ``covered`` (see :func:`backtest`)."""
    out = frame.copy()
    actual = out["actual"].where(out["actual"] != 0)
    out["pct_error"] = 100 * (out["estimate"] - actual) / actual
    out["ape"] = out["pct_error"].abs()
    inside = (out["lower"] <= out["actual"]) & (out["actual"] <= out["upper"])
    has_interval = out[["lower", "upper", "actual"]].notna().all(axis=1)
    out["covered"] = inside.astype(float).where(has_interval)
    return out


def _one_series(name: object, monthly: pd.Series, years: list[int], through_month: int,
                options: dict) -> pd.DataFrame:
    """Every year of one series; ``combo`` uses only the errors of earlier years (no look-ahead)."""
    options = dict(options)
    wanted = tuple(options.pop("methods", None) or (*METHODS, "recommended"))
    if "recommended" in wanted:
        wanted = tuple(dict.fromkeys([*METHODS, *wanted]))
    members = COMBO_MEMBERS if "combo" in wanted else ()
    base = [m for m in METHODS if m != "combo" and (m in wanted or m in members)]
    monthly = regular(monthly)
    table = ytd_table(monthly)
    model = model_year_table(monthly, table)
    options = {**DEFAULT_OPTIONS, **options}
    frames = []
    for year in years:
        rows = project_from_tables(table, model, year, through_month, base, evidence=None,
                                   own_backtest=False, **options)
        rows = rows.drop(columns=["recommended", "implied_q1_share"])
        rows.insert(0, "series", str(name))
        rows.insert(1, "year", year)
        rows.insert(2, "through_month", through_month)
        rows["actual"] = float(table.at[year, 12]) if year in table.index else np.nan
        frames.append(rows)
    if not frames:
        return pd.DataFrame()
    scored = _score(pd.concat(frames, ignore_index=True))
    if "combo" in wanted:
        combos = []
        evidence_by_year = _rolling_evidence(scored, years)
        for year in years:
            evidence = evidence_by_year[year]
            now = scored[scored["year"] == year].set_index("method")
            found = {m: now.loc[m].to_dict() for m in COMBO_MEMBERS if m in now.index}
            row = combo_row(found, evidence)
            combos.append({**now.iloc[0][["series", "year", "through_month", "actual"]].to_dict(),
                           **row})
        scored = _score(pd.concat([scored, pd.DataFrame(combos)], ignore_index=True))
    if "recommended" in wanted:
        scored = pd.concat([scored, _recommended_rows(scored, years)], ignore_index=True)
    return scored[scored["method"].isin(wanted)]


def _rolling_evidence(scored: pd.DataFrame, years: list[int]) -> dict[int, pd.DataFrame | None]:
    """Per year, ``n`` and ``mdape`` of each method over the series' earlier years only."""
    ape = scored.pivot_table(index="year", columns="method", values="ape", aggfunc="first",
                             dropna=False)
    values = ape.to_numpy(dtype=float)
    out: dict[int, pd.DataFrame | None] = {}
    for year in years:
        past = values[ape.index.to_numpy() < year]
        if not len(past):
            out[year] = None
            continue
        n = np.isfinite(past).sum(axis=0)
        with np.errstate(all="ignore"):
            mdape = np.array([np.median(col[np.isfinite(col)]) if k else np.nan
                              for col, k in zip(past.T, n, strict=True)])
        out[year] = pd.DataFrame({"method": ape.columns.to_numpy(), "n": n, "mdape": mdape})
    return out


def _recommended_rows(scored: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """What ``project_annual`` would have recommended each year from the earlier years only."""
    picks = []
    evidence_by_year = _rolling_evidence(scored, years)
    for year in years:
        now = scored[scored["year"] == year].reset_index(drop=True)
        pick = recommend(now, evidence_by_year[year])
        row = now[pick].iloc[0].copy()
        row["note"] = f"= {row['method']}"
        row["method"] = "recommended"
        picks.append(row)
    return pd.DataFrame(picks)


def _chunk(items: list[tuple[object, pd.Series]], years: list[int], through_month: int,
           options: dict) -> pd.DataFrame:
    frames = [_one_series(n, s, years, through_month, options) for n, s in items]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def backtest(
    panel: pd.DataFrame,
    years: Iterable[int],
    through_month: int = 3,
    methods: list[str] | None = None,
    *,
    jobs: int = 1,
    client: object | None = None,
    **options: object,
) -> pd.DataFrame:
    """Projection of each year from data up to ``through_month``, next to the actual year.

    ``panel``: monthly flow values, monthly PeriodIndex, one column per series. ``options``
    go to :func:`project_annual` (``share_assumption``, ``level``, ``k``, ``max_years``).
    Returns :data:`RESULT_COLUMNS`: ``pct_error = 100 (estimate - actual) / actual``,
    ``ape = |pct_error|``, ``covered`` = actual within [lower, upper] (NaN without interval).
    ``combo`` for a year is :func:`combo_row` with the evidence of the series' earlier years
    only, which is what an analyst with the cached backtest would have had; likewise the
    extra method ``recommended`` (included when ``methods`` is None or lists it) is the row
    ``project_annual`` would have recommended from those earlier years.
    """
    years = [int(y) for y in years]
    options = {"methods": methods, **options}
    items = [(name, panel[name]) for name in panel.columns]
    if client is not None:
        futures = client.map(_chunk, [[item] for item in items], years=years,
                             through_month=through_month, options=options, pure=False)
        frames = client.gather(futures)
    elif jobs > 1 and len(items) > 1:
        n_chunks = min(len(items), jobs * 4)
        chunks = [items[i::n_chunks] for i in range(n_chunks)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            frames = list(pool.map(_chunk, chunks, *zip(*[(years, through_month, options)]
                                                          * n_chunks, strict=True)))
    else:
        frames = [_chunk(items, years, through_month, options)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(map(str, panel.columns))}
    out = out.sort_values(["series", "year"], key=lambda s: s.map(order) if s.name == "series"
                          else s, kind="stable").reset_index(drop=True)
    return out[RESULT_COLUMNS]


def accuracy(result: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Per method (and ``by`` columns): n, MdAPE, MAPE, bias and interval coverage.

    ``mdape``/``mape``: median/mean of ``ape`` (percent); ``bias_pct``: mean ``pct_error``
    (positive = projections too high); ``coverage``: share of rows with an interval whose
    interval held the actual value; ``n_interval``: how many rows had one.
    """
    keys = [*(by or []), "method"]
    scored = result.dropna(subset=["ape"])
    grouped = scored.groupby(keys, sort=False)
    out = pd.DataFrame({
        "n": grouped["ape"].size(),
        "mdape": grouped["ape"].median(),
        "mape": grouped["ape"].mean(),
        "bias_pct": grouped["pct_error"].mean(),
        "coverage": grouped["covered"].mean(),
        "n_interval": grouped["covered"].count(),
    }).reset_index()
    return out.sort_values([*(by or []), "mdape"], kind="stable").reset_index(drop=True)
