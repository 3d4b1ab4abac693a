"""Q1 "good start" (开门红) analysis for county economic analysts.

The library is pure: functions take DataFrames and return new ones. File reading lives in
:mod:`analysis.bureau` and :mod:`analysis.loaders`; writing lives only in :mod:`analysis.ingest`
and the batch runner.
"""

__version__ = "0.1.0"
