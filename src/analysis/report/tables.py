"""Display tables of the notes (gap, 短板, projection, latest figures) and their HTML.

Every cell is text formatted by :mod:`analysis.core.formatting`; the status key stays in a
column so the HTML (and later Word/Excel) renderers can colour the row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.gaps.status import STATUS_COLOURS, STATUSES, StatusThresholds, comparison_status
from analysis.report.render import render

STATUS_NAMES = {"green": "正常", "amber": "关注", "red": "落后", "unknown": "无数据"}
# The gaps a bar chart can show: growth against the city, completion against 时序进度.
GAP_BASES = {"city": "gap_to_city_pp", "schedule": "gap_to_schedule_pp"}


def _num(x: float, digits: int = 1) -> str:
    return "—" if pd.isna(x) else f"{x:,.{digits}f}"


def gap_overview(gaps: pd.DataFrame, region_code: str, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The county's gap-table rows as a Chinese display table (text cells), worst first.

    Columns: 指标, 口径, 实际, 目标, 完成率(%), 较时序进度(百分点), 全市, 较全市(百分点),
    全市排名, 状态; plus ``status`` (the colour key, for :func:`table_html`). Names come from
    ``catalogue`` (the city's; the packaged one by default).
    """
    rows = gaps[gaps["region_code"] == region_code]
    severity = rows["status"].map({"red": 0, "amber": 1, "green": 2}).fillna(3)
    rows = rows.assign(_sev=severity).sort_values(["_sev", "indicator", "measure"], kind="stable")
    growth = rows["measure"].str.endswith("growth")
    rank = [f"{int(r)}/{int(n)}" if pd.notna(r) else "—" for r, n in
            zip(rows["rank"], rows["n_peers"], strict=True)]
    return pd.DataFrame({
        "指标": catalog.indicator_names(catalogue, rows["indicator"]).to_numpy(),
        "口径": np.where(growth, "累计增长(%)", "累计值(" + rows["unit"].astype(str) + ")"),
        "实际": [_num(v) for v in rows["actual"]],
        "目标": [_num(v) for v in rows["target"]],
        "完成率(%)": [_num(100 * v) for v in rows["completion_rate"]],
        "较时序进度(百分点)": [_num(v) for v in rows["gap_to_schedule_pp"]],
        "全市": [_num(v) for v in rows["city_value"]],
        "较全市(百分点)": [_num(v) for v in rows["gap_to_city_pp"]],
        "全市排名": rank,
        "状态": rows["status"].map(STATUS_NAMES).fillna("无数据").to_numpy(),
        "status": rows["status"].where(rows["status"].isin(STATUSES), "unknown").to_numpy(),
    })


def table_html(frame: pd.DataFrame, status: str | None = "status") -> str:
    """An HTML table of ``frame`` (every cell and header escaped); when ``status`` names a
    column, each row gets the class ``status-<value>`` and that column is not shown."""
    shown = [c for c in frame.columns if c != status]
    coloured = status is not None and status in frame.columns
    keys = [k if k in STATUSES else "unknown" for k in frame[status]] if coloured else [None] * len(frame)
    rows = [{"cells": [str(v) for v in values], "status": key,
             "colour": STATUS_COLOURS[key] if key else None}
            for values, key in zip(frame[shown].itertuples(index=False, name=None), keys, strict=True)]
    return render("html/table.html.j2", columns=[str(c) for c in shown], rows=rows)


METHOD_NAMES_ZH = {
    "share_last": "上年占比法",
    "share_mean": "近年平均占比法",
    "share_assumption": "假定占比法",
    "ets": "指数平滑法（ETS）",
    "sarimax": "季节ARIMA（SARIMAX）",
    "combo": "组合法",
    "share_shrunk": "收缩占比法（全市合并）",
    "growth_pooled": "合并阻尼增速法",
    "stl": "季节分解法（STL）",
}


