"""Time the panel projection against today's per-series backtest, in one run.

Issue 11's speed aims on the synthetic panel of ``bench_backtest.py`` (300 series,
2014-2025, Jan-Feb combined, a Spring Festival shift):

1. ``panel_backtest``: the panel's whole rolling-origin record (every year 2015-2025, so
   the last ``--years`` are projected with a full record), one process;
2. ``project_panel`` of one year from that cached record (aim: < 2 s for 300 series);
3. today's ``backtest`` (ETS, SARIMAX, share rules, combo, recommended) of the last
   ``--years`` years with ``--jobs`` processes (aim: 300 x 8 < 2 min on 2 cores), which
   ``q1brief backtest`` still runs for the per-series evidence. ``--skip-series`` skips it.

    PYTHONPATH=src python benchmarks/bench_panel.py [--series 300] [--years 8] [--jobs 2]

Prints wall times and the accuracy of both on the synthetic panel; asserts nothing.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_backtest import synthetic_panel  # noqa: E402

from analysis.projection import accuracy, backtest, panel_backtest, project_panel  # noqa: E402


def _timed(label: str, func: Callable, *args: object, **kwargs: object) -> tuple[object, float]:
    start = time.perf_counter()
    out = func(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s")
    return out, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-series", action="store_true")
    args = parser.parse_args()
    panel = synthetic_panel(args.series)
    years = list(range(2025 - args.years + 1, 2026))
    print(f"{args.series} series, 2014-2025, projected years {years[0]}-{years[-1]}, "
          f"{os.cpu_count()} CPUs visible, load {os.getloadavg()[0]:.1f}")

    _timed("import statsmodels STL (once per process)",
           lambda: __import__("statsmodels.tsa.seasonal"))
    record, t_record = _timed("panel_backtest, whole record 2015-2025, 1 process",
                              panel_backtest, panel, None, 3)
    _, t_one = _timed("project_panel of 2025 from the cached record",
                      project_panel, panel, 2025, 3, record=record)
    _timed("project_panel of 2025 computing its own record", project_panel, panel, 2025, 3)
    late = record[record["year"].isin(years)]
    print(accuracy(late)[["method", "n", "mdape", "coverage"]].round(2).to_string(index=False))
    if args.skip_series:
        return
    result, t_series = _timed(f"today's backtest, {len(years)} years, jobs={args.jobs}",
                              backtest, panel, years, 3, jobs=args.jobs)
    print(accuracy(result)[["method", "n", "mdape", "coverage"]].round(2).to_string(index=False))
    print(f"\nsummary: panel record {t_record:.1f} s + per-series backtest {t_series:.1f} s = "
          f"{t_record + t_series:.1f} s for what q1brief backtest caches; one panel year from "
          f"the cache {t_one:.2f} s")


if __name__ == "__main__":
    main()
