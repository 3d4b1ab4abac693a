"""Errors that name the file, the place in it and what was expected."""

from __future__ import annotations

import errno
import re
from pathlib import Path


class DataError(ValueError):
    """Bad input data: raised with the file, the row/column or cell, and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        location: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.location = location
        self.expected = expected
        self.reason = message
        parts = []
        if self.path:
            parts.append(self.path + (f" [{location}]" if location else ""))
        elif location:
            parts.append(f"[{location}]")
        parts.append(message)
        if expected:
            parts.append(f"expected {expected}")
        super().__init__(": ".join(parts[:2]) + ("; " + parts[2] if len(parts) > 2 else ""))


def excel_cell(row: int, col: int) -> str:
    """Spreadsheet-style cell name from 0-based row and column (0, 0 -> 'A1')."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


# Control characters a cell must not hold (tab and line breaks allowed). The class is written with the
# characters themselves, so the same pattern serves Python's re and Arrow's RE2 (pandas string methods).
CONTROL_CLASS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]"
CONTROL_CHARACTERS = re.compile(CONTROL_CLASS)


def escape_controls(text: str) -> str:
    """``text`` with control characters written as visible escapes (``\\x00``, ``\\x1b``), so
    a hostile cell can be named in a message or report without being written raw."""
    return CONTROL_CHARACTERS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


_CAUSES = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.EIO: "input/output error (a failing disk or network share?)",
}
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[^.]+\.tmp$")  # analysis.core.atomic's temporary files


def describe_os_error(exc: OSError) -> str:
    """One line for a failed read or write: the file (a temporary file named as the file it
    was to replace) and the cause in words, e.g.
    ``"cannot write data/processed/validation.md: disk full (No space left on device)"``."""
    path = exc.filename if exc.filename is not None else ""
    if path:
        p = Path(str(path))
        if m := _TEMP_NAME.match(p.name):
            p = p.with_name(m.group("name"))
        path = str(p)
    cause = _CAUSES.get(exc.errno or -1)
    detail = exc.strerror or str(exc)
    text = f"{cause} ({detail})" if cause and cause.lower() != str(detail).lower() else detail
    return f"cannot use {path}: {text}" if path else text
