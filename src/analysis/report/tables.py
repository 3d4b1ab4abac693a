"""Display tables of the notes (gap, 短板, projection, latest figures) and their HTML.

Every cell is text formatted by :mod:`analysis.core.formatting`; the status key stays in a
column so the HTML (and later Word/Excel) renderers can colour the row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.formatting import number_text, unit_decimals
from analysis.gaps.status import STATUS_COLOURS, STATUSES, StatusThresholds, comparison_status
from analysis.report.render import render

STATUS_NAMES = {"green": "正常", "amber": "关注", "red": "落后", "unknown": "无数据"}
# The gaps a bar chart can show: growth against the city, completion against 时序进度.
GAP_BASES = {"city": "gap_to_city_pp", "schedule": "gap_to_schedule_pp"}


def _num(x: float, digits: int = 1) -> str:
    """A cell: half up (四舍五入) like the sentences, "—" when missing, no thousands separator."""
    return number_text(x, digits)


def _pct(rates: pd.Series) -> list[str]:
    """Rates (fractions) as cells of a "(%)" column, one decimal: 0.2664 -> 26.6."""
    return [_num(100 * float(v)) if pd.notna(v) else "—" for v in rates]


def _yes(flags: pd.Series) -> list[str]:
    return ["是" if bool(v) else "否" for v in flags.fillna(False)]


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
    cat = catalog.indicators() if catalogue is None else catalogue
    shown = rows["indicator"].map(catalog.display_units(cat)).fillna(rows["unit"]).astype(str)
    places = [1 if g else unit_decimals(u) for g, u in zip(growth, rows["unit"].astype(str), strict=True)]
    return pd.DataFrame({
        "指标": catalog.indicator_names(catalogue, rows["indicator"]).to_numpy(),
        "口径": np.where(growth, "累计增长(%)", np.where(shown == "", "累计值", "累计值(" + shown + ")")),
        "实际": [_num(v, d) for v, d in zip(rows["actual"], places, strict=True)],
        "目标": [_num(v, d) for v, d in zip(rows["target"], places, strict=True)],
        "完成率(%)": [_num(100 * v) for v in rows["completion_rate"]],
        "较时序进度(百分点)": [_num(v) for v in rows["gap_to_schedule_pp"]],
        "全市": [_num(v, d) for v, d in zip(rows["city_value"], places, strict=True)],
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
    and measure, as text cells: growth to one decimal, levels to their unit's decimals
    (:func:`analysis.core.formatting.unit_decimals`), "—" when missing."""
    latest = obs[(obs["region_code"].isin(region_codes)) & (obs["period"] == period)]
    wide = latest.pivot_table(index="indicator", columns=["region_name", "measure"], values="value")
    units = latest.drop_duplicates("indicator").set_index("indicator")["unit"].astype(str)
    cells = {col: [_num(v, 1 if str(col[1]).endswith("growth") else unit_decimals(units.get(code, "")))
                   for code, v in wide[col].items()] for col in wide.columns}
    text = pd.DataFrame(cells, index=wide.index, columns=wide.columns)
    text.index = pd.Index(catalog.indicator_names(catalogue, wide.index.to_series()), name="indicator")
    return text


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


LAGGING_COLUMNS = ["指标", "口径", "依据", "差距"]
BASIS_NAMES = {"target": "目标", "schedule": "时序进度", "q1_schedule": "一季度目标与时序进度", "city": "全市平均"}


