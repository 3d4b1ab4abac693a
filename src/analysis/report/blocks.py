"""Display blocks of a note: what a notebook cell shows, as data that renders itself.

Each block keeps its content as plain data (text, a DataFrame of text cells) so an HTML,
Word or Excel renderer can use the same block; ``_repr_html_`` (through the templates of
:mod:`analysis.report.render`, autoescaped) is what JupyterLab and the HTML note show.
Matplotlib figures are blocks as they are: :func:`to_html` embeds them as PNG.

In a notebook each block's output also carries its plain data as JSON (:data:`BLOCK_MIMETYPE`,
:meth:`record`), and :func:`show` tags a figure's output with its caption, so the Word
renderer (:mod:`analysis.report.word`) rebuilds the note from the executed notebook's own
outputs: the HTML and the Word note cannot show different content.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.report.headline import HEADLINE_MIMETYPE, headline_html
from analysis.report.render import Markup, render
from analysis.report.tables import table_html

BLOCK_MIMETYPE = "application/vnd.q1brief.block+json"  # a block's plain data, for the Word note
FIGURE_METADATA = "q1brief"  # output metadata key of a figure shown by show(): {"caption": ...}


class _Recorded:
    """Adds the block's plain data (:meth:`record`) to its notebook output, beside the HTML."""

    def record(self) -> dict[str, Any]:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), BLOCK_MIMETYPE: self.record()}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Heading(_Recorded):
    """A section heading inside a note (``<h2>`` by default)."""

    text: str
    level: int = 2

    def record(self) -> dict[str, Any]:
        return {"kind": "heading", "text": self.text, "level": self.level}

    def _repr_html_(self) -> str:
        return render("html/heading.html.j2", text=self.text, level=self.level)


@dataclass(frozen=True)
class Paragraph(_Recorded):
    """One paragraph of text, with an optional bold lead (``工业：``)."""

    text: str
    lead: str = ""

    def record(self) -> dict[str, Any]:
        return {"kind": "paragraphs", "items": [{"lead": self.lead, "text": self.text}]}

    def _repr_html_(self) -> str:
        return render("html/paragraphs.html.j2", paragraphs=[self])


@dataclass(frozen=True)
class Paragraphs(_Recorded):
    """Several paragraphs shown as one block (e.g. the narrative sections of a briefing)."""

    items: Sequence[Paragraph]

    def record(self) -> dict[str, Any]:
        return {"kind": "paragraphs", "items": [{"lead": p.lead, "text": p.text} for p in self.items if p.text]}

    def _repr_html_(self) -> str:
        return render("html/paragraphs.html.j2", paragraphs=[p for p in self.items if p.text])

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, repr=False)
class Table(_Recorded):
    """A display table of text cells; ``status`` names the colour-key column (not shown)."""

    frame: pd.DataFrame
    status: str | None = "status"

    def record(self) -> dict[str, Any]:
        """Columns and rows as shown (text), and each row's status key (None: no colours)."""
        shown = [c for c in self.frame.columns if c != self.status]
        keyed = self.status is not None and self.status in self.frame.columns
        return {"kind": "table", "columns": [str(c) for c in shown],
                "rows": [[str(v) for v in row] for row in self.frame[shown].itertuples(index=False, name=None)],
                "status": [str(k) for k in self.frame[self.status]] if keyed else None}

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.status)

    def __repr__(self) -> str:
        shown = [str(c) for c in self.frame.columns if c != self.status]
        return f"Table({len(self.frame)} rows: {', '.join(shown)})"


@dataclass(frozen=True)
class Note(_Recorded):
    """A boxed note (``<div class="q1-methods">``), e.g. the 说明 closing a briefing."""

    text: str

    def record(self) -> dict[str, Any]:
        return {"kind": "note", "text": self.text}

    def _repr_html_(self) -> str:
        return render("html/methods_note.html.j2", text=self.text)


@dataclass(frozen=True, repr=False)
class Headline:
    """The key-figure box and, in the same output, its machine-readable record.

    The record (:data:`analysis.report.headline.HEADLINE_MIMETYPE`) is what the batch runner
    collects for the index page; the HTML export removes it and keeps the box.
    """

    items: pd.DataFrame
    record: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        return headline_html(self.items)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        cards = self.items[["label", "value", "status", "note"]].astype(str).to_dict("records")
        bundle: dict[str, Any] = {"text/html": self._repr_html_(),
                                  BLOCK_MIMETYPE: {"kind": "headline", "items": cards}}
        if self.record:
            bundle[HEADLINE_MIMETYPE] = self.record
        return bundle

    def __repr__(self) -> str:
        return "Headline(" + "; ".join(f"{i.label} {i.value}" for i in self.items.itertuples()) + ")"


def _figure_html(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    return render("html/figure.html.j2", png=png, alt=fig.axes[0].get_title() if fig.axes else "")


def to_html(blocks: Iterable[Any]) -> str:
    """One HTML fragment of several blocks (figures as embedded PNG), for JupyterLab."""
    parts = [Markup(_figure_html(b) if hasattr(b, "savefig") else b._repr_html_()) for b in blocks]
    return render("html/blocks.html.j2", blocks=parts)


def figure_caption(fig: Any) -> str:
    """The caption of a figure: its suptitle, else its first axes' title ('' without one)."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return str(suptitle.get_text())
    axes = fig.axes[0] if fig.axes else None
    if axes is None:
        return ""
    return next((t for t in (axes.get_title(loc) for loc in ("center", "left", "right")) if t), "")


def show(*blocks: Any) -> None:
    """Display each block in the notebook (figures and tables alike), skipping None: a
    chart or table the data do not allow is left out rather than shown empty. A figure's
    output carries its caption (output metadata :data:`FIGURE_METADATA`) for the Word note."""
    from IPython.display import display

    for block in blocks:
        if block is None:
            continue
        if hasattr(block, "savefig"):
            display(block, metadata={FIGURE_METADATA: {"caption": figure_caption(block)}})
        else:
            display(block)
