"""Batch runs of the notebooks for many regions, HTML export, manifest and index.

Used by ``q1brief run``; the library (``analysis.*`` outside this package) never imports it.
"""

from analysis.batch.runner import Job, JobResult, RunConfig, RunSummary, run_batch

__all__ = ["Job", "JobResult", "RunConfig", "RunSummary", "run_batch"]
