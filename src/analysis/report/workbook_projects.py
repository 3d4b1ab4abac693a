"""The key-project sheets of the city workbook (重点项目, 乡镇周排名, 未按期开工, 约谈名单).

Every figure comes from :mod:`analysis.key_projects` at the as-of month's last day, the day
the briefing uses: :func:`county_summary` (开工率, 投资完成率 vs 时序进度, 双90, top three and
约谈 townships), :func:`township_ranking` (each county's latest weekly report on or before
that day), :func:`late_projects` and :func:`interview_list`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis import key_projects
from analysis.core.formatting import unit_decimals
from analysis.gaps.status import STATUS_COLOURS
from analysis.report.xlsx import (
    DATE,
    INTEGER,
    PERCENT,
    PP,
    TEXT,
    Column,
    Sheet,
    dates,
    decimal_format,
    fractions,
    integers,
    numbers,
)

WAN = decimal_format(unit_decimals("万元"))  # investment in 万元, whole numbers as the notes
DEADLINE = "3月底前"  # key_projects.start_rates' default deadline, 31 March
NO_LEDGER = "未提供重点项目台账（projects.csv）"
NO_WEEKLY = "未提供乡镇周报（township_weekly.csv），或截至本月底没有周报"


def _flag(values: pd.Series, colour: str | None = None) -> Column:
    """是/否 of a boolean column; ``colour`` fills the 是 cells (green for good, red for bad)."""
    flags = values.fillna(False).astype(bool).tolist()
    return Column("", ["是" if f else "否" for f in flags], TEXT,
                  fills=[colour if f else None for f in flags] if colour else None, center=True)


def _named(header: str, column: Column) -> Column:
    column.header = header
    return column


def county_sheet(ledger: pd.DataFrame | None, weekly: pd.DataFrame | None, names: dict[str, str],
                 day: pd.Timestamp, title: str) -> Sheet:
    """Per county: counts, 开工率, investment against 时序进度, the 双90 checks, late projects,
    the top three and the 约谈 townships of its latest weekly report."""
    if ledger is None or ledger.empty:
        return Sheet("重点项目", title, [Column("地区", [], TEXT)], empty_note=NO_LEDGER)
    rows = key_projects.county_summary(ledger, day, weekly, names).sort_values("county_code")
    double = rows["double_90"].fillna(False).astype(bool)
    columns = [
        Column("地区", rows["county_code"].map(names).tolist(), TEXT),
        Column("代码", rows["county_code"].tolist(), TEXT),
        Column("项目数", integers(rows["n_projects"]), INTEGER),
        Column("新开工项目", integers(rows["n_new_projects"]), INTEGER),
        Column("续建项目", integers(rows["n_continuing"]), INTEGER),
        Column(f"截至{day.month}月{day.day}日应开工", integers(rows["n_planned"]), INTEGER),
        Column("已开工", integers(rows["n_started"]), INTEGER),
        Column("开工率", fractions(rows["start_rate"]), PERCENT),
        Column("提前开工", integers(rows["n_started_early"]), INTEGER),
        Column(f"{DEADLINE}应开工", integers(rows["n_planned_deadline"]), INTEGER),
        Column(f"{DEADLINE}已开工", integers(rows["n_started_deadline"]), INTEGER),
        Column(f"{DEADLINE}开工率", fractions(rows["start_rate_deadline"]), PERCENT),
        Column("计划投资(万元)", numbers(rows["planned_investment"], 0), WAN),
        Column("完成投资(万元)", numbers(rows["completed_investment"], 0), WAN),
        Column("投资完成率", fractions(rows["completion_rate"]), PERCENT),
        Column("时序进度", fractions(rows["schedule_progress"]), PERCENT),
        Column("较时序进度(百分点)", numbers(rows["gap_to_schedule_pp"], 1), PP),
        _named("开工率达标", _flag(rows["start_ok"])),
        _named("投资达标", _flag(rows["completion_ok"])),
        Column("双90", ["达标" if d else "未达标" for d in double], TEXT,
               fills=[STATUS_COLOURS["green"] if d else STATUS_COLOURS["red"] for d in double], center=True),
        Column("未按期开工项目", integers(rows["n_late_projects"]), INTEGER),
        Column("最长延期(天)", integers(rows["max_days_late"]), INTEGER),
        Column("周报日期", dates(rows["week_end"]), DATE),
        Column("前三乡镇", ["、".join(v) for v in rows["top3"]], TEXT, wrap=True),
        Column("约谈乡镇", ["、".join(v) for v in rows["interview"]], TEXT, wrap=True),
    ]
    return Sheet("重点项目", title, columns, freeze_cols=2)


def _latest_ranking(weekly: pd.DataFrame) -> pd.DataFrame:
    """Each county's townships in its latest weekly report, by county and rank."""
    ranked = key_projects.township_ranking(weekly)
    latest = ranked.groupby("county_code")["week_end"].transform("max")
    week = ranked.loc[ranked["week_end"] == latest]
    return week.sort_values(["county_code", "rank", "township_code"], na_position="last")


