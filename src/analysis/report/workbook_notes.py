"""The 数据校验 and 说明 sheets of the city workbook: where the figures come from.

数据校验 lists the findings ``q1brief ingest`` wrote for the delivery the tables were made
from (``validation_findings.csv``), errors first. 说明 gives the as-of month, what the
delivery covers (latest month of the bureau tables, the ledger's report date, the last
weekly report), the data fingerprint and package version, the status colours, the methods
in a few lines and what each sheet holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.core.periods import ytd_label
from analysis.core.settings import INTERVAL_LEVEL
from analysis.gaps.status import STATUS_COLOURS, StatusThresholds
from analysis.report.tables import STATUS_NAMES
from analysis.report.xlsx import TEXT, Column, Sheet

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_COLOURS = {"error": STATUS_COLOURS["red"], "warning": STATUS_COLOURS["amber"]}

SHEETS = {
    "总表": "全市及各县（市、区）主要指标的数值、差距、排名和状态，县区按主要指标平均排名排序。",
    "差距分析": "各县（市、区）每个指标的实际、目标、完成率、时序进度、全市、排名、状态和短板。",
    "全年推算": "流量指标按推荐方法推算的全年数及区间、隐含占比与假定占比、完成全年目标所需增速（倒排）。",
    "重点项目": "各县（市、区）开工率、投资完成率与时序进度、“双90”、前三乡镇和约谈乡镇。",
    "乡镇周排名": "各县（市、区）最近一期乡镇周报的投资贡献排名。",
    "未按期开工": "截至本月底计划开工而未开工的项目。",
    "约谈名单": "连续两周在本县（区）投资排名末位的乡镇。",
    "数据校验": "本期数据入库校验发现的问题（文件、位置、说明）。",
}


def findings_sheet(findings: pd.DataFrame | None, title: str) -> Sheet:
    """The ingest's findings, errors first then warnings and notes, in the ingest's order."""
    if findings is None:
        return Sheet("数据校验", title, [Column("级别", [], TEXT)],
                     empty_note="未找到校验结果 validation_findings.csv（请先运行 q1brief ingest）")
    order = {"error": 0, "warning": 1, "info": 2}
    rows = findings.assign(_o=findings["severity"].map(order).fillna(3)).sort_values("_o", kind="stable")
    severity = rows["severity"].astype(str)
    columns = [
        Column("级别", severity.map(SEVERITY_NAMES).fillna(severity).tolist(), TEXT,
               fills=[SEVERITY_COLOURS.get(s) for s in severity]),
        Column("检查项", rows["check"].astype(str).tolist(), TEXT),
        Column("文件", [Path(f).name if f else "" for f in rows["file"].fillna("")], TEXT),
        Column("位置", rows["location"].fillna("").astype(str).tolist(), TEXT),
        Column("说明", rows["message"].fillna("").astype(str).tolist(), TEXT, wrap=True, max_width=90),
    ]
    return Sheet("数据校验", title, columns, empty_note="本期数据校验未发现问题")


def _latest(frame: pd.DataFrame | None, column: str, codes: set[str], key: str) -> str:
    """The latest date in ``frame[column]`` for rows of ``codes``, or 无."""
    if frame is None or column not in frame.columns:
        return "无"
    values = pd.to_datetime(frame.loc[frame[key].isin(codes), column]).dropna()
    return values.max().strftime("%Y-%m-%d") if len(values) else "无"


def _delivery(data: Mapping[str, pd.DataFrame], codes: set[str], period: pd.Period) -> list[tuple[str, str]]:
    """What the delivery covers: months of the bureau tables, ledger date, last weekly report."""
    obs = data["observations"]
    mine = obs[obs["region_code"].isin(codes) & obs["value"].notna()]["period"]
    months = f"{mine.min().year}年{mine.min().month}月至{mine.max().year}年{mine.max().month}月" if len(mine) else "无"
    weekly = data.get("township_weekly")
    if weekly is not None:
        weekly = weekly[weekly["week_end"] <= period.end_time.normalize()]
    return [
        ("统计数据月份", months),
        ("项目台账填报日期", _latest(data.get("projects"), "reported_on", codes, "county_code")),
        ("乡镇周报截至", _latest(weekly, "week_end", codes, "county_code")),
    ]


def _legend(t: StatusThresholds) -> dict[str, str]:
    """What each status colour means (the city's :class:`StatusThresholds`)."""
    worst = "状态取与目标、时序进度、全市平均各项比较中最差的一项，颜色与简报相同"
    return {
        "green": f"持平或领先目标、时序进度和全市平均（{worst}）",
        "amber": f"落后不超过{t.red_pp:g}个百分点",
        "red": f"落后{t.red_pp:g}个百分点以上，列为短板",
        "unknown": "缺少数据，无法比较（不按正常处理）",
    }


def _methods(share_assumption: float) -> list[tuple[str, str]]:
    return [
        ("完成率与时序进度", "完成率=累计值/全年目标，与时序进度（已过月数/12）比较，差距以百分点计；"
                     "1-3月有一季度目标的累计指标按一季度目标完成率与一季度时序进度判断状态。"),
        ("增速差距", "增速、比重与目标、全市比较的差距以百分点计；全市数优先用公布数，否则由各县汇总。"),
        ("排名", "在全市各县（市、区）间比较，1为最好；越低越好的指标反向排名；并列取最好名次。"
               "总表排名为主要指标排名的平均值再排名。"),
        ("全年推算", f"推荐方法按历史回测误差选择（默认上年占比法），区间为{INTERVAL_LEVEL:.0%}预测区间；"
                 f"隐含占比=本期累计/全年推算，与假定占比{share_assumption:.0%}对照；"
                 "所需增速=完成全年目标其余月份需比上年同期增长的幅度（倒排）。"),
        ("重点项目", "开工率=已开工/截至月底应开工的新开工项目；双90=3月底前开工率不低于90%且"
                 "投资完成率不低于时序进度的90%；约谈=连续两周在本县（区）乡镇周投资排名末位。"),
        ("数值", "与简报相同的取舍：增速、比率、百分点和亿元保留一位小数，万元、户、家取整，"
               "无量纲指标两位小数（四舍五入）；单元格为数值，可排序、计算。"),
    ]


def notes_sheet(data: Mapping[str, pd.DataFrame], city: tuple[str, str], period: pd.Period,
                fingerprint: str, share_assumption: float, thresholds: StatusThresholds | None = None) -> Sheet:
    """As-of month, delivery, fingerprint, version, status colours, methods and sheets."""
    regions = data["regions"]
    codes = {city[0], *regions.loc[regions["parent"] == city[0], "code"].astype(str)}
    rows: list[tuple[str, str, str | None]] = [
        ("城市", f"{city[1]}（{city[0]}）", None),
        ("数据截至", f"{period.year}年{period.month}月（{period.year}年{ytd_label(period)}累计）", None),
        *((k, v, None) for k, v in _delivery(data, codes, period)),
        ("数据指纹（SHA-256）", fingerprint or "未计算", None),
        ("程序版本", f"q1brief {__version__}", None),
        ("来源", "统计部门月度报表、年度与一季度目标、重点项目台账和乡镇周报。", None),
        *((STATUS_NAMES[s], text, STATUS_COLOURS[s]) for s, text in _legend(thresholds or StatusThresholds()).items()),
        *((k, v, None) for k, v in _methods(share_assumption)),
        *((f"工作表：{k}", v, None) for k, v in SHEETS.items()),
    ]
    columns = [
        Column("项目", [r[0] for r in rows], TEXT, fills=[r[2] for r in rows]),
        Column("内容", [r[1] for r in rows], TEXT, wrap=True, max_width=90),
    ]
    return Sheet("说明", f"{city[1]}{period.year}年{ytd_label(period)}表格说明", columns, autofilter=False)
