"""Atomic file writes: the one way the package writes a file.

Every output (Parquet, reports, notes, manifests, the sample) is written to a temporary file
in the target folder and renamed over the target, so a reader never sees a half-written
file and a failure leaves the previous version in place. Temporary files are named
``.<name>.<random>.tmp`` (:data:`TMP_PATTERN`), so a killed writer's leftovers can be found.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

TMP_PATTERN = ".*.tmp"


def _file_mode() -> int:
    """Permissions a plain ``open()`` would give (mkstemp's 0600 would hide outputs from colleagues)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_all_atomic(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write every file to a temporary file first and rename them into place only when all
    succeeded, so a failure leaves the previous set untouched and no partial file behind."""
    temps: dict[Path, Path] = {}
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(handle)
            temps[path] = Path(temp)
            write(temps[path])
            os.chmod(temps[path], _file_mode())
        for path, temp in temps.items():
            os.replace(temp, path)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file through ``write(temp_path)``, then rename it over ``path``."""
    write_all_atomic({Path(path): write})


def write_text(path: Path, text: str) -> None:
    """``text`` to ``path`` in UTF-8, atomically."""
    write_atomic(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """``data`` to ``path``, atomically."""
    write_atomic(path, lambda temp: temp.write_bytes(data))


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete temp files a killed writer left behind under ``folder``; returns them."""
    stale = sorted(Path(folder).rglob(TMP_PATTERN)) if Path(folder).exists() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
