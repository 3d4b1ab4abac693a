"""``q1brief inspect``: what ingest would make of each export, without writing anything.

For each file: the layout detected, its metadata (database, notes, source), the regions and
the code each maps to, the indicators (catalogue code, or unknown with the ``indicators.csv``
line to add), measures, periods and frequencies, masked and blank cells, and the findings
ingest would raise for it. :func:`inspect_paths` does the work (pure: it reads, never writes);
:func:`render_inspection` formats it; :func:`inspect_command` prints and gives exit code 1
when ingest would fail on any file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.catalog import catalogue_measure, indicators
from analysis.core.errors import DataError
from analysis.data.city import load_catalogue, load_settings
from analysis.data.loaders import load_regions
from analysis.data.observations import bureau_files, prefer_monthly, to_catalogue_units
from analysis.data.readers import LAYOUTS, SUFFIXES, empty_observations, read_export, region_codes
from analysis.data.validation import (
    MASKED,
    finding_from_error,
    findings_frame,
    unknown_indicators,
    validate_observations,
)


@dataclass
class FileReport:
    """What ingest would read from one file and what it would say about it."""

    path: Path
    layout: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    observations: pd.DataFrame = field(default_factory=empty_observations)
    labels: pd.DataFrame = field(default_factory=pd.DataFrame)
    unknown: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: pd.DataFrame = field(default_factory=findings_frame)

    @property
    def fails(self) -> bool:
        """True when ingest would stop on this file (an error finding)."""
        return bool((self.findings["severity"] == "error").any())


@dataclass
class Context:
    """The data folder whose regions and catalogue apply (or none found); problems in its
    regions.csv, indicators.csv or q1brief.toml (ingest would stop on them too)."""

    folder: Path | None
    regions: pd.DataFrame | None
    catalogue: pd.DataFrame
    problems: list[DataError] = field(default_factory=list)


def find_data_dir(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` with a ``regions.csv`` (a city's data folder)."""
    for folder in [path if path.is_dir() else path.parent, *path.resolve().parents]:
        if (folder / "regions.csv").is_file():
            return folder
    return None


def load_context(folder: Path | None) -> Context:
    """Regions and catalogue of ``folder``; a bad file there becomes a problem, not a crash."""
    context = Context(folder, None, indicators())
    if folder is None:
        return context
    for attr, load in (("regions", load_regions), ("catalogue", load_catalogue)):
        try:
            setattr(context, attr, load(folder))
        except DataError as error:
            context.problems.append(error)
    try:
        load_settings(folder, context.catalogue)
    except DataError as error:
        context.problems.append(error)
    return context


