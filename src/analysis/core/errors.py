"""Errors that name the file, the place in it and what was expected."""

from __future__ import annotations

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
