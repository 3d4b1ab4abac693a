"""Time ``backtest`` over many synthetic monthly series (the issue asks 300 x 8 years, 2 cores).

Each series: 12 years (2014-2025) of monthly flows = trend x seasonal pattern x a Spring
Festival shift x noise, January blank (Jan-Feb combined in February) as the bureau
publishes. The backtest projects the last ``--years`` years from Q1 with every method.
A "fit" is one ETS or SARIMAX model (two per series-year).

    PYTHONPATH=src python benchmarks/bench_backtest.py [--series 300] [--years 8] [--jobs 2]

Prints fits per second, the total time, and the time per method on one series (where the
time goes). No assertions: this is a measurement, not a test.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one BLAS thread per process: workers do not contend

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.projection import accuracy, backtest, project_annual  # noqa: E402
from analysis.projection.festival import festival_window_shares  # noqa: E402

PATTERN = np.array([0.07, 0.06, 0.085, 0.08, 0.085, 0.085, 0.08, 0.08, 0.085, 0.09, 0.09, 0.11])


def synthetic_panel(n_series: int, first: int = 2014, last: int = 2025, seed: int = 7) -> pd.DataFrame:
    """Monthly flows with trend, seasonality, a festival shift between Jan/Feb/Mar, noise."""
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    shares = festival_window_shares(years)
    index = pd.period_range(f"{first}-01", f"{last}-12", freq="M")
    columns = {}
    for i in range(n_series):
        growth = rng.normal(0.06, 0.03) + rng.normal(0, 0.02, len(years))
        level = 100 * rng.uniform(0.5, 5) * np.exp(np.cumsum(growth))
        season = PATTERN * np.exp(rng.normal(0, 0.05, 12))
        values = level[:, None] * season[None, :] / season.sum()
        effect = rng.uniform(0.05, 0.25)  # festival moves this share of a month's activity
        values[:, 2] *= 1 - effect * shares["mar"].to_numpy()
        values *= np.exp(rng.normal(0, 0.03, values.shape))
        flat = values.ravel()
        flat[1::12] += flat[0::12]
        flat[0::12] = np.nan
        columns[f"s{i:03d}"] = flat
    return pd.DataFrame(columns, index=index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    panel = synthetic_panel(args.series)
    years = list(range(2025 - args.years + 1, 2026))

    one = panel.iloc[:, 0]
    for method in ("share_last", "share_mean", "ets", "sarimax"):
        start = time.perf_counter()
        for year in years:
            project_annual(one, year, 3, methods=[method])
        per = (time.perf_counter() - start) / len(years)
        print(f"one series, {method:10s}: {1000 * per:7.1f} ms per projection")

    start = time.perf_counter()
    result = backtest(panel, years, 3, jobs=args.jobs)
    elapsed = time.perf_counter() - start
    fits = 2 * args.series * len(years)
    print(f"backtest: {args.series} series x {len(years)} years, jobs={args.jobs}, "
          f"{os.cpu_count()} CPUs visible")
    print(f"total {elapsed:.1f} s, {fits} ETS/SARIMAX fits, {fits / elapsed:.1f} fits/s, "
          f"{args.series * len(years) / elapsed:.1f} series-years/s")
    print(accuracy(result)[["method", "n", "mdape", "coverage"]].round(2).to_string(index=False))


if __name__ == "__main__":
    main()
