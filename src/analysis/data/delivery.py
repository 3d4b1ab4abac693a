"""Which delivery the processed data came from: fingerprints and ``delivery.json``.

Every successful ``q1brief ingest`` records the delivery it made the Parquet from in
``data/processed/delivery.json``: when it was ingested, the fingerprint of the tables
written (SHA-256, so the same raw files always give the same fingerprint), the raw files
read (path inside the data folder, size, SHA-256) and the latest month in the data. A
failed ingest leaves it untouched, so it always describes the data the notes are made from.
The briefing's methods note shows it through :func:`delivery_note`; the batch runner's
manifest records it with every job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

DELIVERY_NAME = "delivery.json"
SHORT = 12  # hex digits of a fingerprint shown to readers (48 bits: no accidental clash)


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def combine(hashes: Mapping[str, str]) -> str:
    """One fingerprint for named hashes: SHA-256 over sorted ``name:sha256`` lines, so
    renaming, adding, removing or changing any file changes it."""
    return sha256_bytes("".join(f"{k}:{hashes[k]}\n" for k in sorted(hashes)).encode())


def delivery_record(
    table_hashes: Mapping[str, str],
    raw_dir: Path,
    raw_files: Iterable[Path],
    *,
    ingested_at: datetime,
    latest_period: str | None,
    package_version: str,
) -> dict[str, Any]:
    """The ``delivery.json`` content for tables about to be written.

    ``table_hashes`` maps each Parquet file name to the SHA-256 of its bytes; ``raw_files``
    are the inputs read, recorded relative to ``raw_dir``.
    """
    raw_dir = Path(raw_dir)
    files = []
    for path in sorted(set(raw_files)):
        stat = path.stat()
        files.append({"path": _relative(path, raw_dir), "bytes": stat.st_size, "sha256": sha256_file(path)})
    return {
        "fingerprint": combine(table_hashes),
        "tables": dict(sorted(table_hashes.items())),
        "ingested_at": ingested_at.isoformat(timespec="seconds"),
        "latest_period": latest_period,
        "raw_files": files,
        "raw_fingerprint": combine({f["path"]: f["sha256"] for f in files}),
        "package_version": package_version,
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def read_delivery(processed_dir: str | Path) -> dict[str, Any] | None:
    """The recorded delivery of a processed folder, or ``None`` when there is none
    (data ingested before deliveries were recorded, or never ingested)."""
    path = Path(processed_dir) / DELIVERY_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) and "fingerprint" in record else None


def short_fingerprint(record: Mapping[str, Any] | None) -> str:
    """The first :data:`SHORT` hex digits of a delivery's fingerprint ('' without one)."""
    return str((record or {}).get("fingerprint", ""))[:SHORT]


def delivery_date(record: Mapping[str, Any] | None) -> str:
    """The ingest date of a delivery as ``YYYY-MM-DD`` ('' without one)."""
    return str((record or {}).get("ingested_at", ""))[:10]


def describe_delivery(record: Mapping[str, Any] | None) -> str:
    """One English line for reports and messages, e.g.
    ``"delivery ingested 2026-04-16T08:30:00+08:00, fingerprint 3f2a9c1b0d4e, 14 raw files"``."""
    if not record:
        return "no recorded delivery"
    return (f"delivery ingested {record.get('ingested_at', '?')}, fingerprint {short_fingerprint(record)}, "
            f"{len(record.get('raw_files', []))} raw files")


def delivery_note(processed_dir: str | Path, lang: str = "zh") -> str:
    """The sentence a briefing's methods note prints about the data it was made from.

    ``"数据批次：2026-04-16入库，数据指纹3f2a9c1b0d4e。"``; when no delivery is recorded it says
    so instead of inventing one. Plain text: the caller escapes it for HTML.
    """
    record = read_delivery(processed_dir)
    if lang != "zh":
        if record is None:
            return "Data delivery: not recorded (run q1brief ingest)."
        return f"Data delivery: ingested {delivery_date(record)}, fingerprint {short_fingerprint(record)}."
    if record is None:
        return "数据批次：未记录（请运行 q1brief ingest）。"
    return f"数据批次：{delivery_date(record)}入库，数据指纹{short_fingerprint(record)}。"
