"""``q1brief ingest``: raw inputs -> validated tidy Parquet and a validation report.

Besides the tables, ingest carries what the city added into the processed folder, because
``q1brief run`` and the notebooks read only that folder: ``catalogue.parquet`` (the packaged
indicator catalogue extended by the data folder's ``indicators.csv``), ``settings.json``
(``q1brief.toml``, or the defaults) and ``sources.parquet`` (one row per bureau file: its
layout, database line, notes and source line).

Every output is written through :mod:`analysis.core.atomic` (a temporary file in the target
folder, then a rename), so a failure never leaves a half-written Parquet. When validation
finds an error nothing of the last good delivery is touched (its Parquet, settings, report
and ``delivery.json`` stay byte-identical) and the failed attempt's report goes beside it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from analysis import __version__
from analysis.core.atomic import write_all_atomic
from analysis.core.catalog import catalogue_text, indicators
from analysis.core.errors import DataError
from analysis.core.settings import Settings
from analysis.data.city import CATALOGUE_FILE, SETTINGS_FILE, load_catalogue, load_settings
from analysis.data.delivery import (
    DELIVERY_NAME,
    delivery_record,
    describe_delivery,
    read_delivery,
    sha256_bytes,
    short_fingerprint,
)
from analysis.data.loaders import read_projects, read_regions, read_targets, read_township_weekly
from analysis.data.observations import (
    bureau_inputs,
    is_inside,
    outside_link_finding,
    prefer_monthly,
    read_bureau_files,
    to_catalogue_units,
)
from analysis.data.processed import FINDINGS_NAME, SETTINGS_NAME, TABLES
from analysis.data.schemas import processed_findings
from analysis.data.validation import Limits, check_magnitude, finding_from_error, findings_frame, validate_observations
from analysis.data.validation_report import md_cell, render_report, summary_counts, write_findings_csv

REPORT_NAME = "validation.md"
FAILED_REPORT_NAME = "validation-failed.md"
FAILED_FINDINGS_NAME = "validation-failed_findings.csv"
INPUT_CSVS = ("regions", "targets", "projects", "township_weekly")
LOCK_NAME = ".q1brief-ingest.lock"
ROW_GROUP = 500_000  # rows of a Parquet row group turned into text at once


@dataclass
class IngestResult:
    """What ingest read, found and wrote."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # observations' text columns categorical
    findings: pd.DataFrame = field(default_factory=findings_frame)
    files_read: int = 0
    inputs: list[Path] = field(default_factory=list)  # every raw file read
    written: list[Path] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    delivery: dict[str, Any] | None = None  # recorded by this run (success only)
    previous: dict[str, Any] | None = None  # the delivery the processed folder held before

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not (self.findings["severity"] == "error").any()


def collect(data_dir: str | Path, today: pd.Timestamp | None = None, limits: Limits | None = None,
            follow_links: bool = False) -> IngestResult:
    """Read and validate everything in ``data_dir`` without writing anything.

    ``regions.csv`` comes first: when it is missing or not a tree nothing else is read (no
    table can be placed without it) and its errors are the whole report. ``today`` (default
    now) bounds every date: no figure, report or week may come from the future. A file that
    is a link leading outside ``data_dir`` is refused (an error) unless ``follow_links``.
    """
    data_dir = Path(data_dir)
    today = pd.Timestamp(today) if today is not None else pd.Timestamp.now()
    result = IngestResult()
    csvs = {name: data_dir / f"{name}.csv" for name in INPUT_CSVS}
    outside = {name: p for name, p in csvs.items()
               if not follow_links and p.is_symlink() and not is_inside(p, data_dir)}
    if "regions" in outside:
        result.findings = findings_frame([{**outside_link_finding(outside["regions"], data_dir), "check": "regions"}])
        return result
    regions, found = read_regions(data_dir)
    result.inputs = [p for name, p in csvs.items() if p.is_file() and name not in outside]
    if regions is None:
        result.findings = found
        return result
    result.tables["regions"] = regions
    found = [found, findings_frame([outside_link_finding(p, data_dir) for p in outside.values()])]
    catalogue = _city(data_dir, result, found)
    files, refused = bureau_inputs(data_dir, follow_links)
    result.files_read = len(files)
    result.inputs += files
    found.append(refused)
    if not files:
        found.append(_error("no_tables", data_dir / "bureau", "no bureau tables (.csv, .xls, .xlsx) found"))
    raw, unreadable, sources = read_bureau_files(files, regions, catalogue)
    found += [unreadable, validate_observations(raw, limits, catalogue, today)]
    obs, unit_problems = to_catalogue_units(raw, catalogue, text=False)  # text only when written
    del raw  # the reader's frame: only the observations are kept
    obs, frequency_problems = prefer_monthly(obs)
    found += [unit_problems, frequency_problems,
              check_magnitude(obs, regions.set_index("code")["level"], limits, catalogue)]
    if files and not obs["indicator"].isin(catalogue.index).any():
        found.append(_error("no_observations", data_dir / "bureau", "no bureau table holds a row of a catalogue "
                            "indicator for a region of regions.csv; expected names listed in the indicator "
                            "catalogue (or the data folder's indicators.csv)"))
    result.tables["observations"] = obs
    _small_inputs(data_dir, regions, catalogue, today, limits, {n: p for n, p in csvs.items() if n not in outside},
                  result, found)
    result.tables["catalogue"] = catalogue_text(catalogue)
    result.tables["sources"] = sources
    found.append(processed_findings(result.tables, catalogue))
    result.findings = pd.concat(found, ignore_index=True)
    return result


