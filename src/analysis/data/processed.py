"""Read the tidy tables ``q1brief ingest`` wrote to ``data/processed/`` (Parquet).

The notebooks' context (:mod:`analysis.report.context`) starts here. :func:`read_processed`
returns the frames with the dtypes of ``docs/data-formats.md`` (codes as str, ``period`` as
``Period[M]``, the catalogue indexed by code with ``aliases``/``forms`` as tuples);
:class:`ProcessedTables` reads them one by one when first needed; :func:`read_catalogue`
and :func:`read_settings` give the city's effective indicator catalogue and settings (the
packaged ones for a folder made before they were written); :func:`require_region` fails
early with a clear :class:`DataError` when a region has no observations, so a batch run
reports "no data for 990103" instead of an obscure error in a chart cell; :func:`fingerprint`
hashes the folder, so a batch and its per-batch tables can tell that the data they were
made from is the data there now. :class:`AsOfTables` is the same tables as they stood at an
as-of month (nothing dated after it), the one filter every note of that month reads through.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.catalog import indicators, prepare_catalogue
from analysis.core.errors import DataError
from analysis.core.settings import Settings
from analysis.data.delivery import combine, sha256_file

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
    """The region's row of ``regions``; DataError when the code is unknown or has no data (for a
    city: neither its own rows nor its counties', from which its figures can be formed)."""
    match = regions[regions["code"] == str(region_code)]
    if match.empty:
        raise DataError(f"region {region_code} is not in regions.parquet", location=str(region_code),
                        expected="a code listed in data/raw/regions.csv")
    codes = {str(region_code)}
    if match.iloc[0]["level"] == "city":
        codes |= set(regions.loc[regions["parent"].astype(str) == str(region_code), "code"].astype(str))
    if not obs["region_code"].isin(codes).any():
        raise DataError(f"no observations for region {region_code} ({match.iloc[0]['name']})",
                        location=str(region_code), expected="bureau tables with this region's rows")
    return match.iloc[0]


def fingerprint(data_dir: Path, patterns: tuple[str, ...] = ("*.parquet", SETTINGS_NAME)) -> dict[str, Any]:
    """SHA-256 of each processed file matching ``patterns`` (the tables, and the city's
    settings they are read with; sorted by name) and of the set as a whole.

    The combined hash is :func:`analysis.data.delivery.combine` (sha256 over ``name:sha256\\n``
    lines), so renaming, adding or changing any file changes it (the backtest cache too: a
    projection made from another cache is another note). Right after an ingest it equals
    the fingerprint ``delivery.json`` records.
    """
    paths = sorted({p for pattern in patterns for p in Path(data_dir).glob(pattern)})
    files = {path.name: sha256_file(path) for path in paths}
    return {"sha256": combine(files), "files": files}


class ProcessedTables(Mapping[str, pd.DataFrame]):
    """The processed tables of ``data_dir`` by name, each read on first use (absent: KeyError).

    A notebook reads only the tables it shows; :func:`read_processed` reads a fixed list.
    """

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir)
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            frames = read_processed(self.data_dir, (name,))
            if name not in frames:
                raise KeyError(name)
            self._frames[name] = frames[name]
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(p.stem for p in self.data_dir.glob("*.parquet")))

    def __len__(self) -> int:
        return len(list(self))

    @property
    def settings(self) -> Settings:
        """The folder's settings (:func:`read_settings`)."""
        if "_settings" not in self.__dict__:
            self.__dict__["_settings"] = read_settings(self.data_dir)
        return self.__dict__["_settings"]


class AsOfTables(Mapping[str, pd.DataFrame]):
    """The tables of ``data`` as they stood at the end of ``period``: observations up to that
    month, township weekly reports up to its last day; every other table as it is.

    A note for a past month (``--as-of 2026-02`` on data through March) must show nothing
    after it; filtering here, once, means no chart, table or sentence can forget to. The
    project ledger is a snapshot: its starts are dated (and judged at the as-of day by
    :mod:`analysis.key_projects`), but a completed investment reported after the as-of day
    is a later figure, so it becomes unknown (NaN, ``reported_on`` NaT) rather than shown.
    Each filtered table is computed when first read.
    """

    def __init__(self, data: Mapping[str, pd.DataFrame], period: pd.Period) -> None:
        self.source = data
        self.period = period
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            frame = self.source[name]
            if name == "observations":
                frame = frame[frame["period"] <= self.period]
            elif name == "township_weekly" and "week_end" in frame.columns:
                frame = frame[pd.to_datetime(frame["week_end"]) <= self.day]
            elif name == "projects" and "reported_on" in frame.columns:
                later = pd.to_datetime(frame["reported_on"]) > self.day
                if later.any():
                    frame = frame.assign(completed_investment=frame["completed_investment"].where(~later),
                                         reported_on=frame["reported_on"].where(~later))
            self._frames[name] = frame
        return self._frames[name]

    @property
    def day(self) -> pd.Timestamp:
        """The as-of month's last day."""
        return self.period.to_timestamp(how="end").normalize()

    def ledger_reported_after(self) -> pd.Timestamp | None:
        """The latest report date of the project ledger when it is after the as-of day (its
        investment figures are then hidden), else None."""
        ledger = self.source.get("projects")
        if ledger is None or "reported_on" not in ledger.columns:
            return None
        last = pd.to_datetime(ledger["reported_on"]).max()
        return last if pd.notna(last) and last > self.day else None

    def __iter__(self) -> Iterator[str]:
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)

    def __contains__(self, name: object) -> bool:
        return name in self.source

    @property
    def settings(self) -> Settings:
        """The settings of the underlying folder (defaults for a plain mapping)."""
        return getattr(self.source, "settings", None) or Settings()
