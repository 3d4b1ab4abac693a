"""Fault suite, batch: runs are safe to repeat, to overlap and to kill (issue 12).

The jobs run the tiny notebook of tests/_batch_data.py on synthetic processed data (each
test builds its own workspace). docs/reliability.md lists the cases with these names.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from _batch_data import COUNTIES, write_processed, write_tiny_notebook

from analysis.batch import index
from analysis.batch.runner import RunConfig, RunLockedError, run_batch, run_lock
from analysis.cli import main

CODES = [code for code, _, _ in COUNTIES]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch) -> Path:
    """A project folder with processed data and the tiny notebook; the tests run inside it."""
    write_processed(tmp_path / "data" / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _config(**kwargs) -> RunConfig:
    return RunConfig(as_of="2026-03", notebook_dir=Path("notebooks"), data_dir=Path("data/processed"),
                     out=Path("reports"), quiet=True, **kwargs)


def _manifest(ws: Path) -> dict:
    return json.loads((ws / "reports" / "2026-03" / "manifest.json").read_text(encoding="utf-8"))


def _cli(*extra: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "run", "--as-of", "2026-03", "--notebook-dir", "notebooks",
            "--data-dir", "data/processed", "--out", "reports", "--quiet", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}


def _add_sleep(ws: Path, seconds: int, name: str = "05_briefing.ipynb") -> None:
    path = ws / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    nbformat.write(nb, path)


def _change_data(ws: Path, shift: float) -> None:
    """A new delivery: every figure of 东城县 moves by ``shift``."""
    path = ws / "data" / "processed" / "observations.parquet"
    obs = pd.read_parquet(path)
    obs.loc[obs["region_code"] == "990101", "value"] += shift
    obs.to_parquet(path, index=False)


# ------------------------------------------------------------- arguments, before any write


@pytest.mark.parametrize("as_of", ["/tmp/q1brief-as-of-dir", "2026-13", "2026-3", "../2026-03"])
def test_as_of_is_checked_before_anything_touches_the_disk(workspace, capsys, as_of):
    target = Path("/tmp/q1brief-as-of-dir")
    target.mkdir(exist_ok=True)
    junk = target / ".keep.abc.tmp"
    junk.write_text("someone else's file", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["run", "--as-of", as_of, "--all", "--out", "reports"])
    assert stop.value.code == 2
    assert "is not a month written YYYY-MM" in capsys.readouterr().err
    assert junk.read_text(encoding="utf-8") == "someone else's file"  # not swept as a stale temp file
    assert not (workspace / "reports").exists()
    junk.unlink()


@pytest.mark.parametrize(("option", "value"), [("--cell-timeout", "0"), ("--cell-timeout", "-1"),
                                               ("--cell-timeout", "nan"), ("--jobs", "0")])
def test_bad_numbers_are_refused_by_the_parser(workspace, capsys, option, value):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--as-of", "2026-03", "--all", option, value])
    assert stop.value.code == 2 and not (workspace / "reports").exists()
    assert "is not a positive" in capsys.readouterr().err


def test_library_callers_get_the_same_checks(workspace):
    with pytest.raises(ValueError, match="not a month written YYYY-MM"):
        run_batch(RunConfig(as_of="/etc", out=Path("reports")))
    with pytest.raises(ValueError, match="cell timeout 0 is not a positive number"):
        run_batch(_config(cell_timeout=0))
    assert not (workspace / "reports").exists()


# ------------------------------------------------------------- errors: one or two lines, exit 1


def test_ingest_on_a_full_disk_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    from tests.conftest import write_city

    raw = write_city(tmp_path / "raw")
    out = tmp_path / "processed"
    assert main(["ingest", "--data-dir", str(raw), "--out-dir", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    capsys.readouterr()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    (raw / "targets.csv").write_text((raw / "targets.csv").read_text(encoding="utf-8") + "990102,fai,2026,q1,"
                                     "ytd_growth,6\n", encoding="utf-8")
    assert main(["ingest", "--data-dir", str(raw), "--out-dir", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "Traceback" not in "".join(err)
    assert err[0].startswith(f"q1brief ingest: cannot use {out}/") and err[0].endswith(
        ".parquet: disk full (No space left on device)")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before  # the last good state survives


def test_ingest_into_a_read_only_folder_says_so(tmp_path, capsys, monkeypatch):
    from analysis.core import atomic
    from tests.conftest import write_city

    raw = write_city(tmp_path / "raw")

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", f"{dir}/.validation.md.x1y2.tmp")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only)
    assert main(["ingest", "--data-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"q1brief ingest: cannot use {tmp_path / 'out'}/validation.md: Read-only file system",
                   "  (run again with --debug for the full traceback)"]
    with pytest.raises(OSError):
        main(["--debug", "ingest", "--data-dir", str(raw), "--out-dir", str(tmp_path / "out")])


def test_run_into_an_unusable_reports_folder_says_so(workspace, capsys):
    Path("reports").write_text("a file where the reports folder should be", encoding="utf-8")
    assert main(["run", "--as-of", "2026-03", "--all", "--out", "reports", "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("q1brief run: cannot use reports") and "Traceback" not in "".join(err)
    assert len(err) == 2


def test_run_without_ingested_data_says_so(workspace, capsys):
    assert main(["run", "--as-of", "2026-03", "--all", "--data-dir", "nowhere", "--quiet"]) == 1
    assert capsys.readouterr().err.strip() == (
        "q1brief run: nowhere: regions.parquet not found; run `q1brief ingest` first")


# ------------------------------------------------------------- one run per reports folder


def test_a_second_run_on_a_locked_folder_stops_with_a_message(workspace, capsys):
    out_dir = workspace / "reports" / "2026-03"
    out_dir.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from analysis.batch.runner import run_lock\n"
        f"with run_lock(Path({str(out_dir)!r}), wait=False):\n"
        "    print('locked', flush=True); time.sleep(60)")], env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLockedError, match="another q1brief run is writing"):
            run_batch(_config())
        assert main(["run", "--as-of", "2026-03", "--all", "--quiet"]) == 1
        assert "pass --wait to start when it has" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    with run_lock(out_dir, wait=False):  # the system released the killed holder's lock
        pass


@pytest.mark.slow
def test_two_overlapping_runs_leave_one_consistent_manifest(workspace):
    _add_sleep(workspace, 8)
    first = subprocess.Popen(_cli("--regions", "990101", "990102", "--jobs", "1"), env=_env())
    deadline = time.monotonic() + 60
    while not (workspace / "reports" / "2026-03" / ".q1brief-run.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    second = subprocess.run(_cli("--regions", "990103", "--wait"), env=_env(), timeout=600)
    assert first.wait(timeout=600) == 0 and second.returncode == 0
    state = _manifest(workspace)
    assert sorted(state["jobs"]) == [f"{c}/05_briefing" for c in CODES]  # nobody's jobs lost
    assert all(e["status"] == "ok" for e in state["jobs"].values())
    first_done = max(state["jobs"][f"{c}/05_briefing"]["finished_at"] for c in CODES[:2])
    assert state["jobs"]["990103/05_briefing"]["finished_at"] >= first_done  # the second waited
    html = (workspace / "reports" / "2026-03" / "index.html").read_text(encoding="utf-8")
    assert all(f"{c}/05_briefing.html" in html for c in CODES)


# ------------------------------------------------------------- resume knows the data


@pytest.mark.slow
def test_resume_reruns_exactly_the_jobs_whose_inputs_changed(workspace):
    write_tiny_notebook(workspace / "notebooks", "01_indicators.ipynb")
    assert run_batch(_config(jobs=2)).failed == {}
    assert run_batch(_config(jobs=2, resume=True)).ran == []  # same data: nothing to do

    nb = nbformat.read(workspace / "notebooks" / "01_indicators.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("说明"))
    nbformat.write(nb, workspace / "notebooks" / "01_indicators.ipynb")
    summary = run_batch(_config(jobs=2, resume=True))
    assert sorted(summary.ran) == [f"{c}/01_indicators" for c in CODES]
    assert set(map(tuple, summary.stale.values())) == {("notebook changed",)}

    _change_data(workspace, 1.0)  # 东城县's 2026-03 growth 7.8 -> 8.8
    summary = run_batch(_config(jobs=2, resume=True, share_assumption=0.25))
    # the three counties' two notes and the city's briefing (--all runs the city too)
    assert len(summary.ran) == 7 and summary.stale["990102/05_briefing"] == ["data changed", "parameters changed"]
    assert summary.stale["990100/05_briefing"] == ["data changed", "parameters changed"]
    state = _manifest(workspace)
    assert state["jobs"]["990101/05_briefing"]["headline"]["items"][0]["value"] == "8.8%"
    assert state["jobs"]["990101/05_briefing"]["parameters"]["share_assumption"] == 0.25
    assert not index.stale_jobs(state)


@pytest.mark.slow
def test_a_partial_rerun_marks_the_other_notes_stale_in_the_index(workspace):
    assert run_batch(_config(jobs=2)).failed == {}
    _change_data(workspace, 1.0)
    assert run_batch(_config(region_codes=["990101"], jobs=1)).failed == {}
    state = _manifest(workspace)
    # the city's note (run by --all) and the two other counties' are from the old data
    assert index.stale_jobs(state) == ["990100/05_briefing", "990102/05_briefing", "990103/05_briefing"]
    html = (workspace / "reports" / "2026-03" / "index.html").read_text(encoding="utf-8")
    assert "3份简报基于旧数据" in html
    assert '<a class="stale" href="990102/05_briefing.html">开门红简报（旧数据）</a>' in html
    assert '<a href="990101/05_briefing.html">开门红简报</a>' in html


# ------------------------------------------------------------- paths, timeouts


@pytest.mark.slow
def test_notebooks_and_manifest_hold_no_absolute_path(workspace):
    summary = run_batch(_config(region_codes=["990101"], jobs=1, cell_timeout=0.5 + 59))
    assert summary.failed == {}
    out_dir = workspace / "reports" / "2026-03"
    ipynb = (out_dir / "990101" / "05_briefing.ipynb").read_text(encoding="utf-8")
    manifest_text = (out_dir / "manifest.json").read_text(encoding="utf-8")
    for text in (ipynb, manifest_text):
        assert str(workspace) not in text and "/tmp/" not in text
    meta = json.loads(ipynb)["metadata"]["papermill"]
    assert (meta["input_path"], meta["output_path"]) == ("notebooks/05_briefing.ipynb", "990101/05_briefing.ipynb")
    assert meta["parameters"]["data_dir"] == "data/processed"
    assert "路径 data/processed" in ipynb  # the notebook's own print of its data folder
    assert _manifest(workspace)["data_dir"] == "data/processed"


@pytest.mark.slow
def test_a_fractional_cell_timeout_works_and_names_the_cell(workspace):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('region_code = "990101"'), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("import time\ntime.sleep(30)")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, workspace / "notebooks" / "02_quick.ipynb")
    summary = run_batch(_config(region_codes=["990101"], notebooks=["02_quick"], jobs=1, cell_timeout=0.5))
    # 0.5 s counts as 1 s (nbclient takes whole seconds): "x = 1" runs, the sleeping cell times out
    assert summary.failed == {"990101/02_quick": "CellTimeoutError: cell 3 ran longer than the cell timeout of 1 s "
                                                 "(--cell-timeout); it starts: import time"}
    ipynb = json.loads((workspace / "reports" / "2026-03" / "990101" / "02_quick.ipynb").read_text(encoding="utf-8"))
    assert ipynb["cells"][2]["metadata"]["papermill"]["exception"] is False  # x = 1 ran


# ------------------------------------------------------------- no orphans


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (from /proc), with its command line."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_text().replace("\0", " ")
            except OSError:
                continue
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_runner_leaves_no_worker_or_kernel(workspace):
    _add_sleep(workspace, 300)
    runner = subprocess.Popen(_cli("--all", "--jobs", "2"), env=_env(), start_new_session=True)
    tree: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        kernels: dict[int, str] = {}
        while time.monotonic() < deadline:
            tree = _descendants(runner.pid)
            kernels = {p: c for p, c in tree.items() if "ipykernel" in c}
            if len(kernels) >= 2:
                break
            time.sleep(0.5)
        assert len(kernels) >= 2, f"kernels did not start: {tree}"
        time.sleep(2)  # the kernels are busy in the sleeping cell
        tree = _descendants(runner.pid)
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for p, c in tree.items() if _alive(p)], "processes outlived the runner"
    finally:  # clean up after a failure: only the processes this test started
        runner.kill()
        for pid in [p for p in tree if _alive(p)]:
            os.kill(pid, signal.SIGKILL)
