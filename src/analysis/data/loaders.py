"""Load a city's bureau tables (``data/raw/bureau``) into checked tidy observations.

The city's CSV inputs (regions, targets, ledger, weekly reports) are read by
:mod:`analysis.data.inputs`; their loaders are re-exported here. Each loader raises
``DataError`` naming the file, the row or column and what was expected. Nothing is
zero-filled: a blank number is NaN and is reported by the validator, never replaced.
"""

from __future__ import annotations

import os
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
    load_projects,
    load_regions,
    load_targets,
    load_township_weekly,
    read_table,
    regions_or_file,
)
from analysis.data.validation import check_cells, finding_from_error, findings_frame, rows_to_findings

__all__ = ["BUREAU_SUFFIXES", "OBS_COLUMNS", "PROJECT_HEADERS", "WEEKLY_HEADERS", "bureau_files", "bureau_inputs",
           "is_inside", "load_observations",
           "load_projects", "load_regions", "load_targets", "load_township_weekly", "read_bureau_files", "read_table",
           "to_catalogue_units"]

BUREAU_SUFFIXES = (".csv", ".xls", ".xlsx")
OBS_COLUMNS = ["region_code", "region_name", "indicator", "period", "measure", "value", "unit", "source"]

def bureau_files(data_dir: str | Path) -> list[Path]:
    """Bureau tables under ``data_dir/bureau`` (sorted, so runs are reproducible); files
    reached through a link leading outside the data folder are left out (see
    :func:`bureau_inputs`)."""
    return bureau_inputs(data_dir)[0]


def bureau_inputs(data_dir: str | Path, follow_links: bool = False) -> tuple[list[Path], pd.DataFrame]:
    """Bureau tables under ``data_dir/bureau``, and an error finding for each file or folder
    there that is a link leading outside the data folder (``/etc/passwd``, a share): such a
    file is not read unless ``follow_links``, so a delivery is only what is in its folder."""
    root = Path(data_dir)
    folder = root / "bureau"
    files, refused = [], []
    for current, dirs, names in os.walk(folder, followlinks=follow_links):
        for name in sorted([*names, *dirs]):
            path = Path(current) / name
            if not follow_links and path.is_symlink() and not is_inside(path, root):
                refused.append(outside_link_finding(path, root))
            elif name in names and path.suffix.lower() in BUREAU_SUFFIXES and path.is_file():
                files.append(path)
    return sorted(files), findings_frame(refused)


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links resolved, lies inside ``root`` (links resolved too)."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def outside_link_finding(path: Path, root: Path) -> dict:
    """The error finding for a link that leads outside the data folder."""
    return {"severity": "error", "check": "outside_link", "file": str(path), "location": "",
            "message": f"{path.relative_to(root).as_posix()} is a link to {os.path.realpath(path)}, outside the data "
                       f"folder: not read; expected files inside {root.name}/ (copy the file in, or pass "
                       "--follow-links to read linked files)"}


