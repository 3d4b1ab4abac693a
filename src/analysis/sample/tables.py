"""Published bureau figures of the sample city: the cells the bureau tables carry.

From the simulated true monthly values (:mod:`analysis.sample.dynamics`) this builds one
tidy frame of published cells (``region_code, indicator, measure, period, value, text``):

- county levels: YTD sums rounded (亿元 to 2 decimals, 万千瓦时 to 1, counts to integers);
- county growth on a comparable basis: ``round(100 * (Y_t / Y_{t-12} - 1) + e, 1)`` with
  ``e`` normal (sd 0.12pp) clipped to ±0.3pp, plus ``DELIBERATE_GAPS`` (> 1.5pp) that a
  validator comparing published with recomputed growth should flag;
- the city: levels are the sum of the counties' true levels (so the sum of the rounded
  county cells matches within rounding), growth the growth of that sum; 规上工业增加值 growth
  is the output-weighted mean ``sum(w_n g_n) / sum(w_n)`` with ``w_n`` the county's YTD
  规上工业总产值; shares of output are output-weighted means, other ratios plain means;
- January is blank everywhere (1-2月 is published in February); ``MASKED`` cells carry
  ``**``, ``…`` or ``-`` and ``SEPARATED`` cells a thousands separator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.sample.dynamics import (
    FLOWS,
    MONTHS,
    PRICES,
    simulate_counts,
    simulate_flow,
    simulate_ratios,
    ytd,
    ytd_growth,
)
from analysis.sample.geography import CITY_CODE

FIRST_PUBLISHED = pd.Period("2019-01", freq="M")
LAST_PUBLISHED = pd.Period("2026-03", freq="M")

LEVEL_DECIMALS = {
    "fai": 2,
    "tech_invest": 2,
    "ind_output": 2,
    "retail": 2,
    "electricity": 1,
    "new_entities": 0,
    "new_hightech": 0,
}
RATIO_DECIMALS = {
    "trad_share": 1,
    "sei_share": 1,
    "project_conversion": 1,
    "financing_rate": 1,
    "plot_ratio": 2,
}
# County growth rows (tech_invest and iva growth only at county level).
GROWTH_ROWS = ("fai", "tech_invest", "ind_output", "electricity", "new_entities", "retail", "iva")

# Published growth off by more than 1.5pp from growth recomputed from levels.
DELIBERATE_GAPS: tuple[tuple[str, str, str, float], ...] = (
    ("990121", "fai", "2025-06", 2.4),
    ("990103", "retail", "2024-09", -1.9),
    ("990125", "electricity", "2023-05", 2.2),
)
# Masked cells: (region, indicator, measure, month, token). None in the headline 2026 Q1.
MASKED: tuple[tuple[str, str, str, str, str], ...] = (
    ("990121", "retail", "ytd_value", "2020-04", "…"),
    ("990122", "new_entities", "ytd_growth", "2021-06", "**"),
    ("990125", "electricity", "ytd_value", "2022-09", "-"),
    ("990127", "fai", "ytd_growth", "2019-05", "**"),
    ("990102", "tech_invest", "ytd_growth", "2024-07", "-"),
    ("990103", "financing_rate", "ytd_value", "2025-08", "**"),
    ("990124", "project_conversion", "ytd_value", "2023-11", "…"),
    ("990126", "plot_ratio", "ytd_value", "2020-02", "-"),
)
# Cells written with a thousands separator: (region, indicator, measure, month).
SEPARATED: tuple[tuple[str, str, str, str], ...] = (
    (CITY_CODE, "electricity", "ytd_value", "2025-12"),
    ("990102", "new_entities", "ytd_value", "2025-12"),
)


def simulate_truth(counties: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """True monthly county values (N, 108) for every indicator; flows are monthly levels."""
    truth = {code: simulate_flow(flow, counties, rng) for code, flow in FLOWS.items()}
    truth["new_entities"] = np.round(truth["new_entities"])
    price = np.cumprod(1 + np.asarray(PRICES))
    price_n = np.repeat(price[None, :] * rng.lognormal(0, 0.01, (len(counties), len(price))), 12, axis=1)
    truth["ind_output"] = truth["industry"] * price_n
    truth["new_hightech"] = simulate_counts(counties, rng)
    truth.update(simulate_ratios(counties, rng))
    return truth


def _format(value: float, decimals: int) -> str:
    """NBS style: rounded, trailing zeros dropped (``658.7``, ``15``); blank for NaN."""
    if np.isnan(value):
        return ""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _long(codes: list[str], indicator: str, measure: str, values: np.ndarray, decimals: int) -> pd.DataFrame:
    """Tidy cells for an (R, 108) array, restricted to the published months."""
    keep = np.asarray((MONTHS >= FIRST_PUBLISHED) & (MONTHS <= LAST_PUBLISHED))
    periods = MONTHS[keep]
    rounded = np.round(values[:, keep], decimals)
    rounded[:, np.asarray(periods.month == 1)] = np.nan  # 1-2月 is published in February
    frame = pd.DataFrame(
        {
            "region_code": np.repeat(codes, len(periods)),
            "indicator": indicator,
            "measure": measure,
            "period": np.tile(periods.astype(str), len(codes)),
            "value": rounded.ravel(),
        }
    )
    frame["text"] = [_format(v, decimals) for v in frame["value"]]
    return frame


def published_cells(truth: dict[str, np.ndarray], counties: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Every published cell of the city and county tables (module docstring for the rules).

    Columns ``region_code, indicator, measure, period`` (``YYYY-MM`` text), ``value``
    (float, NaN when blank or masked) and ``text`` (the cell as written).
    """
    city = [CITY_CODE]
    parts = []
    ytd_levels = {code: ytd(truth[code]) for code in LEVEL_DECIMALS}
    for code, decimals in LEVEL_DECIMALS.items():
        level = ytd_levels[code]
        total = level.sum(axis=0, keepdims=True)
        parts.append(_long(city, code, "ytd_value", total, decimals))
        if code != "tech_invest":
            parts.append(_long(counties, code, "ytd_value", level, decimals))
        if code in GROWTH_ROWS:
            parts.append(_long(city, code, "ytd_growth", ytd_growth(total), 1))
            noise = np.clip(rng.normal(0, 0.12, level.shape), -0.3, 0.3)
            parts.append(_long(counties, code, "ytd_growth", ytd_growth(level) + noise, 1))
    output = ytd_levels["ind_output"]
    iva = ytd_growth(ytd(truth["industry"]))
    weights = output / output.sum(axis=0, keepdims=True)
    parts.append(_long(counties, "iva", "ytd_growth", iva, 1))
    parts.append(_long(city, "iva", "ytd_growth", (weights * iva).sum(axis=0, keepdims=True), 1))
    for code, decimals in RATIO_DECIMALS.items():
        values = truth[code]
        parts.append(_long(counties, code, "ytd_value", values, decimals))
        city_value = (
            (weights * values).sum(axis=0, keepdims=True)
            if code.endswith("share")
            else values.mean(axis=0, keepdims=True)
        )
        parts.append(_long(city, code, "ytd_value", city_value, decimals))
    cells = pd.concat(parts, ignore_index=True)
    return _decorate(cells)


def _decorate(cells: pd.DataFrame) -> pd.DataFrame:
    """Apply the deliberate growth gaps, masks and thousands separators."""
    cells = cells.copy()
    key = cells["region_code"] + "|" + cells["indicator"] + "|" + cells["measure"] + "|" + cells["period"]
    for region, indicator, period, gap in DELIBERATE_GAPS:
        hit = key == f"{region}|{indicator}|ytd_growth|{period}"
        cells.loc[hit, "value"] = np.round(cells.loc[hit, "value"] + gap, 1)
        cells.loc[hit, "text"] = [_format(v, 1) for v in cells.loc[hit, "value"]]
    for region, indicator, measure, period, token in MASKED:
        hit = key == f"{region}|{indicator}|{measure}|{period}"
        cells.loc[hit, "value"] = np.nan
        cells.loc[hit, "text"] = token
    for region, indicator, measure, period in SEPARATED:
        hit = key == f"{region}|{indicator}|{measure}|{period}"
        decimals = LEVEL_DECIMALS[indicator]
        cells.loc[hit, "text"] = [f"{v:,.{decimals}f}" for v in cells.loc[hit, "value"]]
    return cells
