"""The ``q1brief`` command line (also ``python -m analysis``).

Each subcommand lives in its own ``_register_*`` function; the work itself is done by
library modules, so this file only parses arguments and reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="q1brief",
        description="County Q1 'good start' (开门红) analysis and briefing notes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_ingest(commands)
    return parser


def _register_ingest(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser("ingest", help="validate data/raw and write data/processed/*.parquet")
    sub.add_argument("--data-dir", default="data/raw", help="folder of raw inputs (default data/raw)")
    sub.add_argument("--out-dir", default="data/processed", help="output folder (default data/processed)")
    sub.set_defaults(handler=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest import ingest_command

    return ingest_command(args.data_dir, args.out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
