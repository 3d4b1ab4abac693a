"""Q1 "good start" (开门红) analysis for county economic analysts.

The package is layered; each layer imports only the ones above it in this list:

- :mod:`analysis.core`: errors, catalogues, the calendar and 时序进度, YTD conversions, number
  formatting, atomic writes, stated defaults;
- :mod:`analysis.data`: bureau exports and CSV inputs read, validated, written as Parquet;
- :mod:`analysis.gaps`, :mod:`analysis.key_projects`, :mod:`analysis.projection`: the analyses,
  pure functions (DataFrame in, DataFrame out);
- :mod:`analysis.report`: sentences, headline, tables, charts, HTML export;
- :mod:`analysis.batch` and :mod:`analysis.cli`: papermill batches and the ``q1brief`` command.

Files are written only through :mod:`analysis.core.atomic`, by the ingest, backtest cache,
sample and batch commands; the analyses never write.
"""

__version__ = "0.1.0"
