"""Run every (region, notebook) job with papermill and export HTML, in parallel.

Each job executes a notebook with papermill's Python API and exports it to HTML in a
worker: a local *process* pool by default (papermill changes global state such as the
working directory, so never threads), or a task on a Dask ``distributed`` cluster. Workers
return the executed notebook and HTML as text; only the client writes files, atomically,
and rewrites the manifest after each job. A failing job never stops the others.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from analysis import __version__
from analysis.batch import export, index, manifest
from analysis.briefing import HEADLINE_MIMETYPE
from analysis.periods import ytd_label

NOTEBOOK_TITLES = {
    "01_indicators": "主要指标走势",
    "02_gap_analysis": "差距分析",
    "03_q1_projection": "一季度推算全年",
    "04_key_projects": "重点项目推进",
    "05_briefing": "开门红简报",
}


@dataclass(frozen=True)
class Job:
    """One notebook for one region."""

    region_code: str
    region_name: str
    notebook: str  # file stem, e.g. "05_briefing"

    @property
    def key(self) -> str:
        return f"{self.region_code}/{self.notebook}"


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs; picklable, no open files, paths only to read data."""

    job: Job
    notebook_json: str
    parameters: dict[str, Any]
    title: str
    subtitle: str
    cell_timeout: float | None = None
    local_paths: tuple[str, ...] = ()


@dataclass
class JobResult:
    """What a worker sends back: the executed notebook, its HTML, or the error."""

    key: str
    status: str  # "ok" | "failed"
    duration_s: float
    notebook_json: str | None = None
    html: str | None = None
    error: dict[str, Any] | None = None
    headline: dict[str, Any] | None = None


@dataclass
class RunConfig:
    as_of: str
    region_codes: list[str] | None = None  # None: every county in regions.parquet
    notebooks: list[str] | None = None  # None: every notebook in notebook_dir
    notebook_dir: Path = Path("notebooks")
    data_dir: Path = Path("data/processed")
    out: Path = Path("reports")
    jobs: int | None = None
    scheduler: str | None = None
    resume: bool = False
    cell_timeout: float | None = None
    share_assumption: float = 0.30
    lang: str = "zh"
    quiet: bool = False


@dataclass
class RunSummary:
    index_path: Path
    manifest_path: Path
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- worker side


# papermill changes process-wide state (working directory, I/O handlers): one job at a time
# per process, even on a Dask worker started with several threads.
_PAPERMILL_LOCK = threading.Lock()


def execute_job(spec: JobSpec) -> JobResult:
    """Execute one notebook with papermill and export it; never raises.

    Runs in a worker process (local pool or Dask worker). The executed notebook goes to a
    private temp file so a failing run still returns the partial notebook for inspection.
    """
    with _PAPERMILL_LOCK:
        return _execute(spec)


def _execute(spec: JobSpec) -> JobResult:
    import papermill

    start = time.perf_counter()
    key = spec.job.key
    with tempfile.TemporaryDirectory(prefix="q1brief-job-") as tmp:
        out_path = Path(tmp) / "out.ipynb"
        try:
            nb = papermill.execute_notebook(
                nbformat.reads(spec.notebook_json, as_version=4),
                str(out_path),
                parameters=spec.parameters,
                progress_bar=False,
                log_output=False,
                execution_timeout=spec.cell_timeout,
                start_timeout=120,
            )
            html = export.export_html(nb, spec.title, spec.subtitle, spec.local_paths)
            return JobResult(key, "ok", time.perf_counter() - start,
                             nbformat.writes(nb), html, None, _headline(nb))
        except Exception as exc:  # one bad job must not stop the batch
            partial = out_path.read_text(encoding="utf-8") if out_path.is_file() else None
            return JobResult(key, "failed", time.perf_counter() - start, partial, None,
                             error_summary(exc))


def error_summary(exc: BaseException) -> dict[str, Any]:
    """Type, message and (for a notebook error) the failing cell's index and first lines."""
    summary: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc).strip()[-800:]}
    if hasattr(exc, "cell_index"):  # papermill.PapermillExecutionError
        source = str(getattr(exc, "source", ""))
        summary.update(
            type=str(exc.ename),  # type: ignore[attr-defined]
            message=str(exc.evalue)[:800],  # type: ignore[attr-defined]
            cell_index=int(exc.cell_index),
            execution_count=exc.exec_count,  # type: ignore[attr-defined]
            cell_source="\n".join(source.splitlines()[:6])[:400],
            failing_line=_failing_line(getattr(exc, "traceback", [])),
        )
    return summary


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_line(traceback: list[str]) -> str:
    """The cell's own line that raised: IPython marks it ``----> N code`` in the first frame."""
    for line in _ANSI.sub("", "\n".join(traceback)).splitlines():
        if line.lstrip().startswith("---->"):
            return line.strip().removeprefix("---->").strip()[:300]
    return ""


