"""The texts of a note that explain it: its title, the 说明 (methods) note closing a briefing,
the numbering of its figures and the sentence saying an optional input was not supplied.

The 说明 is generated from what the note actually used, never written by hand: the sources
supplied, the schedule basis of the county's gap rows (months / 12, or in Q1 the Q1 schedule
for cumulative rows with a Q1 target), the status thresholds of the city's settings, the
projection's recommendation rule with its margins (the constants of
:mod:`analysis.projection.annual`) and the figures drawn, numbered without gaps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.formatting import fmt
from analysis.core.periods import q1_schedule_progress, schedule_progress, ytd_label
from analysis.core.settings import INTERVAL_LEVEL
from analysis.gaps.status import StatusThresholds
from analysis.projection.annual import DEFAULT_PREFERENCE, MIN_RECOMMEND_EVIDENCE, SWITCH_MARGIN
from analysis.projection.calibrate import COMBO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Optional inputs: processed table -> (what it is, the raw file that brings it).
OPTIONAL_INPUTS = {
    "targets": ("年度与一季度目标", "targets.csv"),
    "projects": ("重点项目台账", "projects.csv"),
    "township_weekly": ("乡镇周报", "township_weekly.csv"),
}
BUREAU_SOURCE = "统计部门月度报表"
# Figures whose colours follow one gap only (analysis.report.context.BriefingContext.gap_bars).
GAP_FIGURES = ("gap_city", "gap_schedule")
_STATUS_ZH = {"red": "落后", "amber": "关注", "green": "正常", "unknown": "无数据"}


def note_title(region_name: str, what: str, period: pd.Period) -> str:
    """A note's title, e.g. ``北塘区开门红简报（2026年1-3月）``."""
    return f"{region_name}{what}（{period.year}年{ytd_label(period)}）"


def missing_input_text(table: str, consequence: str) -> str:
    """One sentence: 未提供重点项目台账（projects.csv），<consequence>。"""
    what, file = OPTIONAL_INPUTS[table]
    return f"未提供{what}（{file}），{consequence}。"


def later_ledger_text(reported_on: pd.Timestamp, period: pd.Period) -> str:
    """项目台账填报日期为2026年3月31日，晚于本期（2026年2月），投资完成情况不计入本期。"""
    day = f"{reported_on.year}年{reported_on.month}月{reported_on.day}日"
    return f"项目台账填报日期为{day}，晚于本期（{period.year}年{period.month}月），投资完成情况不计入本期。"


def number_figures(candidates: Iterable[tuple[str, str, Callable[[], Figure | None]]]) -> list[Figure]:
    """Draw each ``(key, caption, draw)`` and number the ones drawn 图1, 图2... in order.

    ``draw`` returns None when the data do not allow the chart; it is then left out and the
    numbers stay continuous. Each figure gets the title ``图n caption`` and ``key`` as its
    ``gid`` (what :func:`methods_text` reads back).
    """
    drawn: list[Figure] = []
    for key, caption, draw in candidates:
        fig = draw()
        if fig is None:
            continue
        drawn.append(fig)
        fig.set_gid(key)
        if fig.axes:
            fig.axes[0].set_title(f"图{len(drawn)} {caption}", loc="left", fontsize=12)
    return drawn


def schedule_text(gaps: pd.DataFrame, period: pd.Period, catalogue: pd.DataFrame | None = None) -> str:
    """How completion was judged, from the county's gap rows: the 时序进度 used (months / 12)
    and, in Q1, which cumulative rows were judged on their Q1 target against the Q1 schedule."""
    label = f"{period.year}年{ytd_label(period)}"
    judged = gaps[gaps["completion_rate"].notna() | gaps["q1_completion_rate"].notna()]
    if judged.empty:
        return "无累计值目标，未计算完成率与时序进度。"
    text = (f"时序进度按已过月份/12计算，{label}为{fmt(100 * schedule_progress(period))}%（完成率=累计值/年度目标）")
    q1 = gaps[gaps["status_basis"] == "q1_schedule"]
    if len(q1):
        names = _names(q1["indicator"], catalogue)
        text += (f"；一季度内，有一季度目标的累计指标（{names}）按一季度目标完成率与一季度时序进度"
                 f"（已过月份/3，{label}为{fmt(100 * q1_schedule_progress(period))}%）比较判断状态")
    if ((gaps["row_kind"] == "rate") & (gaps["target_horizon"] == "q1")).any():
        text += "；增速等比率指标一季度内与一季度目标比较"
    return text + "。"


