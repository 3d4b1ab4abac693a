"""Display tables of the notes: the gap overview, projection overview and escaped HTML tables.

Every cell is text formatted by :mod:`analysis.core.formatting`; the status key stays in a
column so the HTML (and later Word/Excel) renderers can colour the row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.gaps.status import STATUS_COLOURS, STATUSES
from analysis.report.render import render

STATUS_NAMES = {"green": "正常", "amber": "关注", "red": "落后", "unknown": "无数据"}


def _num(x: float, digits: int = 1) -> str:
    return "—" if pd.isna(x) else f"{x:,.{digits}f}"


def gap_overview(gaps: pd.DataFrame, region_code: str) -> pd.DataFrame:
    """The county's gap-table rows as a Chinese display table (text cells), worst first.

    Columns: 指标, 口径, 实际, 目标, 完成率(%), 较时序进度(百分点), 全市, 较全市(百分点),
    全市排名, 状态; plus ``status`` (the colour key, for :func:`table_html`).
    """
    rows = gaps[gaps["region_code"] == region_code]
    severity = rows["status"].map({"red": 0, "amber": 1, "green": 2}).fillna(3)
    rows = rows.assign(_sev=severity).sort_values(["_sev", "indicator", "measure"], kind="stable")
    names = catalog.indicators()["name_zh"]
    growth = rows["measure"].str.endswith("growth")
    rank = [f"{int(r)}/{int(n)}" if pd.notna(r) else "—" for r, n in
            zip(rows["rank"], rows["n_peers"], strict=True)]
    return pd.DataFrame({
        "指标": rows["indicator"].map(names).to_numpy(),
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
