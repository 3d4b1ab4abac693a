"""Number wording rules for briefing sentences (Chinese and English).

The rules, applied everywhere:

- rates and growth rates: one decimal (``5.2%``); a difference of two rates is in
  百分点 (``1.3个百分点``), never in percent;
- a figure that rounds to 0.0 (``|x| < tol``, default 0.05) is 持平 (flat), otherwise the
  sign chooses 增长/下降 (growth) or 高于/低于 (differences);
- money in 亿元 when at least 1亿元 (one decimal), else in 万元 (whole 万元); electricity
  likewise in 亿千瓦时 from 1亿千瓦时 up, else 万千瓦时 (one decimal); the unit is chosen on
  the rounded figure (9999.6万元 is 1.0亿元, not 10000万元);
- counts (户, 家, 个) as whole numbers; other units one decimal; dimensionless figures
  (e.g. a plot ratio) two decimals; an index base in brackets (``106.4（上年同月=100）``);
- table cells and chart labels use the same rounding (:func:`number_text`: "—" when
  missing, an explicit "+" on request); no thousands separators, so a cell shows the digits
  the sentences print;
- period labels from :func:`analysis.core.periods.ytd_label` (1-2月, 1-3月, or 一季度 with
  ``quarter_names``) and :func:`analysis.core.periods.ytd_label_en`.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.core.periods import ytd_label, ytd_label_en

FLAT_TOL = 0.05
_COUNT_UNITS = ("户", "家", "个", "项")
_EN_UNITS = {"户": "entities", "家": "firms", "个": "", "万千瓦时": "10,000 kWh", "亿元": "100 million yuan"}


def fmt(x: float, decimals: int = 1) -> str:
    """``x`` rounded half up (四舍五入) to ``decimals`` places, without a negative zero.

    Rounds the shortest decimal form of ``x`` (``repr``), so 2.05 gives 2.1 as a reader
    expects, although the binary double is slightly below 2.05.
    """
    exact = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{exact:f}"
    return text[1:] if text.startswith("-") and exact == 0 else text


def rounded(x: float, decimals: int = 1) -> float:
    """``x`` as the number :func:`fmt` prints (half up, no negative zero); NaN stays NaN.

    For outputs that keep figures as numbers (the Excel workbook), so a cell holds exactly
    the figure the notes print.
    """
    if x is None or not math.isfinite(float(x)):
        return math.nan
    return float(fmt(x, decimals))


def number_text(x: object, decimals: int = 1, signed: bool = False, missing: str = "—") -> str:
    """A table cell or chart label: :func:`fmt` of ``x``, ``missing`` for NaN/None.

    ``signed`` puts "+" before a figure that does not round to zero (bar labels: +1.3, -0.4, 0.0).
    """
    if x is None or isinstance(x, str) or pd.isna(x) or not math.isfinite(float(x)):  # type: ignore[arg-type]
        return missing
    text = fmt(float(x), decimals)  # type: ignore[arg-type]
    return f"+{text}" if signed and float(text) > 0 else text


def percent_text(rate: object, decimals: int = 1, missing: str = "—") -> str:
    """A rate given as a fraction, in percent with the sign: 0.8571 -> ``85.7%``."""
    known = rate is not None and not isinstance(rate, str) and not pd.isna(rate)  # type: ignore[arg-type]
    shown = number_text(100 * float(rate) if known else None, decimals, missing=missing)  # type: ignore[arg-type]
    return shown if shown == missing else f"{shown}%"


def unit_decimals(unit: str) -> int:
    """Decimals a level in ``unit`` is shown with: counts and 万元 0, dimensionless 2, others 1.

    Rates, growth rates, 百分点 and money in 亿元 all have one decimal (see the rules above).
    """
    if unit in _COUNT_UNITS or unit == "万元":
        return 0
    return 2 if unit == "" else 1


def is_flat(x: float, tol: float = FLAT_TOL) -> bool:
    """True when ``x`` counts as no change (``|x| < tol``)."""
    return abs(x) < tol


def period_label(period: pd.Period, lang: str = "zh", quarter_names: bool = False) -> str:
    """1-3月 / 一季度 / Jan-Mar."""
    return ytd_label(period, quarter_names) if lang == "zh" else ytd_label_en(period)


def growth_phrase(g: float, lang: str = "zh", tol: float = FLAT_TOL) -> str:
    """同比增长5.2% / 同比下降1.3% / 与上年同期持平 (en: grew 5.2% year on year ...)."""
    if is_flat(g, tol):
        return "与上年同期持平" if lang == "zh" else "was flat year on year"
    if lang == "zh":
        return f"同比{'增长' if g > 0 else '下降'}{fmt(abs(g))}%"
    return f"{'grew' if g > 0 else 'fell'} {fmt(abs(g))}% year on year"


def diff_phrase(d: float, ref: str, lang: str = "zh", unit: str = "pp", tol: float = FLAT_TOL) -> str:
    """高于/低于{ref}X个百分点, or 与{ref}持平 (en: X percentage points above/below {ref}).

    ``unit="pp"`` for differences of rates; ``""`` for dimensionless differences (two
    decimals, no unit); any other string is appended as is.
    """
    decimals = 2 if unit == "" else 1
    if is_flat(d, tol if unit == "pp" else tol / 10):
        return f"与{ref}持平" if lang == "zh" else f"level with {ref}"
    value = fmt(abs(d), decimals)
    if lang == "zh":
        suffix = "个百分点" if unit == "pp" else unit
        return f"{'高于' if d > 0 else '低于'}{ref}{value}{suffix}"
    suffix = " percentage points" if unit == "pp" else (f" {unit}" if unit else "")
    return f"{value}{suffix} {'above' if d > 0 else 'below'} {ref}"


def amount_phrase(yi: float, lang: str = "zh") -> str:
    """Money given in 亿元: ``12.3亿元`` when >= 1亿元, else ``3456万元`` (en: yuan).

    The unit is chosen on the rounded figure, so 0.99996亿元 (9999.6万元, which rounds to
    10000万元) reads ``1.0亿元``.
    """
    if lang == "zh":
        wan = fmt(yi * 1e4, 0)
        return f"{fmt(yi)}亿元" if abs(float(wan)) >= 1e4 else f"{wan}万元"
    million = fmt(yi * 100, 1)
    if abs(float(million)) >= 1000:
        return f"{fmt(yi / 10, 2)} billion yuan"
    return f"{million} million yuan"


def _kwh_phrase(wan: float, lang: str) -> str:
    """Electricity given in 万千瓦时: 亿千瓦时 from 1亿 up (rounded figure), like money."""
    if lang == "zh":
        small = fmt(wan)
        return f"{fmt(wan / 1e4)}亿千瓦时" if abs(float(small)) >= 1e4 else f"{small}万千瓦时"
    million = fmt(wan / 100)
    if abs(float(million)) >= 1000:
        return f"{fmt(wan / 1e5)} billion kWh"
    return f"{million} million kWh"


def unit_text(unit: str) -> str:
    """A unit as printed after a figure: an index base goes in brackets (106.4（上年同月=100）)."""
    return f"（{unit}）" if "=" in unit else unit


def quantity_phrase(x: float, unit: str, lang: str = "zh") -> str:
    """A level with its unit by the rules above (亿元 amounts, counts, %, others)."""
    if unit == "亿元":
        return amount_phrase(x, lang)
    if unit == "万元":
        return amount_phrase(x / 1e4, lang)
    if unit == "%":
        return f"{fmt(x)}%"
    if unit in _COUNT_UNITS:
        number = fmt(x, unit_decimals(unit))
        if lang == "zh":
            return f"{number}{unit}"
        return f"{number} {_EN_UNITS.get(unit, '')}".strip()
    if unit == "":
        return fmt(x, unit_decimals(unit))
    if unit == "万千瓦时":
        return _kwh_phrase(x, lang)
    if "=" in unit:
        return f"{fmt(x)}{unit_text(unit)}" if lang == "zh" else f"{fmt(x)} ({unit})"
    return f"{fmt(x)}{unit}" if lang == "zh" else f"{fmt(x)} {_EN_UNITS.get(unit, unit)}"


def ordinal_en(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_phrase(rank: float, peers: str = "全市", lang: str = "zh", prefix: str = "") -> str:
    """居全市第7位 (en: ranking 7th in the city)."""
    if lang == "zh":
        return f"{prefix}居{peers}第{int(rank)}位"
    return f"{prefix}ranking {ordinal_en(int(rank))} in {peers}"


def rank_change_phrase(change: float, prev_label: str, lang: str = "zh") -> str | None:
    """比1-2月前移2位 / 后移1位 / 位次与1-2月持平; None when the change is unknown."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return None
    n = int(abs(change))
    if lang == "zh":
        if n == 0:
            return f"位次与{prev_label}持平"
        return f"比{prev_label}{'前移' if change > 0 else '后移'}{n}位"
    if n == 0:
        return f"unchanged from {prev_label}"
    return f"{'up' if change > 0 else 'down'} {n} place{'s' if n > 1 else ''} from {prev_label}"


