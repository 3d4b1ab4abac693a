"""Measures: what a bureau row or terminal column holds (year to date, the month, growth, ...).

The meaning of each row-label suffix (``累计值``, ``同比增长``...) and terminal 口径
(``累计同比实际增速``, ``当期``...) is data, not code: ``resources/measures.csv`` maps each
``pattern`` to a measure, with ``applies_to`` = ``suffix`` (the label ends with it, or a
terminal column's 口径 equals it) or ``unit`` (the bracket of the label equals it, as in
``居民消费价格指数(上年同月=100)``). NBS meaning, which the table encodes: ``同比增长``
without ``累计`` is the single month against the same month last year (``month_growth``);
only ``累计增长``/``累计同比`` is year to date (``ytd_growth``).

Measures (one vocabulary for every layout):

- ``ytd_value`` 累计值, ``ytd_growth`` 累计增长 (%): year to date, the figures gaps compare;
- ``month_value`` 当月值/当期, ``month_growth`` 当月同比 (%): the month alone;
- ``quarter_value`` 当季值, ``quarter_growth`` 当季同比 (%): the quarter alone (quarterly data);
- ``mom_growth`` 环比 (%) on the previous month, ``qoq_growth`` on the previous quarter;
- ``month_index`` (上年同月=100), ``ytd_index`` (上年同期=100), ``mom_index`` (上月=100),
  ``quarter_index`` (上年同季=100): indexes, growth = index - 100
  (:func:`analysis.core.conversions.index_to_growth`);
- ``end_value`` 期末/余额: an end-of-period stock.

Kept but secondary (not compared in gap tables): 环比, indexes, end-of-period stocks.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd

MEASURES = (
    "ytd_value", "ytd_growth", "month_value", "month_growth", "quarter_value", "quarter_growth",
    "mom_growth", "qoq_growth", "month_index", "ytd_index", "mom_index", "quarter_index", "end_value",
)
LEVEL_MEASURES = ("ytd_value", "month_value", "quarter_value", "end_value")  # converted to catalogue units
GROWTH_MEASURES = ("ytd_growth", "month_growth", "quarter_growth", "mom_growth", "qoq_growth")  # percent
INDEX_MEASURES = {"month_index": "month_growth", "ytd_index": "ytd_growth", "mom_index": "mom_growth",
                  "quarter_index": "quarter_growth"}  # index -> the growth it gives (index - 100)
NO_SUFFIX_MEASURE = "ytd_value"  # a row without a suffix (a ratio, a stock) is a period-end level

# The same word means a different period at another frequency: 当期 of a quarterly column is
# the quarter; the "month" of an annual column is the year (= year to date at December).
_BY_FREQUENCY = {
    "Q": {"month_value": "quarter_value", "month_growth": "quarter_growth", "mom_growth": "qoq_growth",
          "month_index": "quarter_index"},
    "Y": {"month_value": "ytd_value", "month_growth": "ytd_growth", "quarter_value": "ytd_value",
          "quarter_growth": "ytd_growth", "mom_growth": "ytd_growth", "month_index": "ytd_index"},
}
_UNIT = re.compile(r"^(.*?)[(]([^()]*)[)]\s*$")


def normalise_label(text: str) -> str:
    """A label without spaces and with half-width brackets (``（%）`` -> ``(%)``)."""
    return re.sub(r"[\s\u3000]", "", str(text)).replace("（", "(").replace("）", ")")


@cache
def _table() -> pd.DataFrame:
    with resources.files("analysis.resources").joinpath("measures.csv").open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    table["pattern"] = table["pattern"].map(normalise_label)
    return table


def measure_table() -> pd.DataFrame:
    """``resources/measures.csv``: ``pattern, applies_to, measure, meaning`` (a copy)."""
    return _table().copy()


@cache
def _suffixes() -> tuple[tuple[str, str], ...]:
    rows = _table()[_table()["applies_to"] == "suffix"]
    pairs = sorted(zip(rows["pattern"], rows["measure"], strict=True), key=lambda p: -len(p[0]))
    return tuple(pairs)


@cache
def _units() -> dict[str, str]:
    rows = _table()[_table()["applies_to"] == "unit"]
    return dict(zip(rows["pattern"], rows["measure"], strict=True))


def split_suffix(text: str) -> tuple[str, str | None]:
    """``("固定资产投资", "ytd_value")`` from ``"固定资产投资累计值"``; the measure is None without
    a known suffix (the longest matching suffix wins, so 累计同比增长 is not read as 同比增长)."""
    text = normalise_label(text)
    for suffix, measure in _suffixes():
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], measure
    return text, None


def caliber_measure(caliber: str) -> str | None:
    """The measure of a terminal column's 口径 (``累计同比实际增速`` -> ``ytd_growth``), or None."""
    text = normalise_label(caliber)
    return next((m for s, m in _suffixes() if s == text), None)


