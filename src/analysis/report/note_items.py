"""What a reader sees of an executed notebook, as plain items in reading order (for the Word note).

The HTML note is the executed notebook through nbconvert; the Word note must show the same
content, so it is built from the same outputs: the blocks' plain data (each output of a
:mod:`analysis.report.blocks` block carries it as :data:`~analysis.report.blocks.BLOCK_MIMETYPE`),
figures (PNG, captioned by :func:`~analysis.report.blocks.show`), the markdown cells' headings
and text, and, for outputs that are not blocks (e.g. a DataFrame), the HTML table or text.
Cells the HTML export removes (``parameters``, ``remove-cell``...) and code are left out.

Each item is a dict with ``kind``: ``heading`` (text, level), ``paragraphs`` (items of lead,
text), ``table`` (columns, rows, status), ``headline`` (items of label, value, status, note),
``note`` (text) or ``figure`` (png as base64, caption).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from lxml import html as lxml_html

from analysis.report.blocks import BLOCK_MIMETYPE, FIGURE_METADATA
from analysis.report.export import REMOVED_TAGS, scrub_paths

Item = dict[str, Any]
KINDS = frozenset({"heading", "paragraphs", "table", "headline", "note", "figure"})  # what the Word note lays out
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_INLINE = [(re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""), (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
           (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"), (re.compile(r"(?<!\w)[*_](.+?)[*_](?!\w)"), r"\1"),
           (re.compile(r"`([^`]*)`"), r"\1"), (re.compile(r"<[^>]+>"), "")]


def note_items(nb: nbformat.NotebookNode, local_paths: Iterable[str | Path] = ()) -> list[Item]:
    """The items of executed notebook ``nb`` in reading order, with ``local_paths`` replaced
    in every text as in the HTML note (:func:`analysis.report.export.scrub_paths`)."""
    items: list[Item] = []
    for cell in nb.cells:
        if REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.get("cell_type") == "markdown":
            items.extend(markdown_items(str(cell.get("source", ""))))
        elif cell.get("cell_type") == "code":
            for output in cell.get("outputs", []):
                items.extend(output_items(output))
    paths = list(local_paths)
    return [_scrubbed(item, paths) for item in items] if paths else items


def markdown_items(source: str) -> list[Item]:
    """Headings (``#`` lines) and paragraphs (blank-line separated; each list entry its own)
    of a markdown cell, inline markup removed; fenced code is left out."""
    items: list[Item] = []
    lines: list[str] = []
    fenced = False

    def flush() -> None:
        text = "".join(line.strip() for line in lines)  # Chinese text wraps without spaces
        if text:
            items.append({"kind": "paragraphs", "items": [{"lead": "", "text": _plain(text)}]})
        lines.clear()

    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            fenced = not fenced
        elif fenced:
            continue
        elif match := _HEADING.match(line):
            flush()
            items.append({"kind": "heading", "text": _plain(match.group(2)), "level": len(match.group(1))})
        elif not line.strip():
            flush()
        elif _LIST.match(line):
            flush()
            lines.append(_LIST.sub("", line))
        else:
            lines.append(line)
    flush()
    return items


def _plain(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()


def output_items(output: dict[str, Any]) -> list[Item]:
    """The items of one cell output: a block's record, a captioned figure, an HTML table or
    headings and paragraphs, or printed text; nothing for stderr, errors and bare reprs."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") != "stdout":
            return []
        texts = [line.strip() for line in str(output.get("text", "")).splitlines() if line.strip()]
        return [{"kind": "paragraphs", "items": [{"lead": "", "text": t} for t in texts]}] if texts else []
    if kind not in ("display_data", "execute_result"):
        return []
    data = output.get("data", {})
    if data.get(BLOCK_MIMETYPE, {}).get("kind") in KINDS:  # a block of a kind not known here: its HTML
        return [dict(data[BLOCK_MIMETYPE])]
    if "image/png" in data:
        caption = output.get("metadata", {}).get(FIGURE_METADATA, {}).get("caption", "")
        png = data["image/png"]
        return [{"kind": "figure", "png": "".join(png) if isinstance(png, list) else str(png), "caption": caption}]
    if "text/html" in data:
        markup = data["text/html"]
        return html_items("".join(markup) if isinstance(markup, list) else str(markup))
    return []


def html_items(markup: str) -> list[Item]:
    """Tables, headings and paragraphs of an HTML fragment (e.g. a DataFrame's table)."""
    if not markup.strip():
        return []
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    items: list[Item] = []
    for element in root.iter("table", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li"):
        if any(a.tag == "table" for a in element.iterancestors()):
            continue  # a table's own cells are read with the table
        if element.tag == "table":
            items.append(_table_item(element))
        elif (text := _text(element)):
            if element.tag.startswith("h"):
                items.append({"kind": "heading", "text": text, "level": int(element.tag[1])})
            else:
                items.append({"kind": "paragraphs", "items": [{"lead": "", "text": text}]})
    return items


def _text(element: Any) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _table_item(table: Any) -> Item:
    """A table item from an HTML table: the header rows joined per column (a DataFrame with
    named columns or index has two), colspans repeated; every body row as text cells."""
    def cells(row: Any) -> list[str]:
        out: list[str] = []
        for cell in row.iterchildren("th", "td"):
            out.extend([_text(cell)] * int(cell.get("colspan", "1") or 1))
        return out

    head = [cells(r) for r in table.iterfind("thead/tr")]
    body = [cells(r) for r in table.iterfind("tbody/tr")] or [cells(r) for r in table.iterfind("tr")]
    if head and len({len(r) for r in head}) == 1:
        columns = [" ".join(t for t in parts if t) for parts in zip(*head, strict=True)]
    else:
        columns = head[-1] if head else (body.pop(0) if body else [])
    return {"kind": "table", "columns": columns, "rows": body, "status": None}


def _scrubbed(value: Any, paths: list[str | Path]) -> Any:
    """``value`` with local paths replaced in every string (not in a figure's PNG data)."""
    if isinstance(value, str):
        return scrub_paths(value, paths)
    if isinstance(value, list):
        return [_scrubbed(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "png" else _scrubbed(v, paths) for k, v in value.items()}
    return value
