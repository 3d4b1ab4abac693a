"""The data contract as code: pandera schemas for the CSV inputs and the processed tables.

Input schemas check the frames the loaders parsed from ``regions.csv``, ``targets.csv``,
``projects.csv`` and ``township_weekly.csv`` (text already turned into numbers and dates,
so an unparseable cell has been reported by the loader with its cell). Each rule is a
pandera ``Check`` whose name is a key of :data:`RULES`, which says what the rule is about
and what was expected; :func:`schema_findings` turns every failure into one row of the
findings table (file, ``row N, column X`` as in the file, message). Rules that depend on
the date (no report from the future) take ``today``.

Processed schemas (:func:`processed_schema`) describe ``data/processed/*.parquet``
(``docs/data-formats.md``); ingest checks every table against them before writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.core.catalog import LEVELS, MEASURES, indicators
from analysis.core.measures import LEVEL_MEASURES
from analysis.data.validation import Limits, findings_frame

CHECK_ROWS = 500_000  # rows of a table checked against its schema at once


@dataclass(frozen=True)
class Rule:
    """What one check is about (``subject``), the column it names, and what was expected."""

    subject: str
    column: str | None
    expected: str


RULES: dict[str, Rule] = {
    "code_digits": Rule("region code", "code", "6 digits (9 for a township)"),
    "code_unique": Rule("region code appears twice:", "code", "each code once"),
    "level_known": Rule("level", "level", "one of " + ", ".join(LEVELS)),
    "name_present": Rule("name", "name", "a region name without control characters"),
    "parent_format": Rule("parent", "parent", "blank or a 6-digit code"),
    "region_code6": Rule("region_code", "region_code", "a 6-digit region code"),
    "indicator_known": Rule("indicator", "indicator",
                            "an indicator code from the catalogue (or the data folder's indicators.csv)"),
    "horizon_known": Rule("horizon", "horizon", "'annual' or 'q1'"),
    "measure_known": Rule("measure", "measure", "'ytd_value' or 'ytd_growth'"),
    "measure_of_observation": Rule("measure", "measure", "one of " + ", ".join(MEASURES)),
    "frequency_known": Rule("frequency", "frequency", "M, Q or Y"),
    "indicator_code_unique": Rule("indicator code appears twice:", "code", "each code once"),
    "measure_published": Rule("measure", "measure", "a growth target: the catalogue keeps this indicator as "
                              "growth only, so a level target cannot be compared"),
    "year_range": Rule("year", "year", "a year between 2000 and 2100"),
    "target_finite": Rule("target", "target", "a finite number"),
    "target_level_positive": Rule("target", "target", "a positive level for a flow, count or stock indicator"),
    "target_share_range": Rule("target", "target", "a share between 0 and 100 (%)"),
    "target_growth_range": Rule("target", "target", "a growth rate above -100%"),
    "target_unique": Rule("duplicate target", None, "one target per region, indicator, year, horizon and measure"),
    "project_id_present": Rule("项目编号", "project_id", "a project id without control characters"),
    "project_id_unique": Rule("project appears twice:", "project_id", "unique 项目编号"),
    "county_code6": Rule("县区代码", "county_code", "a 6-digit county code"),
    "township_code9": Rule("乡镇代码", "township_code", "a 9-digit township code"),
    "amount_finite": Rule("amount", None, "a finite number"),
    "planned_nonnegative": Rule("年度计划投资", "planned_investment", "an amount of at least 0 (万元)"),
    "completed_nonnegative": Rule("累计完成投资", "completed_investment", "an amount of at least 0 (万元)"),
    "completed_plausible": Rule("累计完成投资", "completed_investment",
                                f"at most {Limits().completed_max_multiple:g} times the year's planned investment "
                                "(more is a unit slip, e.g. 元 written as 万元)"),
    "reported_not_future": Rule("填报日期", "reported_on", "a date no later than today"),
    "week_not_future": Rule("周截止日期", "week_end", "a date no later than today"),
    "week_nonnegative": Rule("本周完成投资", "investment_week", "an amount of at least 0 (万元)"),
    "ytd_nonnegative": Rule("累计完成投资", "investment_ytd", "an amount of at least 0 (万元)"),
    "started_count": Rule("累计开工项目数", "projects_started", "a whole number of at least 0"),
    "ytd_not_falling": Rule("累计完成投资", "investment_ytd",
                            "a year-to-date total that never falls from one week to the next"),
    "started_not_falling": Rule("累计开工项目数", "projects_started",
                                "a count of projects started that never falls from one week to the next"),
    "township_week_unique": Rule("duplicate township week", None, "one report per township and week"),
}


def _check(name: str, fn, element_wise: bool = False) -> pa.Check:
    return pa.Check(fn, name=name, error=name, element_wise=element_wise)


def _text_column(checks: pa.Check | list[pa.Check] | None = None) -> pa.Column:
    """A text column; an empty table's object column counts as text (coerced, never changed)."""
    return pa.Column(str, checks, coerce=True)