def _error(check: str, path: Path, message: str) -> pd.DataFrame:
    return findings_frame([{"severity": "error", "check": check, "file": str(path), "location": "",
                            "message": message}])


def _city(data_dir: Path, result: IngestResult, found: list[pd.DataFrame]) -> pd.DataFrame:
    """The city's catalogue and settings (``indicators.csv``, ``q1brief.toml``: optional,
    the packaged catalogue and the defaults without them); a bad one is an error finding."""
    catalogue = indicators()
    for check, name in (("catalogue", CATALOGUE_FILE), ("settings", SETTINGS_FILE)):
        if not (data_dir / name).is_file():
            continue
        try:
            if check == "catalogue":
                catalogue = load_catalogue(data_dir)
            else:
                result.settings = load_settings(data_dir, catalogue)
        except DataError as error:
            found.append(findings_frame([finding_from_error(error, check)]))
    return catalogue


def _small_inputs(data_dir: Path, regions: pd.DataFrame, catalogue: pd.DataFrame, today: pd.Timestamp,
                  limits: Limits | None, csvs: dict[str, Path], result: IngestResult,
                  found: list[pd.DataFrame]) -> None:
    """Targets, the project ledger and the weekly reports (optional: an info line when absent)."""
    readers = {"targets": lambda: read_targets(data_dir, regions, catalogue),
               "projects": lambda: read_projects(data_dir, regions, today, limits),
               "township_weekly": lambda: read_township_weekly(data_dir, regions, today)}
    for name, read in readers.items():
        if name not in csvs:
            continue  # a link leading outside the data folder, already reported
        if not csvs[name].is_file():
            found.append(findings_frame([{"severity": "info", "check": "missing_file", "file": str(csvs[name]),
                                          "location": "", "message": f"{name}.csv not present (optional)"}]))
            continue
        table, problems = read()
        found.append(problems)
        if table is not None:
            result.tables[name] = table


def ingest(data_dir: str | Path, out_dir: str | Path, *, now: datetime | None = None,
           follow_links: bool = False) -> IngestResult:
    """Validate ``data_dir`` and, only when there is no error, replace ``out_dir``'s tables.

    Success writes every Parquet, ``settings.json``, ``validation.md``, the findings CSV and
    ``delivery.json`` together (atomically, see :mod:`analysis.core.atomic`), removes tables
    whose raw file is gone and the report of an earlier failed attempt. A failure changes
    none of those: the previous delivery stays byte-identical and usable, and the attempt's
    report is written beside it as ``validation-failed.md`` (with its findings CSV), saying
    which delivery the processed data still is.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    now = now or datetime.now().astimezone()
    result = collect(data_dir, pd.Timestamp(now.replace(tzinfo=None)), follow_links=follow_links)
    out_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(out_dir / LOCK_NAME):  # two ingests into one folder take turns: no mixed set of files
        return _write(result, data_dir, out_dir, now)


def _write(result: IngestResult, data_dir: Path, out_dir: Path, now: datetime) -> IngestResult:
    result.previous = read_delivery(out_dir)
    if not result.ok:
        facts = [*_facts(result, data_dir), "result: **ERRORS: nothing in this folder was changed**",
                 _still_previous(result.previous)]
        report = render_report(result.findings, "Validation report: failed attempt", facts,
                               findings_file=FAILED_FINDINGS_NAME)
        writers = _report_writers(out_dir / FAILED_REPORT_NAME, report, out_dir / FAILED_FINDINGS_NAME,
                                  result.findings)
        write_all_atomic(writers)
        result.written = list(writers)
        return result
    blobs = {f"{name}.parquet": _parquet_bytes(table) for name, table in result.tables.items()}
    blobs[SETTINGS_NAME] = (json.dumps(result.settings.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()
    obs = result.tables["observations"]
    latest = str(obs["period"].max()) if len(obs) else None
    result.delivery = delivery_record({name: sha256_bytes(blob) for name, blob in blobs.items()}, data_dir,
                                      result.inputs, ingested_at=now, latest_period=latest,
                                      package_version=__version__)
    facts = [*_facts(result, data_dir), "result: OK, Parquet written", describe_delivery(result.delivery)]
    report = render_report(result.findings, "Validation report", facts)
    writers = _report_writers(out_dir / REPORT_NAME, report, out_dir / FINDINGS_NAME, result.findings)
    writers |= {out_dir / name: (lambda p, blob=blob: p.write_bytes(blob)) for name, blob in blobs.items()}
    text = json.dumps(result.delivery, ensure_ascii=False, indent=2) + "\n"
    writers[out_dir / DELIVERY_NAME] = lambda p: p.write_text(text, encoding="utf-8")
    write_all_atomic(writers)
    for name in TABLES:
        if name not in result.tables:
            (out_dir / f"{name}.parquet").unlink(missing_ok=True)
    for name in (FAILED_REPORT_NAME, FAILED_FINDINGS_NAME):
        (out_dir / name).unlink(missing_ok=True)
    result.written = list(writers)
    return result


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as Parquet whose columns read back as text. A categorical column (the reader's
    repeated text, each distinct text stored once) becomes text one row group at a time, so a
    2,000,000-row table is never held as one string per cell for all its rows at once."""
    buffer = io.BytesIO()
    categorical = [c for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)]
    if not categorical:
        table.to_parquet(buffer, index=False)
        return buffer.getvalue()
    schema = pa.Schema.from_pandas(table.head(0).astype({c: "str" for c in categorical}), preserve_index=False)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    with pq.ParquetWriter(buffer, schema) as writer:
        for start in range(0, len(arrow), ROW_GROUP):
            part = arrow.slice(start, ROW_GROUP)
            writer.write_table(pa.table([part[c].cast(schema.field(c).type) for c in schema.names], schema=schema))
    return buffer.getvalue()


