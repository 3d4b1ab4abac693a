"""A city's bureau exports (``data/raw/bureau``) -> checked observations in catalogue units.

:func:`bureau_inputs` lists the exports and refuses links that lead outside the data
folder. :func:`read_bureau_files` reads every export (one bad file does not stop the
others) and returns the reader output, the findings for unreadable files and for tables
that look cut, and one ``sources`` row per file (layout, database line, notes, source
line: metadata, never data).
:func:`to_catalogue_units` converts levels to the catalogue unit (万元 -> 亿元) and keeps
indicators no catalogue knows under their derived code; :func:`prefer_monthly` keeps one
row per region, indicator, month and measure where a monthly and a quarterly (or annual)
series give the same figure.
"""

from __future__ import annotations

import os
import re
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
    """Bureau tables under ``data_dir/bureau`` (sorted, so runs are reproducible); files
    reached through a link leading outside the data folder are left out (see
    :func:`bureau_inputs`)."""
    return bureau_inputs(data_dir)[0]


def bureau_inputs(data_dir: str | Path, follow_links: bool = False) -> tuple[list[Path], pd.DataFrame]:
    """Bureau tables under ``data_dir/bureau``, and an error finding for each file or folder
    there that is a link leading outside the data folder (``/etc/passwd``, a share): such a
    file is not read unless ``follow_links``, so a delivery is only what is in its folder.
    Office lock files (``~$…``) and hidden files are skipped."""
    root = Path(data_dir)
    files, refused = [], []
    for current, dirs, names in os.walk(root / "bureau", followlinks=follow_links):
        for name in sorted([*names, *dirs]):
            path = Path(current) / name
            if not follow_links and path.is_symlink() and not is_inside(path, root):
                refused.append(outside_link_finding(path, root))
            elif (name in names and path.suffix.lower() in SUFFIXES and path.is_file()
                  and not name.startswith(("~$", "."))):
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


