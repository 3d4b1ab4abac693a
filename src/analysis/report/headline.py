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
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.formatting import diff_phrase, fmt, percent_text, quantity_phrase
from analysis.core.settings import HEADLINE_INDICATORS
from analysis.gaps.status import STATUS_COLOURS, STATUSES
from analysis.report.render import render

HEADLINE_MIMETYPE = "application/vnd.q1brief.headline+json"


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
    """Rank of each region (1 = best) by the mean of its headline rows' ranks
    (``indicators``: the city's ``rank_indicators``).

    mean_rank(r) = mean over the headline rows of r with a rank of rank(r, i); regions
    with no ranked row get NaN. Ties share the best rank (``method="min"``).
    """
    mean_rank = headline_rows(gaps, indicators).groupby("region_code")["rank"].mean()
    return mean_rank.rank(method="min").rename("overall_rank")


def _value_text(actual: float, measure: str, unit: str) -> str:
    """The figure as the sentences print it (:mod:`analysis.core.formatting`): 5.3%, 84.0亿元,
    5.4亿千瓦时, 3109户, 106.4（上年同月=100）."""
    if not np.isfinite(actual):
        return "无数据"
    if measure.endswith("growth"):
        return f"{fmt(actual)}%"
    return quantity_phrase(actual, unit)


def _note_text(row: pd.Series) -> str:
    """高于/低于全市X个百分点 (growth) or 完成目标X%，超/低于时序进度X个百分点 (levels), and
    第r/n位 (总量第r/n位 for a level);
    the same rounding and flatness rule as the sentences."""
    parts = []
    if row["measure"].endswith("growth"):
        gap = row.get("gap_to_city_pp", np.nan)
        if pd.notna(gap):
            parts.append(diff_phrase(gap, "全市"))
        elif pd.notna(row.get("gap_to_target", np.nan)):  # the city's note: no city to compare with
            parts.append(diff_phrase(row["gap_to_target"], "目标"))
    else:
        rate = row.get("completion_rate", np.nan)
        gap = row.get("gap_to_schedule_pp", np.nan)
        if pd.notna(rate):
            text = f"完成目标{percent_text(rate)}"
            if pd.notna(gap):
                text += "，" + diff_phrase(gap, "时序进度").replace("高于时序进度", "超时序进度", 1)
            parts.append(text)
    rank, n = row.get("rank", np.nan), row.get("n_peers", np.nan)
    if pd.notna(rank) and pd.notna(n):  # a level row is ranked by its total (总量), as the sentence says
        parts.append(f"{'' if row['measure'].endswith('growth') else '总量'}第{int(rank)}/{int(n)}位")
    return "，".join(parts)


def headline_items(
    gaps: pd.DataFrame,
    region_code: str,
    indicators: Sequence[str] = HEADLINE_INDICATORS,
    catalogue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The county's headline figures (:func:`headline_rows`) as display text: ``indicator,
    label, value, status, note``; unknown data stays unknown, never green.

    ``indicators`` is the city's ``headline_indicators`` (or ``index_indicators`` for the
    index page's columns); ``catalogue`` (the city's) gives the names and display units.
    """
    rows = headline_rows(gaps[gaps["region_code"] == region_code], indicators)
    cat = catalog.indicators() if catalogue is None else catalogue
    units = rows["indicator"].map(catalog.display_units(cat)).fillna(rows["unit"])
    status = rows["status"].where(rows["status"].isin(STATUSES), "unknown").fillna("unknown")
    return pd.DataFrame({
        "indicator": rows["indicator"].to_numpy(),
        "label": catalog.indicator_names(cat, rows["indicator"]).to_numpy(),
        "value": [_value_text(float(a), str(m), str(u)) for a, m, u in
                  zip(rows["actual"].astype(float), rows["measure"], units, strict=True)],
        "status": status.to_numpy(),
        "note": [_note_text(r) for _, r in rows.iterrows()],
    })


def headline_html(items: pd.DataFrame) -> str:
    """The headline box: one card per item, top border in the status colour. Escaped."""
    cards = []
    for item in items.itertuples(index=False):
        status = item.status if item.status in STATUSES else "unknown"
        cards.append({"status": status, "colour": STATUS_COLOURS[status], "label": str(item.label),
                      "value": str(item.value), "note": str(item.note)})
    return render("html/headline.html.j2", cards=cards)


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
