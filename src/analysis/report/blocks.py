"""Display blocks of a note: what a notebook cell shows, as data that renders itself.

Each block keeps its content as plain data (text, a DataFrame of text cells) so an HTML,
Word or Excel renderer can use the same block; ``_repr_html_`` (through the templates of
:mod:`analysis.report.render`, autoescaped) is what JupyterLab and the HTML note show.
Matplotlib figures are blocks as they are: :func:`to_html` embeds them as PNG.
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


@dataclass(frozen=True)
class Heading:
    """A section heading inside a note (``<h2>`` by default)."""

    text: str
    level: int = 2

    def _repr_html_(self) -> str:
        return render("html/heading.html.j2", text=self.text, level=self.level)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of text, with an optional bold lead (``工业：``)."""

    text: str
    lead: str = ""

    def _repr_html_(self) -> str:
        return render("html/paragraphs.html.j2", paragraphs=[self])


@dataclass(frozen=True)
class Paragraphs:
    """Several paragraphs shown as one block (e.g. the narrative sections of a briefing)."""

    items: Sequence[Paragraph]

    def _repr_html_(self) -> str:
        return render("html/paragraphs.html.j2", paragraphs=[p for p in self.items if p.text])

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, repr=False)
class Table:
    """A display table of text cells; ``status`` names the colour-key column (not shown)."""

    frame: pd.DataFrame
    status: str | None = "status"

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.status)

    def __repr__(self) -> str:
        shown = [str(c) for c in self.frame.columns if c != self.status]
        return f"Table({len(self.frame)} rows: {', '.join(shown)})"


@dataclass(frozen=True)
class Note:
    """A boxed note (``<div class="q1-methods">``), e.g. the 说明 closing a briefing."""

    text: str

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
        bundle: dict[str, Any] = {"text/html": self._repr_html_()}
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


def show(*blocks: Any) -> None:
    """Display each block in the notebook (figures and tables alike), skipping None: a
    chart or table the data do not allow is left out rather than shown empty."""
    from IPython.display import display

    for block in blocks:
        if block is not None:
            display(block)