def _headline(nb: nbformat.NotebookNode) -> dict[str, Any] | None:
    found = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if HEADLINE_MIMETYPE in data:
                found = data[HEADLINE_MIMETYPE]
    return dict(found) if found is not None else None


# ---------------------------------------------------------------- client side


def read_regions(data_dir: Path) -> pd.DataFrame:
    """``regions.parquet`` from the processed data (code, name, level, parent as str)."""
    path = Path(data_dir) / "regions.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `q1brief ingest` first")
    return pd.read_parquet(path).astype({"code": str, "name": str, "level": str})


def select_regions(regions: pd.DataFrame, codes: list[str] | None) -> list[tuple[str, str]]:
    """(code, name) of the requested regions, or of every county when ``codes`` is None."""
    names = dict(zip(regions["code"], regions["name"], strict=True))
    if codes is None:
        counties = regions[regions["level"] == "county"]
        return sorted(zip(counties["code"], counties["name"], strict=True))
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise ValueError(f"unknown region code(s) {', '.join(unknown)}; not in regions.parquet")
    return [(c, names[c]) for c in codes]


def select_notebooks(notebook_dir: Path, names: list[str] | None) -> list[Path]:
    """Notebook files in reading order; ``names`` may be stems, file names or number prefixes."""
    available = sorted(Path(notebook_dir).glob("[0-9]*.ipynb"))
    if not available:
        raise FileNotFoundError(f"no notebooks found in {notebook_dir}")
    if names is None:
        return available
    chosen = []
    for name in names:
        stem = name.removesuffix(".ipynb")
        hits = [p for p in available if p.stem == stem or p.stem.split("_")[0] == stem]
        if len(hits) != 1:
            known = ", ".join(p.stem for p in available)
            raise ValueError(f"notebook {name!r} not found (or ambiguous); known: {known}")
        chosen.append(hits[0])
    return chosen


def plan_jobs(regions: list[tuple[str, str]], notebooks: list[Path]) -> list[Job]:
    return [Job(code, name, nb.stem) for code, name in regions for nb in notebooks]


def title_for(job: Job, as_of: str) -> tuple[str, str]:
    """Page title and subtitle, e.g. ("东城县开门红简报（2026年1-3月）", "数据截至2026年3月")."""
    period = pd.Period(as_of, freq="M")
    what = NOTEBOOK_TITLES.get(job.notebook, job.notebook)
    return (f"{job.region_name}{what}（{period.year}年{ytd_label(period)}）",
            f"数据截至{period.year}年{period.month}月")


def run_batch(
    config: RunConfig,
    progress: Callable[[int], Any] | None = None,
    on_plan: Callable[[int], Any] | None = None,
) -> RunSummary:
    """Plan, execute and record a batch; returns which jobs ran, were skipped or failed.

    ``on_plan(n)`` is called once with the number of jobs to run, ``progress(1)`` after each.
    """
    data_dir = Path(config.data_dir).resolve()
    out_dir = Path(config.out) / config.as_of
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest.remove_stale_temp_files(out_dir)
    manifest_path = out_dir / manifest.MANIFEST_NAME
    state = manifest.load_manifest(manifest_path)

    regions = select_regions(read_regions(data_dir), config.region_codes)
    notebooks = {p.stem: p for p in select_notebooks(config.notebook_dir, config.notebooks)}
    jobs = plan_jobs(regions, list(notebooks.values()))
    summary = RunSummary(out_dir / "index.html", manifest_path)
    todo = []
    for job in jobs:
        if config.resume and manifest.is_done(state["jobs"].get(job.key), out_dir):
            summary.skipped.append(job.key)
        else:
            todo.append(job)

    fingerprint = manifest.data_fingerprint(data_dir)
    state.update(as_of=config.as_of, package_version=__version__, data_fingerprint=fingerprint)
    local_paths = tuple(str(p) for p in {data_dir, Path.cwd().resolve(), Path(sys.prefix),
                                         Path.home(), Path(config.notebook_dir).resolve()})
    texts = {stem: path.read_text(encoding="utf-8") for stem, path in notebooks.items()}
    params = {"as_of": config.as_of, "data_dir": str(data_dir),
              "share_assumption": config.share_assumption, "lang": config.lang}
    specs = [JobSpec(job, texts[job.notebook], {"region_code": job.region_code, **params},
                     *title_for(job, config.as_of), config.cell_timeout, local_paths)
             for job in todo]
    jobs_by_key = {job.key: job for job in todo}
    if on_plan is not None:
        on_plan(len(todo))

    results = (_run_dask(specs, config.scheduler) if config.scheduler
               else _run_local(specs, config.jobs))
    for result in results:
        job = jobs_by_key[result.key]
        state["jobs"][job.key] = _record(result, job, out_dir, fingerprint["sha256"])
        manifest.save_manifest(manifest_path, state)
        summary.ran.append(job.key)
        if result.status != "ok":
            summary.failed[job.key] = _why(result.error)
        if progress is not None:
            progress(1)

    manifest.atomic_write_text(summary.index_path, index.render_index(state, out_dir))
    return summary


