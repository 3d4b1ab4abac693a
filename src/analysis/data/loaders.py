"""Load a city's small raw inputs (``data/raw``: regions, targets, ledgers) into checked DataFrames.

Bureau exports are read by :mod:`analysis.data.observations`.

Each loader reads one kind of file, checks it and raises ``DataError`` naming the file,
the row or column and what was expected. Nothing is zero-filled: a blank number is NaN
(or NaT for a date) and is reported by the validator, never silently replaced.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import LEVELS, indicators, package_regions
from analysis.core.errors import DataError
from analysis.data.readers import decode_csv

PROJECT_HEADERS = {
    "项目编号": "project_id", "项目名称": "project_name", "县区代码": "county_code",
    "乡镇代码": "township_code", "计划开工日期": "planned_start", "实际开工日期": "actual_start",
    "年度计划投资(万元)": "planned_investment", "累计完成投资(万元)": "completed_investment",
    "填报日期": "reported_on",
}
WEEKLY_HEADERS = {
    "周截止日期": "week_end", "乡镇代码": "township_code", "县区代码": "county_code",
    "本周完成投资(万元)": "investment_week", "累计完成投资(万元)": "investment_ytd",
    "累计开工项目数": "projects_started",
}


def read_table(path: str | Path, columns: Iterable[str], aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """A small CSV (UTF-8 or GB18030) with its headers renamed and required columns checked.

    Every cell is read as text; callers parse the columns they need so that a bad cell
    can be named.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, expected="a CSV file")
    text = decode_csv(path)
    if not text.strip():
        raise DataError("empty file", path=path, expected="a header row with columns " + ", ".join(columns))
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    normalised = {c: c.strip().replace("（", "(").replace("）", ")") for c in frame.columns}
    frame = frame.rename(columns=normalised).rename(columns=aliases or {})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", path=path, location="header row",
                        expected="columns " + ", ".join(columns))
    return frame[list(columns)].apply(lambda s: s.str.strip())


def _parse_numbers(frame: pd.DataFrame, column: str, path: Path, *, required: bool = True) -> pd.Series:
    text = frame[column].str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    if required and (text == "").any():
        row = int(np.flatnonzero((text == "").to_numpy())[0])
        raise DataError(f"missing {column}", path=path, location=f"row {row + 2}, column {column}",
                        expected="a number (a blank is not read as zero)")
    bad = values.isna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"unparseable number {frame[column].iloc[row]!r} in column {column}", path=path,
                        location=f"row {row + 2}", expected="a number")
    return values.astype(float)


def _parse_dates(frame: pd.DataFrame, column: str, path: Path, *, required: bool = True) -> pd.Series:
    text = frame[column]
    dates = pd.to_datetime(text.where(text != ""), errors="coerce", format="mixed")
    bad = dates.isna() & (text != "") if not required else dates.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"unparseable date {text.iloc[row]!r} in column {column}", path=path,
                        location=f"row {row + 2}", expected="a date such as 2026-03-31")
    return dates


