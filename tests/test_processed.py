"""Reading data/processed: dtypes as documented, clear errors for missing tables and regions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _batch_data import drop_region, write_processed

from analysis.core.errors import DataError
from analysis.data.processed import read_processed, require_region


def test_reads_with_documented_dtypes(tmp_path: Path):
    write_processed(tmp_path)
    data = read_processed(tmp_path)
    assert sorted(data) == ["observations", "regions"]  # optional tables absent: left out
    obs = data["observations"]
    assert isinstance(obs["period"].dtype, pd.PeriodDtype)
    assert obs["region_code"].map(type).eq(str).all()
    assert data["regions"].loc[0, "code"] == "990100"


def test_missing_required_table_names_the_folder(tmp_path: Path):
    with pytest.raises(DataError, match=r"observations\.parquet not found; run `q1brief ingest`"):
        read_processed(tmp_path)
    assert read_processed(tmp_path, ("backtest",)) == {}


def test_require_region(tmp_path: Path):
    write_processed(tmp_path)
    drop_region(tmp_path, "990103")
    data = read_processed(tmp_path)
    obs, regions = data["observations"], data["regions"]
    assert require_region(obs, regions, "990101")["name"] == "东城县"
    with pytest.raises(DataError, match=r"no observations for region 990103 \(南河区\)"):
        require_region(obs, regions, "990103")
    with pytest.raises(DataError, match=r"region 123456 is not in regions\.parquet"):
        require_region(obs, regions, "123456")
