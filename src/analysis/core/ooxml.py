"""Deterministic Office Open XML packages (``.xlsx``): the same content gives the same bytes.

openpyxl stamps every zip member with the current time and sets ``dcterms:modified`` in
``docProps/core.xml`` to the moment of saving, so two saves of the same workbook differ.
:func:`freeze_package` rewrites the package with fixed member times and a given
``dcterms:modified``, leaving every part's content and order as written.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip member can carry
CORE_PART = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(<)")


def w3cdtf(moment: datetime | tuple[int, ...]) -> str:
    """``2026-04-10T09:00:00Z``: the date form ``docProps/core.xml`` uses (UTC, seconds;
    a naive time is taken as UTC)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        moment = moment.timetuple()[:6]
    return "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*moment)


def freeze_package(data: bytes, member_time: tuple[int, ...] = ZIP_EPOCH,
                   modified: str | None = None) -> bytes:
    """The package ``data`` with every member dated ``member_time`` and, when given, the
    core properties' ``dcterms:modified`` set to ``modified`` (a :func:`w3cdtf` string)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if modified is not None and info.filename == CORE_PART:
                content = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", content)
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=member_time),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