def load_regions(data_dir: str | Path) -> pd.DataFrame:
    """The city's regions from ``regions.csv``: ``code, name, level, parent, short_name``.

    Checks: codes are 6 digits (9 for townships) and unique, levels known, every parent
    present (in the file or the package's province catalogue).
    """
    path = Path(data_dir) / "regions.csv"
    frame = read_table(path, ["code", "name", "level", "parent", "short_name"])
    for row, record in enumerate(frame.itertuples(index=False), start=2):
        digits = 9 if record.level == "township" else 6
        if not (record.code.isdigit() and len(record.code) == digits):
            raise DataError(f"region code {record.code!r} is not {digits} digits", path=path,
                            location=f"row {row}, column code", expected=f"a {digits}-digit code")
        if record.level not in LEVELS:
            raise DataError(f"unknown level {record.level!r}", path=path, location=f"row {row}, column level",
                            expected="one of " + ", ".join(LEVELS))
    duplicated = frame["code"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataError(f"region code {frame['code'].iloc[row]} appears twice", path=path,
                        location=f"row {row + 2}", expected="unique codes")
    known = set(frame["code"]) | set(package_regions()["code"])
    orphan = (frame["parent"] != "") & ~frame["parent"].isin(known)
    if orphan.any():
        row = int(np.flatnonzero(orphan.to_numpy())[0])
        raise DataError(f"parent {frame['parent'].iloc[row]!r} of {frame['code'].iloc[row]} is not a region",
                        path=path, location=f"row {row + 2}, column parent", expected="a code listed in the file")
    return frame.reset_index(drop=True)


def load_targets(data_dir: str | Path, regions: pd.DataFrame | None = None,
                 catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Targets from ``targets.csv``: ``region_code, indicator, year, horizon, measure, target``.

    Unknown regions (checked against ``regions``, or ``regions.csv`` beside it) or
    indicators (not in ``catalogue``: the packaged one, or the city's), bad horizons or
    measures, missing and unparseable numbers raise ``DataError`` with the row.
    """
    regions = regions_or_file(data_dir, regions)
    path = Path(data_dir) / "targets.csv"
    frame = read_table(path, ["region_code", "indicator", "year", "horizon", "measure", "target"])
    catalogue = indicators() if catalogue is None else catalogue
    checks = [
        ("indicator", frame["indicator"].isin(catalogue.index),
         "an indicator code from the catalogue (or the data folder's indicators.csv)"),
        ("horizon", frame["horizon"].isin(["annual", "q1"]), "'annual' or 'q1'"),
        ("measure", frame["measure"].isin(["ytd_value", "ytd_growth"]), "'ytd_value' or 'ytd_growth'"),
        ("year", frame["year"].str.fullmatch(r"\d{4}"), "a four-digit year"),
    ]
    if regions is not None:
        checks.insert(0, ("region_code", frame["region_code"].isin(regions["code"]),
                          "a region code listed in regions.csv"))
    for column, ok, expected in checks:
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0])
            raise DataError(f"unknown {column} {frame[column].iloc[row]!r}", path=path,
                            location=f"row {row + 2}, column {column}", expected=expected)
    frame["year"] = frame["year"].astype(int)
    frame["target"] = _parse_numbers(frame, "target", path)
    key = ["region_code", "indicator", "year", "horizon", "measure"]
    duplicated = frame.duplicated(key)
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataError("duplicate target", path=path, location=f"row {row + 2}",
                        expected="one target per region, indicator, year, horizon and measure")
    return frame.reset_index(drop=True)


def load_projects(data_dir: str | Path, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key-project ledger (项目台账) with English column names (docs/data-formats.md)."""
    regions = regions_or_file(data_dir, regions)
    path = Path(data_dir) / "projects.csv"
    frame = read_table(path, list(PROJECT_HEADERS.values()), PROJECT_HEADERS)
    for column in ("planned_start", "reported_on"):
        frame[column] = _parse_dates(frame, column, path)
    frame["actual_start"] = _parse_dates(frame, "actual_start", path, required=False)
    for column in ("planned_investment", "completed_investment"):
        frame[column] = _parse_numbers(frame, column, path)
    duplicated = frame["project_id"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataError(f"project {frame['project_id'].iloc[row]!r} appears twice", path=path,
                        location=f"row {row + 2}", expected="unique 项目编号")
    if regions is not None:
        _check_township_parents(frame, regions, path)
    return frame.reset_index(drop=True)


def load_township_weekly(data_dir: str | Path, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Township weekly investment reports (乡镇周报) with English column names."""
    regions = regions_or_file(data_dir, regions)
    path = Path(data_dir) / "township_weekly.csv"
    frame = read_table(path, list(WEEKLY_HEADERS.values()), WEEKLY_HEADERS)
    frame["week_end"] = _parse_dates(frame, "week_end", path)
    for column in ("investment_week", "investment_ytd", "projects_started"):
        frame[column] = _parse_numbers(frame, column, path)
    duplicated = frame.duplicated(["week_end", "township_code"])
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataError("duplicate township week", path=path, location=f"row {row + 2}",
                        expected="one report per township and week")
    if regions is not None:
        _check_township_parents(frame, regions, path)
    return frame.sort_values(["week_end", "township_code"]).reset_index(drop=True)


def regions_or_file(data_dir: str | Path, regions: pd.DataFrame | None) -> pd.DataFrame | None:
    """``regions`` when given, else ``regions.csv`` of the data folder when there is one."""
    if regions is None and (Path(data_dir) / "regions.csv").is_file():
        return load_regions(data_dir)
    return regions


def _check_township_parents(frame: pd.DataFrame, regions: pd.DataFrame, path: Path) -> None:
    parent = frame["township_code"].map(regions.set_index("code")["parent"])
    wrong = parent.isna() | (parent != frame["county_code"])
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise DataError(
            f"township {frame['township_code'].iloc[row]!r} is not a township of county "
            f"{frame['county_code'].iloc[row]!r}", path=path, location=f"row {row + 2}",
            expected="a township code whose parent in regions.csv is the county code")

