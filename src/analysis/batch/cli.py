"""``q1brief run``: turn parsed arguments into a :class:`RunConfig`, show progress, report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from analysis.batch.runner import RunConfig, run_batch


def _formats(text: str | None) -> tuple[str, ...] | None:
    """``"html,docx"`` -> ("html", "docx"); None (not given) keeps the per-notebook default."""
    return None if text is None else tuple(f.strip().lower() for f in text.split(",") if f.strip())


def run_command(args: argparse.Namespace) -> int:
    """Run the batch; exit code 0 when every job succeeded, 1 when any failed, 2 on bad input."""
    config = RunConfig(
        as_of=args.as_of,
        region_codes=None if args.all else list(args.regions),
        notebooks=args.notebooks,
        notebook_dir=Path(args.notebook_dir),
        data_dir=Path(args.processed_dir),
        out=Path(args.out),
        jobs=args.jobs,
        scheduler=args.scheduler,
        resume=args.resume,
        cell_timeout=args.cell_timeout,
        share_assumption=args.share_assumption,
        quiet=args.quiet,
        fresh_kernels=args.fresh_kernels,
        formats=_formats(args.formats),
    )
    with tqdm(total=None, unit="job", desc=f"q1brief {args.as_of}", disable=args.quiet,
              file=sys.stderr) as bar:
        try:
            summary = run_batch(config, progress=bar.update, on_plan=bar.reset)
        except (FileNotFoundError, ValueError) as exc:
            print(f"q1brief run: {exc}", file=sys.stderr)
            return 2
    if summary.failed:
        print(f"q1brief run: {len(summary.failed)} of {len(summary.ran)} job(s) failed:",
              file=sys.stderr)
        for key, why in summary.failed.items():
            print(f"  {key}: {why}", file=sys.stderr)
        print(f"  details: {summary.manifest_path}", file=sys.stderr)
    if not args.quiet:
        if summary.skipped:
            print(f"skipped {len(summary.skipped)} job(s) already done (--resume)")
        print(summary.index_path.resolve())
    return 1 if summary.failed else 0
