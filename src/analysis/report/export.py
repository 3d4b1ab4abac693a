"""Executed notebook -> self-contained HTML briefing note (nbconvert with the package template).

The ``q1brief`` template (``analysis/report/templates/q1brief``) extends nbconvert's lab template
but drops every external resource (require.js, MathJax, mermaid, widget scripts), replaces
the 240 kB lab stylesheet with a small A4 print stylesheet, and puts the county and as-of
month in the title. The export hides code and prompts, removes the ``parameters`` and
papermill ``injected-parameters`` cells, drops stderr streams and machine-readable outputs,
embeds images as data URIs and replaces absolute local paths in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from analysis.report.blocks import BLOCK_MIMETYPE
from analysis.report.headline import HEADLINE_MIMETYPE

TEMPLATE_NAME = "q1brief"
REMOVED_TAGS = frozenset(
    {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell"}
)
PATH_PLACEHOLDER = "…"
_DATA_URI = re.compile(r"""(data:[^"'()\s<>]+)""")
MACHINE_MIMETYPES = frozenset({HEADLINE_MIMETYPE, BLOCK_MIMETYPE})  # for the index page and Word, not readers


def template_dir() -> Path:
    """The folder holding the package's nbconvert templates."""
    return Path(str(resources.files("analysis.report") / "templates"))


class CleanOutputsPreprocessor(Preprocessor):
    """Drop output a reader should not see: stderr (warnings carry local paths), the
    headline JSON the batch runner reads for the index page and the blocks' plain data the
    Word note is made from (the HTML shown beside them in the same output stays)."""

    def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
        if cell.get("cell_type") == "code":
            cell.outputs = [out for out in map(_cleaned, cell.get("outputs", [])) if out is not None]
        return cell, resources


def _cleaned(output: dict) -> dict | None:
    """The output without the machine records; None when nothing for a reader is left."""
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return None
    data = output.get("data", {})
    if not MACHINE_MIMETYPES & set(data):
        return output
    rest = {k: v for k, v in data.items() if k not in MACHINE_MIMETYPES | {"text/plain"}}
    return nbformat.from_dict({**output, "data": rest}) if rest else None


@cache
def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        anchor_link_text="",
        language_code="zh",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS)), enabled=True
    )
    exporter.register_preprocessor(CleanOutputsPreprocessor(), enabled=True)
    return exporter


def export_html(
    nb: nbformat.NotebookNode,
    title: str,
    subtitle: str = "",
    local_paths: Iterable[str | Path] = (),
) -> str:
    """HTML text of an executed notebook, titled ``title``, with ``local_paths`` scrubbed.

    The notebook is copied, not modified.
    """
    nb = nbformat.from_dict(nb)  # deep copy
    nb.metadata["title"] = title
    nb.metadata["q1brief"] = {"subtitle": subtitle}
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return scrub_paths(body, local_paths)


def scrub_paths(text: str, local_paths: Iterable[str | Path]) -> str:
    """Replace each absolute local path (longest first) by a placeholder.

    Only the given prefixes are replaced, never a general path pattern, and never inside a
    ``data:`` URI: base64 image data contains slashes and could contain "/root" by chance.
    """
    prefixes = sorted({str(p).rstrip("/") for p in local_paths if p and len(str(p)) > 4},
                      key=len, reverse=True)
    parts = _DATA_URI.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside data URIs
        for prefix in prefixes:
            parts[i] = parts[i].replace(prefix, PATH_PLACEHOLDER)
    return "".join(parts)