def lagging_overview(lagging: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.gaps.lagging_list` rows as a Chinese display table: the indicator, its
    row (累计增长/累计值), what it lagged (依据) and the gap in the very words and digits of
    the briefing's 短板 sentence (:func:`analysis.report.narrative.lag_reason`), looked up in
    ``gaps`` (the gap-table rows the list was made from)."""
    from analysis.report.narrative import lag_reason

    key = gaps.set_index(["region_code", "indicator", "measure"])
    reasons = [lag_reason(key.loc[(r, i, m)]) for r, i, m in
               zip(lagging["region_code"], lagging["indicator"], lagging["measure"], strict=True)]
    return pd.DataFrame({
        "指标": lagging["name_zh"].to_numpy(),
        "口径": np.where(lagging["measure"].str.endswith("growth"), "累计增长", "累计值"),
        "依据": lagging["status_basis"].map(BASIS_NAMES).fillna("—").to_numpy(),
        "差距": reasons,
    }, columns=LAGGING_COLUMNS)


GROWTH_METHOD_NAMES_ZH = {"growth_ols": "回归法（全年增速对累计增速）", "growth_carry": "增速延续法"}


def growth_projection_overview(projection: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.projection.project_growth` rows as a Chinese table (growth to 0.1 pp):
    方法, 全年增速(%), 80%区间, 依据年数, 说明."""
    rows = projection.astype({"estimate": float, "lower": float, "upper": float})
    return pd.DataFrame({
        "方法": [GROWTH_METHOD_NAMES_ZH.get(str(m), str(m)) for m in rows["method"]],
        "全年增速(%)": [_num(v) for v in rows["estimate"]],
        "80%区间": [f"{_num(a)} ~ {_num(b)}" if np.isfinite(a) and np.isfinite(b) else "—"
                  for a, b in zip(rows["lower"], rows["upper"], strict=True)],
        "依据年数": [str(int(n)) if pd.notna(n) else "—" for n in rows["n_years"]],
        "说明": [str(n) if isinstance(n, str) else "" for n in rows["note"]],
    })


PROJECT_COLUMNS = ["计划开工", "已开工", "开工率(%)", "投资完成率(%)", "时序进度(%)", "双90达标"]
TOWNSHIP_COLUMNS = ["乡镇", "计划开工", "已开工", "开工率(%)", "投资完成率(%)"]
WEEKLY_COLUMNS = ["乡镇", "本周排名", "本周完成投资(万元)", "累计完成投资(万元)", "本周占比(%)", "前三",
                  "连续两周末位"]
LATE_COLUMNS = ["项目", "计划开工日期", "延期天数"]


def _count(values: pd.Series) -> list[str]:
    return [str(int(v)) if pd.notna(v) else "—" for v in values]


def project_overview(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.key_projects.county_summary` rows as text: starts, rates in percent to
    one decimal (as the project sentence prints them), 双90."""
    return pd.DataFrame({
        "计划开工": _count(summary["n_planned"]), "已开工": _count(summary["n_started"]),
        "开工率(%)": _pct(summary["start_rate"]), "投资完成率(%)": _pct(summary["completion_rate"]),
        "时序进度(%)": _pct(summary["schedule_progress"]),
        "双90达标": [y if pd.notna(c) else "—" for y, c in  # unknown investment: unknown 双90
                   zip(_yes(summary["double_90"]), summary["completion_rate"], strict=True)],
    }, columns=PROJECT_COLUMNS)


def township_overview(rates: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Township :func:`analysis.key_projects.start_rates` as text, townships by name."""
    return pd.DataFrame({
        "乡镇": rates["township_code"].map(names).to_numpy(),
        "计划开工": _count(rates["n_planned"]), "已开工": _count(rates["n_started"]),
        "开工率(%)": _pct(rates["start_rate"]), "投资完成率(%)": _pct(rates["completion_rate"]),
    }, columns=TOWNSHIP_COLUMNS)


def weekly_overview(ranking: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The last week of :func:`analysis.key_projects.township_ranking` as text, best first
    (money in whole 万元, the share in percent)."""
    last = ranking[ranking["week_end"] == ranking["week_end"].max()].sort_values("rank")
    wan = unit_decimals("万元")
    return pd.DataFrame({
        "乡镇": last["township_code"].map(names).to_numpy(), "本周排名": _count(last["rank"]),
        "本周完成投资(万元)": [_num(v, wan) for v in last["investment_week"]],
        "累计完成投资(万元)": [_num(v, wan) for v in last["investment_ytd"]],
        "本周占比(%)": _pct(last["share"]),
        "前三": ["是" if v else "" for v in last["top3"]],
        "连续两周末位": ["是" if v else "" for v in last["last_two_weeks"]],
    }, columns=WEEKLY_COLUMNS)


def late_overview(late: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.key_projects.late_projects` rows as text: project, planned start, days late."""
    return pd.DataFrame({
        "项目": late["project_name"].astype(str).to_numpy(),
        "计划开工日期": [str(d)[:10] for d in late["planned_start"]],
        "延期天数": _count(late["days_late"]),
    }, columns=LATE_COLUMNS)
