"""Headline figures of a county briefing: the key-figure box and the record the index reads.

:func:`headline_items` picks a county's key indicators from a gap table (see
:func:`analysis.gaps.gap_table`) and formats them; :func:`overall_rank` ranks every county
at once by its mean rank over those indicators; :func:`headline_html` renders the box (every
data string HTML-escaped); :func:`headline_payload` is the machine-readable copy a notebook
displays under :data:`HEADLINE_MIMETYPE`, which the batch runner collects for the index page
and the HTML export hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from analysis import catalog
from analysis.status import STATUS_COLOURS, STATUSES

HEADLINE_MIMETYPE = "application/vnd.q1brief.headline+json"
HEADLINE_INDICATORS = ("iva", "fai", "retail", "tech_invest", "ind_output", "electricity")


def headline_rows(gaps: pd.DataFrame, indicators: Sequence[str] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """One gap-table row per region and headline indicator, in ``indicators`` order.

    A level row judged against its target (``completion_rate`` known) is preferred, then the
    growth row, then any other row, so 固定资产投资 shows its completion and 规上工业增加值
    (published as growth only) its growth.
    """
    rows = gaps[gaps["indicator"].isin(indicators)]
    preference = np.where(rows["completion_rate"].notna() & (rows["measure"] == "ytd_value"), 0,
                          np.where(rows["measure"] == "ytd_growth", 1, 2))
    order = rows["indicator"].map({code: i for i, code in enumerate(indicators)})
    rows = rows.assign(_pref=preference, _order=order).sort_values(
        ["region_code", "_order", "_pref"], kind="stable")
    rows = rows.drop_duplicates(["region_code", "indicator"], keep="first")
    return rows.drop(columns=["_pref", "_order"]).reset_index(drop=True)


def overall_rank(gaps: pd.DataFrame, indicators: Sequence[str] = HEADLINE_INDICATORS) -> pd.Series:
    """Rank of each region (1 = best) by the mean of its headline rows' ranks.

    mean_rank(r) = mean over the headline rows of r with a rank of rank(r, i); regions
    with no ranked row get NaN. Ties share the best rank (``method="min"``).
    """
    mean_rank = headline_rows(gaps, indicators).groupby("region_code")["rank"].mean()
    return mean_rank.rank(method="min").rename("overall_rank")


def _value_text(actual: float, measure: str, unit: str) -> str:
    if not np.isfinite(actual):
        return "无数据"
    if measure.endswith("growth"):
        return f"{actual:.1f}%"
    return f"{actual:,.1f}{unit}" if unit not in ("%", "") else f"{actual:.1f}{unit}"


def _note_text(row: pd.Series) -> str:
    parts = []
    if row["measure"].endswith("growth"):
        gap = row.get("gap_to_city_pp", np.nan)
        if pd.notna(gap):
            word = "高于" if gap > 0 else "低于"
            parts.append(f"{word}全市{abs(gap):.1f}个百分点" if round(gap, 1) else "与全市持平")
    else:
        rate = row.get("completion_rate", np.nan)
        gap = row.get("gap_to_schedule_pp", np.nan)
        if pd.notna(rate):
            text = f"完成目标{100 * rate:.1f}%"
            if pd.notna(gap) and round(gap, 1) == 0:
                text += "，与时序进度持平"
            elif pd.notna(gap):
                text += f"，{'超' if gap > 0 else '低于'}时序进度{abs(gap):.1f}个百分点"
            parts.append(text)
    rank, n = row.get("rank", np.nan), row.get("n_peers", np.nan)
    if pd.notna(rank) and pd.notna(n):
        parts.append(f"第{int(rank)}/{int(n)}位")
    return "，".join(parts)


def headline_items(
    gaps: pd.DataFrame, region_code: str, indicators: Sequence[str] = HEADLINE_INDICATORS
) -> pd.DataFrame:
    """The county's headline figures (:func:`headline_rows`) as display text: ``indicator,
    label, value, status, note``; unknown data stays unknown, never green."""
    rows = headline_rows(gaps[gaps["region_code"] == region_code], indicators)
    names = catalog.indicators()["name_zh"]
    status = rows["status"].where(rows["status"].isin(STATUSES), "unknown").fillna("unknown")
    return pd.DataFrame({
        "indicator": rows["indicator"].to_numpy(),
        "label": rows["indicator"].map(names).to_numpy(),
        "value": [_value_text(float(a), str(m), str(u)) for a, m, u in
                  zip(rows["actual"].astype(float), rows["measure"], rows["unit"], strict=True)],
        "status": status.to_numpy(),
        "note": [_note_text(r) for _, r in rows.iterrows()],
    })


def headline_html(items: pd.DataFrame) -> str:
    """The headline box: one card per item, top border in the status colour. Escaped."""
    cards = []
    for item in items.itertuples(index=False):
        status = item.status if item.status in STATUSES else "unknown"
        colour = STATUS_COLOURS[status]
        cards.append(
            f'<div class="q1-card {status}" style="border-top-color:{colour}">'
            f'<div class="label">{escape(str(item.label))}</div>'
            f'<div class="value status-{status}" style="color:{colour}">'
            f'{escape(str(item.value))}</div>'
            f'<div class="note">{escape(str(item.note))}</div></div>'
        )
    return f'<div class="q1-headline">{"".join(cards)}</div>'


def headline_payload(
    region_code: str,
    region_name: str,
    as_of: str,
    items: pd.DataFrame,
    rank: float | None = None,
    n_regions: int | None = None,
) -> dict[str, Any]:
    """JSON-ready record of the headline (plain types only) for the batch index page."""
    return {
        "region_code": str(region_code),
        "region_name": str(region_name),
        "as_of": str(as_of),
        "rank": None if rank is None or pd.isna(rank) else int(rank),
        "n_regions": None if n_regions is None else int(n_regions),
        "items": [
            {k: str(v) for k, v in item.items()}
            for item in items[["indicator", "label", "value", "status", "note"]].to_dict("records")
        ],
    }


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
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown)
    body = []
    for _, row in frame.iterrows():
        cls, style = "", ""
        if status in frame.columns:
            key = row[status] if row[status] in STATUSES else "unknown"
            cls, style = f' class="status-{key}"', f' style="color:{STATUS_COLOURS[key]}"'
        cells = [f"<td>{escape(str(row[c]))}</td>" for c in shown]
        if style and cells:  # the last cell (the status word) in the status colour
            cells[-1] = f"<td{style}><b>{escape(str(row[shown[-1]]))}</b></td>"
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (f'<table class="q1-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


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


def annual_outlook(
    obs: pd.DataFrame,
    targets: pd.DataFrame | None,
    region_code: str,
    indicator: str,
    as_of: str | pd.Period,
    share_assumption: float = 0.30,
    backtest: pd.DataFrame | None = None,
    recommended_only: bool = False,
) -> dict[str, Any]:
    """What the fan chart and projection table of one flow indicator need.

    ``recommended_only`` (for the leader's briefing, which shows one projection) returns only
    the recommended row and skips model fits that cannot change it.

    Returns ``projection`` (:func:`analysis.projection.project_annual` of the county's
    monthly series, with the cached backtest as evidence when given), ``ytd`` and
    ``last_year`` (YTD values by month of this year and last year), ``target`` (the annual
    ``ytd_value`` target or NaN) and ``pace`` (:func:`analysis.projection.required_pace`,
    empty without a target).
    """
    from analysis.projection import project_annual, project_recommended, required_pace
    from analysis.projection.cache import SEP, flow_panel, series_evidence

    period = pd.Period(as_of, freq="M")
    rows = obs[(obs["region_code"] == region_code) & (obs["indicator"] == indicator)]
    ytd = rows[rows["measure"] == "ytd_value"].set_index("period")["value"].sort_index()
    panel = flow_panel(rows)
    monthly = panel.get(f"{region_code}{SEP}{indicator}", pd.Series(dtype=float))
    evidence = (series_evidence(backtest, region_code, indicator, period.month)
                if backtest is not None and not backtest.empty else None)
    project = project_recommended if recommended_only else project_annual
    projection = project(monthly, period.year, through_month=period.month,
                         share_assumption=share_assumption, evidence=evidence)
    target = np.nan
    if targets is not None and not targets.empty:
        hit = targets[(targets["region_code"] == region_code) & (targets["indicator"] == indicator)
                      & (targets["year"] == period.year) & (targets["horizon"] == "annual")
                      & (targets["measure"] == "ytd_value")]
        target = float(hit["target"].iloc[0]) if len(hit) else np.nan
    pace = (required_pace(monthly, period.year, target, through_month=period.month)
            if np.isfinite(target) else pd.DataFrame())
    this_year = ytd[(ytd.index.year == period.year) & (ytd.index <= period)]
    last_year = ytd[ytd.index.year == period.year - 1]
    return {"projection": projection, "ytd": this_year, "last_year": last_year,
            "target": target, "pace": pace, "unit": str(rows["unit"].iloc[0]) if len(rows) else ""}