def ranking_sheet(weekly: pd.DataFrame | None, names: dict[str, str], title: str) -> Sheet:
    """Each county's townships ranked by the week's investment (latest report), with the
    top three and the townships last two weeks running."""
    if weekly is None or weekly.empty:
        return Sheet("乡镇周排名", title, [Column("县区", [], TEXT)], empty_note=NO_WEEKLY)
    rows = _latest_ranking(weekly)
    columns = [
        *_township_week_columns(rows, names),
        Column("累计完成投资(万元)", numbers(rows["investment_ytd"], 0), WAN),
        Column("本周占比", fractions(rows["share"]), PERCENT),
        _named("前三", _flag(rows["top3"], STATUS_COLOURS["green"])),
        _named("末位", _flag(rows["last"])),
        _named("连续两周末位", _flag(rows["last_two_weeks"], STATUS_COLOURS["red"])),
    ]
    return Sheet("乡镇周排名", title, columns, freeze_cols=2)


def _township_week_columns(rows: pd.DataFrame, names: dict[str, str]) -> list[Column]:
    """The columns that name a township's week in the weekly report and its rank."""
    return [
        Column("县区", rows["county_code"].map(names).tolist(), TEXT),
        Column("乡镇", rows["township_code"].map(names).fillna(rows["township_code"]).tolist(), TEXT),
        Column("乡镇代码", rows["township_code"].tolist(), TEXT),
        Column("周报日期", dates(rows["week_end"]), DATE),
        Column("本周排名", integers(rows["rank"]), INTEGER),
        Column("乡镇数", integers(rows["n_townships"]), INTEGER),
        Column("本周完成投资(万元)", numbers(rows["investment_week"], 0), WAN),
    ]


def late_sheet(ledger: pd.DataFrame | None, names: dict[str, str], day: pd.Timestamp, title: str) -> Sheet:
    """Projects planned to start by ``day`` and not started, most days late first."""
    if ledger is None or ledger.empty:
        return Sheet("未按期开工", title, [Column("项目编号", [], TEXT)], empty_note=NO_LEDGER)
    rows = key_projects.late_projects(ledger, day)
    columns = [
        Column("项目编号", rows["project_id"].tolist(), TEXT),
        Column("项目名称", rows["project_name"].tolist(), TEXT),
        Column("县区", rows["county_code"].map(names).tolist(), TEXT),
        Column("乡镇", rows["township_code"].map(names).fillna(rows["township_code"]).tolist(), TEXT),
        Column("计划开工日期", dates(rows["planned_start"]), DATE),
        Column("延期天数", integers(rows["days_late"]), INTEGER),
    ]
    return Sheet("未按期开工", title, columns, freeze_cols=2,
                 empty_note=f"截至{day.month}月{day.day}日无未按期开工项目")


def interview_sheet(weekly: pd.DataFrame | None, names: dict[str, str], title: str) -> Sheet:
    """约谈名单: townships last in their county two reported weeks running (each county's
    latest report)."""
    if weekly is None or weekly.empty:
        return Sheet("约谈名单", title, [Column("县区", [], TEXT)], empty_note=NO_WEEKLY)
    found = [key_projects.interview_list(weekly[weekly["county_code"] == code])
             for code in sorted(weekly["county_code"].unique())]
    rows = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    columns = [
        *_township_week_columns(rows, names),
        Column("本周占比", fractions(rows["share"]), PERCENT),
    ]
    return Sheet("约谈名单", title, columns, freeze_cols=2,
                 empty_note="没有连续两周排名末位的乡镇")


def project_sheets(projects: pd.DataFrame | None, weekly: pd.DataFrame | None, regions: pd.DataFrame,
                   counties: Sequence[str], period: pd.Period, when: str) -> list[Sheet]:
    """The four key-project sheets for ``counties`` at the last day of ``period``."""
    names = dict(zip(regions["code"].astype(str), regions["name"], strict=True))
    day = period.end_time.normalize()
    ledger = None if projects is None else projects[projects["county_code"].isin(counties)]
    reports = None
    if weekly is not None:
        reports = weekly[weekly["county_code"].isin(counties) & (weekly["week_end"] <= day)]
    return [
        county_sheet(ledger, reports, names, day, f"{when}重点项目推进"),
        ranking_sheet(reports, names, f"{when}乡镇投资周排名"),
        late_sheet(ledger, names, day, f"{when}未按期开工项目"),
        interview_sheet(reports, names, f"{when}约谈名单"),
    ]
