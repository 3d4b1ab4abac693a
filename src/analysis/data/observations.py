"""A city's bureau exports (``data/raw/bureau``) -> checked observations in catalogue units.

:func:`read_bureau_files` reads every export (one bad file does not stop the others) and
returns the reader output, the findings for unreadable files and one ``sources`` row per
file (layout, database line, notes, source line: metadata, never data).
:func:`to_catalogue_units` converts levels to the catalogue unit (万元 -> 亿元) and keeps
indicators no catalogue knows under their derived code; :func:`prefer_monthly` keeps one
row per region, indicator, month and measure where a monthly and a quarterly (or annual)
series give the same figure.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import catalogue_measure, indicators, unit_factor
from analysis.core.errors import DataError
from analysis.core.measures import LEVEL_MEASURES
from analysis.data.loaders import regions_or_file
from analysis.data.readers import COLUMNS, SUFFIXES, empty_observations, read_export, region_codes
from analysis.data.validation import finding_from_error, findings_frame, rows_to_findings, validate_observations

OBS_COLUMNS = list(COLUMNS)
SOURCE_COLUMNS = ["file", "layout", "database", "region", "indicator", "time", "title", "notes", "source",
                  "read_as", "observations"]
_FREQUENCY_ORDER = {"M": 0, "Q": 1, "Y": 2}


def bureau_files(data_dir: str | Path) -> list[Path]:
    """Bureau tables under ``data_dir/bureau`` (sorted, so runs are reproducible)."""
    folder = Path(data_dir) / "bureau"
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not p.name.startswith(("~$", ".")))


def read_bureau_files(
    files: Iterable[Path], regions: pd.DataFrame | None = None, catalogue: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(raw, findings, sources)`` of many files; an unreadable file becomes an error finding."""
    names = region_codes(regions)
    frames, problems, sources = [], [], []
    for path in files:
        try:
            export = read_export(path, catalogue=catalogue, names=names)
        except DataError as error:
            problems.append(finding_from_error(error, "unreadable_table"))
            continue
        frames.append(export.observations)
        meta = export.metadata
        sources.append({**{c: meta.get(c, "") for c in SOURCE_COLUMNS}, "file": str(path),
                        "read_as": meta.get("encoding") or meta.get("sheet", ""),
                        "observations": len(export.observations)})
    raw = pd.concat(frames, ignore_index=True) if frames else empty_observations()
    return raw, findings_frame(problems), pd.DataFrame(sources, columns=SOURCE_COLUMNS)


