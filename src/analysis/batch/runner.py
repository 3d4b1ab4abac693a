"""Run every (region, notebook) job with papermill and export HTML (and Word), in parallel.

Each job executes a notebook with papermill's Python API and exports it to HTML in a
worker: a local *process* pool by default (papermill changes global state such as the
working directory, so never threads), or a task on a Dask ``distributed`` cluster. Workers
return the executed notebook and HTML as text; only the client writes files, atomically,
and merges each finished job into the manifest. A failing job never stops the others.

Safe to repeat and to overlap: the configuration is checked before anything touches the
disk; one run at a time holds ``reports/<as-of>/`` (an advisory lock, released by the
system even when the run is killed); ``--resume`` skips a job only when it is done and was
made from the same data, parameters, notebook and package version (:mod:`.manifest`);
paths in notebooks and the manifest are relative to the project folder.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from filelock import FileLock, Timeout

from analysis import __version__
from analysis.batch import index, manifest, notebooks, tables
from analysis.batch.worker import Job, JobResult, JobSpec, run_dask, run_local
from analysis.core.atomic import remove_stale_temp_files, write_bytes, write_text
from analysis.core.errors import DataError
from analysis.core.periods import as_of_month, as_period
from analysis.data import processed
from analysis.data.delivery import read_delivery, sha256_bytes
from analysis.data.processed import ProcessedTables
from analysis.report.city import city_tables, save_city_tables
from analysis.report.methods import note_title
from analysis.report.workbook import workbook_cities

LOCK_NAME = ".q1brief-run.lock"

CONTEXT_DIR = "context"  # reports/<as-of>/context/: the city's tables, computed once per batch
NOTEBOOK_TITLES = {
    "01_indicators": "主要指标走势",
    "02_gap_analysis": "差距分析",
    "03_q1_projection": "一季度推算全年",
    "04_key_projects": "重点项目推进",
    "05_briefing": "开门红简报",
}
FORMATS = {"html": ".html", "docx": ".docx"}  # the notes a job can export, and their suffixes
# The notes a city runs (its own briefing); the analyst notes 01-04 are per county.
CITY_NOTEBOOKS = ("05_briefing",)


@dataclass
class RunConfig:
    as_of: str
    region_codes: list[str] | None = None  # None: every county in regions.parquet, and their cities
    notebooks: list[str] | None = None  # None: every notebook in notebook_dir
    notebook_dir: Path = Path("notebooks")
    data_dir: Path = Path("data/processed")
    out: Path = Path("reports")
    jobs: int | None = None
    scheduler: str | None = None
    resume: bool = False
    cell_timeout: float | None = None
    share_assumption: float | None = None  # None: stated_q1_share of the city's settings (default 0.30)
    lang: str = "zh"
    quiet: bool = False
    fresh_kernels: bool = False  # True: a new kernel per job instead of a warm one per worker
    wait: bool = False  # another run holds the reports folder: wait for it (True) or stop (False)
    project_root: Path | None = None  # paths in notebooks and manifest are relative to it (default: cwd)
    formats: tuple[str, ...] | None = None  # None: HTML and Word for briefings, HTML for analyst notes


@dataclass
class RunSummary:
    index_path: Path
    manifest_path: Path
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    stale: dict[str, list[str]] = field(default_factory=dict)  # done jobs rerun, and why
    workbooks: list[Path] = field(default_factory=list)  # the city workbooks written


class RunLockedError(RuntimeError):
    """Another run holds the reports folder."""


def check_config(config: RunConfig) -> None:
    """``ValueError`` for a setting no run can use; called before anything touches the disk."""
    as_of_month(config.as_of)
    if config.formats is not None:
        formats_for("", config.formats)  # an unknown format
    if config.cell_timeout is not None and not (math.isfinite(config.cell_timeout) and config.cell_timeout > 0):
        raise ValueError(f"cell timeout {config.cell_timeout!r} is not a positive number of seconds")
    if config.jobs is not None and config.jobs < 1:
        raise ValueError(f"--jobs {config.jobs} is not a positive number of worker processes")
    share = config.share_assumption
    if share is not None and not (math.isfinite(share) and 0 < share <= 1):
        raise ValueError(f"share assumption {config.share_assumption!r} is not a share between 0 and 1")


@contextlib.contextmanager
def run_lock(out_dir: Path, wait: bool) -> Iterator[None]:
    """Hold ``out_dir``'s advisory lock for a run; ``RunLockedError`` when another run has it
    (unless ``wait``). The system releases it when the holder dies, so a killed run never
    leaves the folder locked."""
    lock = FileLock(out_dir / LOCK_NAME, timeout=-1 if wait else 0)
    try:
        lock.acquire()
    except Timeout:
        raise RunLockedError(f"another q1brief run is writing {out_dir} (lock {out_dir / LOCK_NAME}); wait for it "
                             "to finish, or pass --wait to start when it has") from None
    try:
        yield
    finally:
        lock.release()


def relative_to(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX form), with ``..`` when it lies outside."""
    return Path(os.path.relpath(Path(path).resolve(), root)).as_posix()


