"""Time ``gap_table`` on a synthetic panel the size of China's county level.

2,850 counties (in 300 cities) x 40 indicators x 120 months, one measure per indicator and
month (13.7 million rows): 15 flows published as YTD levels (summed for the city, with
annual targets), 15 growth-only flows (city growth weighted by a flow), 10 ratios (five
output-weighted means, five plain means). The 40 indicator codes are synthetic, so a
synthetic catalogue is passed to ``gap_table``. String columns are categoricals, as a
Parquet round trip of the tidy frame would give.

Prints seconds for one as-of month and for all 12 months of a year, peak traced memory of
one call (tracemalloc) and the process's peak resident memory. Targets: one month < 2 s,
peak < 2 GB. Run: ``PYTHONPATH=src python benchmarks/bench_gaps.py [--counties N]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.gaps import gap_table


def synthetic_catalogue() -> pd.DataFrame:
    """40 indicators: ``lv00-14`` levels, ``gr00-14`` growth only, ``rt00-09`` ratios."""
    rows = []
    for i in range(15):
        rows.append((f"lv{i:02d}", "flow", "亿元", "sum", "", "investment"))
    for i in range(15):
        rows.append((f"gr{i:02d}", "flow", "%", "weighted_growth", f"lv{i:02d}", "industry"))
    for i in range(10):
        agg, weight = ("weighted_mean", "lv00") if i < 5 else ("mean", "")
        rows.append((f"rt{i:02d}", "ratio", "%", agg, weight, "overall"))
    cat = pd.DataFrame(rows, columns=["code", "kind", "unit", "city_agg", "weight", "section"])
    cat["direction"] = np.where(cat["code"].str.startswith("rt0") & (cat.index % 2 == 0), "lower", "higher")
    cat["name_zh"] = cat["code"]
    cat["name_en"] = cat["code"]
    return cat.set_index("code", drop=False)


def synthetic_panel(n_counties: int, n_cities: int, n_months: int, seed: int = 0):
    """Observations, targets and regions for the synthetic panel."""
    rng = np.random.default_rng(seed)
    cat = synthetic_catalogue()
    codes = [f"{100000 + i}" for i in range(n_counties)]
    cities = [f"{900000 + i}" for i in range(n_cities)]
    parent = [cities[i % n_cities] for i in range(n_counties)]
    regions = pd.DataFrame(
        {
            "code": cities + codes,
            "name": [f"市{c}" for c in cities] + [f"县{c}" for c in codes],
            "level": ["city"] * n_cities + ["county"] * n_counties,
            "parent": ["000000"] * n_cities + parent,
        }
    )
    regions["short_name"] = regions["name"]
    n_ind = len(cat)
    first = pd.Period("2026-12", "M").ordinal - n_months + 1
    months = np.arange(first, first + n_months)
    size = n_counties * n_ind * n_months
    region_idx = np.repeat(np.arange(n_counties), n_ind * n_months)
    ind_idx = np.tile(np.repeat(np.arange(n_ind), n_months), n_counties)
    month = np.tile(months, n_counties * n_ind)
    measure_of = np.where(cat["unit"].to_numpy() == "%", 1, 0)[ind_idx]  # 0 ytd_value, 1 ytd_growth
    month_no = (month % 12) + 1
    level = rng.uniform(5, 50, size) * month_no / 12
    growth = rng.normal(6, 4, size)
    share = rng.uniform(20, 70, size)
    is_ratio = cat["kind"].to_numpy()[ind_idx] == "ratio"
    value = np.where(is_ratio, share, np.where(measure_of == 1, growth, level))
    value[rng.random(size) < 0.01] = np.nan  # masked cells
    obs = pd.DataFrame(
        {
            "region_code": pd.Categorical.from_codes(region_idx, codes),
            "region_name": pd.Categorical.from_codes(region_idx, [f"县{c}" for c in codes]),
            "indicator": pd.Categorical.from_codes(ind_idx, cat.index.tolist()),
            "period": pd.arrays.PeriodArray(month, dtype="period[M]"),
            "measure": pd.Categorical.from_codes(measure_of, ["ytd_value", "ytd_growth"]),
            "value": value,
            "unit": pd.Categorical.from_codes(measure_of, ["亿元", "%"]),
        }
    )
    flows = [c for c in cat.index if c.startswith("lv")]
    targets = pd.DataFrame(
        {
            "region_code": np.repeat(codes, len(flows)),
            "indicator": np.tile(flows, n_counties),
            "year": 2026,
            "horizon": "annual",
            "measure": "ytd_value",
            "target": rng.uniform(40, 60, n_counties * len(flows)),
        }
    )
    return obs, targets, regions, cat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=2850)
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    obs, targets, regions, cat = synthetic_panel(args.counties, args.cities, args.months)
    print(f"panel: {len(obs):,} rows, {obs.memory_usage(deep=True).sum() / 2**20:,.0f} MiB, "
          f"built in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    table = gap_table(obs, targets, regions, "2026-03", catalogue=cat)
    one = time.perf_counter() - t0
    print(f"gap_table one month (2026-03): {one:.2f} s, {len(table):,} rows "
          f"({table['status'].value_counts().to_dict()})")

    t0 = time.perf_counter()
    for month in range(1, 13):
        gap_table(obs, targets, regions, pd.Period(year=2026, month=month, freq="M"), catalogue=cat)
    print(f"gap_table all 12 months of 2026: {time.perf_counter() - t0:.2f} s")

    tracemalloc.start()
    gap_table(obs, targets, regions, "2026-03", catalogue=cat)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(f"peak traced memory of one gap_table call: {peak / 2**20:,.0f} MiB")
    print(f"peak resident memory of the process (panel included): {rss / 2**20:,.0f} MiB")
    print(f"target one month < 2 s: {'met' if one < 2 else 'NOT met'}; "
          f"peak < 2 GB: {'met' if rss < 2 * 2**30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
