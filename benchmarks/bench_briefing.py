"""Time the briefing notebook for 24 counties three ways, and the floor, in one run.

1. naive: for each county, ``papermill`` then ``jupyter nbconvert --to html --no-input``
   as command-line calls (a new Python process for each, as a shell loop would do);
2. ``q1brief run --jobs 1``, and the same with ``--fresh-kernels`` (a new kernel per job,
   as papermill does by default, instead of one warm kernel per worker reset between jobs);
3. ``q1brief run`` with every core (``--jobs`` = ``os.cpu_count()``);
4. the floor: start a kernel, run the notebook's import lines, shut it down (the part of a
   notebook run a runner that starts a kernel per notebook cannot avoid), timed serially
   per county.

The bundled sample has 9 counties; the others are copies of them under new codes (same
city, so they are ranked together), written as processed data into a temp folder. Prints
seconds per county for each way and the ratios. Aims (issue 13): ``q1brief run`` on all
cores >= 8x faster than the naive loop and within 1.3x of floor / cores; ``--jobs 1`` within
1.5x of the floor. The machine is shared: run it when nothing else is busy, and more than once.

Run: ``PYTHONPATH=src python benchmarks/bench_briefing.py [--counties 24] [--floor-runs 3]
[--skip-naive] [--skip-fresh]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "05_briefing.ipynb"
AS_OF = "2026-03"
BIN = Path(sys.executable).parent


def floor_code(notebook: Path = NOTEBOOK) -> str:
    """What every run of ``notebook`` must pay for besides starting the kernel: its
    top-level import lines and magics (read from the notebook, so they cannot drift), and
    registering the CJK font."""
    import nbformat

    lines = [line for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code" for line in cell.source.splitlines()
             if line.startswith(("%", "import ", "from "))]
    font = "from analysis.report.charts import use_chinese_font as _font; _ = _font()"
    return "\n".join([*dict.fromkeys(lines), font])


def processed_sample(folder: Path) -> Path:
    from analysis.data.ingest import ingest

    result = ingest(REPO / "data" / "raw", folder)
    if not result.ok:
        raise SystemExit("ingest of data/raw failed")
    return folder


def replicate(folder: Path, n_counties: int) -> list[str]:
    """Copy the sample's counties under new codes until there are ``n_counties``; returns
    the county codes. Townships and projects are relabelled with their county."""
    tables = {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    regions = tables["regions"]
    counties = regions[regions["level"] == "county"]
    originals = list(counties["code"])
    extra = n_counties - len(originals)
    new_codes = []
    copies: dict[str, list[pd.DataFrame]] = {name: [t] for name, t in tables.items()}
    for i in range(max(0, extra)):
        src = originals[i % len(originals)]
        new = f"9902{i:02d}"
        new_codes.append(new)
        suffix = f"{i // len(originals) + 2}"

        def recode(s: pd.Series, src: str = src, new: str = new) -> pd.Series:
            s = s.astype(str)
            return s.where(~s.str.startswith(src), new + s.str[len(src):])

        for name, table in tables.items():
            key = {"observations": "region_code", "targets": "region_code",
                   "projects": "county_code", "township_weekly": "county_code"}.get(name)
            if name == "regions":
                rows = table[(table["code"] == src) | (table["parent"] == src)].copy()
                rows["name"] = rows["name"] + suffix
                rows["code"] = recode(rows["code"])
                rows["parent"] = rows["parent"].where(rows["level"] != "township",
                                                      recode(rows["parent"]))
            elif key is not None:
                rows = table[table[key].astype(str) == src].copy()
                for col in ("region_code", "county_code", "township_code"):
                    if col in rows:
                        rows[col] = recode(rows[col])
                if "region_name" in rows:
                    rows["region_name"] = rows["region_name"] + suffix
                if "project_id" in rows:
                    rows["project_id"] = rows["project_id"].astype(str) + f"-{new}"
            else:
                continue
            copies[name].append(rows)
    for name, parts in copies.items():
        pd.concat(parts, ignore_index=True).to_parquet(folder / f"{name}.parquet", index=False)
    return (originals + new_codes)[:n_counties]


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s", flush=True)
    return seconds


def naive(codes: list[str], data_dir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for code in codes:
        nb = out / f"{code}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), str(nb), "-p", "region_code", code,
                        "-p", "as_of", AS_OF, "-p", "data_dir", str(data_dir), "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(nb)], check=True, capture_output=True)


def q1brief(codes: list[str], data_dir: Path, out: Path, jobs: int, *extra: str) -> None:
    subprocess.run([str(BIN / "q1brief") if (BIN / "q1brief").exists() else sys.executable,
                    *([] if (BIN / "q1brief").exists() else ["-m", "analysis"]),
                    "run", "--as-of", AS_OF, "--regions", *codes, "--notebooks", "05_briefing",
                    "--notebook-dir", str(REPO / "notebooks"), "--data-dir", str(data_dir),
                    "--out", str(out), "--jobs", str(jobs), "--quiet",
                    "--formats", "html", *extra], check=True)  # HTML only, as the naive loop


def floor(runs: int) -> float:
    """Mean seconds to start a kernel, run the notebook's imports and shut it down."""
    from jupyter_client.manager import start_new_kernel

    code = floor_code()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        try:
            reply = kc.execute_interactive(code, timeout=300)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"floor imports failed: {reply['content']}")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        times.append(time.perf_counter() - start)
    return sum(times) / len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=24)
    parser.add_argument("--floor-runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="for a quick look only")
    parser.add_argument("--skip-fresh", action="store_true", help="leave out --jobs 1 --fresh-kernels")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        tmp_path = Path(tmp)
        data_dir = processed_sample(tmp_path / "processed")
        codes = replicate(data_dir, args.counties)
        n = len(codes)
        print(f"{n} counties, briefing notebook, {cores} cores, as of {AS_OF}", flush=True)
        results = {}
        results["floor"] = n * floor(args.floor_runs)
        print(f"  floor (kernel start + imports, x{n} serially): {results['floor']:.1f} s",
              flush=True)
        if not args.skip_naive:
            results["naive"] = timed("naive papermill + nbconvert CLI loop",
                                     lambda: naive(codes, data_dir, tmp_path / "naive"))
        results["jobs1"] = timed("q1brief run --jobs 1",
                                 lambda: q1brief(codes, data_dir, tmp_path / "r1", 1))
        if not args.skip_fresh:
            results["fresh1"] = timed("q1brief run --jobs 1 --fresh-kernels",
                                      lambda: q1brief(codes, data_dir, tmp_path / "f1", 1,
                                                      "--fresh-kernels"))
        results["all"] = timed(f"q1brief run --jobs {cores}",
                               lambda: q1brief(codes, data_dir, tmp_path / "rall", cores))
        shutil.rmtree(tmp_path / "naive", ignore_errors=True)
    print("\nseconds per county:")
    for key, label in [("naive", "naive loop"), ("jobs1", "q1brief run --jobs 1"),
                       ("fresh1", "  ... --fresh-kernels"),
                       ("all", f"q1brief run --jobs {cores}"), ("floor", "floor (serial)")]:
        if key in results:
            print(f"  {label:28s} {results[key] / n:6.2f}")
    print(f"  {'floor / cores':28s} {results['floor'] / n / cores:6.2f}")
    print("ratios:")
    if "naive" in results:
        print(f"  naive / run (all cores)      {results['naive'] / results['all']:6.2f}  "
              "(aim >= 8)")
        print(f"  naive / run --jobs 1         {results['naive'] / results['jobs1']:6.2f}")
    print(f"  run --jobs 1 / floor         {results['jobs1'] / results['floor']:6.2f}  "
          "(aim <= 1.5)")
    if "fresh1" in results:
        print(f"  ... --fresh-kernels / floor  {results['fresh1'] / results['floor']:6.2f}")
    print(f"  run all cores / (floor/cores) {results['all'] / (results['floor'] / cores):5.2f}  "
          "(aim <= 1.3)")


if __name__ == "__main__":
    main()
