"""The briefing as a Word document (``.docx``, python-docx), laid out as a Chinese official briefing.

Title, issuing line (data month and date of issue) over a red rule, then the note's content
in its own order (:func:`analysis.report.note_items.note_items`: the executed notebook's
outputs, so the Word and HTML notes show the same figures): numbered sections (一、 (一)
1.), the headline table, paragraphs, tables, charts as figures with captions (图1 ...) and
the 说明 note. No code. Page and type: :mod:`analysis.report.word_styles`.
:func:`note_docx` returns the bytes; :func:`write_docx` writes them through
:mod:`analysis.core.atomic`. The same content and date give the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt, RGBColor

from analysis import __version__
from analysis.core.atomic import write_bytes
from analysis.core.ooxml import freeze_package, w3cdtf
from analysis.gaps.status import STATUS_COLOURS
from analysis.report.note_items import Item
from analysis.report.tables import STATUS_NAMES
from analysis.report.word_styles import (
    CELL_STYLE,
    HEADING_FONT,
    NOTE_STYLE,
    TEXT_WIDTH,
    bottom_rule,
    set_fonts,
    style_document,
)

HEADLINE_COLUMNS = ("指标", "数值", "比较", "状态")
HEADLINE_WIDTHS = (Mm(34), Mm(30), Mm(70), Mm(22))
FIGURE_WIDTH = Mm(150)
NOTE_LEAD = "说明"
_FIGURE_NUMBER = re.compile(r"^图\s*\d+")
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (section numbers)."""
    if not 0 < n < 100:
        raise ValueError(f"section number {n} outside 1-99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def section_label(depth: int, n: int) -> str:
    """The number of the ``n``-th heading at ``depth`` (0 = top): 一、 （一） 1. （1）."""
    return [f"{chinese_number(n)}、", f"（{chinese_number(n)}）", f"{n}.", f"（{n}）"][min(depth, 3)]


def note_docx(items: Sequence[Item], title: str, subtitle: str = "", issued: date | None = None) -> bytes:
    """The ``.docx`` bytes of a note: ``title``, the issuing line (``subtitle``, e.g.
    数据截至2026年3月, and the date ``issued``, today by default) and ``items`` in order."""
    issued = issued or date.today()
    doc = Document()
    style_document(doc)
    doc.add_paragraph(title, style="Title")
    _issue_line(doc, subtitle, issued)
    _Body(doc, title).add(items)
    props = doc.core_properties
    moment = datetime(issued.year, issued.month, issued.day)
    props.title, props.author, props.last_modified_by = title, f"q1brief {__version__}", "q1brief"
    props.created, props.modified, props.revision = moment, moment, 1
    props.comments, props.keywords, props.subject, props.category = "", "", subtitle, ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return freeze_package(buffer.getvalue(), modified=w3cdtf(moment))


def write_docx(path: Path, items: Sequence[Item], title: str, subtitle: str = "",
               issued: date | None = None) -> None:
    """:func:`note_docx` written to ``path`` atomically."""
    write_bytes(Path(path), note_docx(items, title, subtitle, issued))


def _issue_line(doc: Any, subtitle: str, issued: date) -> None:
    """``subtitle`` on the left, the date of issue on the right, a red rule beneath."""
    paragraph = doc.add_paragraph(f"{subtitle}\t{issued.year}年{issued.month}月{issued.day}日", style="Subtitle")
    paragraph.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.paragraph_format.space_after = Pt(16)
    bottom_rule(paragraph)


class _Body:
    """Adds items to a document, numbering sections and figures as it goes."""

    def __init__(self, doc: Any, title: str) -> None:
        self.doc, self.title = doc, title
        self.style_ids = {s.name: s.style_id for s in doc.styles}  # python-docx looks a name up slowly
        self.counts: list[int] = []  # headings seen at each depth under the current parent
        self.figures = 0
        self.top = 2  # the heading level numbered 一、

    def add(self, items: Sequence[Item]) -> None:
        items = [dict(i) for i in items if not (i["kind"] == "heading" and i["text"] == self.title)]
        levels = [int(i.get("level", 2)) for i in items if i["kind"] == "heading"]
        self.top = min(levels, default=2)
        for i, item in enumerate(items):
            following = items[i + 1] if i + 1 < len(items) else None
            if item["kind"] == "heading" and following is not None and following["kind"] == "note":
                following["lead"] = item["text"]  # "说明" heading + note: one unnumbered note
                continue
            getattr(self, f"_{item['kind']}")(item)

    def _paragraph(self, text: str = "", style: str | None = None, paragraph: Any = None) -> Any:
        """A new paragraph (or ``paragraph``) in ``style``, set by its id."""
        paragraph = self.doc.add_paragraph(text) if paragraph is None else paragraph
        if style is not None:
            paragraph._p.get_or_add_pPr().style = self.style_ids[style]
        return paragraph

    def _heading(self, item: Item) -> None:
        depth = int(item.get("level", 2)) - self.top
        del self.counts[depth + 1:]
        self.counts.extend([0] * (depth + 1 - len(self.counts)))
        self.counts[depth] += 1
        style = f"Heading {min(depth, 2) + 1}"
        self._paragraph(section_label(depth, self.counts[depth]) + item["text"], style)

    def _paragraphs(self, item: Item) -> None:
        for entry in item["items"]:
            paragraph = self.doc.add_paragraph()
            if entry.get("lead"):
                set_fonts(paragraph.add_run(entry["lead"])._r, HEADING_FONT)
            paragraph.add_run(entry["text"])

    def _note(self, item: Item) -> None:
        paragraph = self._paragraph(style=NOTE_STYLE)
        paragraph.paragraph_format.space_before = Pt(12)
        set_fonts(paragraph.add_run(f"{item.get('lead') or NOTE_LEAD}：")._r, HEADING_FONT)
        paragraph.add_run(item["text"])

    def _figure(self, item: Item) -> None:
        self.figures += 1
        picture = self._paragraph(style=CELL_STYLE)
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.space_before = Pt(6)
        picture.add_run().add_picture(io.BytesIO(base64.b64decode(item["png"])), width=FIGURE_WIDTH)
        caption = str(item.get("caption") or "").strip()
        if not _FIGURE_NUMBER.match(caption):
            caption = f"图{self.figures} {caption}".strip()
        self._paragraph(caption, "Caption").paragraph_format.space_after = Pt(8)

    def _headline(self, item: Item) -> None:
        rows = [[c["label"], c["value"], c["note"], STATUS_NAMES.get(c["status"], STATUS_NAMES["unknown"])]
                for c in item["items"]]
        table = self._grid(list(HEADLINE_COLUMNS), rows, [c["status"] for c in item["items"]])
        table.autofit = False
        for column, width in zip(table.columns, HEADLINE_WIDTHS, strict=True):
            column.width = width  # the grid (LibreOffice reads it) and each cell (Word does)
        for row in table.rows:
            for cell, width in zip(row.cells, HEADLINE_WIDTHS, strict=True):
                cell.width = width

    def _table(self, item: Item) -> None:
        self._grid([str(c) for c in item["columns"]], item["rows"], item.get("status"))

    def _grid(self, columns: list[str], rows: Iterable[Sequence[str]], status: Sequence[str] | None) -> Any:
        """A full-grid table: header row in 黑体 repeated on each page, no row split across
        pages, the last cell of a row with a status in bold status colour (as in the HTML)."""
        rows = list(rows)
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns), style="Table Grid")
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        size = Pt(12) if len(columns) <= 6 else Pt(10.5)
        for r, values in enumerate([columns, *rows]):
            row = table.rows[r]
            _row_flags(row, header=r == 0)
            key = status[r - 1] if status is not None and r > 0 else None
            for c, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                paragraph = self._paragraph(style=CELL_STYLE, paragraph=cell.paragraphs[0])
                if r > 0 and (c == 0 or len(str(value)) > 12):  # names and sentences read from the left
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                run = paragraph.add_run(str(value))
                run.font.size = size
                if r == 0:
                    set_fonts(run._r, HEADING_FONT)
                elif key is not None and c == len(columns) - 1:
                    colour = STATUS_COLOURS.get(key, STATUS_COLOURS["unknown"]).lstrip("#")
                    run.font.bold, run.font.color.rgb = True, RGBColor.from_string(colour.upper())
        self._paragraph(style=CELL_STYLE).paragraph_format.space_after = Pt(6)  # Word needs a
        return table  # paragraph between two tables, and a gap before the text


def _row_flags(row: Any, header: bool) -> None:
    """``w:cantSplit`` on every row; ``w:tblHeader`` (repeat on each page) on the header."""
    props = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        props.append(OxmlElement(tag))
