"""The ``q1brief`` command line (also ``python -m analysis``).

Each subcommand lives in its own ``_register_*`` function; the work itself is done by
library modules, so this file only parses arguments and reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis.core.settings import STATED_Q1_SHARE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="q1brief",
        description="County Q1 'good start' (开门红) analysis and briefing notes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_inspect(commands)
    _register_ingest(commands)
    _register_backtest(commands)
    _register_run(commands)
    _register_workbook(commands)
    return parser


def _folder(sub: argparse.ArgumentParser, name: str, default: str | None, what: str, *old: str) -> None:
    """One folder option, named the same in every command (``--raw-dir`` inputs,
    ``--processed-dir`` Parquet, ``--out`` reports); earlier spellings still work, unlisted."""
    dest = name.removeprefix("--").replace("-", "_")
    shown = f"{what} (default {default})" if default else what
    sub.add_argument(name, dest=dest, default=default, help=shown)
    for alias in old:
        sub.add_argument(alias, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _register_inspect(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "inspect", help="describe bureau exports (layout, regions, indicators, periods, findings); writes nothing")
    sub.add_argument("paths", nargs="+", metavar="PATH", help="export files, or folders of them")
    _folder(sub, "--raw-dir", None, "data folder whose regions.csv, indicators.csv and q1brief.toml apply "
            "(default: the nearest folder above each file that has a regions.csv)")
    sub.set_defaults(handler=_run_inspect)


def _run_inspect(args: argparse.Namespace) -> int:
    from analysis.data.inspect import inspect_command

    return inspect_command(args.paths, args.raw_dir)


def _register_ingest(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser("ingest", help="validate data/raw and write data/processed/*.parquet")
    _folder(sub, "--raw-dir", "data/raw", "folder of raw inputs", "--data-dir")
    _folder(sub, "--processed-dir", "data/processed", "output folder for the Parquet tables", "--out-dir")
    sub.set_defaults(handler=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from analysis.data.ingest import ingest_command

    return ingest_command(args.raw_dir, args.processed_dir)


def _register_run(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "run", help="execute the notebooks for each region with papermill and export HTML and Word notes")
    sub.add_argument("--as-of", required=True, help="as-of month, e.g. 2026-03")
    which = sub.add_mutually_exclusive_group(required=True)
    which.add_argument("--regions", nargs="+", metavar="CODE", help="region codes to run")
    which.add_argument("--all", action="store_true", help="every county in regions.parquet")
    sub.add_argument("--notebooks", nargs="+", metavar="NAME",
                     help="notebook names or number prefixes (default: all in --notebook-dir)")
    sub.add_argument("--notebook-dir", default="notebooks", help="default notebooks/")
    sub.add_argument("--jobs", type=int, default=None,
                     help="local worker processes (default: number of cores)")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="run each job on a Dask cluster, e.g. tcp://host:8786")
    sub.add_argument("--resume", action="store_true", help="rerun only missing or failed jobs")
    sub.add_argument("--cell-timeout", type=float, default=None, metavar="S",
                     help="seconds a notebook cell may run (default: no limit)")
    sub.add_argument("--share-assumption", type=float, default=None,
                     help="stated Q1 share of the year passed to the notebooks (default: stated_q1_share "
                          f"of the data folder's q1brief.toml, else {STATED_Q1_SHARE})")
    _folder(sub, "--out", "reports", "output folder for the notes")
    _folder(sub, "--processed-dir", "data/processed", "processed data made by q1brief ingest", "--data-dir")
    sub.add_argument("--quiet", action="store_true", help="no progress bar; print only failures")
    sub.add_argument("--formats", metavar="LIST", default=None,
                     help="notes to write, comma-separated from html,docx (default: html,docx for the "
                          "briefing, html for the analyst notes)")
    sub.add_argument("--fresh-kernels", action="store_true",
                     help="start a new kernel for every job (default: each worker reuses one "
                          "kernel, reset between jobs)")
    sub.set_defaults(handler=_run_run)


def _run_run(args: argparse.Namespace) -> int:
    from analysis.batch.cli import run_command

    return run_command(args)


def _register_backtest(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "backtest", help="backtest the projections of every flow series into backtest.parquet")
    _folder(sub, "--processed-dir", "data/processed", "folder with observations.parquet", "--data-dir")
    sub.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    sub.set_defaults(handler=_run_backtest)


def _run_backtest(args: argparse.Namespace) -> int:
    import os

    # One BLAS thread per process: the fits are tiny and threads only contend across workers.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from analysis.data.processed import read_catalogue, read_processed
    from analysis.projection import accuracy
    from analysis.projection.cache import why_no_backtest, write_backtest

    source = os.path.join(args.processed_dir, "observations.parquet")
    if not os.path.exists(source):
        print(f"q1brief backtest: {source} not found (run q1brief ingest first)")
        return 1
    path, result = write_backtest(args.processed_dir, jobs=args.jobs)
    series = result[["region_code", "indicator"]].drop_duplicates()
    print(f"q1brief backtest: {len(series)} series, {len(result)} rows -> {path}")
    if series.empty:
        obs = read_processed(args.processed_dir, ("observations",))["observations"]
        print(f"  nothing to backtest: {why_no_backtest(obs, read_catalogue(args.processed_dir))}")
    if len(result):
        by = ["scope", "through_month"] if "scope" in result else ["through_month"]
        table = accuracy(result, by=by)
        print(table[[*by, "method", "n", "mdape", "coverage"]].round(2).to_string(index=False))
    return 0


def _register_workbook(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "workbook", help="write the month's tables of a city as one Excel workbook (.xlsx)")
    sub.add_argument("--as-of", required=True, help="as-of month, e.g. 2026-03")
    sub.add_argument("--processed-dir", default="data/processed",
                     help="processed data (default data/processed)")
    sub.add_argument("--city", metavar="CODE",
                     help="city code (default: every city in regions.parquet that has counties)")
    sub.add_argument("--out", default="reports",
                     help="reports folder: writes <out>/<as-of>/<city>_<as-of>_tables.xlsx "
                          "(default reports/); a path ending in .xlsx names the file itself")
    sub.add_argument("--share-assumption", type=float, default=None,
                     help="stated Q1 share of the year shown beside the projections (default: stated_q1_share of "
                          f"the data folder's q1brief.toml, else {STATED_Q1_SHARE})")
    sub.set_defaults(handler=_run_workbook)


def _run_workbook(args: argparse.Namespace) -> int:
    from pathlib import Path

    from analysis.batch.manifest import data_fingerprint
    from analysis.core.errors import DataError
    from analysis.data import processed
    from analysis.report.workbook import workbook_cities, workbook_name, write_city_workbook

    try:
        regions = processed.read_processed(args.processed_dir, ("regions",))["regions"]
        cities = [c for c in workbook_cities(regions) if args.city in (None, c[0])]
        if not cities:
            raise ValueError(f"no city {args.city or ''} with counties in {args.processed_dir}/regions.parquet")
        single = args.out.endswith(".xlsx")
        if single and len(cities) > 1:
            raise ValueError(f"--out {args.out} names one file but there are {len(cities)} cities; use --city")
        fingerprint = data_fingerprint(Path(args.processed_dir))["sha256"]
        for code, _ in cities:
            path = Path(args.out) if single else Path(args.out) / args.as_of / workbook_name(code, args.as_of)
            write_city_workbook(args.processed_dir, args.as_of, code, path, fingerprint=fingerprint,
                                share_assumption=args.share_assumption)
            print(path.resolve())
    except (DataError, ValueError) as exc:
        print(f"q1brief workbook: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
