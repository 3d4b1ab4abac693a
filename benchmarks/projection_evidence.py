"""The measured evidence behind docs/methods.md: backtests on real and sample data.

    PYTHONPATH=src python benchmarks/projection_evidence.py [--real-data ../shared/real-data]
        [--processed data/processed] [--jobs 2] [--chart docs/img/projection_backtest.png]

1. The national retail YTD series (NBS, 2000-2025): rolling-origin backtest of 2003-2025
   from Jan-Feb and from Q1, every method; accuracy table in Markdown.
2. The bundled sample (every flow series in ``data/processed/backtest.parquet`` when
   present, else recomputed from ``observations.parquet``).
3. The historical range of the Q1 share, against the stated 30%.
4. A chart of percentage error by year and method (national retail).
5. The recommendation rule's switch margin: MdAPE of the recommended row for other margins.
6. The panel projection of issue 11 (``panel_evidence.py``): the development panel
   (``monthly-panel/``, from Jan-Feb and Q1), national retail and the sample's city panels.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from analysis.core.conversions import ytd_to_monthly_series  # noqa: E402
from analysis.data.yyyym import read_yyyym_csv  # noqa: E402
from analysis.projection import accuracy, backtest  # noqa: E402
from analysis.projection.annual import SWITCH_MARGIN, recommend  # noqa: E402
from analysis.projection.backtest import _rolling_evidence  # noqa: E402
from analysis.projection.cache import BACKTEST_NAME, backtest_observations  # noqa: E402
from analysis.projection.history import ytd_shares, ytd_table  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import panel_evidence  # noqa: E402

SHOWN = ["share_last", "share_mean", "ets", "sarimax", "combo", "recommended"]


def markdown(table: pd.DataFrame) -> str:
    cols = ["through_month", "method", "n", "mdape", "mape", "bias_pct", "coverage", "n_interval"]
    table = table[cols].copy()
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


MARGINS = (0.0, 0.10, 0.15, 0.20, 0.25, 0.30)


def recommended_ape(result: pd.DataFrame, margin: float) -> pd.DataFrame:
    """``year, through_month, ape`` of the row the rule picks with ``margin`` (no look-ahead)."""
    rows = []
    keys = [c for c in ("series", "region_code", "indicator", "through_month") if c in result]
    base = result[result["method"] != "recommended"]
    for _, one in base.groupby(keys, sort=False):
        years = sorted(one["year"].unique())
        evidence = _rolling_evidence(one, years)
        for year in years:
            now = one[one["year"] == year].reset_index(drop=True)
            row = now[recommend(now, evidence[year], margin=margin)].iloc[0]
            rows.append({"year": year, "through_month": row["through_month"], "ape": row["ape"]})
    return pd.DataFrame(rows)


def margin_sweep(national: pd.DataFrame, sample: pd.DataFrame | None) -> str:
    """Markdown: recommended MdAPE per margin on each backtest, best simple method last."""
    cases = {"national Jan-Feb": (national, 2, 0), "national Q1": (national, 3, 0)}
    if sample is not None:
        cases |= {"sample Jan-Feb 2022-25": (sample, 2, 2022), "sample Q1": (sample, 3, 0),
                  "sample Q1 2022-25": (sample, 3, 2022)}
    lines = ["| margin | " + " | ".join(cases) + " |", "|" + "---|" * (len(cases) + 1)]
    for margin in MARGINS:
        cells = []
        for frame, month, first in cases.values():
            picked = recommended_ape(frame[frame["through_month"] == month], margin)
            cells.append(f"{picked.loc[picked['year'] >= first, 'ape'].median():.2f}")
        mark = " (default)" if margin == SWITCH_MARGIN else ""
        lines.append(f"| {margin:.2f}{mark} | " + " | ".join(cells) + " |")
    cells = []
    for frame, month, first in cases.values():
        part = frame[(frame["through_month"] == month) & (frame["year"] >= first)]
        best = part[part["method"].isin(["share_last", "share_mean"])]
        cells.append(f"{best.groupby('method')['ape'].median().min():.2f}")
    lines.append("| best of share_last/share_mean | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(result: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True, dpi=90)
    for ax, month in zip(axes, (2, 3), strict=True):
        part = result[result["through_month"] == month]
        for method in SHOWN:
            rows = part[part["method"] == method]
            ax.plot(rows["year"], rows["pct_error"], marker="o", ms=2.5, lw=1, label=method)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(f"from months 1-{month}: (estimate - actual) / actual")
        ax.set_xlabel("projected year")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("% error")
    axes[0].set_ylim(-15, 15)
    axes[1].legend(fontsize=7, ncol=2, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-data", default=os.environ.get("ANALYSIS_REAL_DATA",
                                                              "../shared/real-data"))
    parser.add_argument("--processed", default="data/processed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chart", default="docs/img/projection_backtest.png")
    parser.add_argument("--panel-only", action="store_true", help="only section 6")
    args = parser.parse_args()
    if args.panel_only:
        return panel_sections(args)

    ytd = read_yyyym_csv(Path(args.real_data) / "nbs-national-retail" /
                         "retail_sales_cumulative.csv", name="retail")
    monthly = ytd_to_monthly_series(ytd[ytd.index.year <= 2025])
    panel = pd.DataFrame({"national_retail": monthly})
    national = pd.concat([backtest(panel, range(2003, 2026), t) for t in (2, 3)],
                         ignore_index=True)
    print("## National retail, 2003-2025\n")
    print(markdown(accuracy(national, by=["through_month"])))
    table = ytd_table(monthly)
    for month in (2, 3):
        shares = ytd_shares(table, month)
        print(f"\nshare of months 1-{month}: min {shares.min():.3f} ({shares.idxmin()}), "
              f"max {shares.max():.3f} ({shares.idxmax()}), median {shares.median():.3f}, "
              f"2015-2025 mean {shares.loc[2015:2025].mean():.3f}")
    picks = national[national["method"] == "recommended"]
    print("\nrecommended picks:", picks.groupby("through_month")["note"].value_counts().to_dict())
    chart(national, Path(args.chart))

    processed = Path(args.processed)
    if (processed / BACKTEST_NAME).exists():
        sample = pd.read_parquet(processed / BACKTEST_NAME)
        if "scope" in sample:  # the city panels' records are measured in section 6
            sample = sample[sample["scope"] == "series"]
    elif (processed / "observations.parquet").exists():
        sample = backtest_observations(pd.read_parquet(processed / "observations.parquet"),
                                       jobs=args.jobs)
    else:
        print("\n(no sample: run q1brief ingest)")
        print("\n## Switch margin of the recommendation rule\n")
        print(margin_sweep(national, None))
        return panel_sections(args)
    print(f"\n## Sample: {sample[['region_code', 'indicator']].drop_duplicates().shape[0]} series, "
          f"years {sample['year'].min()}-{sample['year'].max()}\n")
    print(markdown(accuracy(sample, by=["through_month"])))
    late = sample[sample["year"] >= 2022]
    print("\n### Sample, years 2022-2025 only (after the 2020 shock leaves the share history)\n")
    print(markdown(accuracy(late, by=["through_month"])))
    picks = sample[sample["method"] == "recommended"]
    print("\nrecommended picks:", picks.groupby("through_month")["note"].value_counts().to_dict())
    print("\n## Switch margin of the recommendation rule (recommended MdAPE %)\n")
    print(margin_sweep(national, sample))
    panel_sections(args)


def panel_sections(args: argparse.Namespace) -> None:
    """Section 6: the panel projection on the three data sets (panel_evidence.py)."""
    print("\n# The panel projection (issue 11)\n")
    panel_evidence.development(Path(args.real_data), args.jobs, series=True)
    panel_evidence.national(Path(args.real_data))
    panel_evidence.sample(Path(args.processed))


if __name__ == "__main__":
    main()
