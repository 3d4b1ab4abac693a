"""``project_annual``: the year projected from its first months, several methods side by side.

Rows: ``method, estimate, lower, upper, implied_q1_share, note, recommended``.
``implied_q1_share = YTD(through_month) / estimate`` shows what each estimate assumes about
the share of the year already done. ``combo`` is the plain mean of the *good* members
(``share_last``, ``share_mean``, ``ets``, ``sarimax``) that produced a number: with backtest
``evidence`` (at least 2 scored years per member) a member is good when its MdAPE is at most
1.5 times the best member's; without evidence every member counts. Its bounds are the means
of the good members' bounds (quantile averaging). Exactly one row is
``recommended``: the *default*, the first method with an estimate in
:data:`DEFAULT_PREFERENCE` (normally ``share_last``), unless this series' own backtest
``evidence`` shows another method clearly better: both with at least 4 scored years and the
best other MdAPE at most 0.8 x the default's (:data:`SWITCH_MARGIN`). Without ``evidence``
the same rule runs on the series' own backtest of the two share rules
(:func:`analysis.projection.own.own_share_evidence`, no refit needed), and the recommended
row's ``note`` says what the choice rests on. One rule with the same parameters for every
series; the margin is measured in ``docs/methods.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.settings import INTERVAL_LEVEL, STATED_Q1_SHARE
from analysis.projection.history import (
    fit_window,
    model_year_table,
    regular,
    ytd_shares,
    ytd_table,
)
from analysis.projection.models import ets_row, sarimax_row
from analysis.projection.own import own_basis, own_share_evidence
from analysis.projection.shares import share_assumption_row, share_rule

METHODS = ("share_last", "share_mean", "share_assumption", "ets", "sarimax", "combo")
COMBO_MEMBERS = ("share_last", "share_mean", "ets", "sarimax")
GOOD_FACTOR = 1.5  # a member is "good" when its MdAPE <= GOOD_FACTOR * the best member's
MIN_EVIDENCE = 2  # scored years a combo member needs before its MdAPE is trusted
MIN_RECOMMEND_EVIDENCE = 4  # scored years (default and challenger) before evidence may switch
SWITCH_MARGIN = 0.20  # a challenger must have a MdAPE at least 20% below the default's
# Used when a series has no backtest evidence: the order of measured MdAPE in docs/methods.md
# (share_last best from Q1 on national retail and the sample; combo best from Jan-Feb nationally).
DEFAULT_PREFERENCE = ("share_last", "combo", "share_mean", "ets", "sarimax", "share_assumption")
DEFAULT_OPTIONS = {"share_assumption": STATED_Q1_SHARE, "level": INTERVAL_LEVEL, "k": 3, "max_years": 10}
COLUMNS = ["method", "estimate", "lower", "upper", "implied_q1_share", "note", "recommended"]


def project_annual(
    monthly: pd.Series,
    year: int,
    through_month: int = 3,
    methods: list[str] | tuple[str, ...] | None = None,
    share_assumption: float = STATED_Q1_SHARE,
    level: float = INTERVAL_LEVEL,
    *,
    k: int = 3,
    max_years: int = 10,
    evidence: pd.DataFrame | None = None,
    festival: bool = False,
) -> pd.DataFrame:
    """Annual total of ``year`` projected from months 1..``through_month`` (see module doc).

    ``monthly``: monthly flow values on a monthly PeriodIndex (February may hold Jan-Feb with
    January NaN); values after ``through_month`` of ``year`` are ignored. ``evidence``: an
    :func:`accuracy` table (``method, mdape``) for this series. ``festival``: give
    ``sarimax`` the Spring Festival regressors (off by default: they made the backtests
    worse, see docs/methods.md). Never raises on short or odd history: such rows get NaN
    and a note.
    """
    known, table = _history(monthly, year, through_month)
    return _project(known, table, year, through_month, methods, share_assumption, level, k=k,
                    max_years=max_years, evidence=evidence, festival=festival)


def _history(monthly: pd.Series, year: int, through_month: int) -> tuple[pd.Series, pd.DataFrame]:
    """The regular monthly series up to the origin and its :func:`ytd_table`."""
    if not 1 <= through_month <= 12:
        raise ValueError(f"through_month must be 1-12, got {through_month}")
    cutoff = pd.Period(year=year, month=through_month, freq="M")
    known = regular(monthly)
    known = known[known.index <= cutoff]
    return known, ytd_table(known)


def _project(known: pd.Series, table: pd.DataFrame, year: int, through_month: int,
             methods: list[str] | tuple[str, ...] | None, share_assumption: float, level: float,
             *, k: int = 3, max_years: int = 10, evidence: pd.DataFrame | None = None,
             festival: bool = False) -> pd.DataFrame:
    """:func:`project_from_tables`, building the model table only when a model is asked for."""
    models = methods is None or bool(set(methods) & {"ets", "sarimax", "combo"})
    return project_from_tables(table, model_year_table(known, table) if models else None, year,
                               through_month, methods, share_assumption, level, k=k,
                               max_years=max_years, evidence=evidence, festival=festival)


def project_recommended(
    monthly: pd.Series,
    year: int,
    through_month: int = 3,
    share_assumption: float = STATED_Q1_SHARE,
    level: float = INTERVAL_LEVEL,
    *,
    evidence: pd.DataFrame | None = None,
    **options: object,
) -> pd.DataFrame:
    """Only the row :func:`project_annual` would recommend, fitting models only when needed.

    A briefing shows just the recommended projection. When the default (``share_last``) has
    an estimate and this series' ``evidence`` names no challenger that could pass the switch
    rule of :func:`recommend`, the answer is a share rule's row (without ``evidence``, the
    one the own share backtest picks), so ETS and SARIMAX are not fitted; otherwise every
    method is computed. The row is identical to the recommended row of
    :func:`project_annual` with the same arguments.
    """
    known, table = _history(monthly, year, through_month)  # once for both attempts
    quick_methods: tuple[str, ...] = ("share_last",)
    if evidence is None:  # the own share backtest may pick share_mean, never a model
        k, max_years = options.get("k", 3), options.get("max_years", 10)
        own = own_share_evidence(table, year, through_month, k, max_years)  # type: ignore[arg-type]
        quick_methods = ("share_last", "share_mean") if _challenger_may_win(own) else quick_methods
    quick = _project(known, table, year, through_month, quick_methods, share_assumption, level,
                     evidence=evidence, **options)  # type: ignore[arg-type]
    if np.isfinite(quick["estimate"].iloc[0]) and not _challenger_may_win(evidence):
        return quick[quick["recommended"]].reset_index(drop=True)
    full = _project(known, table, year, through_month, None, share_assumption, level,
                    evidence=evidence, **options)  # type: ignore[arg-type]
    return full[full["recommended"]].reset_index(drop=True)


def _challenger_may_win(evidence: pd.DataFrame | None, margin: float = SWITCH_MARGIN) -> bool:
    """Whether the evidence alone allows :func:`recommend` to leave ``share_last``."""
    if evidence is None or "mdape" not in evidence:
        return False
    mdape = _trusted_mdape(evidence)
    if "share_last" not in mdape:
        return False
    rivals = [v for m, v in mdape.items() if m not in ("share_last", "share_assumption")]
    return any(v <= (1 - margin) * mdape["share_last"] for v in rivals)


def _trusted_mdape(evidence: pd.DataFrame) -> dict[str, float]:
    """MdAPE per method with enough scored years for the recommendation rule."""
    trusted = evidence.dropna(subset=["mdape"]).drop_duplicates("method")
    if "n" in trusted:
        trusted = trusted[trusted["n"] >= MIN_RECOMMEND_EVIDENCE]
    return dict(zip(trusted["method"], trusted["mdape"].astype(float), strict=True))


def project_from_tables(
    table: pd.DataFrame, model: pd.DataFrame | None, year: int, through_month: int,
    methods: list[str] | tuple[str, ...] | None, share_assumption: float, level: float, *,
    k: int, max_years: int, evidence: pd.DataFrame | None, festival: bool = False,
    own_backtest: bool = True,
) -> pd.DataFrame:
    """:func:`project_annual` from the series' :func:`ytd_table` and :func:`model_year_table`.

    Both tables are causal (a cell depends on earlier months only), so the backtest builds
    them once per series; rows after ``year`` and months after ``through_month`` are masked
    here so nothing later than the origin is seen. ``model`` may be None when no model
    (ETS, SARIMAX, combo) is asked for. ``own_backtest=False`` (the backtest, which scores
    its own recommendation) skips the own share-rule backtest when ``evidence`` is None.
    """
    methods = tuple(METHODS if methods is None else methods)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown projection method(s) {unknown}; expected some of {METHODS}")
    table = table.loc[table.index <= year].copy()
    model = model.loc[model.index <= year].copy() if model is not None else None
    if year in table.index:
        table.loc[year, through_month + 1:] = np.nan
        if model is not None:
            model.loc[year, max(through_month - 1, 0):] = np.nan
    ytd = float(table.at[year, through_month]) if year in table.index else np.nan
    rows = _rows(model, table, year, through_month, methods, share_assumption, level, k,
                 max_years, ytd, evidence, festival)
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("implied_q1_share",
                                                                         "recommended")])
    out["estimate"] = out["estimate"].astype(float)
    out["implied_q1_share"] = ytd / out["estimate"].where(out["estimate"] > 0)
    judged_on = evidence
    if evidence is None and own_backtest:
        judged_on = own_share_evidence(table, year, through_month, k, max_years)
    out["recommended"] = recommend(out, judged_on)
    if own_backtest or evidence is not None:
        out.loc[out["recommended"], "note"] = [
            "; ".join(filter(None, [note, "recommended: " + _basis(evidence, judged_on, m)]))
            for note, m in zip(out.loc[out["recommended"], "note"],
                               out.loc[out["recommended"], "method"], strict=True)]
    return out[COLUMNS]


def _basis(evidence: pd.DataFrame | None, judged_on: pd.DataFrame | None, choice: str) -> str:
    """What the recommendation rests on: the evidence passed in or the own share backtest."""
    if evidence is not None:
        return f"{choice} on the backtest evidence passed in"
    if judged_on is None:
        return f"{choice} by default"
    return own_basis(judged_on, choice, MIN_RECOMMEND_EVIDENCE)


def _rows(model: pd.DataFrame | None, table: pd.DataFrame, year: int, through_month: int,
          methods: tuple[str, ...], assumed: float, level: float, k: int, max_years: int,
          ytd: float, evidence: pd.DataFrame | None, festival: bool) -> list[dict]:
    if not np.isfinite(ytd):
        note = f"no YTD value for {year}-{through_month:02d}"
        return [{"method": m, "note": note} for m in methods]
    shares = ytd_shares(table.loc[table.index < year], through_month)
    found: dict[str, dict] = {}
    need = set(methods) | (set(COMBO_MEMBERS) if "combo" in methods else set())
    if "share_last" in need:
        found["share_last"] = share_rule(ytd, shares, 1, "share_last", level, max_years)
    if "share_mean" in need:
        found["share_mean"] = share_rule(ytd, shares, k, "share_mean", level, max_years)
    if "share_assumption" in need:
        found["share_assumption"] = share_assumption_row(ytd, shares, assumed, through_month)
    if need & {"ets", "sarimax"}:
        assert model is not None, "ETS/SARIMAX need the model table"
        values, years, full, cut = fit_window(model, year, through_month, max_years)
        steps = 12 - through_month if through_month >= 2 else -1
        if "ets" in need:
            found["ets"] = _add_note(ets_row(values, full, steps, ytd, level), cut)
        if "sarimax" in need:
            found["sarimax"] = _add_note(sarimax_row(values, years, steps, ytd, level, festival),
                                          cut)
    if "combo" in methods:
        found["combo"] = combo_row(found, evidence)
    return [found[m] for m in methods]


def _add_note(row: dict, note: str) -> dict:
    if note and np.isfinite(row["estimate"]):
        row["note"] = "; ".join(filter(None, [row["note"], note]))
    return row


def _good_members(members: list[str], evidence: pd.DataFrame | None) -> list[str]:
    """The members with MdAPE <= GOOD_FACTOR x the best one's; all when no evidence."""
    if evidence is None or "mdape" not in evidence:
        return members
    table = evidence.drop_duplicates("method")
    counts = table["n"] if "n" in table else pd.Series(MIN_EVIDENCE, index=table.index)
    trusted = table[(counts >= MIN_EVIDENCE) & table["mdape"].notna()]
    mdape = dict(zip(trusted["method"], trusted["mdape"].astype(float), strict=True))
    scored = {m: mdape[m] for m in members if m in mdape}
    if not scored:
        return members
    best = min(scored.values())
    return [m for m, v in scored.items() if v <= GOOD_FACTOR * best]


