"""The indicator and region catalogues shipped with the package (data files, not code).

``resources/indicators.csv``: one row per indicator with its Chinese name, the aliases bureau
tables use, English name, canonical unit, kind (flow/stock/ratio/count), published forms,
direction (``higher`` or ``lower`` is better), how a city figure is formed from counties
(``sum``, ``weighted_growth``, ``weighted_mean``, ``mean``) and its briefing section.
``resources/regions.csv``: the country and the 31 provinces (real GB/T 2260 codes); a city's
own counties and townships come from ``regions.csv`` in its data folder.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd

MEASURES = ("ytd_value", "ytd_growth", "month_value", "month_growth")
LEVELS = ("country", "province", "city", "county", "township")

# Row-label suffixes in bureau tables and the measure each one means.
_SUFFIXES = (
    ("累计增长率", "ytd_growth"),
    ("累计增长", "ytd_growth"),
    ("累计增速", "ytd_growth"),
    ("累计同比增长", "ytd_growth"),
    ("当期增长", "month_growth"),
    ("当月增长率", "month_growth"),
    ("当月增长", "month_growth"),
    ("当月增速", "month_growth"),
    ("当月同比增长", "month_growth"),
    ("同比增长率", "ytd_growth"),
    ("同比增长", "ytd_growth"),
    ("增速", "ytd_growth"),
    ("累计值", "ytd_value"),
    ("累计", "ytd_value"),
    ("当期值", "month_value"),
    ("当月值", "month_value"),
    ("本月", "month_value"),
)
_UNIT = re.compile(r"^(.*?)[(（]([^()（）]*)[)）]\s*$")

# Unit conversions to the catalogue's canonical unit: factor to multiply by.
UNIT_FACTORS = {
    ("万元", "亿元"): 1e-4,
    ("元", "亿元"): 1e-8,
    ("亿元", "万元"): 1e4,
    ("亿千瓦时", "万千瓦时"): 1e4,
    ("千瓦时", "万千瓦时"): 1e-4,
    ("万户", "户"): 1e4,
    ("个", "户"): 1.0,
    ("户", "户"): 1.0,
    ("个", "家"): 1.0,
}


def _read_csv(name: str) -> pd.DataFrame:
    with resources.files("analysis.resources").joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@cache
def _indicators() -> pd.DataFrame:
    table = _read_csv("indicators.csv")
    table["aliases"] = table["aliases"].map(lambda s: tuple(a for a in s.split("|") if a))
    table["forms"] = table["forms"].map(lambda s: tuple(s.split("|")))
    return table.set_index("code", drop=False)


def indicators() -> pd.DataFrame:
    """The indicator catalogue, indexed by code (a copy: callers may modify it)."""
    return _indicators().copy()


def indicator(code: str) -> pd.Series:
    """One catalogue row; ``KeyError`` names the unknown code."""
    table = _indicators()
    if code not in table.index:
        raise KeyError(f"unknown indicator code {code!r}; known: {', '.join(table.index)}")
    return table.loc[code]


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s\u3000]", "", name).replace("（", "(").replace("）", ")")


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, row in _indicators().iterrows():
        for name in (row["name_zh"], *row["aliases"], code):
            index[_normalise_name(name)] = code
    return index


def match_indicator(name: str) -> str | None:
    """Catalogue code for an indicator name or alias (``None`` when unknown)."""
    return _alias_index().get(_normalise_name(name))


def parse_row_label(label: str) -> tuple[str, str | None, str | None]:
    """Split a bureau row label into (indicator name, measure, unit).

    ``"房地产投资累计值(亿元)"`` -> ``("房地产投资", "ytd_value", "亿元")``;
    ``"规上工业增加值累计增长(%)"`` -> ``("规上工业增加值", "ytd_growth", "%")``.
    The measure is ``None`` when no known suffix is present, the unit ``None`` when the
    label has no bracket.
    """
    text = _normalise_name(str(label))
    unit = None
    if m := _UNIT.match(text):
        text, unit = m.group(1), m.group(2).strip()
    for suffix, measure in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], measure, unit
    return text, None, unit


def unit_factor(from_unit: str, to_unit: str) -> float | None:
    """Multiplier from ``from_unit`` to ``to_unit``; 1 when equal, ``None`` when unknown."""
    if from_unit == to_unit:
        return 1.0
    return UNIT_FACTORS.get((from_unit, to_unit))


@cache
def _package_regions() -> pd.DataFrame:
    return _read_csv("regions.csv")


def package_regions() -> pd.DataFrame:
    """The country and provinces shipped with the package (code, name, level, parent, short_name)."""
    return _package_regions().copy()


def region_name_index(regions: pd.DataFrame) -> dict[str, str]:
    """Map full and short region names to codes, for tables that name a region in words."""
    index: dict[str, str] = {}
    for row in regions.itertuples(index=False):
        index[row.name] = row.code
        if getattr(row, "short_name", ""):
            index.setdefault(row.short_name, row.code)
    return index
