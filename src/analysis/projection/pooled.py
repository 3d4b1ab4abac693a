"""``project_panel``: every series of a panel projected with evidence pooled over the panel.

A panel is the counties of a city for one indicator (or any set of related monthly flow
series): wide, monthly ``PeriodIndex`` rows, one column per series, in the convention of
:func:`analysis.projection.project_annual`. For the projected year ``t`` each method gives
a point estimate from the data up to ``through_month`` of ``t``; which method to recommend,
which members the combination keeps and how wide each interval is come from the panel's
rolling-origin *record*: the same projection made for every earlier year and series, each
from the data before its own origin (:func:`panel_backtest`).

Methods (formulas in :mod:`~analysis.projection.shrink`, :mod:`~analysis.projection.stl`
and :mod:`~analysis.projection.shares`): ``share_last``, ``share_mean`` (k = 3),
``share_shrunk`` (empirical-Bayes share), ``growth_pooled`` (damped Q1 growth),
``stl`` (STL + exponential smoothing on the 11-period year) and ``combo``, the mean of the
*good* members among share_shrunk, growth_pooled and stl: those whose pooled MdAPE is at
most 1.5 x the best member's, judged only among members scored in at least 4 years (so
all of them while the record is thin). Intervals and the
recommendation: :mod:`~analysis.projection.calibrate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.projection import calibrate
from analysis.projection.annual import GOOD_FACTOR, MIN_RECOMMEND_EVIDENCE
from analysis.projection.backtest import RESULT_COLUMNS, _score
from analysis.projection.cube import YearCube, check_monthly, year_cube
from analysis.projection.panel_methods import point_estimates

PANEL_METHODS = ("share_last", "share_mean", "share_shrunk", "growth_pooled", "stl", "combo")
COMBO_MEMBERS = ("share_shrunk", "growth_pooled", "stl")
MAX_YEARS = 10  # past years a projection draws on, as project_annual's max_years
PANEL_COLUMNS = ["series", "method", "estimate", "lower", "upper", "implied_q1_share",
                 "recommended", "note"]


def project_panel(
    panel: pd.DataFrame,
    year: int,
    through_month: int = 3,
    *,
    record: pd.DataFrame | None = None,
    level: float = 0.80,
    k: int = 3,
    max_years: int = MAX_YEARS,
    recommended_only: bool = False,
) -> pd.DataFrame:
    """Projection of ``year`` for every series of ``panel`` from months 1..``through_month``.

    Returns :data:`PANEL_COLUMNS`, one row per series and method of :data:`PANEL_METHODS`,
    exactly one ``recommended`` row per series. ``record``: a :func:`panel_backtest` of this
    panel at this ``through_month`` (e.g. from the cache); rows of ``year`` and later are
    ignored. Without it the record is computed here. Data after the origin are ignored.
    ``recommended_only``: just the recommended rows (identical to those of the full call);
    when the record keeps ``share_last`` and every series has it, STL is not fitted (and
    statsmodels not imported), which is what a leader's one-line briefing needs.
    """
    _check(through_month)
    check_monthly(panel)
    cutoff = pd.Period(year=year, month=through_month, freq="M")
    panel = panel.loc[panel.index <= cutoff]
    cube = year_cube(panel)
    if record is None:
        record = _run(cube, list(range(int(cube.years[0]) + 1, year)) if len(cube.years) else [],
                      through_month, level, k, max_years)
    past = _window(record, year, through_month, max_years)
    if year not in cube.years:
        rows = _empty_rows(cube.names, f"no data for {year}")
    elif recommended_only:
        rows = _quick_rows(cube, year, through_month, past, level, k, max_years)
    else:
        rows = _project_year(cube, year, through_month, past, level, k, max_years)
    if recommended_only:
        rows = rows[rows["recommended"]].reset_index(drop=True)
    return rows.drop(columns=["actual"])[PANEL_COLUMNS]


def _quick_rows(cube: YearCube, year: int, through_month: int, past: pd.DataFrame,
                level: float, k: int, max_years: int) -> pd.DataFrame:
    """:func:`_project_year` without STL when its recommended rows cannot need it."""
    order, _ = calibrate.choose(past[past["method"] != "recommended"], PANEL_METHODS)
    if order[0] == "share_last":
        rows = _project_year(cube, year, through_month, past, level, k, max_years, stl=False)
        picked = rows[rows["recommended"]]
        y0 = cube.row(year)
        has_ytd = np.isfinite(cube.ytd[y0, through_month - 1, :])
        if (picked["method"] == "share_last").to_numpy()[has_ytd].all():
            return rows
    return _project_year(cube, year, through_month, past, level, k, max_years)


def panel_backtest(
    panel: pd.DataFrame,
    years: list[int] | range | None = None,
    through_month: int = 3,
    *,
    level: float = 0.80,
    k: int = 3,
    max_years: int = MAX_YEARS,
) -> pd.DataFrame:
    """The panel's rolling-origin record: :func:`project_panel` of every year, scored.

    Every year from the panel's second up to ``max(years)`` is projected in order, each
    with the record of the years before it (so intervals, combo members and the
    recommendation are out of sample too); the rows of ``years`` (default: every year with
    a December value) are returned with the backtest columns
    (:data:`analysis.projection.backtest.RESULT_COLUMNS`). ``method == "recommended"``
    repeats the recommended row of each series-year, so the rule itself is scored.
    """
    _check(through_month)
    cube = year_cube(panel)
    if years is None:
        years = [int(y) for y, row in zip(cube.years, cube.ytd[:, 11, :], strict=True)
                 if np.isfinite(row).any()]
    years = sorted(int(y) for y in years)
    if not years or not len(cube.years):
        return pd.DataFrame(columns=RESULT_COLUMNS)
    record = _run(cube, list(range(int(cube.years[0]) + 1, years[-1] + 1)), through_month,
                  level, k, max_years)
    return record[record["year"].isin(years)].reset_index(drop=True)


def _check(through_month: int) -> None:
    if not 1 <= through_month <= 12:
        raise ValueError(f"through_month must be 1-12, got {through_month}")


def _run(cube: YearCube, years: list[int], through_month: int, level: float, k: int,
         max_years: int) -> pd.DataFrame:
    """Project ``years`` in order, each from the scored rows of the years before it."""
    frames: list[pd.DataFrame] = []
    record = pd.DataFrame(columns=RESULT_COLUMNS)
    for year in years:
        if year not in cube.years:
            continue
        past = _window(record, year, through_month, max_years)
        rows = _project_year(cube, year, through_month, past, level, k, max_years)
        rows = rows.assign(year=year, through_month=through_month)
        picked = rows[rows["recommended"]]
        recommended = picked.assign(method="recommended", note="= " + picked["method"])
        scored = _score(pd.concat([rows, recommended], ignore_index=True))[RESULT_COLUMNS]
        frames.append(scored)
        record = pd.concat(frames, ignore_index=True)
    return record


def _window(record: pd.DataFrame, year: int, through_month: int, max_years: int) -> pd.DataFrame:
    """Rows of the ``max_years`` years before ``year`` at ``through_month`` (no look-ahead)."""
    if record is None or record.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    keep = (record["year"] < year) & (record["year"] >= year - max_years)
    if "through_month" in record:
        keep &= record["through_month"] == through_month
    return record[keep]


def _project_year(cube: YearCube, year: int, through_month: int, past: pd.DataFrame,
                  level: float, k: int, max_years: int, stl: bool = True) -> pd.DataFrame:
    """All methods' rows for ``year`` with combo, calibrated intervals and the recommendation."""
    found = point_estimates(cube, year, through_month, k, max_years, stl=stl)
    scored = past[past["method"] != "recommended"]
    evidence = calibrate.pooled_evidence(scored, level).set_index("method")
    found["combo"] = _combo(found, evidence)
    y0 = cube.row(year)
    ytd = cube.ytd[y0, through_month - 1, :]
    actual = cube.ytd[y0, 11, :]
    frames = []
    for method in PANEL_METHODS:
        estimate, notes = found[method]
        lower, upper, extra = _interval(estimate, evidence, method)
        frames.append(pd.DataFrame({
            "series": cube.names, "method": method, "estimate": estimate, "lower": lower,
            "upper": upper, "note": [_join(n, extra) if np.isfinite(e) else n
                                     for n, e in zip(notes, estimate, strict=True)],
            "actual": actual}))
    rows = pd.concat(frames, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["implied_q1_share"] = np.tile(ytd, len(PANEL_METHODS)) / rows["estimate"].where(
            rows["estimate"] > 0)
    order, basis = calibrate.choose(scored, PANEL_METHODS)
    rows["recommended"] = _flags(rows, order)
    rows.loc[rows["recommended"], "note"] = [
        _join(n, f"recommended: {basis}") for n in rows.loc[rows["recommended"], "note"]]
    order_index = {name: i for i, name in enumerate(cube.names)}
    rows = rows.sort_values("series", key=lambda s: s.map(order_index), kind="stable")
    return rows.reset_index(drop=True)


def _combo(found: dict, evidence: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Mean of the good members' estimates per series (module docstring)."""
    mdape = {m: evidence.at[m, "mdape"] for m in COMBO_MEMBERS
             if m in evidence.index and evidence.at[m, "years"] >= MIN_RECOMMEND_EVIDENCE}
    good = list(COMBO_MEMBERS)
    if mdape:
        best = min(mdape.values())
        good = [m for m in COMBO_MEMBERS if m not in mdape or mdape[m] <= GOOD_FACTOR * best]
    stack = np.vstack([found[m][0] for m in good])
    count = np.isfinite(stack).sum(axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.where(count > 0, np.nansum(stack, axis=0) / np.maximum(count, 1), np.nan)
    notes = []
    for i in range(stack.shape[1]):
        used = [m for m, v in zip(good, stack[:, i], strict=True) if np.isfinite(v)]
        fallback = found["share_last"][1][i] or "no member has an estimate"  # e.g. no YTD value
        notes.append(f"mean of {', '.join(used)}" if used else fallback)
    return mean, notes


def _interval(estimate: np.ndarray, evidence: pd.DataFrame, method: str
              ) -> tuple[np.ndarray, np.ndarray, str]:
    """Calibrated bounds ``estimate * exp(err_low/high)`` from the pooled record."""
    if method not in evidence.index or not np.isfinite(evidence.at[method, "err_low"]):
        n = int(evidence.at[method, "n"]) if method in evidence.index else 0
        nan = np.full(len(estimate), np.nan)
        years = int(evidence.at[method, "years"]) if method in evidence.index else 0
        return nan, nan, (f"no interval: {n} pooled past error(s) from {years} year(s), need "
                          f"enough for the level and {MIN_RECOMMEND_EVIDENCE} years")
    low, high = evidence.at[method, "err_low"], evidence.at[method, "err_high"]
    side = "above" if low > 0 else "below" if high < 0 else ""
    note = (f"interval lies {side} the estimate: the method was too "
            f"{'low' if side == 'above' else 'high'} in most of the pooled record") if side else ""
    return estimate * np.exp(low), estimate * np.exp(high), note


def _flags(rows: pd.DataFrame, order: list[str]) -> np.ndarray:
    """One True per series: the first method of ``order`` with an estimate (else the first row)."""
    rank = rows["method"].map({m: i for i, m in enumerate(order)}).fillna(len(order))
    usable = rows.assign(rank=np.where(rows["estimate"].notna(), rank, len(order) + 1 + rank))
    first = usable.sort_values(["rank"], kind="stable").groupby("series", sort=False).head(1)
    flags = np.zeros(len(rows), dtype=bool)
    flags[first.index.to_numpy()] = True
    return flags


def _empty_rows(names: list[str], note: str) -> pd.DataFrame:
    rows = pd.DataFrame([{"series": n, "method": m, "estimate": np.nan, "lower": np.nan,
                          "upper": np.nan, "implied_q1_share": np.nan, "note": note,
                          "actual": np.nan} for n in names for m in PANEL_METHODS])
    rows["recommended"] = rows["method"] == PANEL_METHODS[0]
    return rows


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
