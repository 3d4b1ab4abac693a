"""Batch runs of the notebooks for many regions, HTML export, manifest and index.

Used by ``q1brief run``; the library (``analysis.*`` outside this package) never imports it.
"""

from analysis.batch.runner import RunConfig, RunSummary, run_batch
from analysis.batch.worker import Job, JobResult, JobSpec, execute_job

__all__ = ["Job", "JobResult", "JobSpec", "RunConfig", "RunSummary", "execute_job", "run_batch"]
