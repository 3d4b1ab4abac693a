"""Status rules on single rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.gaps.status import StatusThresholds, assess_status


def one(**kw) -> pd.Series:
    base = dict(actual=np.nan, target=np.nan, city_value=np.nan, completion_rate=np.nan,
                schedule_progress=np.nan, unit="%", row_kind="rate", direction="higher")
    base.update(kw)
    return assess_status(pd.DataFrame([base])).iloc[0]


def test_thresholds_by_target_and_city():
    assert one(actual=5.0, target=7.5)["status"] == "red"  # 2.5 pp behind
    assert one(actual=5.0, target=7.0)["status"] == "amber"  # exactly 2 pp: amber
    assert one(actual=5.0, target=5.0)["status"] == "green"
    r = one(actual=5.0, target=4.0, city_value=6.0)
    assert r["status"] == "amber" and r["status_basis"] == "city" and r["shortfall_pp"] == pytest.approx(1.0)


def test_unknown_never_green():
    assert one(actual=np.nan, target=5.0)["status"] == "unknown"
    assert one(actual=5.0)["status"] == "unknown"
    assert not one(actual=5.0)["lagging"]


def test_lower_is_better_and_non_percent_relative():
    assert one(actual=60.0, city_value=50.0, direction="lower")["shortfall_pp"] == pytest.approx(10.0)
    # plot ratio 1.2 vs 1.5: 20% behind, relative
    r = one(actual=1.2, city_value=1.5, unit="")
    assert r["shortfall_pp"] == pytest.approx(20.0) and r["status"] == "red"


def test_schedule_rows():
    r = one(actual=21.3, target=100.0, completion_rate=0.213, schedule_progress=0.25, unit="亿元",
            row_kind="cumulative", city_value=61.3)
    assert r["shortfall_pp"] == pytest.approx(3.7) and r["status_basis"] == "schedule"
    t = StatusThresholds(red_pp=5.0, lagging_statuses=("red", "amber"))
    frame = pd.DataFrame([dict(actual=21.3, target=100.0, city_value=np.nan, completion_rate=0.213,
                               schedule_progress=0.25, unit="亿元", row_kind="cumulative", direction="higher")])
    out = assess_status(frame, t).iloc[0]
    assert out["status"] == "amber" and out["lagging"]


def test_q1_schedule_replaces_the_annual_schedule():
    # 北塘区-like row: 20.5% of the annual target (4.5 pp behind 25%), 103.1% of the Q1 target.
    r = one(actual=3172.0, target=15457.0, completion_rate=0.205, schedule_progress=0.25, unit="户",
            row_kind="cumulative", q1_gap_to_schedule_pp=3.1)
    assert r["status"] == "green" and r["status_basis"] == "q1_schedule" and r["shortfall_pp"] == pytest.approx(-3.1)
    behind = one(actual=1.0, target=10.0, completion_rate=0.1, schedule_progress=0.25, unit="户",
                 row_kind="cumulative", q1_gap_to_schedule_pp=-2.5)
    assert behind["status"] == "red" and behind["shortfall_pp"] == pytest.approx(2.5)
    # Without a Q1 comparison (NaN) the annual schedule decides.
    annual = one(actual=1.0, target=10.0, completion_rate=0.1, schedule_progress=0.25, unit="户",
                 row_kind="cumulative", q1_gap_to_schedule_pp=np.nan)
    assert annual["status_basis"] == "schedule" and annual["shortfall_pp"] == pytest.approx(15.0)


def test_comparison_status_judges_one_gap_with_the_same_thresholds():
    from analysis.gaps.status import comparison_status

    gap = pd.Series([1.0, -0.5, -2.0, -2.5, np.nan, 3.0])
    direction = pd.Series(["higher"] * 5 + ["lower"])
    got = comparison_status(gap, direction)
    # -2.0 pp is exactly the red threshold: amber (red needs more than 2 pp behind);
    # +3 pp on a lower-is-better indicator is 3 pp behind
    assert list(got) == ["green", "amber", "amber", "red", "unknown", "red"]
    assert list(got.index) == list(gap.index)