# ---------------------------------------------------------------- client side


def select_regions(regions: pd.DataFrame, codes: list[str] | None) -> list[tuple[str, str]]:
    """(code, name) of the requested regions, or, when ``codes`` is None, of every city with
    counties (its own note, first) and every county."""
    names = dict(zip(regions["code"], regions["name"], strict=True))
    if codes is None:
        counties = regions[regions["level"] == "county"]
        return workbook_cities(regions) + sorted(zip(counties["code"], counties["name"], strict=True))
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise ValueError(f"unknown region code(s) {', '.join(unknown)}; not in regions.parquet")
    return [(c, names[c]) for c in codes]


def select_notebooks(notebook_dir: Path, names: list[str] | None) -> list[Path]:
    """Notebook files in reading order (see :func:`analysis.batch.notebooks.notebook_paths`);
    ``names`` may be stems, file names or number prefixes."""
    available = notebooks.notebook_paths(notebook_dir)
    if not available:
        raise FileNotFoundError(f"no notebooks found in {notebook_dir}")
    if names is None:
        return available
    chosen = []
    for name in names:
        stem = name.removesuffix(".ipynb").removesuffix(".py")
        hits = [p for p in available if p.stem == stem or p.stem.split("_")[0] == stem]
        if len(hits) != 1:
            known = ", ".join(p.stem for p in available)
            raise ValueError(f"notebook {name!r} not found (or ambiguous); known: {known}")
        chosen.append(hits[0])
    return chosen


def city_name(regions: pd.DataFrame) -> str:
    """The name of the city in ``regions`` (the first row of level ``city``), or ''."""
    cities = regions.loc[regions["level"] == "city", "name"]
    return str(cities.iloc[0]) if len(cities) else ""


