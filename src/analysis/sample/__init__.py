"""Deterministic generator of the bundled sample data (the fictional city 示例市).

``python -m analysis.sample --out data/raw [--seed N]`` writes ``regions.csv``, the bureau
tables under ``bureau/``, ``targets.csv``, ``projects.csv``, ``township_weekly.csv`` and a
``README.md`` describing them. The same seed always gives the same bytes.

:func:`generate` returns every table as DataFrames (pure, no files); :func:`write_sample`
writes them. The parts: :mod:`.geography` (regions), :mod:`.dynamics` (simulated monthly
economy), :mod:`.tables` (published bureau cells), :mod:`.ledgers` (targets, projects,
township weekly reports), :mod:`.writer` (file layouts), :mod:`.readme` (the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.loaders import PROJECT_HEADERS as LEDGER_HEADERS
from analysis.data.loaders import WEEKLY_HEADERS as WEEKLY_REPORT_HEADERS
from analysis.sample import geography, ledgers, tables, writer
from analysis.sample.readme import readme_text

DEFAULT_SEED = 20260331

# The ledgers are written with the Chinese headers the loaders read (defined once, there).
PROJECT_HEADERS = {column: header for header, column in LEDGER_HEADERS.items()}
WEEKLY_HEADERS = {column: header for header, column in WEEKLY_REPORT_HEADERS.items()}


@dataclass(frozen=True)
class SampleData:
    """Every generated table (English column names; ``cells`` are the bureau cells)."""

    seed: int
    regions: pd.DataFrame
    cells: pd.DataFrame
    targets: pd.DataFrame
    projects: pd.DataFrame
    township_weekly: pd.DataFrame


def generate(seed: int = DEFAULT_SEED) -> SampleData:
    """All sample tables from one seed; each part draws from its own child generator so
    changing one part does not reshuffle the others."""
    streams = np.random.SeedSequence(seed).spawn(5)
    rng = [np.random.default_rng(s) for s in streams]
    regions = geography.regions(rng[0])
    counties = geography.county_codes()
    truth = tables.simulate_truth(counties, rng[1])
    cells = tables.published_cells(truth, counties, rng[1])
    targets = ledgers.targets(cells, counties, rng[2])
    weights = ledgers.township_weights(regions, rng[4])
    projects = ledgers.projects(regions, weights, rng[3])
    weekly = ledgers.township_weekly(regions, weights, cells, projects, rng[4])
    return SampleData(seed, regions, cells, targets, projects, weekly)


def write_sample(out: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate with ``seed`` and write every file under ``out``; returns the paths written."""
    out = Path(out)
    data = generate(seed)
    written = writer.write_bureau(data.cells, data.regions, out)
    files = {
        "regions.csv": (data.regions, "utf-8"),
        "targets.csv": (data.targets, "utf-8"),
        "projects.csv": (data.projects.rename(columns=PROJECT_HEADERS), "utf-8-sig"),
        "township_weekly.csv": (data.township_weekly.rename(columns=WEEKLY_HEADERS), "utf-8-sig"),
    }
    for name, (frame, encoding) in files.items():
        writer.write_frame(frame, out / name, encoding)
        written.append(out / name)
    writer.write_bytes(out / "README.md", readme_text(data).encode("utf-8"))
    return [*written, out / "README.md"]