def _report_writers(report_path: Path, report: str, csv_path: Path,
                    findings: pd.DataFrame) -> dict[Path, Callable[[Path], None]]:
    return {report_path: lambda p: p.write_text(report, encoding="utf-8"),
            csv_path: lambda p: write_findings_csv(findings, p)}


def _facts(result: IngestResult, data_dir: Path) -> list[str]:
    obs = result.tables.get("observations", pd.DataFrame())
    with_value = int(obs["value"].notna().sum()) if len(obs) else 0
    city = "packaged + " + CATALOGUE_FILE if (data_dir / CATALOGUE_FILE).is_file() else "packaged"
    settings = SETTINGS_FILE if (data_dir / SETTINGS_FILE).is_file() else "defaults"
    facts = [f"data folder: `{md_cell(data_dir.name)}` (q1brief {__version__})",
             f"bureau tables read: {result.files_read}",
             f"indicator catalogue: {len(result.tables.get('catalogue', []))} indicators ({city})",
             f"settings: {settings} (headline {', '.join(result.settings.headline_indicators)})",
             f"observations: {len(obs)} ({with_value} with a value)"]
    sources = result.tables.get("sources", pd.DataFrame())
    for r in sources.itertuples(index=False):  # what each file said about itself: metadata, never data
        said = "; ".join(f"{k} {md_cell(v, 120)}" for k, v in (("database", r.database), ("notes", r.notes),
                                                             ("source", r.source)) if v)
        facts.append(f"file `{md_cell(Path(r.file).name)}`: layout {r.layout}" + (f"; {said}" if said else ""))
    return facts


def _still_previous(previous: dict | None) -> str:
    if previous is None:
        return "the processed folder holds no earlier delivery: there is no usable data until these errors are fixed"
    return (f"the processed data is still the previous delivery: ingested {previous.get('ingested_at')}, "
            f"fingerprint {short_fingerprint(previous)} (its report is validation.md)")


def ingest_command(data_dir: str | Path, out_dir: str | Path, follow_links: bool = False) -> int:
    """CLI wrapper: ingest, print a short summary, exit 1 when there is an error."""
    result = ingest(data_dir, out_dir, follow_links=follow_links)
    obs = result.tables.get("observations", pd.DataFrame())
    print(f"q1brief ingest: {result.files_read} bureau tables, {len(obs)} observations, "
          f"{len(result.tables.get('regions', []))} regions")
    counts = summary_counts(result.findings)
    for r in counts.itertuples(index=False):
        print(f"  {r.severity:7s} {r.check:20s} {r.count}")
    errors = result.findings[result.findings["severity"] == "error"]
    for r in errors.head(20).itertuples(index=False):
        where = f"{r.file} [{r.location}]: " if r.file and r.location else (f"{r.file}: " if r.file else "")
        print(f"  ERROR {md_cell(where + r.message, 500)}")
    if len(errors) > 20:
        print(f"  ... and {len(errors) - 20} more errors (see the report)")
    if not result.ok:
        print(f"report: {Path(out_dir) / FAILED_REPORT_NAME}")
        print("ingest failed: nothing in the processed folder was changed; " + _still_previous(result.previous))
        return 1
    print(f"report: {Path(out_dir) / REPORT_NAME}")
    print(f"wrote {sum(1 for p in result.written if p.suffix == '.parquet')} Parquet files to {out_dir} "
          f"({describe_delivery(result.delivery)})")
    return 0
