"""The fixed texts of a note: its title, and the 说明 (methods) note closing a briefing (where
the figures come from and how to read them)."""

from __future__ import annotations

import pandas as pd

from analysis.core.periods import ytd_label
from analysis.core.settings import INTERVAL_LEVEL
from analysis.gaps.status import StatusThresholds


def methods_text(period: pd.Period, version: str, method_zh: str | None = None,
                 share_assumption: float | None = None, thresholds: StatusThresholds | None = None,
                 delivery: str = "") -> str:
    """The note's text: data as of ``period``, sources, how 时序进度, gaps, ranks and status
    (``thresholds``) are read, the projection method when a projection is shown
    (``method_zh``; the stated Q1 share ``share_assumption`` is for comparison only), the
    data delivery the figures come from (``delivery``: its ingest date and fingerprint, see
    :func:`analysis.data.delivery.delivery_note`) and the program version."""
    t = thresholds or StatusThresholds()
    method = ""
    if method_zh is not None:
        share = f"一季度占全年比重假设{share_assumption:.0%}仅作对照。" if share_assumption is not None else ""
        method = f"全年推算采用回测误差最小的方法（{method_zh}），区间为{INTERVAL_LEVEL:.0%}预测区间；{share}"
    return (f"数据截至{period.year}年{period.month}月（{period.year}年{ytd_label(period)}累计）。"
            "来源：统计部门月度报表、年度与一季度目标、重点项目台账和乡镇周报。"
            "时序进度按已过月份/12计算；增速差距以百分点计；排名在全市各县（区）间比较，1为最好。"
            f"状态：落后=低于目标、时序进度或全市平均{t.red_pp:g}个百分点以上，关注=略低，正常=持平或领先，"
            "无数据=缺数；图1、图2的颜色只按图中这一项差距判断。"
            f"{method}{delivery}程序版本 q1brief {version}。")


def note_title(region_name: str, what: str, period: pd.Period) -> str:
    """A note's title, e.g. ``北塘区开门红简报（2026年1-3月）``."""
    return f"{region_name}{what}（{period.year}年{ytd_label(period)}）"
