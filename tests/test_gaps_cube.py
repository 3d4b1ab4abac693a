"""The dense cube behind the gap table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.gaps.cube import build_cube, repeat_period

REGIONS = pd.DataFrame(
    {"code": ["100", "101", "102", "101001"], "name": ["市", "甲县", "乙县", "甲镇"],
     "level": ["city", "county", "county", "township"], "parent": ["", "100", "100", "101"]}
)
IND = pd.Index(["fai", "iva"])
MAR, FEB = pd.Period("2026-03", "M"), pd.Period("2026-02", "M")


def obs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": ["101", "102", "100", "101", "101001", "101", "101", "101"],
            "indicator": ["fai", "fai", "fai", "iva", "fai", "retail", "fai", "fai"],
            "period": pd.PeriodIndex(["2026-03", "2026-03", "2026-03", "2026-02", "2026-03", "2026-03",
                                      "2019-03", None], freq="M"),
            "measure": ["ytd_value", "ytd_value", "ytd_value", "ytd_growth", "ytd_value", "ytd_value",
                        "ytd_value", "ytd_value"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )


def test_cube_layout_and_what_is_left_out():
    panel = build_cube(obs(), REGIONS, [MAR, FEB], IND)
    assert list(panel.codes) == ["101", "102", "100"]  # the township is not a peer or a parent
    assert panel.values.shape == (2, 3, 2, 2)
    assert panel.values[0, 0, 0, 0] == 1.0 and panel.values[0, 2, 0, 0] == 3.0
    assert panel.values[1, 0, 1, 1] == 4.0
    # retail (not in the indicator list), 2019 and a missing month are left out
    assert np.nansum(panel.values) == 10.0
    assert list(panel.parent) == [2, 2] and panel.slot(FEB) == 1 and panel.slot(MAR - 12) is None


def test_categorical_and_text_periods_give_the_same_cube():
    frame = obs().iloc[:6]
    as_cat = frame.astype({"region_code": "category", "indicator": "category", "measure": "category"})
    as_text = frame.assign(period=frame["period"].astype(str))
    base = build_cube(frame, REGIONS, [MAR, FEB], IND).values
    np.testing.assert_array_equal(build_cube(as_cat, REGIONS, [MAR, FEB], IND).values, base)
    np.testing.assert_array_equal(build_cube(as_text, REGIONS, [MAR, FEB], IND).values, base)


def test_duplicates_named():
    frame = pd.concat([obs(), obs().iloc[[1]]], ignore_index=True)
    with pytest.raises(DataError, match=r"102 fai ytd_value 2026-03"):
        build_cube(frame, REGIONS, [MAR], IND)


def test_repeat_period():
    assert list(repeat_period(MAR, 2)) == [MAR, MAR]
    assert repeat_period(None, 1).isna().all()


def test_more_than_127_months_keep_every_row():
    # Slot indices above 127 once wrapped in an int8 lookup table and rows were dropped.
    months = pd.period_range("2015-01", periods=140, freq="M")
    frame = pd.DataFrame(
        {"region_code": np.repeat(["101", "102"], 140), "indicator": "fai", "period": list(months) * 2,
         "measure": "ytd_value", "value": np.arange(280, dtype=float)}
    )
    panel = build_cube(frame, REGIONS, list(months), IND)
    assert panel.exists[:, :2, 0, 0].sum() == 280
    assert panel.values[139, 1, 0, 0] == 279.0 and panel.values[128, 0, 0, 0] == 128.0