def read_bureau_files(
    files: Iterable[Path], regions: pd.DataFrame | None = None, catalogue: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(raw, findings, sources)`` of many files; an unreadable file becomes an error finding,
    and so does a table that lacks the closing note or source line (``数据来源：…``) that the
    other tables of the same export (same database line and layout) end with: it looks cut."""
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
    problems += _cut_tables(sources, frames)
    raw = (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)) if frames \
        else empty_observations()
    return raw, findings_frame(problems), pd.DataFrame(sources, columns=SOURCE_COLUMNS)


def _cut_tables(sources: list[dict], frames: list[pd.DataFrame]) -> list[dict]:
    """Tables of one export without the closing lines the others have, named by their last row."""
    groups: dict[tuple, list[int]] = {}
    for i, source in enumerate(sources):
        if source["database"] and source["layout"] != "terminal":
            groups.setdefault((source["database"], source["layout"]), []).append(i)
    found = []
    for members in groups.values():
        ended = [i for i in members if sources[i]["notes"] or sources[i]["source"]]
        for i in members:
            if not ended or i in ended or frames[i].empty:
                continue
            last = frames[i].iloc[-1]
            row = int(re.sub(r"^.*![A-Z]+", "", str(last["source"])) or 0)
            found.append({
                "severity": "error", "check": "truncated_table", "file": sources[i]["file"], "location": f"row {row}",
                "message": f"the table stops after row {row} ({str(last['label'])!r}) without the note or source "
                           f"line (数据来源：…) that the other {len(ended)} table(s) of this export end with: the file "
                           "looks cut; expected the whole table as exported"})
    return found


def to_catalogue_units(raw: pd.DataFrame, catalogue: pd.DataFrame | None = None, *,
                       text: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations with known indicators' levels in the catalogue unit (e.g. 万元 -> 亿元).

    Returns ``(obs, findings)``. Rows of an unknown region are left out (the validator
    reports them); rows of an indicator no catalogue knows are kept as they are (unit as in
    the file). Dropped with a finding that names the row's first cell: a level whose unit
    cannot be converted or is missing where the catalogue has one (error: 100000 could be
    万元 or 亿元), and level rows of a growth-only indicator such as 规上工业增加值 (warning: the
    catalogue keeps only its growth). Growth stays in percent, indexes in their base. The
    period-end level of a stock or ratio takes the form its catalogue row lists
    (:func:`analysis.core.catalog.catalogue_measure`).

    Every decision depends only on the row's indicator, unit and measure, so it is made once
    per distinct combination and applied to the rows by position: a table of millions of
    rows costs a few arrays. ``text=False`` leaves the reader's categorical columns
    categorical (each distinct text stored once) for a caller that turns them into text
    itself, column by column or part by part (:func:`analysis.data.ingest.ingest`).
    """
    catalogue = indicators() if catalogue is None else catalogue
    placed = raw["region_code"].notna().to_numpy()
    rows = raw if placed.all() else raw[placed]
    combo = rows[["indicator", "unit", "measure"]]
    codes = combo.groupby(list(combo.columns), sort=False, observed=True, dropna=False).ngroup().to_numpy()
    rules = _unit_rules(combo.drop_duplicates().astype(object).reset_index(drop=True), catalogue)
    at = {name: rules[name].to_numpy()[codes] for name in ("keep", "factor", "bad_unit", "unitless", "growth_only")}
    target = lambda f: f["indicator"].map(catalogue["unit"])  # noqa: E731
    findings = pd.concat([
        _row_findings(rows[at["bad_unit"] & ~at["unitless"]], "error", "unit", lambda f: (
            "unit '" + f["unit"] + "' of " + f["indicator"] + " (" + f["label"] + ") cannot be converted to the "
            "catalogue unit '" + target(f) + "'; expected a unit listed in catalog.py")),
        _row_findings(rows[at["unitless"]], "error", "unit", lambda f: (
            "row '" + f["label"] + "' has no unit; expected the unit in brackets, e.g. (" + target(f) + ")")),
        _row_findings(rows[at["growth_only"]], "warning", "growth_only", lambda f: (
            "'" + f["label"] + "' is a level of " + f["indicator"] + ", which the catalogue keeps as growth "
            "only; the row was not loaded")),
    ], ignore_index=True)
    keep = at["keep"]
    obs = rows if keep.all() else rows[keep]
    obs = obs.assign(value=obs["value"].to_numpy() * at["factor"][keep],
                     unit=pd.Categorical(rules["new_unit"].to_numpy()[codes[keep]]),
                     measure=pd.Categorical(rules["new_measure"].to_numpy()[codes[keep]]))
    columns = [c for c in OBS_COLUMNS if c not in ("period", "value") and c in obs.columns]
    if text:
        obs = obs.astype({c: "str" for c in columns if obs[c].dtype != "str"})  # tables hold text, not categories
    return obs.reindex(columns=OBS_COLUMNS).reset_index(drop=True), findings


def _unit_rules(combos: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """For each distinct (indicator, unit, measure): the measure and unit kept, the factor to
    the catalogue unit, and whether its rows are kept, a level without unit, unconvertible
    or growth-only. An indicator no catalogue knows is kept as it is."""
    known = combos["indicator"].isin(catalogue.index)
    measure = catalogue_measure(combos["measure"], combos["indicator"], catalogue).where(known, combos["measure"])
    target = combos["indicator"].map(catalogue["unit"])
    has_levels = combos["indicator"].map(catalogue["forms"].map(lambda f: bool(set(f) & set(LEVEL_MEASURES))))
    level = measure.isin(LEVEL_MEASURES) & known
    blank = combos["unit"] == ""
    factor = pd.Series([unit_factor(u, t) if isinstance(t, str) else None
                        for u, t in zip(combos["unit"], target, strict=True)], dtype=float)
    unitless = level & blank & (target != "") & (combos["indicator"].map(catalogue["kind"]) != "ratio")
    growth_only = level & ~has_levels.fillna(False).astype(bool)
    factor = factor.where(~(level & blank), 1.0)
    bad_unit = level & ~growth_only & (factor.isna() | unitless)
    return pd.DataFrame({
        "keep": ~(bad_unit | growth_only), "bad_unit": bad_unit, "unitless": unitless, "growth_only": growth_only,
        "factor": np.where(level, factor, 1.0), "new_unit": np.where(level, target, combos["unit"]),
        "new_measure": measure,
    })


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
    files, refused = bureau_inputs(data_dir)
    raw, problems, _sources = read_bureau_files(files, regions, catalogue)
    obs, unit_problems = to_catalogue_units(raw, catalogue)
    obs, frequency_problems = prefer_monthly(obs)
    found = pd.concat([refused, problems, validate_observations(raw, catalogue=catalogue), unit_problems,
                       frequency_problems], ignore_index=True)
    errors = found[found["severity"] == "error"]
    if not errors.empty:
        first = errors.iloc[0]
        raise DataError(first["message"], path=first["file"] or None, location=first["location"] or None)
    noted = found[found["check"].isin(["unknown_indicator", "growth_only"])]
    if not noted.empty:
        warnings.warn("; ".join(noted["message"]), UserWarning, stacklevel=2)
    return obs
