"""Every notebook executed by papermill for one sample county; the briefing's figures checked.

Runs through ``run_batch`` (the same path as ``q1brief run``, so the notebooks read the
city's tables the batch wrote) on the bundled sample after ``ingest``; the expected figures
and sentences are computed here with the library. The static checks of the notebooks (pairs
in step, no outputs, parameters) are in test_notebook_pairs.py and are not slow.
"""

from __future__ import annotations

import json
from html import escape

import nbformat
import pytest
from _batch_data import REPO, SAMPLE_COUNTY, external_references, ingest_sample

from analysis.batch.runner import RunConfig, run_batch

NOTEBOOKS = ["01_indicators", "02_gap_analysis", "03_q1_projection", "04_key_projects",
             "05_briefing"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notebooks")
    processed = ingest_sample(tmp / "processed")
    summary = run_batch(RunConfig(as_of="2026-03", region_codes=[SAMPLE_COUNTY],
                                  notebook_dir=REPO / "notebooks", data_dir=processed,
                                  out=tmp / "reports", jobs=2, quiet=True))
    return summary, tmp / "reports" / "2026-03", processed


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_runs(run, name):
    _, out_dir, _ = run
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["jobs"][f"{SAMPLE_COUNTY}/{name}"]
    assert entry["status"] == "ok", entry["error"]
    nb = nbformat.read(out_dir / entry["outputs"]["ipynb"], as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error"
            # no warnings (e.g. missing glyphs) on stderr
            assert not (out.get("name") == "stderr" and "Warning" in out.get("text", "")), \
                out.get("text")
    html = (out_dir / entry["outputs"]["html"]).read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "Traceback" not in html


def test_briefing_has_the_key_figures_and_sentences(run):
    from analysis.data import processed
    from analysis.gaps import gap_table
    from analysis.report import headline, narrative

    _, out_dir, data_dir = run
    html = (out_dir / SAMPLE_COUNTY / "05_briefing.html").read_text(encoding="utf-8")
    data = processed.read_processed(data_dir)
    table = gap_table(data["observations"], data["targets"], data["regions"], "2026-03")
    name = data["regions"].set_index("code").loc[SAMPLE_COUNTY, "name"]
    assert f"<title>{name}开门红简报（2026年1-3月）</title>" in html
    items = headline.headline_items(table, SAMPLE_COUNTY)
    assert len(items) >= 4
    for item in items.itertuples():
        assert escape(item.value) in html and escape(item.note) in html
    paragraphs = narrative.county_narrative(table, SAMPLE_COUNTY)
    for section in ("industry", "investment", "consumption", "shortfalls"):
        text = paragraphs[section]
        assert text and escape(text.split("。")[0]) in html, section
    assert html.count('src="data:image/png;base64,') >= 3
    assert "数据截至2026年3月" in html
    assert "region_code" not in html and "import " not in html
