"""Charts: Chinese glyphs render with the bundled CJK font and the plotted values are right."""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import colors, font_manager

from analysis.report import charts


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield


def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def _glyph_warnings(record) -> list[str]:
    return [str(w.message) for w in record if "missing from font" in str(w.message)]


def _obs() -> pd.DataFrame:
    periods = pd.period_range("2025-02", "2026-03", freq="M")
    rows = []
    for code, name, base in [("990100", "示例市", 5.0), ("990101", "东城县", 6.0),
                             ("990102", "西山县", -2.5)]:
        for i, p in enumerate(periods):
            rows.append((code, name, "iva", p, "ytd_growth", base + 0.1 * i))
    return pd.DataFrame(rows, columns=["region_code", "region_name", "indicator", "period",
                                       "measure", "value"])


def test_font_file_is_shipped_by_mplfonts():
    path = charts.chinese_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert path.is_file()


def test_import_has_no_side_effects():
    # rc_context from the fixture starts from the defaults: importing charts changed nothing.
    assert matplotlib.rcParams["axes.unicode_minus"] is True


def test_chinese_labels_render_without_missing_glyph_warnings():
    name = charts.use_chinese_font()
    assert name == "Noto Sans CJK SC"
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    used = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert used.endswith("NotoSansCJKsc-Regular.otf")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = charts.indicator_chart(_obs(), "990101", "iva", city_code="990100",
                                     title="规上工业增加值累计增长（%）", ylabel="同比增长（%）")
        _render(fig)
    assert _glyph_warnings(record) == []
    # The title text object resolves to the CJK face.
    title = fig.axes[0].title
    assert font_manager.findfont(title.get_fontproperties()).endswith("NotoSansCJKsc-Regular.otf")


def test_without_the_font_the_check_would_fail():
    """Guards the test above: DejaVu Sans lacks CJK glyphs, and matplotlib says so."""
    dejavu = {"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}
    with matplotlib.rc_context(dejavu), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = charts.line_chart(pd.DataFrame({"东城县": [1.0, 2.0]}), title="示例")
        _render(fig)
    assert _glyph_warnings(record)


def test_indicator_chart_lines_are_the_series():
    charts.use_chinese_font()
    fig = charts.indicator_chart(_obs(), "990102", "iva", city_code="990100", start="2026-02")
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    # Highlighted county: bold red; values 2026-02 (i=12) and 2026-03 (i=13) of base -2.5.
    county = lines["西山县"]
    np.testing.assert_allclose(county.get_ydata(), [-1.3, -1.2])
    assert colors.to_hex(county.get_color()) == charts.HIGHLIGHT
    np.testing.assert_allclose(lines["示例市"].get_ydata(), [6.2, 6.3])
    assert lines["示例市"].get_linestyle() == "--"
    np.testing.assert_allclose(lines["其他县区"].get_ydata(), [7.2, 7.3])


def test_gap_bars_colour_by_status_and_show_unknown():
    charts.use_chinese_font()
    table = pd.DataFrame({"name": ["固定资产投资", "规上工业增加值", "社会消费品零售总额"],
                          "gap": [1.5, -3.2, np.nan], "status": ["green", "red", "unknown"]})
    fig = charts.gap_bars(table, "name", "gap", title="与目标差距（百分点）")
    ax = fig.axes[0]
    # Rows are drawn bottom-up, so the first table row is the top bar.
    bars = ax.patches
    assert [colors.to_hex(b.get_facecolor()) for b in bars] == [
        charts.STATUS_COLOURS["unknown"], charts.STATUS_COLOURS["red"],
        charts.STATUS_COLOURS["green"]]
    assert [b.get_width() for b in bars] == [0.0, -3.2, 1.5]
    texts = [t.get_text() for t in ax.texts]
    assert texts == [" 无数据", "-3.2", "+1.5"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "社会消费品零售总额", "规上工业增加值", "固定资产投资"]


def test_fan_chart_ends_at_the_projection_interval():
    charts.use_chinese_font()
    ytd = pd.Series([20.0, 32.0], index=pd.PeriodIndex(["2026-02", "2026-03"], freq="M"))
    last = pd.Series(np.arange(1, 13) * 10.0, index=range(1, 13))
    fig = charts.fan_chart(ytd, estimate=130.0, lower=120.0, upper=142.0, last_year=last,
                           target=135.0, title="固定资产投资累计（亿元）")
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["本年累计"].get_xdata(), [2, 3])
    np.testing.assert_allclose(lines["全年预测"].get_xdata(), [3, 12])
    np.testing.assert_allclose(lines["全年预测"].get_ydata(), [32.0, 130.0])
    np.testing.assert_allclose(lines["年度目标"].get_ydata(), [135.0, 135.0])
    band = ax.collections[0].get_paths()[0].vertices
    at_dec = band[np.isclose(band[:, 0], 12.0), 1]
    assert set(np.round(at_dec, 6)) == {120.0, 142.0}
    _render(fig)


def test_projection_chart_marks_the_recommended_method():
    charts.use_chinese_font()
    proj = pd.DataFrame({"method": ["share_last", "combo"], "estimate": [100.0, 110.0],
                         "lower": [90.0, np.nan], "upper": [105.0, np.nan],
                         "recommended": [False, True]})
    fig = charts.projection_chart(proj, labels={"combo": "组合"}, target=120.0)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["组合", "share_last"]
    points = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert colors.to_hex(points[0].get_color()) == charts.HIGHLIGHT  # combo, drawn first
    np.testing.assert_allclose(points[1].get_xdata(), [100.0])
