"""Time the Word note against the HTML export of the same executed briefing (worker CPU per note).

Runs the briefing notebook once for the first county of the bundled sample (HTML only), then
times, on that executed notebook, :func:`analysis.report.export.export_html` and
:func:`analysis.report.word.note_docx` (with :func:`analysis.report.note_items.note_items`)
``--repeat`` times each and prints the median seconds and the ratio. The Word note is what
``q1brief run`` adds to each briefing job by default.

Run: ``PYTHONPATH=src python benchmarks/bench_word.py [--repeat 10]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
COUNTY = "990102"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from analysis.batch.runner import RunConfig, run_batch
    from analysis.data.ingest import ingest
    from analysis.report import export, word
    from analysis.report.note_items import note_items

    with tempfile.TemporaryDirectory(prefix="bench-word-") as tmp:
        processed = Path(tmp) / "processed"
        if not ingest(REPO / "data" / "raw", processed).ok:
            raise SystemExit("ingest of data/raw failed")
        summary = run_batch(RunConfig(as_of="2026-03", region_codes=[COUNTY], notebooks=["05_briefing"],
                                      notebook_dir=REPO / "notebooks", data_dir=processed, out=Path(tmp) / "reports",
                                      jobs=1, quiet=True, formats=("html",)))
        if summary.failed:
            raise SystemExit(f"the briefing failed: {summary.failed}")
        nb = nbformat.read(Path(tmp) / "reports" / "2026-03" / COUNTY / "05_briefing.ipynb", as_version=4)
    html = _median(lambda: export.export_html(nb, "标题", "数据截至2026年3月"), args.repeat)
    docx = _median(lambda: word.note_docx(note_items(nb), "标题", "数据截至2026年3月"), args.repeat)
    print(f"per briefing, median of {args.repeat}:")
    print(f"  HTML export  {html:6.3f} s")
    print(f"  Word note    {docx:6.3f} s  ({docx / html:.1f}x the HTML export)")


if __name__ == "__main__":
    main()