def _record(result: JobResult, job: Job, out_dir: Path, fingerprint: str) -> dict[str, Any]:
    """Write the job's files atomically and return its manifest entry."""
    nb_rel = f"{job.region_code}/{job.notebook}.ipynb"
    html_rel = f"{job.region_code}/{job.notebook}.html"
    outputs = {}
    if result.notebook_json is not None:
        manifest.atomic_write_text(out_dir / nb_rel, result.notebook_json)
        outputs["ipynb"] = nb_rel
    if result.html is not None:
        manifest.atomic_write_text(out_dir / html_rel, result.html)
        outputs["html"] = html_rel
    else:
        (out_dir / html_rel).unlink(missing_ok=True)  # no stale page from an earlier run
    return {
        "region_code": job.region_code,
        "region_name": job.region_name,
        "notebook": job.notebook,
        "label": NOTEBOOK_TITLES.get(job.notebook, job.notebook),
        "status": result.status,
        "duration_s": round(result.duration_s, 3),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "error": result.error,
        "data_fingerprint": fingerprint,
        "package_version": __version__,
        "outputs": outputs,
        "headline": result.headline,
    }


def _why(error: dict[str, Any] | None) -> str:
    if not error:
        return "unknown error"
    where = f" in cell {error['cell_index']}" if "cell_index" in error else ""
    lines = str(error.get("message", "")).strip().splitlines()
    return f"{error.get('type')}{where}: {lines[-1] if lines else ''}"


def _failed(spec: JobSpec, exc: BaseException, start: float) -> JobResult:
    return JobResult(spec.job.key, "failed", time.perf_counter() - start,
                     error=error_summary(exc))


def _silence_worker() -> None:
    """Send a pool worker's stdout/stderr (and so its kernels') to /dev/null: kernels log
    start-up warnings there, which would garble the progress bar and cron mail. Errors
    still reach the client through the job result."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _run_local(specs: list[JobSpec], jobs: int | None) -> Iterator[JobResult]:
    """A process pool (spawned, so no state is inherited from the client)."""
    if not specs:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(specs)))
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_silence_worker) as pool:
        futures = {pool.submit(execute_job, spec): spec for spec in specs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker process died
                yield _failed(futures[future], exc, start)


def _run_dask(specs: list[JobSpec], address: str) -> Iterator[JobResult]:
    """Each job a Dask task; results (text) come back to this client, which writes them."""
    if not specs:
        return
    from distributed import Client
    from distributed import as_completed as dask_completed

    start = time.perf_counter()
    with Client(address, set_as_default=False) as client:
        futures = {client.submit(execute_job, spec, pure=False,
                                 key=f"q1brief-{spec.job.key}-{time.time_ns()}"): spec
                   for spec in specs}
        for future in dask_completed(list(futures), loop=client.loop):
            try:
                yield future.result()
            except Exception as exc:  # worker lost, or the task could not run
                yield _failed(futures[future], exc, start)
            finally:
                future.release()


def summary_json(summary: RunSummary) -> str:
    """The run summary as JSON text (for logs)."""
    data = asdict(summary)
    data["index_path"], data["manifest_path"] = str(summary.index_path), str(summary.manifest_path)
    return json.dumps(data, ensure_ascii=False)