def index_measure(unit: str | None) -> str | None:
    """The index measure a bracket names (``上年同月=100`` -> ``month_index``), or None."""
    return _units().get(normalise_label(unit)) if unit else None


def split_unit(label: str) -> tuple[str, str | None]:
    """``("固定资产投资累计值", "亿元")`` from ``"固定资产投资累计值(亿元)"`` (unit None without a bracket)."""
    text = normalise_label(label)
    if m := _UNIT.match(text):
        return m.group(1), m.group(2).strip()
    return text, None


def parse_row_label(label: str) -> tuple[str, str | None, str | None]:
    """Split a bureau row label into (indicator name, measure, unit).

    ``"房地产投资累计值(亿元)"`` -> ``("房地产投资", "ytd_value", "亿元")``;
    ``"工业增加值同比增长(%)"`` -> ``("工业增加值", "month_growth", "%")``;
    ``"居民消费价格指数(上年同月=100)"`` -> ``("居民消费价格指数", "month_index", "上年同月=100")``.
    The measure is ``None`` when no known suffix is present, the unit ``None`` when the
    label has no bracket.
    """
    text, unit = split_unit(label)
    name, measure = split_suffix(text)
    index = index_measure(unit)
    return name, index or measure, unit


def for_frequency(measure: str, frequency: str) -> str:
    """The measure a label means at ``frequency``: 当期 of a quarterly column is the quarter."""
    return _BY_FREQUENCY.get(frequency, {}).get(measure, measure)


def split_labels(labels: pd.Series) -> pd.DataFrame:
    """:func:`split_unit` then :func:`split_suffix` of many labels, column-wise (a table of two
    million distinct names costs string arrays, not two million Python calls). Columns:
    ``bare`` (the label without its bracket), ``name``, ``suffix_measure`` (None without a
    known suffix), ``unit`` (None without a bracket) and ``index_measure`` (the index the
    bracket names, else None), all text normalised as :func:`normalise_label` does."""
    text = pd.Series(labels, dtype=object).map(str).astype("str").reset_index(drop=True)
    text = text.str.replace(r"[\s\u3000]", "", regex=True).str.replace("（", "(").str.replace("）", ")")
    parts = text.str.extract(_UNIT.pattern)
    bracket = parts[0].notna()
    bare = text.where(~bracket, parts[0]).astype("str")
    unit = parts[1].str.strip().astype(object).where(bracket, None)
    name, measure = bare.copy(), pd.Series(None, index=bare.index, dtype=object)
    open_ = pd.Series(True, index=bare.index)
    length = bare.str.len()
    for suffix, meant in _suffixes():  # the longest first
        hit = (open_ & bare.str.endswith(suffix) & (length > len(suffix))).to_numpy()
        if hit.any():
            name[hit], measure[hit] = bare[hit].str.slice(0, -len(suffix)), meant
            open_[hit] = False
    index = unit.map(lambda u: _units().get(u) if u else None).astype(object)
    nothing = lambda s: s.astype(object).where(s.notna(), None)  # noqa: E731  (None, as the one-label functions)
    return pd.DataFrame({"bare": bare, "name": name.astype("str"), "suffix_measure": nothing(measure),
                         "unit": unit, "index_measure": nothing(index)})
