"""Load a city's bureau tables (``data/raw/bureau``) into checked tidy observations.

The city's CSV inputs (regions, targets, ledger, weekly reports) are read by
:mod:`analysis.data.inputs`; their loaders are re-exported here. Each loader raises
``DataError`` naming the file, the row or column and what was expected. Nothing is
zero-filled: a blank number is NaN and is reported by the validator, never replaced.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import indicators, unit_factor
from analysis.core.errors import DataError
from analysis.data.bureau import read_bureau_table
from analysis.data.inputs import (
    PROJECT_HEADERS,
    WEEKLY_HEADERS,
    _regions_or_file,
    load_projects,
    load_regions,
    load_targets,
    load_township_weekly,
    read_table,
)
from analysis.data.validation import check_cells, finding_from_error, findings_frame, rows_to_findings

__all__ = ["BUREAU_SUFFIXES", "OBS_COLUMNS", "PROJECT_HEADERS", "WEEKLY_HEADERS", "bureau_files", "load_observations",
           "load_projects", "load_regions", "load_targets", "load_township_weekly", "read_bureau_files", "read_table",
           "to_catalogue_units"]

BUREAU_SUFFIXES = (".csv", ".xls", ".xlsx")
OBS_COLUMNS = ["region_code", "region_name", "indicator", "period", "measure", "value", "unit", "source"]

def bureau_files(data_dir: str | Path) -> list[Path]:
    """Bureau tables under ``data_dir/bureau`` (sorted, so runs are reproducible)."""
    folder = Path(data_dir) / "bureau"
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in BUREAU_SUFFIXES and p.is_file())


def read_bureau_files(files: Iterable[Path], regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reader output of many files and the findings for files that could not be read.

    One bad file does not stop the others; its ``DataError`` becomes an error finding.
    """
    frames, problems = [], []
    for path in files:
        try:
            frames.append(read_bureau_table(path, regions))
        except DataError as error:
            problems.append(finding_from_error(error, "unreadable_table"))
    raw = pd.concat(frames, ignore_index=True) if frames else read_bureau_table_empty()
    return raw, findings_frame(problems)


def read_bureau_table_empty() -> pd.DataFrame:
    """An empty reader output with the right columns and dtypes."""
    from analysis.data.bureau import COLUMNS, _frame

    return _frame([]).reindex(columns=COLUMNS)


def to_catalogue_units(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Known observations with levels converted to the catalogue unit (e.g. 万元 -> 亿元).

    Returns ``(obs, findings)``. Dropped with a finding that names the row's first cell:
    a level whose unit cannot be converted or is missing where the catalogue has one
    (error: 100000 could be 万元 or 亿元), and level rows of a growth-only indicator such as
    规上工业增加值 (warning: the catalogue keeps only its growth). Growth stays in percent.
    """
    catalogue = indicators()
    known = raw[raw["indicator"].notna() & raw["region_code"].notna()]
    target_unit = known["indicator"].map(catalogue["unit"])
    has_levels = known["indicator"].map(catalogue["forms"].map(lambda f: "ytd_value" in f or "month_value" in f))
    kind = known["indicator"].map(catalogue["kind"])
    level = known["measure"].isin(["ytd_value", "month_value"])
    pairs = pd.Series(list(zip(known["unit"], target_unit, strict=True)), index=known.index)
    factor = pairs.map({pair: unit_factor(*pair) for pair in set(pairs)}).astype(float)
    unitless = level & (known["unit"] == "") & (target_unit != "") & (kind != "ratio")
    factor = factor.where(~(level & (known["unit"] == "")), 1.0)
    growth_only = level & ~has_levels
    bad_unit = level & ~growth_only & (factor.isna() | unitless)
    findings = pd.concat([
        _row_findings(known[bad_unit & ~unitless], "error", "unit", lambda f: (
            "unit '" + f["unit"] + "' of " + f["indicator"] + " (" + f["label"] + ") cannot be converted to the "
            "catalogue unit '" + f["indicator"].map(catalogue["unit"]) + "'; expected a unit listed in catalog.py")),
        _row_findings(known[unitless], "error", "unit", lambda f: (
            "row '" + f["label"] + "' has no unit; expected the unit in brackets, e.g. (" +
            f["indicator"].map(catalogue["unit"]) + ")")),
        _row_findings(known[growth_only], "warning", "growth_only", lambda f: (
            "'" + f["label"] + "' is a level of " + f["indicator"] + ", which the catalogue keeps as growth "
            "only; the row was not loaded")),
    ], ignore_index=True)
    keep = ~(bad_unit | growth_only)
    obs = known[keep].copy()
    obs["value"] = obs["value"] * np.where(level[keep], factor[keep], 1.0)
    obs["unit"] = np.where(level[keep], target_unit[keep], obs["unit"])
    return obs[OBS_COLUMNS].reset_index(drop=True), findings


def _row_findings(rows: pd.DataFrame, severity: str, check: str, message) -> pd.DataFrame:
    """One finding per file and row label, located at the row's first cell."""
    first = rows.assign(file=rows["source"].str.split("!").str[0]).drop_duplicates(["file", "label"])
    return rows_to_findings(first, severity, check, message)


def load_observations(data_dir: str | Path, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """All bureau tables of a city as tidy observations in catalogue units.

    Raises ``DataError`` for the first unreadable file, unknown region or unusable unit.
    Rows whose indicator is not in the catalogue are left out with a ``UserWarning``
    naming them; :func:`analysis.data.ingest.ingest` lists every finding in its report.
    """
    regions = _regions_or_file(data_dir, regions)
    raw, problems = read_bureau_files(bureau_files(data_dir), regions)
    found = pd.concat([problems, check_cells(raw)], ignore_index=True)
    obs, unit_problems = to_catalogue_units(raw)
    found = pd.concat([found, unit_problems], ignore_index=True)
    errors = found[found["severity"] == "error"]
    if not errors.empty:
        first = errors.iloc[0]
        raise DataError(first["message"], path=first["file"] or None, location=first["location"] or None)
    skipped = found[found["check"].isin(["unknown_indicator", "growth_only"])]
    if not skipped.empty:
        warnings.warn("rows not loaded: " + "; ".join(skipped["message"]), UserWarning, stacklevel=2)
    return obs
