"""The run manifest (``reports/<as-of>/manifest.json``).

The manifest records, per job (``<region_code>/<notebook>``): status (``ok``/``failed``),
duration, the error with the failing cell, the fingerprint of the input data, the package
version and the headline figures the index page shows. It is rewritten (atomically) after
every finished job, so a killed run keeps what finished and ``--resume`` reruns the rest.
The data fingerprint is :func:`analysis.data.processed.fingerprint` (re-exported here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.core.atomic import write_text
from analysis.data.processed import fingerprint as data_fingerprint

MANIFEST_NAME = "manifest.json"
__all__ = ["MANIFEST_NAME", "data_fingerprint", "is_done", "load_manifest", "save_manifest"]


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``; an empty one when the file is absent or unreadable."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"jobs": {}}
    manifest.setdefault("jobs", {})
    return manifest


def save_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (sorted keys, UTF-8, Chinese kept readable)."""
    write_text(Path(path), json.dumps(manifest, ensure_ascii=False, indent=2,
                                             sort_keys=True) + "\n")


def is_done(entry: dict[str, Any] | None, out_dir: Path) -> bool:
    """A job counts as done for ``--resume`` only when it succeeded and its files exist."""
    if not entry or entry.get("status") != "ok":
        return False
    outputs = entry.get("outputs", {})
    return bool(outputs) and all((out_dir / rel).is_file() for rel in outputs.values())
