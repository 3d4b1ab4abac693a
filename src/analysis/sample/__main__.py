"""``python -m analysis.sample --out data/raw [--seed N]``: regenerate the sample data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis.sample import DEFAULT_SEED, write_sample


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, write the sample files, print how many were written."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.sample",
        description="Write the fictional sample city's raw data files.",
    )
    parser.add_argument("--out", default="data/raw", help="output folder (default data/raw)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    paths = write_sample(args.out, args.seed)
    print(f"wrote {len(paths)} files to {args.out} (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
