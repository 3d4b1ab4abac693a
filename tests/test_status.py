"""Status rules on single rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.status import StatusThresholds, assess_status


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