def _text(name: str, pattern: str) -> pa.Column:
    return _text_column(_check(name, lambda s: s.str.fullmatch(pattern)))


def regions_input_schema() -> pa.DataFrameSchema:
    """``regions.csv``: codes, levels and names (the tree is checked by :mod:`.region_tree`)."""
    digits = {"township": 9}
    return pa.DataFrameSchema({
        "code": _text_column([_check("code_unique", lambda s: ~s.duplicated(keep="first"))]),
        "name": _text("name_present", r"[^\x00-\x1f\x7f]+"),
        "level": _text_column(_check("level_known", lambda s: s.isin(LEVELS))),
        "parent": _text("parent_format", r"(\d{6})?"),
        "short_name": _text_column(),
    }, checks=[_check("code_digits", lambda df: df["code"].str.fullmatch(r"\d+") & (
        df["code"].str.len() == df["level"].map(digits).fillna(6)))])


def targets_input_schema(catalogue: pd.DataFrame | None = None) -> pa.DataFrameSchema:
    """``targets.csv`` once ``year`` and ``target`` are numbers; indicators from ``catalogue``
    (default: the packaged one)."""
    catalogue = indicators() if catalogue is None else catalogue
    kind = lambda df: df["indicator"].map(catalogue["kind"])  # noqa: E731
    unit = lambda df: df["indicator"].map(catalogue["unit"])  # noqa: E731
    level = lambda df: df["measure"] == "ytd_value"  # noqa: E731
    has_levels = catalogue["forms"].map(lambda f: isinstance(f, tuple) and bool(set(f) & set(LEVEL_MEASURES)))
    published = lambda df: (df["measure"] != "ytd_value") | df["indicator"].map(has_levels).fillna(True)  # noqa: E731
    return pa.DataFrameSchema({
        "region_code": _text("region_code6", r"\d{6}"),
        "indicator": _text_column(_check("indicator_known", lambda s: s.isin(catalogue.index))),
        "year": pa.Column(int, _check("year_range", lambda s: s.between(2000, 2100))),
        "horizon": _text_column(_check("horizon_known", lambda s: s.isin(["annual", "q1"]))),
        "measure": _text_column(_check("measure_known", lambda s: s.isin(["ytd_value", "ytd_growth"]))),
        "target": pa.Column(float, _check("target_finite", lambda s: np.isfinite(s))),
    }, checks=[
        _check("measure_published", lambda df: published(df).astype(bool)),
        _check("target_level_positive", lambda df: ~(level(df) & kind(df).isin(["flow", "count", "stock"])
                                                      & (df["target"] <= 0))),
        _check("target_share_range", lambda df: ~(level(df) & (kind(df) == "ratio") & (unit(df) == "%")
                                                   & ~df["target"].between(0, 100))),
        _check("target_growth_range", lambda df: ~((df["measure"] == "ytd_growth") & (df["target"] <= -100))),
        _check("target_unique", lambda df: ~df.duplicated(
            ["region_code", "indicator", "year", "horizon", "measure"], keep="first")),
    ])


