"""The city workbook in a batch run: which cities get one, writing it, its manifest entry.

``q1brief run`` writes ``reports/<as-of>/<city code>_<as-of>_tables.xlsx``
(:func:`analysis.report.workbook.write_city_workbook`) for every city with counties under
``--all``, and for each city code named in ``--regions``. The manifest keeps one entry per
city under ``workbooks`` (status, file, duration, error, data fingerprint); the index page
links it. A workbook that fails is reported like a failed job and never stops the run.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import __version__
from analysis.report.workbook import workbook_cities, workbook_name, write_city_workbook

LABEL = "表格汇编（Excel）"


def cities_to_write(regions: pd.DataFrame, region_codes: list[str] | None) -> list[tuple[str, str]]:
    """(code, name) of the cities that get a workbook: all with counties when ``region_codes``
    is None (``--all``), else the city codes among ``region_codes``."""
    cities = workbook_cities(regions)
    if region_codes is None:
        return cities
    return [city for city in cities if city[0] in set(region_codes)]


def is_current(entry: dict[str, Any] | None, out_dir: Path, fingerprint: str) -> bool:
    """For ``--resume``: the workbook was written from the same data and is still there."""
    return bool(entry) and entry.get("status") == "ok" and entry.get("data_fingerprint") == fingerprint \
        and (out_dir / entry.get("path", "")).is_file()


def write_workbook(city: tuple[str, str], as_of: str, data_dir: Path, out_dir: Path, fingerprint: str,
                   share_assumption: float) -> dict[str, Any]:
    """Write one city's workbook into ``out_dir``; returns its manifest entry (never raises
    for bad data: the entry says ``failed`` and why)."""
    name = workbook_name(city[0], as_of)
    started = time.perf_counter()
    error = None
    try:
        write_city_workbook(data_dir, as_of, city[0], out_dir / name, fingerprint=fingerprint,
                            share_assumption=share_assumption)
    except Exception as exc:  # one failure must not stop the batch; it is recorded
        error = {"type": type(exc).__name__, "message": str(exc)}
        (out_dir / name).unlink(missing_ok=True)  # no stale workbook from an earlier run
    return {
        "city_code": city[0],
        "city_name": city[1],
        "label": LABEL,
        "status": "failed" if error else "ok",
        "path": name,
        "duration_s": round(time.perf_counter() - started, 3),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "error": error,
        "data_fingerprint": fingerprint,
        "package_version": __version__,
    }
