"""The notebooks as jupytext pairs: in step, stripped, editable in JupyterLab, and shaped like
an analyst's work (a title, what it shows, then a few library calls). Static and fast; the
notebooks are executed in test_notebooks.py (slow)."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from jupytext import TextFileContentsManager

from analysis.batch.notebooks import declares_parameter, notebook_paths, pair_difference, read_notebook
from analysis.batch.runner import select_notebooks
from tests.conftest import REPO

NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = ["01_indicators", "02_gap_analysis", "03_q1_projection", "04_key_projects", "05_briefing"]
PARAMETERS = ("region_code", "as_of", "data_dir", "share_assumption", "lang", "context_dir")
# What belongs in the library, not in a cell: HTML, escaping, renaming columns, building frames.
PRESENTATION = re.compile(r"HTML\(|escape\(|\.rename\(|DataFrame\(|\.iloc\[|\.assign\(|pd\.|f\"|f'")


def _cells(name: str) -> list[nbformat.NotebookNode]:
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4).cells


def test_every_notebook_is_a_pair_in_step():
    assert [p.name for p in notebook_paths(NOTEBOOK_DIR)] == [f"{n}.ipynb" for n in NOTEBOOKS]
    for name in NOTEBOOKS:
        ipynb, py = NOTEBOOK_DIR / f"{name}.ipynb", NOTEBOOK_DIR / f"{name}.py"
        assert py.is_file(), f"{py.name} missing: run `make notebooks`"
        assert pair_difference(ipynb, py) is None, f"{name}: run `make notebooks`"
    assert not (NOTEBOOK_DIR / "make_notebooks.py").exists()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_in_git_have_no_outputs_and_take_the_parameters(name):
    cells = _cells(name)
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for var in PARAMETERS:
        assert re.search(rf"^{var} = ", params[0].source, re.MULTILINE), var
    assert declares_parameter(nbformat.v4.new_notebook(cells=cells), "context_dir")
    for cell in cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_opens_with_a_title_and_what_it_shows(name):
    first = _cells(name)[0]
    assert first.cell_type == "markdown"
    title, _, text = first.source.partition("\n")
    assert re.fullmatch(r"# \S.*", title), title
    assert len(text.strip()) >= 80, "a short paragraph of what the notebook shows and how to read it"
    assert "remove-cell" in first.metadata.get("tags", [])  # the HTML note has its own title


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_cells_only_call_the_library(name):
    for cell in _cells(name):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        code = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
        assert len(code) <= 8, cell.source
        assert not PRESENTATION.search(cell.source), cell.source
        imports = [line for line in code if line.startswith(("import ", "from "))]
        assert all(line.startswith("from analysis.") for line in imports), imports


def test_a_pair_out_of_step_stops_the_batch(tmp_path):
    for suffix in (".py", ".ipynb"):
        shutil.copy(NOTEBOOK_DIR / f"05_briefing{suffix}", tmp_path)
    assert read_notebook(tmp_path / "05_briefing.ipynb").cells[0].cell_type == "markdown"
    py = tmp_path / "05_briefing.py"
    py.write_text(py.read_text(encoding="utf-8").replace("ctx.headline()", "ctx.headline()  # edited"),
                  encoding="utf-8")
    with pytest.raises(ValueError, match=r"05_briefing.ipynb and 05_briefing.py differ .*`make notebooks`"):
        read_notebook(tmp_path / "05_briefing.ipynb")
    (tmp_path / "05_briefing.ipynb").unlink()  # a lone .py is read through jupytext
    assert any(c.source == "ctx.headline()  # edited" for c in read_notebook(py).cells)


def test_jupyterlab_saves_an_edit_to_the_paired_py(tmp_path):
    # JupyterLab saves through jupytext's contents manager, which reads notebooks/jupytext.toml
    for name in ("05_briefing.py", "05_briefing.ipynb", "jupytext.toml"):
        shutil.copy(NOTEBOOK_DIR / name, tmp_path)
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    nb = manager.get("05_briefing.ipynb")["content"]
    cell = next(c for c in nb.cells if c.source == "ctx.narrative()")
    cell.source = "ctx.narrative()  # the analyst's edit"
    manager.save({"type": "notebook", "content": nb}, "05_briefing.ipynb")
    assert "ctx.narrative()  # the analyst's edit" in (tmp_path / "05_briefing.py").read_text(encoding="utf-8")
    assert pair_difference(tmp_path / "05_briefing.ipynb", tmp_path / "05_briefing.py") is None


def test_the_runner_selects_notebooks_by_stem_prefix_or_file_name():
    chosen = select_notebooks(NOTEBOOK_DIR, ["05", "02_gap_analysis.py", "01_indicators.ipynb"])
    assert [p.name for p in chosen] == ["05_briefing.ipynb", "02_gap_analysis.ipynb", "01_indicators.ipynb"]