def gap_change_phrase(
    gap: float, change: float, prev_label: str, lang: str = "zh", tol: float = FLAT_TOL
) -> str | None:
    """差距比1-2月收窄/扩大0.4个百分点, for a gap that is behind now and was behind before.

    ``gap`` is the gap now (negative = behind) and ``change = gap_now - gap_before``; a
    positive change narrows the shortfall. None when not behind in both periods.
    """
    if any(v is None or math.isnan(v) for v in (gap, change)):
        return None
    before = gap - change
    if gap >= 0 or before >= 0:
        return None
    if is_flat(change, tol):
        return f"差距与{prev_label}持平" if lang == "zh" else f"the gap unchanged from {prev_label}"
    value = fmt(abs(change))
    if lang == "zh":
        return f"差距比{prev_label}{'收窄' if change > 0 else '扩大'}{value}个百分点"
    return f"the gap {'narrowing' if change > 0 else 'widening'} by {value} percentage points from {prev_label}"


def region_subject(name: str, lang: str = "zh", level: str = "county") -> str:
    """Subject of a region's sentences: 全县 / 全区 / 全旗 from the name's last character.

    A county-level city (``level="county"``, name ending in 市, e.g. 义乌市) is called by its
    name, never 全市: its sentences compare it with 全市平均 (the prefecture city), and
    "全市…低于全市平均" would be ambiguous. 全市 is used only for the city itself
    (``level="city"``). English: the county / the district / the banner / the city; a
    county-level city is "the county-level city".
    """
    last = name[-1:] if name else ""
    if level != "county" and last == "市":
        return "全市" if lang == "zh" else "the city"
    if lang == "zh":
        if last == "市":
            return name
        return f"全{last}" if last in ("县", "区", "旗") else name
    return {"区": "the district", "市": "the county-level city", "旗": "the banner"}.get(last, "the county")