def status_text(thresholds: StatusThresholds) -> str:
    """The status rule of the city's settings, in words."""
    t = thresholds
    refs = "目标、时序进度或全市平均" if t.compare_city else "目标或时序进度"
    red, amber = f"{t.red_pp:g}", f"{t.amber_pp:g}"
    green = "持平或领先" if t.amber_pp == 0 else f"落后不超过{amber}个百分点或领先"
    watch = f"落后但不超过{red}个百分点" if t.amber_pp == 0 else f"落后超过{amber}、不超过{red}个百分点"
    lagging = "、".join(_STATUS_ZH.get(s, s) for s in t.lagging_statuses)
    return (f"状态按落后{refs}最多的一项判断（非百分比指标按相对差距的百分比）：落后=落后超过{red}个百分点，"
            f"关注={watch}，正常={green}，无数据=缺数；状态为{lagging}的指标列为短板。")


def projection_text(method: str | None, method_zh: str | None, share_assumption: float | None,
                    basis: str = "series") -> str:
    """The recommendation rule used and the method it chose this time; empty when no
    projection is shown. ``basis`` ``"series"``: the county's own backtest
    (:func:`analysis.projection.annual.recommend`, margin ``SWITCH_MARGIN``); ``"panel"``: the
    city's pooled record (:func:`analysis.projection.calibrate.choose`, margin
    ``SWITCH_MARGIN * sqrt(MIN_RECOMMEND_EVIDENCE / n)``, combo the only challenger)."""
    if method is None:
        return ""
    from analysis.report.tables import METHOD_NAMES_ZH

    default = DEFAULT_PREFERENCE[0]
    default_zh = METHOD_NAMES_ZH.get(default, default)
    why = "为默认方法" if method == default else "因其回测明显更好"
    share = f"一季度占全年比重假设{share_assumption:.0%}仅作对照。" if share_assumption is not None else ""
    head = f"全年推算默认采用{default_zh}（上年同期累计占全年的比重），"
    if basis == "panel":
        combo = METHOD_NAMES_ZH.get(COMBO, COMBO)
        rule = (f"按全市各县（区）合并的回测记录，只有当{combo}在至少{MIN_RECOMMEND_EVIDENCE}个年份、"
                f"n个两者都有的县年记录中误差中位数比它低{SWITCH_MARGIN:.0%}×√({MIN_RECOMMEND_EVIDENCE}/n)"
                f"以上时才改用{combo}")
    else:
        rule = (f"只有当本县该指标至少{MIN_RECOMMEND_EVIDENCE}年的回测中另一方法的误差中位数比它低"
                f"{SWITCH_MARGIN:.0%}以上时才改用该方法")
    return f"{head}{rule}；本次采用{method_zh or method}，{why}；区间为{INTERVAL_LEVEL:.0%}预测区间。{share}"


def figures_text(figures: Sequence[Figure]) -> str:
    """图1、图2的颜色只按图中这一项差距判断, for the gap charts actually drawn."""
    numbers = [f"图{i}" for i, fig in enumerate(figures, start=1) if fig.get_gid() in GAP_FIGURES]
    return f"{'、'.join(numbers)}的颜色只按图中这一项差距判断。" if numbers else ""


def methods_text(period: pd.Period, version: str, *, supplied: Sequence[str], schedule: str,
                 thresholds: StatusThresholds | None = None, projection: str = "",
                 figures: Sequence[Figure] = (), delivery: str = "") -> str:
    """The 说明: data as of ``period``; the sources ``supplied`` (processed table names of
    :data:`OPTIONAL_INPUTS`) and those not; ``schedule`` (:func:`schedule_text`); gaps and
    ranks; the status rule; ``projection`` (:func:`projection_text`); the gap figures drawn;
    the data delivery the figures come from (``delivery``: its ingest date and fingerprint,
    :func:`analysis.data.delivery.delivery_note`); the program version."""
    names = [BUREAU_SOURCE, *(OPTIONAL_INPUTS[t][0] for t in OPTIONAL_INPUTS if t in supplied)]
    absent = [f"{OPTIONAL_INPUTS[t][0]}（{OPTIONAL_INPUTS[t][1]}）" for t in OPTIONAL_INPUTS if t not in supplied]
    sources = "来源：" + "、".join(names) + "。" + (f"未提供{'、'.join(absent)}。" if absent else "")
    return (f"数据截至{period.year}年{period.month}月（{period.year}年{ytd_label(period)}累计），"
            f"不含其后月份的数据。{sources}{schedule}"
            "增速差距以百分点计；排名在全市各县（区）间比较，1为最好。"
            f"{status_text(thresholds or StatusThresholds())}{figures_text(figures)}{projection}"
            f"{delivery}程序版本 q1brief {version}。")


def _names(codes: pd.Series, catalogue: pd.DataFrame | None) -> str:
    from analysis.core import catalog

    return "、".join(dict.fromkeys(catalog.indicator_names(catalogue, codes.reset_index(drop=True))))
