"""Load a city's small raw inputs (``data/raw``: regions, targets, ledgers) into checked DataFrames:
``regions.csv``, ``targets.csv``, ``projects.csv`` and ``township_weekly.csv``. Bureau exports
are read by :mod:`analysis.data.observations`.

Each ``read_*`` function parses one file (text to numbers and dates; a cell that cannot be
parsed is a ``DataError`` naming it) and returns ``(frame, findings)``: every rule of its
pandera schema (:mod:`.schemas`) and of the cross-file checks that the frame breaks, as
error findings with file, row and column. The frame is ``None`` when there is any error,
so nothing downstream sees a table that broke a rule. ``load_*`` are the same for
interactive use: they return the frame or raise the first error as a ``DataError``.
``regions.csv`` is required and checked first: without a tree of regions no table can be
placed, so ingest stops there.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import package_regions
from analysis.core.errors import DataError
from analysis.data.readers import decode_csv
from analysis.data.region_tree import region_tree_findings
from analysis.data.schemas import (
    projects_input_schema,
    regions_input_schema,
    schema_findings,
    targets_input_schema,
    weekly_input_schema,
)
from analysis.data.validation import Limits, finding_from_error, findings_frame

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
REGION_COLUMNS = ["code", "name", "level", "parent", "short_name"]
Read = tuple[pd.DataFrame | None, pd.DataFrame]


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
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"not a readable CSV table ({str(exc).strip().splitlines()[-1][:200]})", path=path,
                        expected="one header row and rows of comma-separated cells") from exc
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


def _guard(check: str, path: Path, parse: Callable[[], Read]) -> Read:
    """``parse()``, with a missing file or a ``DataError`` as one error finding."""
    if not path.is_file():
        return None, findings_frame([{"severity": "error", "check": check, "file": str(path), "location": "",
                                      "message": f"{path.name} not found"}])
    try:
        return parse()
    except DataError as error:
        return None, findings_frame([finding_from_error(error, check)])


def _result(frame: pd.DataFrame, found: list[pd.DataFrame]) -> Read:
    findings = pd.concat(found, ignore_index=True) if found else findings_frame()
    return (None if (findings["severity"] == "error").any() else frame.reset_index(drop=True)), findings


def raise_first_error(findings: pd.DataFrame) -> None:
    """Raise the first error finding as a ``DataError`` (file, location and message kept)."""
    errors = findings[findings["severity"] == "error"]
    if not errors.empty:
        first = errors.iloc[0]
        raise DataError(first["message"], path=first["file"] or None, location=first["location"] or None)


def read_regions(data_dir: str | Path) -> Read:
    """``regions.csv``: codes, levels, names, then the tree (one city, counties under it,
    townships under counties, no cycle). A missing file is one clear error."""
    path = Path(data_dir) / "regions.csv"
    if not path.is_file():
        return None, findings_frame([{
            "severity": "error", "check": "regions", "file": str(path), "location": "",
            "message": "regions.csv not found: ingest needs the city's regions to place every table; expected "
                       "a file with columns code,name,level,parent,short_name (docs/data-formats.md)"}])

    def parse() -> Read:
        frame = read_table(path, REGION_COLUMNS)
        found = schema_findings(frame, regions_input_schema(), path, "regions")
        if found.empty:  # the tree only means something once every code and level is valid
            found = region_tree_findings(frame, path, set(package_regions()["code"]))
        return _result(frame, [found])

    return _guard("regions", path, parse)


def read_targets(data_dir: str | Path, regions: pd.DataFrame | None, catalogue: pd.DataFrame | None = None) -> Read:
    """``targets.csv``: ``region_code, indicator, year, horizon, measure, target``; indicators
    from ``catalogue`` (the packaged one, or the city's)."""
    path = Path(data_dir) / "targets.csv"

    def parse() -> Read:
        frame = read_table(path, ["region_code", "indicator", "year", "horizon", "measure", "target"])
        year = pd.to_numeric(frame["year"].where(frame["year"].str.fullmatch(r"\d{4}")), errors="coerce")
        if year.isna().any():
            row = int(np.flatnonzero(year.isna().to_numpy())[0])
            raise DataError(f"unknown year {frame['year'].iloc[row]!r}", path=path,
                            location=f"row {row + 2}, column year", expected="a four-digit year")
        frame["year"] = year.astype(int)
        frame["target"] = _parse_numbers(frame, "target", path)
        found = [schema_findings(frame, targets_input_schema(catalogue), path, "targets")]
        if regions is not None:
            found.append(_unknown_codes(frame, "region_code", regions, path, "targets"))
        return _result(frame, found)

    return _guard("targets", path, parse)


def read_projects(data_dir: str | Path, regions: pd.DataFrame | None, today: pd.Timestamp,
                  limits: Limits | None = None) -> Read:
    """The key-project ledger (项目台账) with English column names (docs/data-formats.md)."""
    path = Path(data_dir) / "projects.csv"

    def parse() -> Read:
        frame = read_table(path, list(PROJECT_HEADERS.values()), PROJECT_HEADERS)
        for column in ("planned_start", "reported_on"):
            frame[column] = _parse_dates(frame, column, path)
        frame["actual_start"] = _parse_dates(frame, "actual_start", path, required=False)
        for column in ("planned_investment", "completed_investment"):
            frame[column] = _parse_numbers(frame, column, path)
        found = [schema_findings(frame, projects_input_schema(today, limits), path, "projects")]
        if regions is not None:
            found.append(_township_parents(frame, regions, path, "projects"))
        return _result(frame, found)

    return _guard("projects", path, parse)


def read_township_weekly(data_dir: str | Path, regions: pd.DataFrame | None, today: pd.Timestamp) -> Read:
    """Township weekly investment reports (乡镇周报) with English column names, by week."""
    path = Path(data_dir) / "township_weekly.csv"

    def parse() -> Read:
        frame = read_table(path, list(WEEKLY_HEADERS.values()), WEEKLY_HEADERS)
        frame["week_end"] = _parse_dates(frame, "week_end", path)
        for column in ("investment_week", "investment_ytd", "projects_started"):
            frame[column] = _parse_numbers(frame, column, path)
        found = [schema_findings(frame, weekly_input_schema(today), path, "township_weekly")]
        if regions is not None:
            found.append(_township_parents(frame, regions, path, "township_weekly"))
        table, findings = _result(frame, found)
        return (None if table is None else table.sort_values(["week_end", "township_code"]).reset_index(
            drop=True)), findings

    return _guard("township_weekly", path, parse)


def _unknown_codes(frame: pd.DataFrame, column: str, regions: pd.DataFrame, path: Path, check: str) -> pd.DataFrame:
    bad = ~frame[column].isin(regions["code"])
    return findings_frame([{
        "severity": "error", "check": check, "file": str(path), "location": f"row {i + 2}, column {column}",
        "message": f"unknown {column} {frame[column].iloc[i]!r}: expected a region code listed in regions.csv"}
        for i in np.flatnonzero(bad.to_numpy())])


def _township_parents(frame: pd.DataFrame, regions: pd.DataFrame, path: Path, check: str) -> pd.DataFrame:
    parent = frame["township_code"].map(regions.set_index("code")["parent"])
    wrong = parent.isna() | (parent != frame["county_code"])
    return findings_frame([{
        "severity": "error", "check": check, "file": str(path), "location": f"row {i + 2}",
        "message": f"township {frame['township_code'].iloc[i]!r} is not a township of county "
                   f"{frame['county_code'].iloc[i]!r}: expected a township code whose parent in regions.csv "
                   "is the county code"} for i in np.flatnonzero(wrong.to_numpy())])


def regions_or_file(data_dir: str | Path, regions: pd.DataFrame | None) -> pd.DataFrame | None:
    """``regions`` when given, else ``regions.csv`` of the data folder when there is one."""
    if regions is None and (Path(data_dir) / "regions.csv").is_file():
        return load_regions(data_dir)
    return regions


def load_regions(data_dir: str | Path) -> pd.DataFrame:
    """The city's regions from ``regions.csv`` (``code, name, level, parent, short_name``);
    ``DataError`` for the first problem, including a region list that is not a tree."""
    table, found = read_regions(data_dir)
    raise_first_error(found)
    return table  # type: ignore[return-value]


def load_targets(data_dir: str | Path, regions: pd.DataFrame | None = None,
                 catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Targets from ``targets.csv``, checked against ``regions`` (or ``regions.csv`` beside it)
    and ``catalogue`` (the packaged one, or the city's)."""
    table, found = read_targets(data_dir, regions_or_file(data_dir, regions), catalogue)
    raise_first_error(found)
    return table  # type: ignore[return-value]


def load_projects(data_dir: str | Path, regions: pd.DataFrame | None = None,
                  today: pd.Timestamp | None = None) -> pd.DataFrame:
    """The key-project ledger (项目台账); ``today`` (default now) bounds the report date."""
    table, found = read_projects(data_dir, regions_or_file(data_dir, regions), today or pd.Timestamp.now())
    raise_first_error(found)
    return table  # type: ignore[return-value]


def load_township_weekly(data_dir: str | Path, regions: pd.DataFrame | None = None,
                         today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Township weekly investment reports (乡镇周报); ``today`` (default now) bounds the weeks."""
    table, found = read_township_weekly(data_dir, regions_or_file(data_dir, regions), today or pd.Timestamp.now())
    raise_first_error(found)
    return table  # type: ignore[return-value]
