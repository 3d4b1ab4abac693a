"""Batch runs of the notebooks for many regions, HTML export, manifest and index.

Used by ``q1brief run``; the library (``analysis.*`` outside this package) never imports it.
"""

import sys

# jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, only to check
# the "iri" string format, which no notebook schema uses; building that module's grammar takes
# about 3 s in every process that imports nbformat: the q1brief client and each worker (a
# spawned worker imports this package first). jsonschema treats the module as optional, so
# batch processes go without it. Measured in docs/batch.md ("Benchmark").
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from analysis.batch.runner import RunConfig, RunSummary, run_batch  # noqa: E402
from analysis.batch.worker import Job, JobResult, JobSpec, execute_job  # noqa: E402

__all__ = ["Job", "JobResult", "JobSpec", "RunConfig", "RunSummary", "execute_job", "run_batch"]
