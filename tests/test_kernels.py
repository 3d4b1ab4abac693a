"""Warm kernels (batch.kernels): a reused kernel must behave like a fresh one for each job.

Jobs run in this test process through ``worker.execute_job``, the same call a pool worker
makes; the notebooks report their kernel's process id so reuse is observable.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from analysis.batch import kernels
from analysis.batch.worker import Job, JobSpec, execute_job

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _close_warm_kernels():
    yield
    kernels.process_pool().close()


def _notebook(*sources: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('region_code = "000000"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    return nbformat.writes(nb)


def _run(text: str, code: str = "990101", reuse: bool = True, timeout: float | None = None):
    spec = JobSpec(Job(code, "某县", "05_briefing"), text, {"region_code": code}, "标题", "副标题",
                   cell_timeout=timeout, reuse_kernel=reuse)
    return execute_job(spec)


def _outputs(result) -> list[tuple]:
    nb = nbformat.reads(result.notebook_json, as_version=4)
    return [(c.get("execution_count"), c.get("outputs")) for c in nb.cells if c.cell_type == "code"]


def _text(result, cell: int) -> str:
    """The stdout of the ``cell``-th code cell (0 = parameters, 1 = injected parameters)."""
    nb = nbformat.reads(result.notebook_json, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    return "".join(o.get("text", "") for o in code_cells[cell].outputs).strip()


PID = "import os\nprint(os.getpid())"


def test_second_job_reuses_the_kernel_but_sees_a_fresh_session():
    first = _run(_notebook(PID, "leak = 'from the first job'\nprint(region_code)", "7 * 6"), "990101")
    second = _run(_notebook(PID, "print('leak' in globals(), len(Out), region_code)", "7 * 6"), "990102")
    assert first.status == second.status == "ok"
    assert _text(first, 2) == _text(second, 2)  # same kernel process
    assert _text(second, 3) == "False 0 990102"  # no variable or output of the first job survives
    # the kernel's own count (in the execute_result) restarts: nbclient numbers cells itself
    results = [o for o in nbformat.reads(second.notebook_json, as_version=4).cells[-1].outputs]
    assert [(o.output_type, o.execution_count) for o in results] == [("execute_result", 5)]


def test_warm_kernel_keeps_no_history_on_disk():
    _run(_notebook("x = 1"))
    second = _run(_notebook("print(get_ipython().history_manager.hist_file)"))
    assert _text(second, 2) == ":memory:"


def test_warm_and_fresh_kernels_give_identical_notebooks():
    text = _notebook("import pandas as pd\nframe = pd.DataFrame({'x': [1.5, 2.25]})\nframe",
                     "x = 3\nx * region_code[-1:]",
                     "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 1]);")
    fresh = _run(text, reuse=False)
    _run(_notebook("y = 1"))  # warms a kernel with another notebook
    warm = _run(text)
    assert fresh.status == warm.status == "ok"
    assert _outputs(warm) == _outputs(fresh)
    assert warm.html == fresh.html


def test_a_cell_error_leaves_the_kernel_reusable_and_clean():
    before = _run(_notebook(PID))
    failed = _run(_notebook(PID, "half_done = True\nraise ValueError('broken county data')"))
    after = _run(_notebook(PID, "print('half_done' in globals())"))
    assert failed.status == "failed" and failed.error["message"] == "broken county data"
    assert after.status == "ok"
    assert _text(before, 2) == _text(failed, 2) == _text(after, 2)  # one kernel throughout
    assert _text(after, 3) == "False"


def test_a_timed_out_cell_gets_a_new_kernel_next_time():
    stuck = _run(_notebook(PID, "import time\ntime.sleep(60)"), timeout=3)
    assert stuck.status == "failed" and stuck.error["type"] == "CellTimeoutError"
    after = _run(_notebook(PID, "print(1 + 1)"), timeout=30)
    assert after.status == "ok" and _text(after, 3) == "2"
    assert _text(after, 2) != _text(stuck, 2)  # the busy kernel was shut down, not reused


def test_briefing_is_the_same_from_a_warm_kernel(tmp_path):
    """The real briefing notebook: fresh kernel vs a kernel that just ran another county."""
    from _batch_data import REPO, ingest_sample

    data_dir = ingest_sample(tmp_path / "processed")
    text = (REPO / "notebooks" / "05_briefing.ipynb").read_text(encoding="utf-8")

    def brief(code: str, reuse: bool):
        spec = JobSpec(Job(code, "某县", "05_briefing"), text,
                       {"region_code": code, "as_of": "2026-03", "data_dir": str(data_dir)},
                       "标题", "副标题", reuse_kernel=reuse)
        return execute_job(spec)

    fresh = brief("990103", reuse=False)
    assert brief("990121", reuse=True).status == "ok"  # a county whose projection fits SARIMAX
    warm = brief("990103", reuse=True)
    assert fresh.status == warm.status == "ok"
    assert warm.html == fresh.html
    assert _outputs(warm) == _outputs(fresh)


def test_kernel_is_recycled_after_max_jobs():
    pool = kernels.KernelPool(max_jobs=2)
    try:
        pids = []
        for _ in range(3):
            km = pool.acquire("python3")
            pids.append(km.provisioner.pid)
            pool.release("python3", ok=True)
        assert pids[0] == pids[1] != pids[2]
    finally:
        pool.close()


def test_fresh_kernels_option_starts_one_per_job():
    first = _run(_notebook(PID), reuse=False)
    second = _run(_notebook(PID), reuse=False)
    assert first.status == second.status == "ok"
    assert _text(first, 2) != _text(second, 2)


def test_warm_kernel_keeps_one_client_until_discarded():
    pool = kernels.KernelPool()
    try:
        km = pool.acquire("python3")
        client = km.client()
        client.start_channels()
        pool.release("python3", ok=True)
        assert pool.acquire("python3") is km  # reset through the same client
        assert km.client() is client and client.channels_running
        pool.discard("python3")
        assert not client.channels_running
    finally:
        pool.close()


def test_kernels_talk_over_private_unix_sockets(tmp_path):
    """One machine: the kernel's channels are socket files in a 0700 folder, not loopback TCP."""
    import json
    import os
    import stat

    pool = kernels.KernelPool()
    try:
        km = pool.acquire("python3")
        info = json.loads(Path(km.connection_file).read_text(encoding="utf-8"))
        assert info["transport"] == "ipc" and info["ip"].startswith(kernels.socket_dir())
        assert stat.S_IMODE(os.stat(kernels.socket_dir()).st_mode) == 0o700
        fresh = _run(_notebook("from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)"),
                     reuse=False)
        assert _text(fresh, 2) == "ipc"
    finally:
        pool.close()
