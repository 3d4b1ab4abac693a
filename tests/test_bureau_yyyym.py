"""The yyyym series reader: values checked by hand against the file, January handling, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.core.periods import spring_festival_dates
from analysis.data.yyyym import read_festival_csv, read_yyyym_csv


def test_small_file_blank_january_and_unit(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("yyyym,value,dt_name,unit\n201112,100.5,2011年12月,亿元\n201201,,2012年1月,\n"
                    "201202,30,2012年2月,亿元\n201203,45.25,2012年3月,亿元\n", encoding="utf-8")
    series = read_yyyym_csv(path, name="retail")
    assert list(series.index.astype(str)) == ["2011-12", "2012-01", "2012-02", "2012-03"]
    assert series["2011-12"] == 100.5
    assert np.isnan(series["2012-01"])
    assert series["2012-03"] == 45.25
    assert series.attrs["unit"] == "亿元"
    assert series.name == "retail"


@pytest.mark.parametrize(("text", "where"), [
    ("yyyym,value\n201213,5\n", "row 2"),
    ("yyyym,value\n201201,5\n201202,abc\n", "row 3, column value"),
    ("yyyym,value\n201201,5\n201201,6\n", "row 3"),
    ("month,value\n201201,5\n", "header"),
])
def test_bad_rows_name_the_row(tmp_path, text, where):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_yyyym_csv(path)
    assert info.value.location == where
    assert str(path) in str(info.value)


@pytest.mark.realdata
def test_real_national_retail(real_data):
    series = read_yyyym_csv(real_data / "nbs-national-retail" / "retail_sales_cumulative.csv")
    assert series.index[0] == pd.Period("2000-01", "M")
    assert series.index[-1] == pd.Period("2026-08", "M")
    assert len(series) == 320
    # hand-read cells of the file
    assert series["2000-01"] == 2962.9
    assert series["2011-01"] == 15249.0
    assert series["2012-02"] == 33668.6
    assert series["2025-12"] == 501202.4
    assert series["2026-03"] == 127694.9
    januaries = series[series.index.month == 1]
    assert januaries[januaries.index.year < 2012].notna().all()
    assert januaries[januaries.index.year >= 2012].isna().all()
    assert series.attrs["unit"] == "亿元"


@pytest.mark.realdata
def test_real_festival_dates_match_package_table(real_data):
    real = read_festival_csv(real_data / "nbs-national-retail" / "lunar_new_year.csv")
    assert list(real.index) == list(range(2000, 2027))
    ours = spring_festival_dates().reindex(real.index)
    pd.testing.assert_series_equal(ours, real, check_names=False, check_freq=False)
