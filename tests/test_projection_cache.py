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


REGIONS = pd.DataFrame({"code": ["990100", "990101", "990102", "990101001"],
                        "parent": ["", "990100", "990100", "990101"]})


def _city_obs(first: int = 2016, last: int = 2026) -> pd.DataFrame:
    """Three counties of one city (different growth and noise) plus the city's own total."""
    frames = []
    for i, (code, growth) in enumerate((("990101", 0.08), ("990102", 0.03), ("990100", 0.05))):
        monthly = constant_share_monthly(first, last, growth=growth, noise=0.03, seed=i)
        ytd = monthly_to_ytd_series(monthly)
        frames.append(pd.DataFrame({"region_code": code, "region_name": "x", "indicator": "retail",
                                    "period": ytd.index, "measure": "ytd_value",
                                    "value": ytd.to_numpy(), "unit": "亿元", "source": "t"}))
    obs = pd.concat(frames, ignore_index=True)
    return obs[obs["period"] <= pd.Period(f"{last}-03", "M")]


def test_panel_records_are_cached_beside_the_series_rows():
    result = backtest_observations(_city_obs(), through_months=(3,), methods=["share_last"],
                                   regions=REGIONS)
    assert set(result["scope"]) == {"series", "panel"}
    panel = result[result["scope"] == "panel"]
    assert set(panel["panel"]) == {"990100"}
    assert set(panel["region_code"]) == {"990101", "990102"}  # the counties, not the city total
    assert {"share_shrunk", "combo", "recommended"} <= set(panel["method"])
    # series_evidence reads the series' own backtest only
    evidence = series_evidence(result, "990101", "retail", 3)
    assert set(evidence["method"]) == {"share_last"}


def test_city_projection_from_the_cache_equals_a_fresh_run():
    from analysis.projection.cache import city_projection

    obs = _city_obs()
    cached = backtest_observations(obs, through_months=(2, 3), methods=["share_last"], regions=REGIONS)
    hit = city_projection(obs, cached, REGIONS, "990100", "retail", "2026-03")
    fresh = city_projection(obs, None, REGIONS, "990100", "retail", "2026-03")
    assert hit.from_cache and not fresh.from_cache
    pd.testing.assert_frame_equal(hit.projection, fresh.projection)
    pd.testing.assert_frame_equal(hit.evidence, fresh.evidence)
    assert set(hit.projection["series"]) == {"990101", "990102"}
    assert hit.projection.groupby("series")["recommended"].sum().eq(1).all()
    # the evidence covers the years before 2026 only, for every county
    assert hit.evidence.set_index("method").at["share_last", "n"] == 9 * 2  # 2017-2025, 2 counties
    # an as-of month that is not cached is computed on the fly
    may = city_projection(obs, cached, REGIONS, "990100", "retail", "2025-05")
    assert not may.from_cache and may.projection["estimate"].notna().any()


def test_cli_backtest_adds_the_city_panels_when_regions_are_there(tmp_path):
    _city_obs(2019, 2025).to_parquet(tmp_path / "observations.parquet")
    REGIONS.to_parquet(tmp_path / "regions.parquet")
    assert main(["backtest", "--processed-dir", str(tmp_path), "--jobs", "1"]) == 0
    cached = pd.read_parquet(tmp_path / "backtest.parquet")
    assert set(cached["scope"]) == {"series", "panel"}
    assert set(cached.loc[cached["scope"] == "panel", "through_month"]) == {2, 3}