def read_bureau_files(files: Iterable[Path], regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reader output of many files and the findings for files that could not be read.

    One bad file does not stop the others; its ``DataError`` becomes an error finding. A
    table that lacks the closing source line (``数据来源：…``) that the other tables of the
    same export end with is reported as cut (an error naming its last row).
    """
    frames, problems, shapes = [], [], []
    for path in files:
        try:
            frame = read_bureau_table(path, regions)
        except DataError as error:
            problems.append(finding_from_error(error, "unreadable_table"))
            continue
        frames.append(frame)
        shapes.append((path, frame.attrs.get("database", ""), frame.attrs.get("layout"), frame.attrs.get("footer"),
                       frame.attrs.get("last_row")))
    problems += _cut_tables(shapes)
    raw = (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)) if frames \
        else read_bureau_table_empty()
    return raw, findings_frame(problems)


def _cut_tables(shapes: list[tuple]) -> list[dict]:
    """Tables of one export (same 数据库 line and layout) without the footer the others have."""
    found = []
    groups: dict[tuple, list[tuple]] = {}
    for shape in shapes:
        if shape[1]:
            groups.setdefault((shape[1], shape[2]), []).append(shape)
    for members in groups.values():
        ended = [m for m in members if m[3]]
        for path, _, _, footer, last in members:
            if ended and not footer:
                row, label = last or (0, "")
                found.append({
                    "severity": "error", "check": "truncated_table", "file": str(path), "location": f"row {row}",
                    "message": f"the table stops after row {row} ({label!r}) without the source line (数据来源：…) "
                               f"that the other {len(ended)} table(s) of this export end with: the file looks cut; "
                               "expected the whole table as exported"})
    return found


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

    Every decision depends only on the row's indicator, unit and measure, so it is made once
    per distinct combination and applied to the rows by position (a 6,000,000-row table
    costs a few arrays).
    """
    known_rows = (raw["indicator"].notna() & raw["region_code"].notna()).to_numpy()
    known = raw if known_rows.all() else raw[known_rows]
    combo = known[["indicator", "unit", "measure"]]
    codes = combo.groupby(list(combo.columns), sort=False, observed=True, dropna=False).ngroup().to_numpy()
    rules = _unit_rules(combo.drop_duplicates().astype(object).reset_index(drop=True))
    at = {name: rules[name].to_numpy()[codes] for name in ("keep", "factor", "bad_unit", "unitless", "growth_only")}
    findings = pd.concat([
        _row_findings(known[at["bad_unit"] & ~at["unitless"]], "error", "unit", lambda f: (
            "unit '" + f["unit"] + "' of " + f["indicator"] + " (" + f["label"] + ") cannot be converted to the "
            "catalogue unit '" + f["indicator"].map(indicators()["unit"]) + "'; expected a unit listed in catalog.py")),
        _row_findings(known[at["unitless"]], "error", "unit", lambda f: (
            "row '" + f["label"] + "' has no unit; expected the unit in brackets, e.g. (" +
            f["indicator"].map(indicators()["unit"]) + ")")),
        _row_findings(known[at["growth_only"]], "warning", "growth_only", lambda f: (
            "'" + f["label"] + "' is a level of " + f["indicator"] + ", which the catalogue keeps as growth "
            "only; the row was not loaded")),
    ], ignore_index=True)
    keep = at["keep"]
    obs = known.loc[keep, OBS_COLUMNS] if not keep.all() else known[OBS_COLUMNS]
    unit = pd.Categorical(rules["new_unit"].to_numpy()[codes[keep]])
    obs = obs.assign(value=obs["value"].to_numpy() * at["factor"][keep], unit=unit)
    # the reader repeats text as categoricals (several files concatenate to objects); tables hold text
    text = ["region_code", "region_name", "indicator", "measure", "unit", "source"]
    return obs.astype({c: "str" for c in text if obs[c].dtype != "str"}).reset_index(drop=True), findings


def _unit_rules(combos: pd.DataFrame) -> pd.DataFrame:
    """For each distinct (indicator, unit, measure): the factor to the catalogue unit, the unit
    kept, and whether the rows are kept, a level without unit, unconvertible or growth-only."""
    catalogue = indicators()
    target = combos["indicator"].map(catalogue["unit"])
    has_levels = combos["indicator"].map(catalogue["forms"].map(lambda f: "ytd_value" in f or "month_value" in f))
    level = combos["measure"].isin(["ytd_value", "month_value"])
    blank = combos["unit"] == ""
    factor = pd.Series([unit_factor(u, t) for u, t in zip(combos["unit"], target, strict=True)], dtype=float)
    unitless = level & blank & (target != "") & (combos["indicator"].map(catalogue["kind"]) != "ratio")
    growth_only = level & ~has_levels.astype(bool)
    factor = factor.where(~(level & blank), 1.0)
    bad_unit = level & ~growth_only & (factor.isna() | unitless)
    return pd.DataFrame({
        "keep": ~(bad_unit | growth_only), "bad_unit": bad_unit, "unitless": unitless, "growth_only": growth_only,
        "factor": np.where(level, factor, 1.0), "new_unit": np.where(level, target, combos["unit"]),
    })


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
    regions = regions_or_file(data_dir, regions)
    files, refused = bureau_inputs(data_dir)
    raw, problems = read_bureau_files(files, regions)
    found = pd.concat([refused, problems, check_cells(raw)], ignore_index=True)
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