def combo_row(found: dict[str, dict], evidence: pd.DataFrame | None) -> dict:
    """Mean of the good members' estimates and bounds (see module docstring)."""
    members = [m for m in COMBO_MEMBERS if m in found and np.isfinite(found[m]["estimate"])]
    if not members:
        return {"method": "combo", "estimate": np.nan, "lower": np.nan, "upper": np.nan,
                "note": "no member method produced an estimate"}
    good = _good_members(members, evidence)
    bounded = [m for m in good
               if np.isfinite(found[m]["lower"]) and np.isfinite(found[m]["upper"])]
    basis = "backtest" if evidence is not None else "no backtest evidence"
    return {
        "method": "combo",
        "estimate": float(np.mean([found[m]["estimate"] for m in good])),
        "lower": float(np.mean([found[m]["lower"] for m in bounded])) if bounded else np.nan,
        "upper": float(np.mean([found[m]["upper"] for m in bounded])) if bounded else np.nan,
        "note": f"mean of {', '.join(good)} ({basis})",
    }


def recommend(out: pd.DataFrame, evidence: pd.DataFrame | None, *,
              margin: float = SWITCH_MARGIN) -> np.ndarray:
    """True on one row: the default method unless another clearly beat it (module doc).

    The default is the first method of :data:`DEFAULT_PREFERENCE` with an estimate. A
    challenger (any other available method except ``share_assumption``) replaces it only when
    both have at least ``MIN_RECOMMEND_EVIDENCE`` scored years in ``evidence`` and the
    challenger with the lowest MdAPE has ``mdape <= (1 - margin) * mdape(default)``
    (``margin`` is a parameter only so the benchmark can measure other values).
    """
    available = out["estimate"].notna().to_numpy()
    methods = out["method"].to_numpy()
    present = [m for m in DEFAULT_PREFERENCE if (available & (methods == m)).any()]
    choice = present[0] if present else None
    if choice is not None and evidence is not None and "mdape" in evidence:
        mdape = _trusted_mdape(evidence)
        rivals = {m: mdape[m] for m in present[1:] if m in mdape and m != "share_assumption"}
        if choice in mdape and rivals:
            best = min(rivals, key=rivals.get)
            if rivals[best] <= (1 - margin) * mdape[choice]:
                choice = best
    pick = np.zeros(len(out), dtype=bool)
    hits = np.flatnonzero(available & (methods == choice)) if choice is not None else []
    pick[hits[0] if len(hits) else 0] = True  # nothing available: the first row
    return pick
