"""Time the export readers on large tables (prints; nothing asserts).

Builds, in a temporary folder, a region-column table (layout (b): ``地区,指标,<months>``)
of N rows x 12 months with masked cells and thousands separators, the same table as
GB18030, and a terminal export (layout (f)) of 240 months x 500 columns, then reads each
with :func:`analysis.data.readers.read_export` and prints seconds, cells per second and the
process's peak resident memory. Target: a 100,000-row table in a few seconds.
Run: ``PYTHONPATH=src python benchmarks/bench_readers.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.readers import read_export

MONTHS = [f"2026年{m}月" for m in (3, 2, 1)] + [f"2025年{m}月" for m in range(12, 3, -1)]


def region_column_table(path: Path, rows: int, encoding: str) -> pd.DataFrame:
    """``rows`` rows over 200 regions; returns the regions frame to read it with."""
    rng = np.random.default_rng(1)
    names = [f"县{i:03d}" for i in range(200)]
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.writer(handle)
        out.writerows([["数据库：县区月度数据"], ["地区", "指标", *MONTHS]])
        for i in range(rows):
            values = [f"{v:,.2f}" if i % 7 == 0 else f"{v:.2f}" for v in rng.uniform(1, 5000, len(MONTHS))]
            if i % 11 == 0:
                values[3] = "**"
            out.writerow([names[i % 200], f"指标{i // 200:04d}累计值(亿元)", *values])
        out.writerow(["数据来源：示例市统计局"])
    return pd.DataFrame({"code": [f"99{i:04d}" for i in range(200)], "name": names, "short_name": ""})


def terminal_table(path: Path, months: int, columns: int) -> None:
    rng = np.random.default_rng(2)
    dates = pd.period_range(end="2026-03", periods=months, freq="M")[::-1]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["指标名称", *[f"指标{j:03d}_累计" for j in range(columns)]])
        out.writerow(["地区", *["全国"] * columns])
        out.writerow(["频度", *["月"] * columns])
        out.writerow(["单位", *["亿元"] * columns])
        for d in dates:
            out.writerow([str(d), *np.round(rng.uniform(1, 100, columns), 2)])


def timed(label: str, path: Path, cells: int, regions: pd.DataFrame | None = None) -> None:
    start = time.perf_counter()
    export = read_export(path, regions)
    seconds = time.perf_counter() - start
    assert len(export.observations) == cells, (len(export.observations), cells)
    print(f"{label:34s} {cells:>10,d} cells  {seconds:6.2f} s  {cells / seconds / 1e6:5.2f} M cells/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for encoding in ("utf-8-sig", "gb18030"):
            path = Path(folder) / f"b-{encoding}.csv"
            regions = region_column_table(path, args.rows, encoding)
            timed(f"(b) {args.rows:,} rows, {encoding}", path, args.rows * len(MONTHS), regions)
        path = Path(folder) / "terminal.csv"
        terminal_table(path, 240, 500)
        timed("(f) 240 months x 500 columns", path, 240 * 500)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)
    print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
