"""The worker side of a batch: execute one notebook with papermill and export it (HTML, Word).

Runs in a local pool process or on a Dask worker; everything it returns is text (and the
Word note's bytes), so only the client writes files. A job never raises: errors come back in the result.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import nbformat

from analysis.batch import engine, kernels
from analysis.report import export, word
from analysis.report.headline import HEADLINE_MIMETYPE
from analysis.report.note_items import note_items


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
    reuse_kernel: bool = True  # run in this process's warm kernel (see batch.kernels)
    formats: tuple[str, ...] = ("html",)  # the notes to export: "html", "docx"
    issued: str | None = None  # the Word note's date of issue (ISO); None: today


@dataclass
class JobResult:
    """What a worker sends back: the executed notebook, its HTML and Word notes, or the error."""

    key: str
    status: str  # "ok" | "failed"
    duration_s: float
    notebook_json: str | None = None
    html: str | None = None
    error: dict[str, Any] | None = None
    headline: dict[str, Any] | None = None
    docx: bytes | None = None

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
    kernel_idle = False  # whether the kernel may serve the next job
    kernel_name = "python3"
    pool = kernels.process_pool() if spec.reuse_kernel else None
    with tempfile.TemporaryDirectory(prefix="q1brief-job-") as tmp:
        out_path = Path(tmp) / "out.ipynb"
        try:
            source = nbformat.reads(spec.notebook_json, as_version=4)
            kernel_name = source.metadata.get("kernelspec", {}).get("name") or kernel_name
            warm = {"km": pool.acquire(kernel_name)} if pool is not None else {}
            nb = papermill.execute_notebook(
                source,
                str(out_path),
                parameters=spec.parameters,
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                execution_timeout=spec.cell_timeout,
                start_timeout=120,
                shutdown_kernel="immediate",  # a fresh kernel's outputs are all in by then
                engine_name=engine.ENGINE_NAME,  # writes the output file once, not after every cell
                **warm,
            )
            kernel_idle = True
            html = (export.export_html(nb, spec.title, spec.subtitle, spec.local_paths)
                    if "html" in spec.formats else None)
            docx = _docx(nb, spec) if "docx" in spec.formats else None
            return JobResult(key, "ok", time.perf_counter() - start,
                             nbformat.writes(nb), html, None, _headline(nb), docx)
        except Exception as exc:  # one bad job must not stop the batch
            # a cell that raised has replied: its kernel is idle and can be reset and reused
            kernel_idle = kernel_idle or isinstance(exc, papermill.PapermillExecutionError)
            partial = out_path.read_text(encoding="utf-8") if out_path.is_file() else None
            return JobResult(key, "failed", time.perf_counter() - start, partial, None,
                             error_summary(exc, spec.notebook_json))
        finally:
            if pool is not None:
                pool.release(kernel_name, kernel_idle)


def _docx(nb: nbformat.NotebookNode, spec: JobSpec) -> bytes:
    """The Word note of the executed notebook (the same outputs the HTML note shows)."""
    issued = date.fromisoformat(spec.issued) if spec.issued else None
    return word.note_docx(note_items(nb, spec.local_paths), spec.title, spec.subtitle, issued)


def error_summary(exc: BaseException, source_notebook: str | None = None) -> dict[str, Any]:
    """Type, message and (for a notebook error) the failing cell's index and first lines.

    ``cell_index`` counts cells of the executed notebook, where papermill inserted the
    ``injected-parameters`` cell; ``source_cell_index`` is the same cell in the notebook
    as the analyst edits it (both 0-based).
    """
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
            source_cell_index=int(exc.cell_index) - _injected_before(source_notebook, int(exc.cell_index)),
        )
    return summary


def _injected_before(source_notebook: str | None, cell_index: int) -> int:
    """1 when papermill inserted its injected-parameters cell before ``cell_index``, else 0.

    papermill puts that cell right after the ``parameters`` cell (first when there is none),
    unless the source already has one, which it replaces.
    """
    if not source_notebook:
        return 0
    try:
        cells = nbformat.reads(source_notebook, as_version=4).cells
    except Exception:  # an unreadable source: no correction rather than no report
        return 0
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    if any("injected-parameters" in t for t in tags):
        return 0
    parameters = next((i for i, t in enumerate(tags) if "parameters" in t), -1)
    return int(cell_index >= parameters + 2)  # the injected cell itself sits at parameters + 1


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


def _failed(spec: JobSpec, exc: BaseException, start: float) -> JobResult:
    return JobResult(spec.job.key, "failed", time.perf_counter() - start,
                     error=error_summary(exc))


def _init_worker() -> None:
    """Prepare a pool worker process (its kernels inherit the environment):

    - one BLAS/OpenMP thread per process: several kernels run at once and the model fits
      are small, so more threads only contend for the cores;
    - stdout/stderr to /dev/null: kernels log start-up warnings there, which would garble
      the progress bar and cron mail. Errors still reach the client in the job result.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def run_local(specs: list[JobSpec], jobs: int | None) -> Iterator[JobResult]:
    """A process pool (spawned, so no state is inherited from the client)."""
    if not specs:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(specs)))
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_init_worker) as pool:
        futures = {pool.submit(execute_job, spec): spec for spec in specs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker process died
                yield _failed(futures[future], exc, start)


def run_dask(specs: list[JobSpec], address: str) -> Iterator[JobResult]:
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