def projects_input_schema(today: pd.Timestamp, limits: Limits | None = None) -> pa.DataFrameSchema:
    """``projects.csv`` (项目台账) once dates and amounts are parsed."""
    limits = limits or Limits()
    return pa.DataFrameSchema({
        "project_id": _text_column([_check("project_id_present", lambda s: s.str.fullmatch(r"[^\x00-\x1f\x7f]+")),
                                      _check("project_id_unique", lambda s: ~s.duplicated(keep="first"))]),
        "county_code": _text("county_code6", r"\d{6}"),
        "township_code": _text("township_code9", r"\d{9}"),
        "planned_investment": _amount("planned_nonnegative"),
        "completed_investment": _amount("completed_nonnegative"),
        "reported_on": pa.Column(checks=_check("reported_not_future", lambda s: s <= today)),
    }, checks=[_check("completed_plausible", lambda df: ~(
        (df["planned_investment"] > 0)
        & (df["completed_investment"] > limits.completed_max_multiple * df["planned_investment"])))])


def _amount(nonnegative_check: str) -> pa.Column:
    """An amount column: finite and not negative (the check named ``nonnegative_check``)."""
    return pa.Column(float, [_check("amount_finite", np.isfinite),
                             _check(nonnegative_check, lambda s: s >= 0)])


def weekly_input_schema(today: pd.Timestamp) -> pa.DataFrameSchema:
    """``township_weekly.csv`` (乡镇周报) once dates and amounts are parsed."""
    def not_falling(column: str):
        def check(df: pd.DataFrame) -> pd.Series:
            order = df.sort_values(["township_code", "week_end"], kind="stable")
            group = order.groupby(["township_code", order["week_end"].dt.year])
            previous, week = group[column].shift(), group["week_end"].shift()
            falling = (order[column] < previous) & (week != order["week_end"])  # a repeated week is reported apart
            return ~falling.reindex(df.index)
        return check

    return pa.DataFrameSchema({
        "week_end": pa.Column(checks=_check("week_not_future", lambda s: s <= today)),
        "township_code": _text("township_code9", r"\d{9}"),
        "county_code": _text("county_code6", r"\d{6}"),
        "investment_week": _amount("week_nonnegative"),
        "investment_ytd": _amount("ytd_nonnegative"),
        "projects_started": pa.Column(float, _check("started_count", lambda s: (s >= 0) & (s == np.floor(s)))),
    }, checks=[
        _check("ytd_not_falling", not_falling("investment_ytd")),
        _check("started_not_falling", not_falling("projects_started")),
        _check("township_week_unique", lambda df: ~df.duplicated(["week_end", "township_code"], keep="first")),
    ])


def schema_findings(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: str | Path,
                    check: str, first_row: int = 2) -> pd.DataFrame:
    """Every rule ``frame`` breaks, as error findings named ``check``, located at the file's
    row (``first_row`` is the file row of the frame's first row: 2 below a header)."""
    try:
        schema.validate(frame, lazy=True)
        return findings_frame()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rows = []
    positions = pd.Series(np.arange(len(frame)), index=frame.index)
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        rule = RULES.get(str(case.check))
        row = None if pd.isna(case.index) else int(positions.get(case.index, case.index))
        column = rule.column if rule and rule.column else case.column
        key = (case.check, row, column if rule and rule.column else None)
        if key in seen:
            continue  # a frame-wide check fails once per column: report it once per row
        seen.add(key)
        value = frame[column].iloc[row] if row is not None and column in frame.columns else case.failure_case
        location = f"row {row + first_row}" if row is not None else "header row"
        if rule is None:  # a presence, dtype or null check of pandera itself
            rows.append({"location": location + (f", column {case.column}" if case.column else ""),
                         "message": _builtin_message(str(case.check), case.column, case.failure_case)})
            continue
        shown = f" {_show(value)}" if rule.column else ""
        rows.append({"location": location + (f", column {column}" if rule.column else ""),
                     "message": f"{rule.subject}{shown}: expected {rule.expected}"})
    found = findings_frame([{"severity": "error", "check": check, "file": str(path), **r} for r in rows])
    return found.sort_values("location", key=lambda s: s.str.extract(r"(\d+)")[0].astype(float).fillna(0),
                             kind="stable").reset_index(drop=True)


