"""q1brief run: local process pool, failures and --resume, and a real Dask cluster.

The jobs run a tiny notebook (tests/_batch_data.py) on synthetic processed data, so these
tests check the batch machinery, not the analysis notebooks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _batch_data import COUNTIES, drop_region, write_processed, write_tiny_notebook

from analysis import __version__
from analysis.batch import manifest as mf
from analysis.batch.runner import RunConfig, run_batch
from analysis.cli import main
from analysis.core import atomic

CODES = [code for code, _, _ in COUNTIES]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_processed(tmp_path / "data" / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    return tmp_path


def _config(ws: Path, **kwargs) -> RunConfig:
    return RunConfig(as_of="2026-03", notebook_dir=ws / "notebooks",
                     data_dir=ws / "data" / "processed", out=ws / "reports", quiet=True,
                     **kwargs)


def _manifest(ws: Path) -> dict:
    return json.loads((ws / "reports" / "2026-03" / "manifest.json").read_text(encoding="utf-8"))


def _cli(ws: Path, *extra: str) -> list[str]:
    return ["run", "--as-of", "2026-03", "--notebook-dir", str(ws / "notebooks"),
            "--data-dir", str(ws / "data" / "processed"), "--out", str(ws / "reports"), *extra]


@pytest.mark.slow
def test_three_counties_locally(workspace: Path, capsys):
    code = main(_cli(workspace, "--all", "--jobs", "2"))
    assert code == 0
    out_dir = workspace / "reports" / "2026-03"
    assert capsys.readouterr().out.strip().endswith(str((out_dir / "index.html").resolve()))
    state = _manifest(workspace)
    # --all: every county and the city's own briefing (the tiny notebook is a 05_briefing).
    assert set(state["jobs"]) == {f"{c}/05_briefing" for c in ["990100", *CODES]}
    assert state["jobs"]["990100/05_briefing"]["level"] == "city"
    fingerprint = mf.data_fingerprint(workspace / "data" / "processed")["sha256"]
    for key, entry in state["jobs"].items():
        assert entry["status"] == "ok", key
        assert entry["error"] is None
        assert entry["package_version"] == __version__
        assert entry["data_fingerprint"] == fingerprint
        assert entry["duration_s"] > 0
        for rel in entry["outputs"].values():
            assert (out_dir / rel).is_file()
    # Headline values: the tiny notebook reports the 2026-03 growth (base + 0.1 * 13).
    values = {k.split("/")[0]: e["headline"]["items"][0]["value"] for k, e in state["jobs"].items()}
    assert values == {"990100": "5.3%", "990101": "7.8%", "990102": "4.4%", "990103": "0.1%"}
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    # The city first, then by rank: 东城县 (rank 1) before 西山县 and 南河区 (rank 2, then by code).
    body = index[index.index("<tbody>"):]
    assert body.index("示例市") < body.index("东城县") < body.index("西山县") < body.index("南河区")
    assert '<a href="990102/05_briefing.html">开门红简报</a>' in index
    assert "&lt;b&gt;未转义&lt;/b&gt;" in index and "<b>未转义</b>" not in index
    assert not list(out_dir.rglob(atomic.TMP_PATTERN))


@pytest.mark.slow
def test_broken_county_fails_alone_and_resume_reruns_only_it(workspace: Path, capsys):
    processed = workspace / "data" / "processed"
    drop_region(processed, "990103")
    assert main(_cli(workspace, "--regions", *CODES, "--jobs", "2", "--quiet")) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # quiet: nothing on stdout
    assert "990103/05_briefing" in captured.err and "no observations for region 990103" in captured.err
    state = _manifest(workspace)
    assert [k for k, e in state["jobs"].items() if e["status"] != "ok"] == ["990103/05_briefing"]
    error = state["jobs"]["990103/05_briefing"]["error"]
    assert error["type"] == "DataError"
    assert error["cell_index"] == 2  # in the executed notebook: after the injected parameters
    assert error["source_cell_index"] == 1  # the same cell in notebooks/05_briefing.ipynb
    assert "in cell 2 of the notebook" in captured.err
    assert error["cell_source"].startswith("%matplotlib inline")
    assert error["failing_line"] == (
        "9 region = processed.require_region(obs, data['regions'], region_code)")
    assert "no observations for region 990103 (南河区)" in error["message"]
    out_dir = workspace / "reports" / "2026-03"
    assert not (out_dir / "990103" / "05_briefing.html").exists()
    assert (out_dir / "990103" / "05_briefing.ipynb").is_file()  # partial notebook kept
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert "开门红简报（失败）" in index and "no observations for region 990103" in index

    finished = {k: e["finished_at"] for k, e in state["jobs"].items()}
    write_processed(processed)  # fix the data: a new delivery, so every note is made again
    time.sleep(1.1)  # finished_at has one-second resolution
    summary = run_batch(_config(workspace, region_codes=CODES, resume=True, jobs=2))
    assert sorted(summary.ran) == [f"{c}/05_briefing" for c in CODES]
    assert summary.stale == {"990101/05_briefing": ["data changed"], "990102/05_briefing": ["data changed"]}
    assert summary.failed == {}
    state = _manifest(workspace)
    assert all(e["status"] == "ok" for e in state["jobs"].values())
    assert all(state["jobs"][k]["finished_at"] > finished[k] for k in state["jobs"])
    assert (out_dir / "990103" / "05_briefing.html").is_file()
    summary = run_batch(_config(workspace, region_codes=CODES, resume=True, jobs=2))  # same data: nothing to do
    assert summary.ran == [] and len(summary.skipped) == 3


def test_resume_does_not_trust_a_killed_run(tmp_path: Path):
    """A run killed mid-write leaves a temp file and no manifest entry: not done."""
    out_dir = tmp_path / "2026-03"
    (out_dir / "990101").mkdir(parents=True)
    stale = out_dir / "990101" / ".05_briefing.html.abc.tmp"  # as core.atomic names its temp files
    stale.write_text("<html>trunc", encoding="utf-8")
    assert atomic.remove_stale_temp_files(out_dir) == [stale]
    assert not stale.exists()
    entry = {"status": "ok", "outputs": {"ipynb": "990101/05_briefing.ipynb",
                                         "html": "990101/05_briefing.html"}}
    (out_dir / "990101" / "05_briefing.ipynb").write_text("{}", encoding="utf-8")
    assert not mf.is_done(entry, out_dir)  # html missing
    (out_dir / "990101" / "05_briefing.html").write_text("<html></html>", encoding="utf-8")
    assert mf.is_done(entry, out_dir)
    assert not mf.is_done({**entry, "status": "failed"}, out_dir)
    assert not mf.is_done(None, out_dir)


def test_atomic_write_replaces_whole_file(tmp_path: Path):
    path = tmp_path / "a" / "m.json"
    atomic.write_text(path, "one")
    atomic.write_text(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]


def test_fingerprint_changes_with_any_file(tmp_path: Path):
    write_processed(tmp_path)
    before = mf.data_fingerprint(tmp_path)
    assert sorted(before["files"]) == ["observations.parquet", "regions.parquet"]
    drop_region(tmp_path, "990103")
    after = mf.data_fingerprint(tmp_path)
    assert after["files"]["regions.parquet"] == before["files"]["regions.parquet"]
    assert after["sha256"] != before["sha256"]


def test_bad_arguments_exit_2(workspace: Path, capsys):
    assert main(_cli(workspace, "--regions", "123456", "--quiet")) == 2
    assert "unknown region code(s) 123456" in capsys.readouterr().err
    assert main(_cli(workspace, "--all", "--notebooks", "09_nothing", "--quiet")) == 2
    assert not (workspace / "reports").exists()  # nothing written for a run that cannot start


# ---------------------------------------------------------------- Dask


def _dask() -> str:
    return str(Path(sys.executable).with_name("dask"))


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """A scheduler and two single-threaded workers on loopback, as separate processes."""
    if not Path(_dask()).is_file():
        pytest.skip("the dask command is not installed next to this Python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    sched_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen(
        [_dask(), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(sched_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen(
                [_dask(), "worker", address, "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1", "--memory-limit", "0"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_batch_on_a_dask_cluster(workspace: Path, dask_cluster: str):
    summary = run_batch(_config(workspace, scheduler=dask_cluster))
    assert summary.failed == {}
    assert sorted(summary.ran) == [f"{c}/05_briefing" for c in ["990100", *CODES]]  # the city and its counties
    out_dir = workspace / "reports" / "2026-03"
    for code in CODES:
        html = (out_dir / code / "05_briefing.html").read_text(encoding="utf-8")
        assert "开门红简报（2026年1-3月）" in html
    assert all(e["status"] == "ok" for e in _manifest(workspace)["jobs"].values())


@pytest.mark.slow
def test_cell_timeout_fails_the_job_with_the_cell(workspace: Path):
    import nbformat

    path = workspace / "notebooks" / "05_briefing.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    nbformat.write(nb, path)
    summary = run_batch(_config(workspace, region_codes=["990101"], cell_timeout=30, jobs=1))
    assert summary.failed == {"990101/05_briefing": "CellTimeoutError: cell 3 ran longer than the cell timeout of "
                                                    "30 s (--cell-timeout); it starts: import time"}
    error = _manifest(workspace)["jobs"]["990101/05_briefing"]["error"]
    assert error["type"] == "CellTimeoutError"
    assert (error["cell_index"], error["source_cell_index"]) == (3, 2)
    assert error["cell_source"] == "import time\ntime.sleep(600)"


@pytest.mark.slow
def test_three_sample_counties_with_the_briefing(tmp_path: Path, capsys):
    """The real briefing notebook for three counties of the bundled sample, via the CLI."""
    from _batch_data import REPO, ingest_sample

    from analysis.data import processed
    from analysis.gaps import gap_table
    from analysis.report import headline

    data_dir = ingest_sample(tmp_path / "processed")
    codes = ["990102", "990103", "990121"]
    assert main(["run", "--as-of", "2026-03", "--regions", *codes, "--notebooks", "05",
                 "--notebook-dir", str(REPO / "notebooks"), "--data-dir", str(data_dir),
                 "--out", str(tmp_path / "reports"), "--jobs", "2"]) == 0
    out_dir = tmp_path / "reports" / "2026-03"
    assert capsys.readouterr().out.strip().endswith(str((out_dir / "index.html").resolve()))
    state = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(state["jobs"]) == [f"{c}/05_briefing" for c in codes]
    data = processed.read_processed(data_dir)
    table = gap_table(data["observations"], data["targets"], data["regions"], "2026-03")
    ranks = headline.overall_rank(table)
    for code in codes:
        entry = state["jobs"][f"{code}/05_briefing"]
        assert entry["status"] == "ok", entry["error"]
        assert entry["headline"]["rank"] == int(ranks[code])
        assert entry["headline"]["n_regions"] == 9
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    names = data["regions"].set_index("code")["name"]
    order = sorted(codes, key=lambda c: (ranks[c], c))
    positions = [index.index(names[c]) for c in order]
    assert positions == sorted(positions)  # rows sorted by rank
