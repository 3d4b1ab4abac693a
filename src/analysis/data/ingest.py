"""``q1brief ingest``: raw inputs -> validated tidy Parquet and a validation report.

Besides the tables, ingest carries what the city added into the processed folder, because
``q1brief run`` and the notebooks read only that folder: ``catalogue.parquet`` (the packaged
indicator catalogue extended by the data folder's ``indicators.csv``), ``settings.json``
(``q1brief.toml``, or the defaults) and ``sources.parquet`` (one row per bureau file: its
layout, database line, notes and source line).

Every output is written through :mod:`analysis.core.atomic` (a temporary file in the target
folder, then a rename), so a failure never leaves a half-written Parquet; when validation
finds an error no Parquet is written at all and the report says why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import __version__
from analysis.core.atomic import write_all_atomic
from analysis.core.catalog import catalogue_text, indicators
from analysis.core.errors import DataError
from analysis.core.settings import Settings
from analysis.data.city import CATALOGUE_FILE, SETTINGS_FILE, load_catalogue, load_settings
from analysis.data.loaders import load_projects, load_regions, load_targets, load_township_weekly
from analysis.data.observations import bureau_files, prefer_monthly, read_bureau_files, to_catalogue_units
from analysis.data.processed import FINDINGS_NAME, SETTINGS_NAME, TABLES
from analysis.data.validation import finding_from_error, findings_frame, validate_observations

REPORT_NAME = "validation.md"


@dataclass
class IngestResult:
    """What ingest read, found and wrote."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=findings_frame)
    files_read: int = 0
    written: list[Path] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not (self.findings["severity"] == "error").any()


def collect(data_dir: str | Path) -> IngestResult:
    """Read and validate everything in ``data_dir`` without writing anything."""
    data_dir = Path(data_dir)
    result = IngestResult()
    found: list[pd.DataFrame] = []
    # indicators.csv and q1brief.toml are optional: without them the loaders give the defaults.
    catalogue = _try(lambda: load_catalogue(data_dir), "catalogue", found, data_dir)
    catalogue = indicators() if catalogue is None else catalogue
    settings = _try(lambda: load_settings(data_dir, catalogue), "settings", found, data_dir)
    result.settings = settings if isinstance(settings, Settings) else Settings()
    regions = _try(lambda: load_regions(data_dir), "regions", found, data_dir / "regions.csv")
    files = bureau_files(data_dir)
    result.files_read = len(files)
    if not files:
        found.append(findings_frame([{"severity": "error", "check": "no_tables",
                                      "file": str(data_dir / "bureau"), "location": "",
                                      "message": "no bureau tables (.csv, .xls, .xlsx) found"}]))
    raw, unreadable, sources = read_bureau_files(files, regions, catalogue)
    found += [unreadable, validate_observations(raw, catalogue=catalogue)]
    obs, unit_problems = to_catalogue_units(raw, catalogue)
    obs, frequency_problems = prefer_monthly(obs)
    found += [unit_problems, frequency_problems]
    result.tables["observations"] = obs
    if regions is not None:
        result.tables["regions"] = regions
    for name, loader in (("targets", load_targets), ("projects", load_projects),
                         ("township_weekly", load_township_weekly)):
        table = _try(lambda loader=loader: _load(loader, data_dir, regions, catalogue), name, found,
                     data_dir / f"{name}.csv")
        if table is not None:
            result.tables[name] = table
    result.tables["catalogue"] = catalogue_text(catalogue)
    result.tables["sources"] = sources
    result.findings = pd.concat(found, ignore_index=True)
    return result


def _load(loader: Callable, data_dir: Path, regions: pd.DataFrame | None, catalogue: pd.DataFrame) -> pd.DataFrame:
    return loader(data_dir, regions, catalogue) if loader is load_targets else loader(data_dir, regions)


def _try(load: Callable[[], object], check: str, found: list[pd.DataFrame], path: Path) -> Any:
    """Run one loader; a missing optional file is an ``info`` finding, a bad one an error."""
    if not path.exists():
        found.append(findings_frame([{"severity": "info", "check": "missing_file", "file": str(path),
                                      "location": "", "message": f"{path.name} not present (optional)"}]))
        return None
    try:
        return load()
    except DataError as error:
        found.append(findings_frame([finding_from_error(error, check)]))
        return None


