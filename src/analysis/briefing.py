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

HEADLINE_MIMETYPE = "application/vnd.q1brief.headline+json"
HEADLINE_INDICATORS = ("iva", "fai", "retail", "tech_invest", "ind_output", "electricity")
STATUSES = ("green", "amber", "red", "unknown")


def overall_rank(gaps: pd.DataFrame, indicators: Sequence[str] = HEADLINE_INDICATORS) -> pd.Series:
    """Rank of each region (1 = best) by the mean of its per-indicator ranks.

    mean_rank(r) = mean over the headline indicators with a rank of rank(r, i); regions
    with no ranked indicator get NaN. Ties share the best rank (``method="min"``).
    """
    rows = gaps[gaps["indicator"].isin(indicators)]
    mean_rank = rows.groupby("region_code")["rank"].mean()
    return mean_rank.rank(method="min").astype("Float64").rename("overall_rank")


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
            word = "高于" if gap > 0 else "低于" if gap < 0 else "持平于"
            parts.append(f"{word}全市{abs(gap):.1f}个百分点" if gap else "与全市持平")
    else:
        rate = row.get("completion_rate", np.nan)
        gap = row.get("gap_to_schedule_pp", np.nan)
        if pd.notna(rate):
            text = f"完成目标{100 * rate:.1f}%"
            if pd.notna(gap):
                text += f"，{'超' if gap >= 0 else '低于'}时序进度{abs(gap):.1f}个百分点"
            parts.append(text)
    rank, n = row.get("rank", np.nan), row.get("n_peers", np.nan)
    if pd.notna(rank) and pd.notna(n):
        parts.append(f"第{int(rank)}/{int(n)}位")
    return "，".join(parts)


def headline_items(
    gaps: pd.DataFrame, region_code: str, indicators: Sequence[str] = HEADLINE_INDICATORS
) -> pd.DataFrame:
    """The county's headline figures in ``indicators`` order (those present in ``gaps``):
    ``indicator, label, value, status, note`` as display text; unknown data stays unknown."""
    rows = gaps[(gaps["region_code"] == region_code) & gaps["indicator"].isin(indicators)]
    order = {code: i for i, code in enumerate(indicators)}
    rows = rows.sort_values("indicator", key=lambda s: s.map(order))
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
        cards.append(
            f'<div class="q1-card {status}">'
            f'<div class="label">{escape(str(item.label))}</div>'
            f'<div class="value status-{status}">{escape(str(item.value))}</div>'
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