def formats_for(notebook: str, formats: Sequence[str] | None = None) -> tuple[str, ...]:
    """The notes a job exports: ``formats`` when given (checked against :data:`FORMATS`);
    by default HTML and Word for a briefing (a notebook named ``*_briefing``, what leaders
    forward) and HTML only for the analyst notes."""
    if formats is None:
        return ("html", "docx") if notebook.endswith("briefing") else ("html",)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ValueError(f"unknown note format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in formats)


def plan_jobs(regions: list[tuple[str, str]], notebooks: list[Path], cities: set[str] | frozenset[str] = frozenset(),
              ) -> list[Job]:
    """Every notebook for every region; a city (``cities``) runs only :data:`CITY_NOTEBOOKS`.
    ValueError when a requested city is left with nothing to run."""
    jobs = [Job(code, name, nb.stem) for code, name in regions for nb in notebooks
            if code not in cities or nb.stem in CITY_NOTEBOOKS]
    idle = [code for code, _ in regions if code in cities and not any(j.region_code == code for j in jobs)]
    if idle:
        raise ValueError(f"the city {', '.join(idle)} has only its own note ({', '.join(CITY_NOTEBOOKS)}); "
                         "the other notebooks are per county")
    return jobs


def title_for(job: Job, as_of: str) -> tuple[str, str]:
    """Page title and subtitle, e.g. ("东城县开门红简报（2026年1-3月）", "数据截至2026年3月")."""
    period = as_period(as_of)
    what = NOTEBOOK_TITLES.get(job.notebook, job.notebook)
    return note_title(job.region_name, what, period), f"数据截至{period.year}年{period.month}月"


def write_city_context(config: RunConfig, data_dir: Path, out_dir: Path, fingerprint: str) -> Path | None:
    """Compute the city's tables once for the batch and write them to ``out_dir/context``;
    None when they cannot be computed (each notebook then meets the problem, and reports it,
    itself)."""
    data = ProcessedTables(data_dir)
    try:
        tables = city_tables(data, config.as_of)  # with the notebooks' note_options(data)
    except (DataError, KeyError, ValueError):
        return None
    return save_city_tables(tables, (out_dir / CONTEXT_DIR).resolve(), fingerprint, data.settings)


def job_specs(config: RunConfig, todo: list[Job], *, chosen: dict[str, Path],
              sources: dict[str, nbformat.NotebookNode], made_from: dict[str, dict[str, Any]], fingerprint: str,
              data_dir: Path, out_dir: Path, root: Path) -> list[JobSpec]:
    """What each worker needs for the jobs ``todo``: the notebook (``sources``: checked pairs,
    see :mod:`analysis.batch.notebooks`), the parameters ``made_from`` records and the note's
    titles. Notebooks that take ``context_dir`` get the city's tables, written once here for
    the whole batch (a cache of the data of ``fingerprint``, checked against it by the
    notebook, so not part of what a job is made from). Paths are relative to ``root``, where
    the notebooks run."""
    takes_context = {stem for stem, nb in sources.items() if notebooks.declares_parameter(nb, "context_dir")}
    context_dir = (write_city_context(config, data_dir, out_dir, fingerprint)
                   if takes_context & {job.notebook for job in todo} else None)
    local_paths = tuple(str(p) for p in {data_dir, root, Path(sys.prefix), Path.home(),
                                         Path(config.notebook_dir).resolve()})
    issued = date.today().isoformat()  # one date of issue for the whole batch
    specs = []
    for job in todo:
        extra = ({"context_dir": relative_to(context_dir, root)}
                 if context_dir and job.notebook in takes_context else {})
        specs.append(JobSpec(job, nbformat.writes(sources[job.notebook]),
                             {**made_from[job.key]["parameters"], **extra}, *title_for(job, config.as_of),
                             config.cell_timeout, local_paths, reuse_kernel=not config.fresh_kernels, cwd=str(root),
                             input_path=relative_to(chosen[job.notebook], root),
                             output_path=f"{job.region_code}/{job.notebook}.ipynb",
                             formats=formats_for(job.notebook, config.formats), issued=issued))
    return specs


def run_batch(
    config: RunConfig,
    progress: Callable[[int], Any] | None = None,
    on_plan: Callable[[int], Any] | None = None,
) -> RunSummary:
    """Plan, execute and record a batch; returns which jobs ran, were skipped or failed.

    ``on_plan(n)`` is called once with the number of jobs to run, ``progress(1)`` after each.
    Bad settings, unknown regions or notebooks and missing data raise before any file is
    written; ``RunLockedError`` when another run holds the reports folder.
    """
    check_config(config)
    root = Path(config.project_root or Path.cwd()).resolve()
    region_table = processed.read_processed(config.data_dir, ("regions",))["regions"]  # errors name the folder
    regions = select_regions(region_table, config.region_codes)  # as the user wrote it
    data_dir = Path(config.data_dir).resolve()
    settings = processed.read_settings(data_dir)
    share = settings.stated_q1_share if config.share_assumption is None else config.share_assumption
    config = replace(config, share_assumption=share)  # the notebooks and the workbook state the same share
    chosen = {p.stem: p for p in select_notebooks(config.notebook_dir, config.notebooks)}
    sources = {stem: notebooks.read_notebook(path) for stem, path in chosen.items()}  # a pair out of step stops here
    levels = dict(zip(region_table["code"].astype(str), region_table["level"].astype(str), strict=True))
    plan_jobs(regions, list(chosen.values()), _cities(levels))  # a city with nothing to run stops here
    out_dir = Path(config.out) / config.as_of
    out_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(out_dir, config.wait):
        return _run_locked(config, root, data_dir, region_table, regions, chosen, sources, out_dir, progress,
                           on_plan, settings.city_name or city_name(region_table), levels)


def _cities(levels: dict[str, str]) -> set[str]:
    """The codes of the city level (they run only :data:`CITY_NOTEBOOKS`)."""
    return {code for code, level in levels.items() if level == "city"}


def _run_locked(config: RunConfig, root: Path, data_dir: Path, region_table: pd.DataFrame,
                regions: list[tuple[str, str]], chosen: dict[str, Path], sources: dict[str, nbformat.NotebookNode],
                out_dir: Path, progress: Callable[[int], Any] | None, on_plan: Callable[[int], Any] | None,
                city: str, levels: dict[str, str]) -> RunSummary:
    remove_stale_temp_files(out_dir)
    manifest_path = out_dir / manifest.MANIFEST_NAME
    state = manifest.load_manifest(manifest_path)
    summary = RunSummary(out_dir / "index.html", manifest_path)
    fingerprint = manifest.data_fingerprint(data_dir)
    planned = plan_jobs(regions, list(chosen.values()), _cities(levels))
    params = {"as_of": config.as_of, "data_dir": relative_to(data_dir, root),
              "share_assumption": config.share_assumption, "lang": config.lang}
    notebook_sha = {stem: sha256_bytes(nbformat.writes(nb).encode("utf-8")) for stem, nb in sources.items()}
    made_from = {job.key: {"data_fingerprint": fingerprint["sha256"], "package_version": __version__,
                           "notebook_sha256": notebook_sha[job.notebook],
                           "parameters": {"region_code": job.region_code, **params}}
                 for job in planned}
    todo = []
    for job in planned:
        entry = state["jobs"].get(job.key)
        missing = [f for f in formats_for(job.notebook, config.formats) if f not in (entry or {}).get("outputs", {})]
        if config.resume and not missing and manifest.is_done(entry, out_dir, made_from[job.key]):
            summary.skipped.append(job.key)
            continue
        if config.resume and manifest.is_done(entry, out_dir):  # done, but out of date or without a format
            summary.stale[job.key] = (manifest.stale_reasons(entry, made_from[job.key])  # type: ignore[arg-type]
                                      + [f"no {f} note yet" for f in missing])
        todo.append(job)
    delivery = read_delivery(data_dir) or {}
    run = {"as_of": config.as_of, "package_version": __version__, "data_fingerprint": fingerprint,
           "data_dir": params["data_dir"], "city_name": city,
           "delivery": {k: delivery.get(k) for k in ("fingerprint", "ingested_at", "latest_period")}}
    specs = job_specs(config, todo, chosen=chosen, sources=sources, made_from=made_from,
                      fingerprint=fingerprint["sha256"], data_dir=data_dir, out_dir=out_dir, root=root)
    jobs_by_key = {job.key: job for job in todo}
    if on_plan is not None:
        on_plan(len(todo))

    results = (run_dask(specs, config.scheduler) if config.scheduler
               else run_local(specs, config.jobs))
    for result in results:
        job = jobs_by_key[result.key]
        entry = {**_record(result, job, out_dir, levels.get(job.region_code)), **made_from[job.key]}
        state = manifest.merge_job(manifest_path, job.key, entry, run)
        summary.ran.append(job.key)
        if result.status != "ok":
            summary.failed[job.key] = _why(result.error)
        if progress is not None:
            progress(1)
    state = manifest.load_manifest(manifest_path)
    state.update(run)
    _write_workbooks(config, region_table, state, summary, out_dir, data_dir, fingerprint["sha256"])
    manifest.save_manifest(manifest_path, state)
    write_text(summary.index_path, index.render_index(state))
    return summary


def _write_workbooks(config: RunConfig, regions: pd.DataFrame, state: dict[str, Any], summary: RunSummary,
                     out_dir: Path, data_dir: Path, fingerprint: str) -> None:
    """The city workbooks of the run (:mod:`analysis.batch.tables`), recorded in ``state``."""
    books = state.setdefault("workbooks", {})
    for city in tables.cities_to_write(regions, config.region_codes):
        key = f"{city[0]}/tables"
        if config.resume and tables.is_current(books.get(city[0]), out_dir, fingerprint):
            summary.skipped.append(key)
            continue
        books[city[0]] = tables.write_workbook(city, config.as_of, data_dir, out_dir, fingerprint,
                                               config.share_assumption)
        if books[city[0]]["status"] == "ok":
            summary.workbooks.append(out_dir / books[city[0]]["path"])
        else:
            summary.failed[key] = _why(books[city[0]]["error"])


def _record(result: JobResult, job: Job, out_dir: Path, level: str | None = None) -> dict[str, Any]:
    """Write the job's files atomically and return its manifest entry."""
    nb_rel = f"{job.region_code}/{job.notebook}.ipynb"
    outputs = {}
    if result.notebook_json is not None:
        write_text(out_dir / nb_rel, result.notebook_json)
        outputs["ipynb"] = nb_rel
    for fmt, content in (("html", result.html), ("docx", result.docx)):
        rel = f"{job.region_code}/{job.notebook}{FORMATS[fmt]}"
        if content is None:
            (out_dir / rel).unlink(missing_ok=True)  # no stale note from an earlier run
            continue
        (write_text if isinstance(content, str) else write_bytes)(out_dir / rel, content)
        outputs[fmt] = rel
    return {
        "region_code": job.region_code,
        "region_name": job.region_name,
        "level": level or "county",  # the index page puts the city first
        "notebook": job.notebook,
        "label": NOTEBOOK_TITLES.get(job.notebook, job.notebook),
        "status": result.status,
        "duration_s": round(result.duration_s, 3),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "error": result.error,
        "outputs": outputs,
        "headline": result.headline,
    }


def _why(error: dict[str, Any] | None) -> str:
    if not error:
        return "unknown error"
    if error.get("type") == "CellTimeoutError":
        return f"CellTimeoutError: {error.get('message', '')}"
    where = f" in cell {error['source_cell_index'] + 1} of the notebook" if "source_cell_index" in error else ""
    lines = [line for line in str(error.get("message", "")).strip().splitlines() if line.strip("-= ")]
    return f"{error.get('type')}{where}: {lines[-1] if lines else ''}"
