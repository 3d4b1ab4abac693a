"""The city's tables every note of a batch shows a part of, computed once per batch.

A briefing for one county needs the whole city's gap table (its ranks, the city average),
the overall rank of every county and the key-project summary of every county. Computing
them takes most of a notebook's set-up, and is the same for every county of the city, so
``q1brief run`` computes them once (:func:`city_tables`), writes them beside the notes
(:func:`save_city_tables`: Parquet files and a ``meta.json`` in ``reports/<as-of>/context/``)
and each notebook reads them (:func:`load_city_tables`); a notebook run on its own in
JupyterLab computes them itself. The meta records the as-of month and the fingerprint of
the processed data they were made from; a notebook refuses tables made from other data.
Both sides compute with the same :func:`analysis.report.options.note_options`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import __version__
from analysis.core.atomic import write_all_atomic
from analysis.core.errors import DataError
from analysis.core.periods import as_day, as_period
from analysis.core.settings import Settings
from analysis.data.processed import AsOfTables
from analysis.gaps import gap_table
from analysis.report.headline import overall_rank
from analysis.report.options import NoteOptions, note_options

META_NAME = "meta.json"
FORMAT_VERSION = 1
_LIST_COLUMNS = ("top3", "interview")  # lists of township names in the project summary


@dataclass(frozen=True)
class CityTables:
    """The city-wide tables of one as-of month.

    ``gaps``: :func:`analysis.gaps.gap_table` of every county; ``ranks``: overall rank by
    county (:func:`analysis.report.headline.overall_rank`); ``projects``:
    :func:`analysis.key_projects.county_summary` of every county (None without a ledger).
    """

    as_of: str
    gaps: pd.DataFrame
    ranks: pd.Series
    projects: pd.DataFrame | None = None


def city_tables(data: Any, as_of: object, options: NoteOptions | None = None) -> CityTables:
    """Compute the city's tables from the processed ``data`` (a mapping of table name to frame;
    ``targets``, ``projects`` and ``township_weekly`` may be absent) with ``options``
    (default :func:`analysis.report.options.note_options` of ``data``)."""
    from analysis import key_projects

    options = note_options(data) if options is None else options
    period = as_period(as_of)
    data = AsOfTables(data, period)  # the same view as the notes' (nothing after the month)
    targets = data.get("targets")
    if targets is None:
        targets = pd.DataFrame(columns=["region_code", "indicator", "year", "horizon", "measure", "target"])
    regions = data["regions"]
    gaps = gap_table(data["observations"], targets, regions, period, thresholds=options.thresholds,
                     catalogue=options.catalogue)
    projects = None
    if data.get("projects") is not None:
        names = dict(zip(regions["code"], regions["name"], strict=True))
        projects = key_projects.county_summary(data["projects"], as_day(period),
                                               data.get("township_weekly"), names)
    return CityTables(str(period), gaps, overall_rank(gaps, options.rank_indicators), projects)


def _frames(tables: CityTables) -> dict[str, pd.DataFrame]:
    frames = {"gaps": tables.gaps, "ranks": tables.ranks.rename_axis("region_code").reset_index()}
    if tables.projects is not None:
        frames["projects"] = tables.projects
    return frames


def save_city_tables(tables: CityTables, folder: Path, fingerprint: str, settings: Settings | None = None) -> Path:
    """Write the tables to ``folder`` (atomically, all or none) with their meta; returns it.

    ``fingerprint`` is :func:`analysis.data.processed.fingerprint` (``sha256``) of the data
    the tables were made from, ``settings`` the city's settings they were computed with.
    """
    folder = Path(folder)
    frames = _frames(tables)
    meta = {"format": FORMAT_VERSION, "as_of": tables.as_of, "data_fingerprint": fingerprint,
            "package_version": __version__, "settings": (settings or Settings()).to_dict(),
            "tables": sorted(frames)}
    writers = {folder / f"{name}.parquet": (lambda temp, f=frame: f.to_parquet(temp, index=False))
               for name, frame in frames.items()}
    writers[folder / META_NAME] = lambda temp: temp.write_text(json.dumps(meta, indent=2) + "\n",
                                                               encoding="utf-8")
    write_all_atomic(writers)
    return folder


def load_city_tables(folder: Path, as_of: object, fingerprint: str, settings: Settings | None = None) -> CityTables:
    """The tables saved in ``folder``; DataError when they are for another month, other data
    (``fingerprint`` of the data the notebook reads), other settings or another package version."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise DataError(f"no readable {META_NAME} ({type(exc).__name__})", path=folder,
                        expected="the city tables `q1brief run` writes") from exc
    wanted = {"format": FORMAT_VERSION, "as_of": str(as_period(as_of)), "data_fingerprint": fingerprint,
              "package_version": __version__, "settings": (settings or Settings()).to_dict()}
    stale = [f"{k} {meta.get(k)!r} (expected {v!r})" for k, v in wanted.items() if meta.get(k) != v]
    if stale:
        raise DataError("city tables made for other data: " + "; ".join(stale), path=folder,
                        expected="tables written by this run of `q1brief run`; rerun it")
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in meta["tables"]}
    projects = frames.get("projects")
    if projects is not None:
        for col in _LIST_COLUMNS:
            projects[col] = projects[col].map(lambda v: [] if v is None else list(v))
    ranks = frames["ranks"].set_index("region_code")["overall_rank"]
    return CityTables(meta["as_of"], frames["gaps"], ranks, projects)