def expand(paths: list[str | Path]) -> list[Path]:
    """Files named, and the exports inside folders named (their ``bureau/`` when they have one)."""
    files: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            files += bureau_files(item) if (item / "bureau").is_dir() else sorted(
                p for p in item.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        else:
            files.append(item)
    return files


def inspect_file(path: Path, context: Context) -> FileReport:
    """Read one export as ingest would and collect everything it would find."""
    report = FileReport(path)
    try:
        export = read_export(path, catalogue=context.catalogue, names=region_codes(context.regions))
    except DataError as error:
        report.findings = findings_frame([finding_from_error(error, "unreadable_table")])
        return report
    raw = export.observations
    report.layout, report.metadata, report.observations = export.layout, export.metadata, raw
    report.unknown = unknown_indicators(raw, context.catalogue)
    stored = raw.assign(measure=catalogue_measure(raw["measure"], raw["indicator"], context.catalogue))
    report.labels = (stored.groupby(["label", "indicator", "measure", "frequency", "unit"], sort=False, dropna=False)
                     .size().rename("cells").reset_index())
    obs, unit_problems = to_catalogue_units(raw, context.catalogue)
    _, frequency_problems = prefer_monthly(obs)
    report.findings = pd.concat([validate_observations(raw, catalogue=context.catalogue), unit_problems,
                                 frequency_problems], ignore_index=True)
    return report


def inspect_paths(paths: list[str | Path], raw_dir: str | Path | None = None) -> tuple[list[FileReport], Context]:
    """A report per export found in ``paths``, read with the regions and catalogue of
    ``raw_dir`` (default: the data folder above the first path)."""
    files = expand(paths)
    folder = Path(raw_dir) if raw_dir else (find_data_dir(files[0]) if files else None)
    context = load_context(folder)
    return [inspect_file(path, context) for path in files], context


def _lines_for(report: FileReport, known: set[str]) -> list[str]:
    obs, meta = report.observations, report.metadata
    lines = [f"layout: {LAYOUTS.get(report.layout or '', report.layout)} [{report.layout}]"]
    about = [f"{k}: {meta[k]}" for k in ("database", "region", "indicator", "time") if meta.get(k)]
    about += [f"read as: sheet {meta['sheet']}" if meta.get("sheet") else f"read as: {meta.get('encoding')}"]
    lines.append("; ".join(about))
    for key in ("title", "notes", "source"):
        if meta.get(key):
            lines.append(f"{key}: " + meta[key].replace("\n", " / "))
    regions = obs.drop_duplicates("region_name")
    lines.append("regions: " + ", ".join(
        f"{r.region_name} -> {r.region_code if isinstance(r.region_code, str) else 'unknown (not in regions.csv)'}"
        for r in regions.itertuples()))
    lines.append("indicators:")
    for r in report.labels.itertuples():
        code = r.indicator if r.indicator in known else f"unknown, kept as '{r.indicator}'"
        lines.append(f"  {r.label} -> {code} {r.measure} [{r.frequency}] ({r.unit or 'no unit'}), {r.cells} cells")
    for r in report.unknown.itertuples():
        lines.append(f"  add to indicators.csv for '{r.indicator}': {r.line}")
    counts = obs["measure"].value_counts()
    lines.append("measures: " + ", ".join(f"{m} {n}" for m, n in counts.items()))
    if len(obs):
        freq = obs.groupby("frequency")["period"].agg(["min", "max", "nunique"])
        lines.append("periods: " + "; ".join(f"{f}: {row['min']} .. {row['max']} ({row['nunique']} periods)"
                                             for f, row in freq.iterrows()))
    masked, blank = int(obs["raw"].isin(MASKED).sum()), int((obs["raw"] == "").sum())
    lines.append(f"cells: {int(obs['value'].notna().sum())} values, {masked} masked, {blank} blank "
                 "(read as missing, never zero)")
    return lines


def _findings_lines(found: pd.DataFrame, shown: int = 3) -> list[str]:
    """Findings grouped by severity and check (errors first): a count and the first few."""
    counts = found.groupby("severity").size().to_dict()
    lines = ["findings: " + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none")]
    order = found.assign(_rank=found["severity"].map({"error": 0, "warning": 1}).fillna(2))
    for (_, severity, check), group in order.groupby(["_rank", "severity", "check"], sort=True):
        lines.append(f"  {severity} {check} ({len(group)}):")
        for r in group.head(shown).itertuples():
            lines.append(f"    {'[' + r.location + '] ' if r.location else ''}{r.message}")
        if len(group) > shown:
            lines.append(f"    ... and {len(group) - shown} more (all in validation.md after ingest)")
    return lines


def render_inspection(reports: list[FileReport], context: Context) -> str:
    """The text :func:`inspect_command` prints."""
    where = f"data folder: {context.folder}" if context.folder else "data folder: none found (no regions.csv above)"
    out = [where + f" ({len(context.catalogue)} indicators in the catalogue)"]
    out += [f"  ERROR {problem}" for problem in context.problems]
    known = set(context.catalogue.index)
    for report in reports:
        out += ["", f"== {report.path}"]
        if report.layout is not None:
            out += _lines_for(report, known)
        out += _findings_lines(report.findings)
        out.append("result: " + ("ingest would FAIL on this file" if report.fails else "ingest would read this file"))
    return "\n".join(out) + "\n"


def inspect_command(paths: list[str], raw_dir: str | None = None) -> int:
    """CLI wrapper: print the inspection; exit 1 when ingest would fail on any file."""
    reports, context = inspect_paths(paths, raw_dir)
    if not reports:
        print("q1brief inspect: no .csv, .xls or .xlsx files found in " + ", ".join(paths))
        return 1
    print(render_inspection(reports, context), end="")
    failing = [r for r in reports if r.fails]
    print(f"\n{len(reports)} file(s) inspected, {len(failing)} would stop ingest")
    return 1 if failing or context.problems else 0
