"""The run manifest (``reports/<as-of>/manifest.json``): what each job was made from.

The manifest records, per job (``<region_code>/<notebook>``): status (``ok``/``failed``),
duration, the error with the failing cell, and what the job was made from: the data
fingerprint, the delivery (date and fingerprint of ``delivery.json``), the parameters, the
notebook's SHA-256 and the package version; plus the headline figures the index page
shows. A job is *done* for ``--resume`` only when it succeeded, its files exist and all of
what it was made from is what the run would use now (:func:`stale_reasons`).

Each finished job is merged into the manifest on disk (read, update one entry, write
atomically) while the run holds the reports folder's lock, so a killed run keeps what
finished and no update of another run is lost. The data fingerprint is
:func:`analysis.data.processed.fingerprint` (re-exported here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.core.atomic import write_text
from analysis.data.processed import fingerprint as data_fingerprint

__all__ = ["MANIFEST_NAME", "data_fingerprint", "is_done", "load_manifest", "merge_job", "save_manifest",
           "stale_reasons"]

MANIFEST_NAME = "manifest.json"
# What a job was made from, in the order reasons are given.
MADE_FROM = ("data_fingerprint", "parameters", "notebook_sha256", "package_version")
_WHAT = {"data_fingerprint": "data changed", "parameters": "parameters changed",
         "notebook_sha256": "notebook changed", "package_version": "package version changed"}


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``; an empty one when the file is absent or unreadable."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {"jobs": {}}
    if not isinstance(manifest, dict):
        return {"jobs": {}}
    manifest.setdefault("jobs", {})
    return manifest


def save_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (sorted keys, UTF-8, Chinese kept readable)."""
    write_text(Path(path), json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def merge_job(path: Path, key: str, entry: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """Merge one finished job and the run's facts (``run``: as-of, fingerprint, ...) into the
    manifest on disk and return the merged manifest; other jobs' entries are kept."""
    state = load_manifest(path)
    state.update(run)
    state["jobs"][key] = entry
    save_manifest(path, state)
    return state


def stale_reasons(entry: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Why a finished job no longer matches what the run would make it from (empty: it does).

    ``current`` holds the values of :data:`MADE_FROM` for this run; a value missing from
    an entry (a manifest from an older version) counts as changed.
    """
    return [_WHAT[k] for k in MADE_FROM if k in current and entry.get(k) != current[k]]


def is_done(entry: dict[str, Any] | None, out_dir: Path, current: dict[str, Any] | None = None) -> bool:
    """A job counts as done for ``--resume`` only when it succeeded, its files exist and
    (given ``current``) it was made from the same data, parameters, notebook and version."""
    if not entry or entry.get("status") != "ok":
        return False
    outputs = entry.get("outputs", {})
    if not outputs or not all((out_dir / rel).is_file() for rel in outputs.values()):
        return False
    return not (current and stale_reasons(entry, current))
