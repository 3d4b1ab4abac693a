"""Read the tidy tables ``q1brief ingest`` wrote to ``data/processed/`` (Parquet).

Notebooks start here. :func:`read_processed` returns the frames with the dtypes of
``docs/data-formats.md`` (codes as str, ``period`` as ``Period[M]``, the catalogue indexed
by code with ``aliases``/``forms`` as tuples); :func:`read_catalogue` and
:func:`read_settings` give the city's effective indicator catalogue and settings (the
packaged ones for a folder made before they were written); :func:`require_region` fails
early with a clear :class:`DataError` when a region has no observations, so a batch run
reports "no data for 990103" instead of an obscure error in a chart cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core.catalog import indicators, prepare_catalogue
from analysis.core.errors import DataError
from analysis.core.settings import Settings

TABLES = ("observations", "regions", "targets", "projects", "township_weekly", "catalogue", "sources")
SETTINGS_NAME = "settings.json"
FINDINGS_NAME = "validation_findings.csv"  # the findings of the ingest that wrote the tables
REQUIRED = ("observations", "regions")
_CODE_COLUMNS = ("region_code", "code", "parent", "county_code", "township_code")


def read_processed(data_dir: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """The processed tables by name; optional ones (targets, projects, ...) may be absent.

    Raises DataError naming the folder when a required table is missing.
    """
    data_dir = Path(data_dir)
    frames: dict[str, pd.DataFrame] = {}
    for name in tables:
        path = data_dir / f"{name}.parquet"
        if not path.is_file():
            if name in REQUIRED:
                raise DataError(f"{name}.parquet not found; run `q1brief ingest` first", path=data_dir)
            continue
        frame = pd.read_parquet(path)
        for col in _CODE_COLUMNS:
            if col in frame.columns:
                frame[col] = frame[col].astype(str)  # pandas 3: missing stays missing
        if "period" in frame.columns and not isinstance(frame["period"].dtype, pd.PeriodDtype):
            frame["period"] = pd.PeriodIndex(frame["period"], freq="M")
        frames[name] = prepare_catalogue(frame) if name == "catalogue" else frame
    return frames


def read_catalogue(data_dir: str | Path) -> pd.DataFrame:
    """The indicator catalogue ingest used (the packaged one extended by the city's
    ``indicators.csv``); the packaged catalogue when the folder has none."""
    return read_processed(data_dir, ("catalogue",)).get("catalogue", indicators())


def read_settings(data_dir: str | Path) -> Settings:
    """The settings ingest used (``q1brief.toml`` of the data folder); defaults when absent."""
    path = Path(data_dir) / SETTINGS_NAME
    if not path.is_file():
        return Settings()
    try:
        return Settings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise DataError(f"unreadable settings ({exc}); run `q1brief ingest` again", path=path) from exc


def read_findings(data_dir: str | Path) -> pd.DataFrame | None:
    """The validation findings ``q1brief ingest`` wrote beside the tables (None when absent).

    Columns ``severity, check, file, location, message`` (text, empty cells as "").
    """
    path = Path(data_dir) / FINDINGS_NAME
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def require_region(obs: pd.DataFrame, regions: pd.DataFrame, region_code: str) -> pd.Series:
    """The region's row of ``regions``; DataError when the code is unknown or has no data."""
    match = regions[regions["code"] == str(region_code)]
    if match.empty:
        raise DataError(f"region {region_code} is not in regions.parquet", location=str(region_code),
                        expected="a code listed in data/raw/regions.csv")
    if not (obs["region_code"] == str(region_code)).any():
        raise DataError(f"no observations for region {region_code} ({match.iloc[0]['name']})",
                        location=str(region_code), expected="bureau tables with this region's rows")
    return match.iloc[0]
