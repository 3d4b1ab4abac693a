"""The notebooks of a batch: jupytext pairs, read as one notebook.

Each notebook of ``notebooks/`` is a pair: ``NN_name.py`` in jupytext's percent format (the
source an analyst reviews, diffs and lints) and ``NN_name.ipynb`` (the same cells, outputs
stripped, with stable cell ids). JupyterLab saves an edit to both. The runner executes the
``.ipynb`` after checking that the ``.py`` says the same; a pair out of step (one file
edited outside JupyterLab) stops the batch with a message naming the file and the command
that brings the pair in step, so a batch never runs code other than what the ``.py`` shows.
A folder of plain ``.ipynb`` notebooks (or of ``.py`` ones) works too.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
from jupytext.compare import NotebookDifference, compare_notebooks

PAIRED_FORMAT = "py:percent"
SYNC_COMMAND = "make notebooks"  # jupytext --sync notebooks/[0-9]*.py


def notebook_paths(folder: str | Path) -> list[Path]:
    """One path per notebook named ``[0-9]*`` in ``folder``, in reading order: the ``.ipynb``
    of a pair (or the only file of a notebook that has one)."""
    found: dict[str, Path] = {}
    for path in sorted(Path(folder).glob("[0-9]*.py")) + sorted(Path(folder).glob("[0-9]*.ipynb")):
        found[path.stem] = path  # the .ipynb wins when both exist
    return [found[stem] for stem in sorted(found)]


def pair_difference(ipynb: Path, py: Path) -> str | None:
    """Why the inputs of ``ipynb`` and its paired ``py`` differ (cell types, sources, tags),
    or None when they agree. Outputs are not compared."""
    try:
        compare_notebooks(jupytext.read(py, fmt=PAIRED_FORMAT), nbformat.read(ipynb, as_version=4),
                          fmt=PAIRED_FORMAT, raise_on_first_difference=True)
    except NotebookDifference as exc:
        lines = str(exc).strip().splitlines()
        return lines[0].rstrip(": ")[:300] if lines else "the cells differ"
    return None


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (``.ipynb`` or percent-format ``.py``); for an ``.ipynb`` with
    a paired ``.py`` beside it, ValueError when the two differ."""
    path = Path(path)
    if path.suffix == ".py":
        return jupytext.read(path, fmt=PAIRED_FORMAT)
    paired = path.with_suffix(".py")
    if paired.is_file():
        why = pair_difference(path, paired)
        if why is not None:
            raise ValueError(f"{path.name} and {paired.name} differ ({why}); one was edited outside "
                             f"JupyterLab: run `{SYNC_COMMAND}` to bring the pair in step")
    return nbformat.read(path, as_version=4)


def declares_parameter(nb: nbformat.NotebookNode, name: str) -> bool:
    """Whether the notebook's ``parameters`` cell assigns ``name``."""
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*[:=]", re.MULTILINE)
    return any("parameters" in cell.get("metadata", {}).get("tags", []) and pattern.search(cell.source)
               for cell in nb.cells)
