"""Backtest of tidy observations and the ``q1brief backtest`` cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from projection_helpers import annual_total, constant_share_monthly

from analysis.cli import main
from analysis.core.conversions import monthly_to_ytd_series
from analysis.projection.cache import backtest_observations, flow_panel, series_evidence


def _tidy(first: int = 2019, last: int = 2025) -> pd.DataFrame:
    """Two counties' YTD retail (a flow) plus a ratio indicator that must be ignored."""
    frames = []
    for code, growth in (("990101", 0.08), ("990102", 0.03)):
        ytd = monthly_to_ytd_series(constant_share_monthly(first, last, growth=growth))
        frames.append(pd.DataFrame({"region_code": code, "region_name": "x", "indicator": "retail",
                                    "period": ytd.index, "measure": "ytd_value",
                                    "value": ytd.to_numpy(), "unit": "亿元", "source": "t"}))
    ratio = frames[0].assign(indicator="sei_share", value=30.0, unit="%")
    growth = frames[0].assign(measure="ytd_growth", value=8.0, unit="%")
    return pd.concat([*frames, ratio, growth], ignore_index=True)


def test_flow_panel_keeps_flow_levels_only():
    panel = flow_panel(_tidy())
    assert list(panel.columns) == ["990101|retail", "990102|retail"]
    assert np.isnan(panel.loc[pd.Period("2020-01", "M"), "990101|retail"])
    feb = constant_share_monthly(2019, 2025)[pd.Period("2020-02", "M")]
    assert panel.loc[pd.Period("2020-02", "M"), "990101|retail"] == pytest.approx(feb)


def test_backtest_observations_scores_each_series():
    result = backtest_observations(_tidy(), through_months=(3,), methods=["share_last", "combo"])
    assert set(result["region_code"]) == {"990101", "990102"}
    assert sorted(result["year"].unique()) == list(range(2020, 2026))
    row = result[(result["region_code"] == "990102") & (result["year"] == 2024)
                 & (result["method"] == "share_last")].iloc[0]
    assert row["actual"] == pytest.approx(annual_total(2019, 2024, growth=0.03))
    assert row["ape"] == pytest.approx(0, abs=1e-9)
    evidence = series_evidence(result, "990101", "retail", 3)
    assert set(evidence["method"]) == {"share_last", "combo"}


def test_cli_backtest_writes_parquet(tmp_path, capsys):
    _tidy(2021, 2025).to_parquet(tmp_path / "observations.parquet")
    assert main(["backtest", "--processed-dir", str(tmp_path), "--jobs", "1"]) == 0
    cached = pd.read_parquet(tmp_path / "backtest.parquet")
    assert {"region_code", "indicator", "method", "ape", "covered"} <= set(cached.columns)
    assert set(cached["through_month"]) == {2, 3}
    assert not list(tmp_path.glob(".*.tmp"))
    assert "2 series" in capsys.readouterr().out


def test_cli_backtest_without_observations(tmp_path, capsys):
    assert main(["backtest", "--processed-dir", str(tmp_path)]) == 1
    assert "run q1brief ingest first" in capsys.readouterr().out