def _builtin_message(check: str, column: object, found: object) -> str:
    if check == "column_in_dataframe":
        return f"column {found!r} is missing: expected every column of the table's schema"
    if check == "column_in_schema":
        return f"column {found!r} is not part of the table: expected only the schema's columns"
    if check == "not_nullable":
        return f"column {column}: a missing value where one is required"
    return f"column {column}: {check} (found {found!r})"


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


def processed_schema(name: str, catalogue: pd.DataFrame | None = None) -> pa.DataFrameSchema:
    """The schema of one table of ``data/processed`` (``docs/data-formats.md``); targets name
    indicators of ``catalogue`` (default: the packaged one)."""
    schemas = {
        "observations": pa.DataFrameSchema({
            "region_code": _text_column(), "region_name": _text_column(),
            "indicator": _text_column(),  # a catalogue code, or the code derived from an unknown name
            "period": pa.Column(pd.PeriodDtype("M")),
            "frequency": _text_column(_check("frequency_known", lambda s: s.isin(["M", "Q", "Y"]))),
            "measure": _text_column(_check("measure_of_observation", lambda s: s.isin(MEASURES))),
            "value": pa.Column(float, nullable=True), "unit": _text_column(), "source": _text_column(),
            "label": _text_column(), "raw": _text_column(),
        }, strict=True),
        "regions": pa.DataFrameSchema({c: _text_column() for c in ("code", "name", "level", "parent", "short_name")},
                                      strict=True),
        "targets": targets_input_schema(catalogue),
        "catalogue": pa.DataFrameSchema({
            "code": _text_column(_check("indicator_code_unique", lambda s: ~s.duplicated())),
            "kind": _text_column(), "forms": _text_column(), "unit": _text_column()}),
        "sources": pa.DataFrameSchema({"file": _text_column(), "layout": _text_column()}),
        "projects": pa.DataFrameSchema({"project_id": _text_column(), "county_code": _text_column(),
                                        "planned_investment": pa.Column(float),
                                        "completed_investment": pa.Column(float)}),
        "township_weekly": pa.DataFrameSchema({"township_code": _text_column(), "investment_ytd": pa.Column(float)}),
    }
    return schemas[name]


def processed_findings(tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every way the tables about to be written break their processed schema (errors named
    ``processed_schema``: a table that breaks the contract is never written)."""
    found = [_table_findings(table, processed_schema(name, catalogue), f"{name}.parquet")
             for name, table in tables.items()]
    return pd.concat(found, ignore_index=True) if found else findings_frame()


def _table_findings(table: pd.DataFrame, schema: pa.DataFrameSchema, path: str) -> pd.DataFrame:
    """:func:`schema_findings` of one table; a table with categorical columns (the reader's
    repeated text) is checked in parts of :data:`CHECK_ROWS` rows, each turned into text
    (what the schema checks), so its text never exists for all rows at once."""
    categorical = [c for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)]
    if not categorical or len(table) <= CHECK_ROWS:
        return schema_findings(table.astype({c: "str" for c in categorical}), schema, path, "processed_schema",
                               first_row=1)
    parts = [schema_findings(table.iloc[start:start + CHECK_ROWS].astype({c: "str" for c in categorical}), schema,
                             path, "processed_schema", first_row=1 + start)
             for start in range(0, len(table), CHECK_ROWS)]
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)  # a header finding once
