"""Jinja2 templates of the package: every HTML fragment and page, with autoescape.

Templates live in ``analysis/report/templates/``: ``html/`` (fragments of the notes and the
batch index page; autoescaped, so a region name like ``乙县<script>`` prints as text) and
``md/`` (Markdown, not escaped). ``q1brief/`` holds the nbconvert template of the exported
notes, which nbconvert loads itself. A value that is already HTML (a rendered fragment)
is passed as :class:`markupsafe.Markup` so it is not escaped twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["Markup", "render"]


@cache
def environment() -> Environment:
    """The package's template environment (autoescape for ``.html.j2``; undefined names fail)."""
    return Environment(
        loader=PackageLoader("analysis.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **context: Any) -> str:
    """The text of template ``name`` (e.g. ``"html/table.html.j2"``) filled with ``context``."""
    return environment().get_template(name).render(**context)
