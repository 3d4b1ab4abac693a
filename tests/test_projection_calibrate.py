"""Pooled evidence: conformal bounds, coverage and the recommendation rule on hand records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.projection.calibrate import (
    choose,
    clearly_better,
    conformal_bounds,
    pooled_evidence,
    switch_margin,
)


def test_conformal_bounds_by_hand():
    errors = np.arange(1.0, 20.0)[::-1]  # 19 errors, 1..19 in any order
    # lo = floor(20 * 0.1) = 2, hi = ceil(20 * 0.9) = 18
    assert conformal_bounds(errors, 0.80) == (2.0, 18.0)
    # nine errors are the fewest for 80%: lo = floor(1.0) = 1, hi = ceil(9.0) = 9
    assert conformal_bounds(np.arange(9.0), 0.80) == (0.0, 8.0)
    assert np.isnan(conformal_bounds(np.arange(8.0), 0.80)).all()
    assert np.isnan(conformal_bounds(np.array([np.nan] * 30), 0.80)).all()


def _record(rows: list[tuple[str, int, str, float, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["series", "year", "method", "estimate", "lower",
                                        "upper", "actual"])
    frame["ape"] = 100 * (frame["estimate"] / frame["actual"] - 1).abs()
    has = frame[["lower", "upper"]].notna().all(axis=1)
    inside = (frame["lower"] <= frame["actual"]) & (frame["actual"] <= frame["upper"])
    frame["covered"] = inside.astype(float).where(has)
    return frame


def test_pooled_evidence_by_hand():
    record = _record([
        ("a", 2020, "m", 100, 90, 110, 105),   # ape 4.76, covered
        ("b", 2020, "m", 100, 90, 110, 120),   # ape 16.67, not covered
        ("a", 2021, "m", 100, 95, 105, 96),    # ape 4.17, covered
        ("b", 2021, "m", 100, np.nan, np.nan, 100),  # ape 0, no interval
    ])
    ev = pooled_evidence(record).set_index("method")
    assert ev.at["m", "n"] == 4
    assert ev.at["m", "years"] == 2
    assert ev.at["m", "mdape"] == pytest.approx(np.median([100 / 21, 100 / 6, 100 / 24, 0]))
    assert ev.at["m", "coverage"] == pytest.approx(2 / 3)
    assert ev.at["m", "n_interval"] == 3
    assert ev.at["m", "p90_ape"] == pytest.approx(np.quantile([100 / 21, 100 / 6, 100 / 24, 0], 0.9))
    assert np.isnan(ev.at["m", "err_low"])  # 4 errors: too few for an 80% interval


def test_switch_margin_shrinks_with_the_record():
    assert switch_margin(4) == pytest.approx(0.20)
    assert switch_margin(16) == pytest.approx(0.10)
    assert switch_margin(100) == pytest.approx(0.04)


def _two_methods(default_ape: float, combo_ape: float, years: int, series: int = 5) -> pd.DataFrame:
    rows = []
    for year in range(2010, 2010 + years):
        for s in range(series):
            for method, ape in (("share_last", default_ape), ("combo", combo_ape)):
                rows.append((f"s{s}", year, method, 100 + ape, np.nan, np.nan, 100.0))
    return _record(rows)


def test_combo_replaces_share_last_only_when_clearly_better_over_four_years():
    methods = ("share_last", "share_mean", "combo")
    # 20 series-years: margin 0.2 sqrt(4/20) = 0.089; 9.5 / 10 = 0.95 is not enough
    order, note = choose(_two_methods(10.0, 9.5, years=4), methods)
    assert order[0] == "share_last" and "not clearly better" in note
    order, note = choose(_two_methods(10.0, 9.5, years=4, series=30), methods)  # margin 0.037
    assert order[0] == "combo" and "on the same 120 series-years" in note
    # three years are too few whatever the margin
    assert choose(_two_methods(10.0, 1.0, years=3, series=30), methods)[0][0] == "share_last"
    assert choose(pd.DataFrame(columns=["series", "year", "method", "ape"]), methods)[0][0] == "share_last"


def test_clearly_better_compares_on_the_same_rows():
    record = _two_methods(10.0, 5.0, years=4)
    # share_last also scored in an extra early year where it was perfect: ignored for the pair
    extra = _record([("s0", 2005, "share_last", 100.0, np.nan, np.nan, 100.0)])
    ape = pd.concat([record, extra]).pivot_table(index=["series", "year"], columns="method",
                                                 values="ape", aggfunc="first")
    ratio, text = clearly_better(ape, "combo", "share_last")
    assert ratio == pytest.approx(0.5)
    assert "MdAPE 5.00% vs share_last 10.00%" in text


def test_intervals_need_errors_from_four_years():
    def record(years: int, per_year: int) -> pd.DataFrame:
        rows = [(f"s{i}", 2010 + y, "m", 100.0, np.nan, np.nan, 100.0 + i + y)
                for y in range(years) for i in range(per_year)]
        return _record(rows)

    one_year = pooled_evidence(record(1, 12)).set_index("method")
    assert np.isnan(one_year.at["m", "err_low"])  # 12 errors, but all of one year's shock
    four_years = pooled_evidence(record(4, 3)).set_index("method")
    errors = np.sort(np.log([100.0 + i + y for y in range(4) for i in range(3)]) - np.log(100.0))
    # n = 12: lo = floor(13 * 0.1) = 1, hi = ceil(13 * 0.9) = 12
    assert (four_years.at["m", "err_low"], four_years.at["m", "err_high"]) == pytest.approx((errors[0], errors[11]))
