"""The indicator and region catalogues (data files, not code), and a city's own indicators.

``resources/indicators.csv``: one row per indicator with its Chinese name, the aliases bureau
tables use, English name, canonical unit, kind (flow/stock/ratio/count), published forms
(measures), direction (``higher`` or ``lower`` is better), how a city figure is formed from
counties (``sum``, ``weighted_growth``, ``weighted_mean``, ``mean``; ``weight`` names the
indicator weighting), its briefing section and the unit printed after a figure
(``display_unit``, blank = ``unit``). Every column and allowed value is in
``docs/data-formats.md``. A city extends or overrides it with an ``indicators.csv`` of the
same columns in its data folder (:func:`extend_catalogue`).
``resources/regions.csv``: the country and the 31 provinces (real GB/T 2260 codes); a city's
own counties and townships come from ``regions.csv`` in its data folder.

An indicator found in a table but in no catalogue keeps a stable code derived from its name
(:func:`derived_code`); :func:`catalogue_line` writes the line that would add it.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from analysis.core.errors import DataError
from analysis.core.measures import MEASURES, normalise_label, parse_row_label  # noqa: F401  (re-exported)

LEVELS = ("country", "province", "city", "county", "township")
COLUMNS = ("code", "name_zh", "aliases", "name_en", "unit", "kind", "forms", "direction", "city_agg",
           "weight", "section", "note", "display_unit")
REQUIRED = ("code", "name_zh", "kind", "forms", "direction", "city_agg", "section")
KINDS = ("flow", "stock", "ratio", "count")
DIRECTIONS = ("higher", "lower")
CITY_AGGS = ("sum", "weighted_growth", "weighted_mean", "mean")
SECTIONS = ("overall", "industry", "investment", "consumption", "projects")
_ALLOWED = {"kind": KINDS, "direction": DIRECTIONS, "city_agg": CITY_AGGS, "section": SECTIONS}

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


def prepare_catalogue(table: pd.DataFrame) -> pd.DataFrame:
    """A catalogue as the code uses it: every column of :data:`COLUMNS` (missing optional ones
    blank), ``aliases``/``forms`` as tuples, indexed by code (kept as a column too)."""
    table = table.copy()
    for column in COLUMNS:
        if column not in table.columns:
            table[column] = ""
    table = table[list(COLUMNS)].fillna("").astype(str)
    table["aliases"] = table["aliases"].map(lambda s: tuple(a for a in s.split("|") if a))
    table["forms"] = table["forms"].map(lambda s: tuple(f for f in s.split("|") if f))
    return table.set_index("code", drop=False)


@cache
def _indicators() -> pd.DataFrame:
    return prepare_catalogue(_read_csv("indicators.csv"))


def indicators() -> pd.DataFrame:
    """The packaged indicator catalogue, indexed by code (a copy: callers may modify it)."""
    return _indicators().copy()


def indicator(code: str, catalogue: pd.DataFrame | None = None) -> pd.Series:
    """One catalogue row; ``KeyError`` names the unknown code."""
    table = _indicators() if catalogue is None else catalogue
    if code not in table.index:
        raise KeyError(f"unknown indicator code {code!r}; known: {', '.join(table.index)}")
    return table.loc[code]


def catalogue_text(catalogue: pd.DataFrame) -> pd.DataFrame:
    """The catalogue with ``aliases``/``forms`` joined by ``|`` (as in the CSV and in Parquet)."""
    out = catalogue.reset_index(drop=True).copy()
    for column in ("aliases", "forms"):
        out[column] = out[column].map(lambda v: "|".join(v) if isinstance(v, tuple | list) else str(v))
    return out[list(COLUMNS)]


def extend_catalogue(base: pd.DataFrame, city: pd.DataFrame) -> pd.DataFrame:
    """``base`` (a prepared catalogue) extended or overridden by a city's rows (text cells).

    A city row whose code is already known overrides the fields it fills (blank keeps the
    packaged value) and adds its aliases to the packaged ones; a new code is a new indicator
    and needs every column of :data:`REQUIRED`. Raises ``DataError`` naming the row (2 = the
    first data row) and column of the first problem, and the values allowed there.
    """
    missing = [c for c in ("code",) if c not in city.columns]
    if missing:
        raise DataError("missing column code", location="header row", expected="columns " + ", ".join(COLUMNS))
    unknown = [c for c in city.columns if c not in COLUMNS]
    if unknown:
        raise DataError(f"unknown column(s) {', '.join(unknown)}", location="header row",
                        expected="columns from " + ", ".join(COLUMNS))
    table = catalogue_text(base).set_index("code", drop=False)
    rows = city.fillna("").astype(str).apply(lambda s: s.str.strip())
    for i, row in enumerate(rows.to_dict("records"), start=2):
        code = row["code"]
        _check_code(code, i)
        if code in table.index:
            merged = table.loc[code].to_dict()
            for column, value in row.items():
                if column == "aliases":
                    old = [a for a in merged["aliases"].split("|") if a]
                    merged["aliases"] = "|".join(dict.fromkeys(old + [a for a in value.split("|") if a]))
                elif value:
                    merged[column] = value
        else:
            absent = [c for c in REQUIRED if not row.get(c)]
            if absent:
                raise DataError(f"new indicator {code!r} has no {absent[0]}", location=f"row {i}, column {absent[0]}",
                                expected="every column of " + ", ".join(REQUIRED) + " for a new code")
            merged = {c: row.get(c, "") for c in COLUMNS}
        table.loc[code] = pd.Series(merged)
        _check_row(table.loc[code], i)
    result = prepare_catalogue(table.reset_index(drop=True))
    _check_weights_and_aliases(result, rows)
    return result


def _check_code(code: str, row: int) -> None:
    if not code or any(ch in code for ch in "|,!\n"):
        raise DataError(f"bad indicator code {code!r}", location=f"row {row}, column code",
                        expected="a non-empty code without '|', ',' or '!' (e.g. loans)")


def _check_row(row: pd.Series, i: int) -> None:
    for column, allowed in _ALLOWED.items():
        if row[column] not in allowed:
            raise DataError(f"{column} {row[column]!r} of {row['code']} is not allowed",
                            location=f"row {i}, column {column}", expected="one of " + ", ".join(allowed))
    forms = [f for f in str(row["forms"]).split("|") if f]
    bad = [f for f in forms if f not in MEASURES]
    if bad or not forms:
        raise DataError(f"forms {row['forms']!r} of {row['code']} has unknown measure(s) {bad}",
                        location=f"row {i}, column forms",
                        expected="measures joined by '|' from " + ", ".join(MEASURES))


def _check_weights_and_aliases(table: pd.DataFrame, city: pd.DataFrame) -> None:
    row_of = {code: i for i, code in enumerate(city["code"], start=2)}
    for code, row in table.iterrows():
        if row["city_agg"].startswith("weighted") and row["weight"] not in table.index:
            raise DataError(f"{code} is aggregated by {row['city_agg']} but its weight {row['weight']!r} is not "
                            "an indicator", location=f"row {row_of.get(code, '?')}, column weight",
                            expected="the code of the indicator that weights it (e.g. ind_output)")
    seen: dict[str, str] = {}
    for code, row in table.iterrows():
        for name in (row["name_zh"], *row["aliases"], code):
            key = normalise_label(name)
            other = seen.setdefault(key, code)
            if other != code:
                culprit = code if code in row_of else other
                raise DataError(f"name {name!r} is used by both {other} and {code}",
                                location=f"row {row_of.get(culprit, '?')}, column aliases",
                                expected="each name or alias in one row only")


def _build_alias_index(table: pd.DataFrame) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, row in table.iterrows():
        for name in (row["name_zh"], *row["aliases"], code):
            index[normalise_label(name)] = code
    return index


@cache
def _package_alias_index() -> dict[str, str]:
    return _build_alias_index(_indicators())


def alias_index(catalogue: pd.DataFrame | None = None) -> dict[str, str]:
    """Normalised name, alias or code -> catalogue code."""
    return _package_alias_index() if catalogue is None else _build_alias_index(catalogue)


def match_indicator(name: str, catalogue: pd.DataFrame | None = None) -> str | None:
    """Catalogue code for an indicator name or alias (``None`` when unknown)."""
    return alias_index(catalogue).get(normalise_label(name))


def derived_code(name: str) -> str:
    """The stable code of an indicator no catalogue knows: its name as written, normalised
    (no spaces, half-width brackets, no ``|``), so the same name always gets the same code
    and adding a catalogue row with that code (or name) makes it known."""
    return normalise_label(name).replace("|", "/").replace(",", "，").replace("!", "！")


_LEVEL_UNITS = frozenset({"亿元", "万元", "元", "万千瓦时", "亿千瓦时", "千瓦时"})  # a flow (summed)
_COUNT_UNITS = frozenset({"户", "家", "个"})


def catalogue_line(code: str, name: str, unit: str, forms: list[str]) -> str:
    """A CSV line for the city's ``indicators.csv`` that adds an unknown indicator.

    Kind, direction and aggregation are guesses from the unit (money and energy: a flow
    summed over counties; 户/家/个: a count; otherwise a ratio averaged; a 期末/余额 figure: a
    stock, whose period-end level is its ``ytd_value`` form, the one gap tables compare):
    check them.
    """
    kind = "flow" if unit in _LEVEL_UNITS else "count" if unit in _COUNT_UNITS else "ratio"
    if "end_value" in forms:
        kind, forms = "stock", list(dict.fromkeys("ytd_value" if f == "end_value" else f for f in forms))
    agg = "mean" if kind == "ratio" else "sum"
    values = [code, name, "", "", unit, kind, "|".join(forms), "higher", agg, "", "overall", "", ""]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def catalogue_lines(codes: pd.Series, units: pd.Series, forms: pd.Series) -> pd.Series:
    """:func:`catalogue_line` of many indicators (code = name; ``forms`` joined by ``|``), built
    column-wise: a delivery of a million unknown names costs string arrays, not a million
    Python calls. Rows whose text needs CSV quoting or that are stocks go through
    :func:`catalogue_line` itself."""
    codes, units, forms = (pd.Series(s, dtype="str").reset_index(drop=True) for s in (codes, units, forms))
    kind = pd.Series(np.select([units.isin(_LEVEL_UNITS), units.isin(_COUNT_UNITS)], ["flow", "count"], "ratio"),
                     dtype="str")
    agg = pd.Series(np.where(kind == "ratio", "mean", "sum"), dtype="str")
    lines = codes + "," + codes + ",,," + units + "," + kind + "," + forms + ",higher," + agg + ",,overall,,"
    special = (codes.str.contains(r'[,"\r\n]') | units.str.contains(r'[,"\r\n]')
               | forms.str.contains("end_value", regex=False)).to_numpy()
    for i in np.flatnonzero(special):
        lines.iloc[i] = catalogue_line(codes.iloc[i], codes.iloc[i], units.iloc[i],
                                       forms.iloc[i].split("|") if forms.iloc[i] else [])
    return lines


def catalogue_measure(measure: pd.Series, indicator: pd.Series, catalogue: pd.DataFrame) -> pd.Series:
    """The measure under which the catalogue keeps a row: the period-end level of a stock or
    ratio is one figure, listed as ``ytd_value`` (or ``end_value``) in its forms, so a 期末/余额
    row and a row without suffix land on whichever of the two the indicator lists."""
    indicator, measure = (s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
                          for s in (indicator, measure))  # a reader's categorical columns map as text
    kind = indicator.map(catalogue["kind"])
    forms = indicator.map(catalogue["forms"])
    level = kind.isin(["stock", "ratio"])
    lists = {m: forms.map(lambda f, m=m: isinstance(f, tuple) and m in f).astype(bool)
             for m in ("ytd_value", "end_value")}
    to_ytd = level & (measure == "end_value") & lists["ytd_value"] & ~lists["end_value"]
    to_end = level & (measure == "ytd_value") & lists["end_value"] & ~lists["ytd_value"]
    return measure.mask(to_ytd, "ytd_value").mask(to_end, "end_value")


def unit_factor(from_unit: str, to_unit: str) -> float | None:
    """Multiplier from ``from_unit`` to ``to_unit``; 1 when equal, ``None`` when unknown."""
    if from_unit == to_unit:
        return 1.0
    return UNIT_FACTORS.get((from_unit, to_unit))


def display_units(catalogue: pd.DataFrame) -> pd.Series:
    """Code -> the unit printed after a figure (``display_unit``, else ``unit``)."""
    shown = catalogue["display_unit"] if "display_unit" in catalogue.columns else catalogue["unit"]
    return shown.where(shown.astype(str) != "", catalogue["unit"]).astype(str)


def indicator_names(catalogue: pd.DataFrame | None, codes: pd.Series, column: str = "name_zh") -> pd.Series:
    """Display names of ``codes``; a code no catalogue knows is shown as itself."""
    table = _indicators() if catalogue is None else catalogue
    return codes.map(table[column]).fillna(codes.astype(str))


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