def projection_overview(projection: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.projection.project_annual` rows as a Chinese display table (text cells).

    Columns: 方法, 全年推算, 80%区间, 隐含一季度占比(%), 推荐, 说明 (the method's note, as
    the library writes it). Missing figures show as "—".
    """
    rows = projection.astype({"estimate": float, "lower": float, "upper": float,
                              "implied_q1_share": float})
    return pd.DataFrame({
        "方法": [METHOD_NAMES_ZH.get(str(m), str(m)) for m in rows["method"]],
        "全年推算": [_num(v) for v in rows["estimate"]],
        "80%区间": [f"{_num(a)} ~ {_num(b)}" if np.isfinite(a) and np.isfinite(b) else "—"
                  for a, b in zip(rows["lower"], rows["upper"], strict=True)],
        "隐含一季度占比(%)": [_num(100 * v) for v in rows["implied_q1_share"]],
        "推荐": ["是" if r else "" for r in rows["recommended"].fillna(False).astype(bool)],
        "说明": [str(n) if isinstance(n, str) else "" for n in rows["note"]],
    })


_EVIDENCE_NAMES = {"recommended": "推荐方法（逐年按当时记录选定）"}


def evidence_overview(evidence: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.projection.calibrate.pooled_evidence` rows as a Chinese display table:
    方法, 回测（县·年）, 中位误差(%), 90%分位误差(%), 80%区间覆盖率(%)."""
    return pd.DataFrame({
        "方法": [_EVIDENCE_NAMES.get(str(m), METHOD_NAMES_ZH.get(str(m), str(m))) for m in evidence["method"]],
        "回测（县·年）": [str(int(n)) for n in evidence["n"]],
        "中位误差(%)": [_num(float(v)) for v in evidence["mdape"]],
        "90%分位误差(%)": [_num(float(v)) for v in evidence["p90_ape"]],
        "80%区间覆盖率(%)": [_num(100 * float(v)) for v in evidence["coverage"]],
    })


def latest_overview(obs: pd.DataFrame, region_codes: list[str], period: pd.Period,
                    catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The latest period's figures of ``region_codes`` (e.g. the county and its city): one row
    per indicator (Chinese name; a code no catalogue knows as itself), one column per region
    and measure, rounded to 2 decimals."""
    latest = obs[(obs["region_code"].isin(region_codes)) & (obs["period"] == period)]
    wide = latest.pivot_table(index="indicator", columns=["region_name", "measure"], values="value")
    wide.index = pd.Index(catalog.indicator_names(catalogue, wide.index.to_series()), name="indicator")
    return wide.round(2)


def gap_bar_rows(county_gaps: pd.DataFrame, basis: str, catalogue: pd.DataFrame | None = None,
                 thresholds: StatusThresholds | None = None) -> pd.DataFrame:
    """Rows of one gap for :func:`analysis.report.charts.gap_bars`: ``name`` (Chinese), the gap
    (``gap_to_city_pp`` of the growth rows for ``basis="city"``, ``gap_to_schedule_pp`` of the
    rows with a completion rate for ``"schedule"``) and ``colour``, the status of that gap only
    (:func:`analysis.gaps.comparison_status`), not the row's overall status."""
    column = GAP_BASES[basis]
    if basis == "city":
        rows = county_gaps[county_gaps["measure"] == "ytd_growth"]
    else:
        rows = county_gaps[county_gaps["completion_rate"].notna()]
    rows = rows.assign(name=catalog.indicator_names(catalogue, rows["indicator"]))
    return rows.assign(colour=comparison_status(rows[column], rows["direction"], thresholds))


LAGGING_COLUMNS = {"name_zh": "指标", "measure": "口径", "status_basis": "依据", "shortfall_pp": "差距(百分点)"}


def lagging_overview(lagging: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.gaps.lagging_list` rows as a Chinese display table (shortfall to 0.1 pp)."""
    return lagging[list(LAGGING_COLUMNS)].round(1).rename(columns=LAGGING_COLUMNS)


def growth_projection_overview(projection: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.projection.project_growth` rows as text (2 decimals)."""
    return projection.round(2).astype(str)


PROJECT_COLUMNS = {"n_planned": "计划开工", "n_started": "已开工", "start_rate": "开工率",
                   "completion_rate": "投资完成率", "schedule_progress": "时序进度", "double_90": "双90达标"}
TOWNSHIP_COLUMNS = {"乡镇": "乡镇", "n_planned": "计划开工", "n_started": "已开工", "start_rate": "开工率",
                    "completion_rate": "投资完成率"}
WEEKLY_COLUMNS = {"乡镇": "乡镇", "rank": "本周排名", "investment_week": "本周完成投资(万元)",
                  "investment_ytd": "累计完成投资(万元)", "占比": "本周占比", "top3": "前三",
                  "last_two_weeks": "连续两周末位"}
LATE_COLUMNS = {"project_name": "项目", "planned_start": "计划开工日期", "days_late": "延期天数"}


def project_overview(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.key_projects.county_summary` rows as text: starts, rates, 双90."""
    return summary[list(PROJECT_COLUMNS)].rename(columns=PROJECT_COLUMNS).round(3).astype(str)


def township_overview(rates: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Township :func:`analysis.key_projects.start_rates` as text, townships by name."""
    rows = rates.assign(乡镇=rates["township_code"].map(names))
    return rows[list(TOWNSHIP_COLUMNS)].round(3).rename(columns=TOWNSHIP_COLUMNS).astype(str)


def weekly_overview(ranking: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The last week of :func:`analysis.key_projects.township_ranking` as text, best first."""
    last = ranking[ranking["week_end"] == ranking["week_end"].max()].sort_values("rank")
    last = last.assign(乡镇=last["township_code"].map(names), 占比=last["share"].round(3))
    return last[list(WEEKLY_COLUMNS)].rename(columns=WEEKLY_COLUMNS).astype(str)


def late_overview(late: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.key_projects.late_projects` rows as text: project, planned start, days late."""
    return late[list(LATE_COLUMNS)].rename(columns=LATE_COLUMNS).astype(str)