def ingest(data_dir: str | Path, out_dir: str | Path) -> IngestResult:
    """Validate ``data_dir``, write ``out_dir/*.parquet`` (only when there is no error) and
    the validation report (always).

    Parquet files that this run did not write are removed, so nothing downstream reads
    stale tables: after a failed run there is no Parquet at all, and a table whose raw
    file was removed disappears too.
    """
    out_dir = Path(out_dir)
    result = collect(data_dir)
    tables = result.tables if result.ok else {}
    writers: dict[Path, Callable[[Path], None]] = {
        out_dir / f"{name}.parquet": (lambda p, table=table: table.to_parquet(p, index=False))
        for name, table in tables.items()
    }
    if result.ok:
        text = json.dumps(result.settings.to_dict(), ensure_ascii=False, indent=2)
        writers[out_dir / SETTINGS_NAME] = lambda p: p.write_text(text + "\n", encoding="utf-8")
    report, findings = out_dir / REPORT_NAME, out_dir / FINDINGS_NAME
    writers[report] = lambda p: p.write_text(render_report(result, data_dir), encoding="utf-8")
    writers[findings] = lambda p: result.findings.to_csv(p, index=False, encoding="utf-8")
    write_all_atomic(writers)
    for name in TABLES:
        if name not in tables:
            (out_dir / f"{name}.parquet").unlink(missing_ok=True)
    if not result.ok:
        (out_dir / SETTINGS_NAME).unlink(missing_ok=True)
    result.written = list(writers)
    return result


def summary_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Number of findings per severity and check."""
    if findings.empty:
        return pd.DataFrame(columns=["severity", "check", "count"])
    return findings.groupby(["severity", "check"]).size().rename("count").reset_index()


def render_report(result: IngestResult, data_dir: str | Path) -> str:
    """The Markdown validation report: summary, then every finding."""
    obs = result.tables.get("observations", pd.DataFrame())
    lines = [
        "# Validation report", "",
        f"- data folder: `{Path(data_dir).name}` (q1brief {__version__})",
        f"- bureau tables read: {result.files_read}",
        f"- indicator catalogue: {len(result.tables.get('catalogue', []))} indicators "
        f"({'packaged + ' + CATALOGUE_FILE if (Path(data_dir) / CATALOGUE_FILE).is_file() else 'packaged'})",
        f"- settings: {SETTINGS_FILE if (Path(data_dir) / SETTINGS_FILE).is_file() else 'defaults'} "
        f"(headline {', '.join(result.settings.headline_indicators)})",
        f"- observations: {len(obs)} ({int(obs['value'].notna().sum()) if len(obs) else 0} with a value)",
        f"- result: {'OK, Parquet written' if result.ok else 'ERRORS, no Parquet written'}",
        "", "## Summary", "",
    ]
    counts = summary_counts(result.findings)
    lines += ["| severity | check | count |", "|---|---|---|"]
    lines += [f"| {r.severity} | {r.check} | {r.count} |" for r in counts.itertuples(index=False)]
    if counts.empty:
        lines.append("| - | no findings | 0 |")
    sources = result.tables.get("sources", pd.DataFrame())
    if len(sources):
        lines += ["", "## Files", "", "| file | layout | database | notes | source |", "|---|---|---|---|---|"]
        for r in sources.itertuples(index=False):
            cells = [Path(r.file).name, r.layout, r.database, r.notes, r.source]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " / ") for c in cells) + " |")
    lines += ["", "## Findings", "", "| severity | check | file | location | message |", "|---|---|---|---|---|"]
    for r in result.findings.itertuples(index=False):
        message = str(r.message).replace("|", "\\|")
        lines.append(f"| {r.severity} | {r.check} | {Path(r.file).name if r.file else ''} | {r.location} | {message} |")
    return "\n".join(lines) + "\n"


def ingest_command(data_dir: str | Path, out_dir: str | Path) -> int:
    """CLI wrapper: ingest, print a short summary, exit 1 when there is an error."""
    result = ingest(data_dir, out_dir)
    obs = result.tables.get("observations", pd.DataFrame())
    print(f"q1brief ingest: {result.files_read} bureau tables, {len(obs)} observations, "
          f"{len(result.tables.get('regions', []))} regions")
    counts = summary_counts(result.findings)
    for r in counts.itertuples(index=False):
        print(f"  {r.severity:7s} {r.check:20s} {r.count}")
    errors = result.findings[result.findings["severity"] == "error"]
    for r in errors.head(20).itertuples(index=False):
        print(f"  ERROR {r.message}")
    print(f"report: {Path(out_dir) / REPORT_NAME}")
    if not result.ok:
        print("ingest failed: no Parquet written and old ones removed (fix the errors above)")
        return 1
    print(f"wrote {sum(1 for p in result.written if p.suffix == '.parquet')} Parquet files to {out_dir}")
    return 0
