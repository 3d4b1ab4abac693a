"""Warm kernels (batch.kernels): a reused kernel must behave like a fresh one for each job.

Jobs run in this test process through ``worker.execute_job``, the same call a pool worker
makes; the notebooks report their kernel's process id so reuse is observable.
"""

from __future__ import annotations

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
    first = _run(_notebook(PID, "leak = 'from the first job'\nprint(region_code)"), "990101")
    second = _run(_notebook(PID, "print('leak' in globals(), region_code)"), "990102")
    assert first.status == second.status == "ok"
    assert _text(first, 2) == _text(second, 2)  # same kernel process
    assert _text(second, 3) == "False 990102"  # no variable of the first job survives
    nb = nbformat.reads(second.notebook_json, as_version=4)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4]


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


def test_a_failed_job_gets_a_new_kernel_next_time():
    before = _run(_notebook(PID))
    failed = _run(_notebook(PID, "raise ValueError('broken county data')"))
    after = _run(_notebook(PID))
    assert failed.status == "failed" and failed.error["message"] == "broken county data"
    assert _text(failed, 2) == _text(before, 2)  # the failing job still ran warm
    assert after.status == "ok"
    assert _text(after, 2) != _text(before, 2)  # but its kernel was not reused


def test_a_timed_out_cell_does_not_block_the_next_job():
    stuck = _run(_notebook("import time\ntime.sleep(60)"), timeout=2)
    assert stuck.status == "failed" and stuck.error["type"] == "CellTimeoutError"
    after = _run(_notebook("print(1 + 1)"), timeout=30)
    assert after.status == "ok" and _text(after, 2) == "2"


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
