"""Peak memory and time of ``q1brief ingest`` on a 2,000,000-row bureau table.

Two tables in the NBS layout with a 地区 column (layout (b)), three months each:

- ``unknown``, the hostile delivery of issue 12: 2,000,000 rows, each a distinct indicator
  name unknown to the catalogue (so every row is a finding), with the bundled sample's
  regions. Issue 12 measured 87 s, a 4.7 GB peak, a 407 MB ``validation.md`` and a 383 MB
  findings CSV. The ingest fails (no observation of a known indicator) and must say so.
- ``known``, a delivery that loads: 66,667 counties x 30 rows of catalogue indicators
  (levels and growth), 6,000,000 observations written to Parquet.

Target: peak under 2 GB and a readable report (at most 20 findings per check and file).

Measured (2,000,000 rows, 2 cores shared with other work): after the readers moved to
``data/readers`` unknown 411 s / 4.8 GB, known 192 s / 2.9 GB; with labels split column-wise,
categoricals kept until written and unknown indicators summarised on categoricals: unknown
133 s / 3.4 GB (still over: its 2,000,000 findings are held until written), known 89 s / 1.8 GB.

Each ingest runs in a child process of its own, which reports its peak resident memory
(``ru_maxrss``), so the figure is that of the ingest alone. Prints rows, seconds, peak MB and the report sizes.
Run: ``.venv/bin/python benchmarks/bench_ingest_memory.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COUNTIES = ["北塘区", "南湖区", "青山县", "河口县", "石桥县", "柳溪县", "松林县", "白沙县", "临江县"]


def write_table(path: Path, rows: int) -> None:
    """The big table: ``rows`` rows, three months, a distinct unknown indicator on each."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("数据库：示例市县区月度数据\n时间：2026年1月-2026年3月\n地区,指标,2026年3月,2026年2月,2026年1月\n")
        block = []
        for i in range(rows):
            block.append(f"{COUNTIES[i % 9]},测试指标{i:07d}累计值(亿元),{i % 97 + 1.5},{i % 89 + 0.5},\n")
            if len(block) == 100_000:
                handle.write("".join(block))
                block = []
        handle.write("".join(block))


INDICATORS = ["固定资产投资", "技改投资", "房地产开发投资", "规上工业总产值", "工业用电量", "新登记市场主体",
              "社会消费品零售总额", "房地产住宅投资", "新增高新技术企业", "传统产业产值占比"]
UNITS = {"工业用电量": "万千瓦时", "新登记市场主体": "户", "新增高新技术企业": "家", "传统产业产值占比": "%"}


def write_known(raw: Path, rows: int) -> None:
    """``rows`` rows of catalogue indicators for rows / 30 synthetic counties of one city."""
    counties = rows // 30
    with (raw / "regions.csv").open("w", encoding="utf-8") as handle:
        handle.write("code,name,level,parent,short_name\n990100,示例市,city,,示例\n")
        handle.writelines(f"{900000 + i},县{i:05d},county,990100,县{i:05d}\n" for i in range(counties))
    labels = []
    for name in INDICATORS:
        unit = UNITS.get(name, "亿元")
        labels += [f"{name}(%)"] if unit == "%" else [f"{name}累计值({unit})", f"{name}累计增长(%)"]
    labels = (labels * 2)[:30]
    with (raw / "bureau" / "big.csv").open("w", encoding="utf-8") as handle:
        handle.write("数据库：示例市县区月度数据\n时间：2026年1月-2026年3月\n地区,指标,2026年3月,2026年2月,2026年1月\n")
        for i in range(counties):
            seen = set()
            for k, label in enumerate(labels):
                if label in seen:
                    label = label.replace("(", "合计(", 1)  # a second name for the row: an unknown indicator
                seen.add(label)
                level = 10 + (i * 7 + k) % 50
                handle.write(f"县{i:05d},{label},{level * 1.3:.2f},{level * 0.7:.2f},\n")


_CHILD = """
import resource, sys
from analysis.cli import main
code = main(["ingest", "--data-dir", sys.argv[1], "--out-dir", sys.argv[2]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code)
"""


def measure(raw: Path, out: Path) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of ``q1brief ingest`` in a child process of its own."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(raw), str(out)], capture_output=True, text=True,
                          cwd=REPO, check=True)
    seconds = time.perf_counter() - start
    peak_kb, code = done.stdout.split()[-2:]  # Linux reports KB
    return seconds, int(peak_kb) / 1024, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--shape", choices=["unknown", "known", "both"], default="both")
    args = parser.parse_args()
    for shape in (["unknown", "known"] if args.shape == "both" else [args.shape]):
        with tempfile.TemporaryDirectory(prefix="q1brief-bench-") as tmp:
            raw, out = Path(tmp) / "raw", Path(tmp) / "out"
            (raw / "bureau").mkdir(parents=True)
            if shape == "unknown":
                shutil.copy(REPO / "data" / "raw" / "regions.csv", raw / "regions.csv")
                write_table(raw / "bureau" / "big.csv", args.rows)
            else:
                write_known(raw, args.rows)
            size = (raw / "bureau" / "big.csv").stat().st_size / 1e6
            seconds, peak, code = measure(raw, out)
            reports = {p.name: p.stat().st_size / 1e6 for p in out.iterdir() if not p.name.startswith(".")}
        print(f"{shape}: rows {args.rows:,}  table {size:.0f} MB  exit {code}")
        print(f"  ingest {seconds:.1f} s  peak resident {peak:,.0f} MB (target < 2,048 MB)")
        for name, mb in sorted(reports.items()):
            print(f"  {name}: {mb:.1f} MB")


if __name__ == "__main__":
    main()