def to_catalogue_units(raw: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations with known indicators' levels in the catalogue unit (e.g. 万元 -> 亿元).

    Returns ``(obs, findings)``. Rows of an unknown region are left out (the validator
    reports them); rows of an indicator no catalogue knows are kept as they are (unit as in
    the file). Dropped with a finding that names the row's first cell: a level whose unit
    cannot be converted or is missing where the catalogue has one (error: 100000 could be
    万元 or 亿元), and level rows of a growth-only indicator such as 规上工业增加值 (warning: the
    catalogue keeps only its growth). Growth stays in percent, indexes in their base. The
    period-end level of a stock or ratio takes the form its catalogue row lists
    (:func:`analysis.core.catalog.catalogue_measure`).
    """
    catalogue = indicators() if catalogue is None else catalogue
    rows = raw[raw["region_code"].notna()]
    known = rows[rows["indicator"].isin(catalogue.index)].copy()
    known["measure"] = catalogue_measure(known["measure"], known["indicator"], catalogue)
    target_unit = known["indicator"].map(catalogue["unit"])
    has_levels = known["indicator"].map(catalogue["forms"].map(lambda f: bool(set(f) & set(LEVEL_MEASURES))))
    kind = known["indicator"].map(catalogue["kind"])
    level = known["measure"].isin(LEVEL_MEASURES)
    pairs = pd.Series(list(zip(known["unit"], target_unit, strict=True)), index=known.index)
    factor = pairs.map({pair: unit_factor(*pair) for pair in set(pairs)}).astype(float)
    unitless = level & (known["unit"] == "") & (target_unit != "") & (kind != "ratio")
    factor = factor.where(~(level & (known["unit"] == "")), 1.0)
    growth_only = level & ~has_levels.astype(bool)
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
    converted = known[keep].copy()
    converted["value"] = converted["value"] * np.where(level[keep], factor[keep], 1.0)
    converted["unit"] = np.where(level[keep], target_unit[keep], converted["unit"])
    unknown = rows[~rows["indicator"].isin(catalogue.index)]
    obs = pd.concat([converted, unknown]).sort_index() if len(unknown) else converted
    return obs.reindex(columns=OBS_COLUMNS).reset_index(drop=True), findings


def prefer_monthly(obs: pd.DataFrame, tolerance: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per region, indicator, month and measure: the monthly series where a quarterly
    or annual one gives the same figure (a year-to-date value at March is both).

    Returns ``(obs, findings)``; a warning lists figures that differ by more than ``tolerance``
    (rounding) between the frequencies. Rows without a twin are kept with their frequency.
    """
    if "frequency" not in obs.columns or obs["frequency"].eq("M").all():
        return obs, findings_frame()
    key = ["region_code", "indicator", "period", "measure"]
    order = obs["frequency"].map(_FREQUENCY_ORDER).fillna(3)
    ranked = obs.assign(_order=order).sort_values([*key, "_order"], kind="stable")
    twin = ranked.duplicated(key, keep="first")
    kept_value = ranked.groupby(key, sort=False, observed=True)["value"].transform("first")
    differ = twin & ranked["value"].notna() & kept_value.notna() & ((ranked["value"] - kept_value).abs() > tolerance)
    findings = rows_to_findings(ranked[differ], "warning", "frequency_mismatch", lambda f: (
        f["indicator"] + " " + f["measure"] + " " + f["period"].astype(str) + ": the " + f["frequency"]
        + " figure " + f["value"].map("{:g}".format) + " differs from the monthly figure "
        + kept_value[differ].map("{:g}".format) + "; the monthly figure is kept"))
    out = ranked[~twin].drop(columns="_order").sort_index()
    return out.reset_index(drop=True), findings


def _row_findings(rows: pd.DataFrame, severity: str, check: str, message) -> pd.DataFrame:
    """One finding per file and row label, located at the row's first cell."""
    first = rows.assign(file=rows["source"].str.split("!").str[0]).drop_duplicates(["file", "label"])
    return rows_to_findings(first, severity, check, message)


def load_observations(data_dir: str | Path, regions: pd.DataFrame | None = None,
                      catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """All bureau tables of a city as tidy observations in catalogue units.

    Raises ``DataError`` for the first error finding (an unreadable file, an unknown region,
    an unusable unit, a duplicate). Warns (``UserWarning``) naming rows left out (levels of a
    growth-only indicator) and indicators kept under a derived code;
    :func:`analysis.data.ingest.ingest` lists every finding in its report.
    """
    regions = regions_or_file(data_dir, regions)
    raw, problems, _sources = read_bureau_files(bureau_files(data_dir), regions, catalogue)
    obs, unit_problems = to_catalogue_units(raw, catalogue)
    obs, frequency_problems = prefer_monthly(obs)
    found = pd.concat([problems, validate_observations(raw, catalogue=catalogue), unit_problems,
                       frequency_problems], ignore_index=True)
    errors = found[found["severity"] == "error"]
    if not errors.empty:
        first = errors.iloc[0]
        raise DataError(first["message"], path=first["file"] or None, location=first["location"] or None)
    noted = found[found["check"].isin(["unknown_indicator", "growth_only"])]
    if not noted.empty:
        warnings.warn("; ".join(noted["message"]), UserWarning, stacklevel=2)
    return obs
