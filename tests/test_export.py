"""HTML export: no code, no prompts, no parameters, offline, titled, no local paths."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from _batch_data import COUNTIES, external_references, write_processed, write_tiny_notebook
from matplotlib.figure import Figure

from analysis.batch.runner import RunConfig, run_batch
from analysis.report import export
from analysis.report.headline import HEADLINE_MIMETYPE

TITLE = "东城县开门红简报（2026年1-3月）"


def _png() -> str:
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()


def _notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    params = v4.new_code_cell('region_code = "990101"')
    params.metadata["tags"] = ["parameters"]
    injected = v4.new_code_cell('# Parameters\ndata_dir = "/home/analyst/q1/data/processed"')
    injected.metadata["tags"] = ["injected-parameters"]
    code = v4.new_code_cell("SECRET_CODE = compute()", outputs=[
        v4.new_output("stream", name="stdout", text="全县规上工业增加值同比增长5.2%。\n"),
        v4.new_output("stream", name="stderr",
                      text="/home/analyst/q1/.venv/lib/x.py:3: UserWarning: noisy\n"),
        v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"}),
        v4.new_output("display_data", data={HEADLINE_MIMETYPE: {"rank": 1}}),
        v4.new_output("display_data", data={HEADLINE_MIMETYPE: {"rank": 2}, "text/plain": "Headline(...)",
                                            "text/html": '<div class="q1-headline">卡片</div>'}),
        v4.new_output("display_data", data={
            "text/html": "<p>数据目录 /home/analyst/q1/data/processed/observations.parquet</p>"}),
    ], execution_count=3)
    md = v4.new_markdown_cell("## 一、总体情况")
    return v4.new_notebook(cells=[params, injected, code, md],
                           metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


@pytest.fixture(scope="module")
def html() -> str:
    return export.export_html(_notebook(), TITLE, "数据截至2026年3月",
                              local_paths=["/home/analyst/q1", "/home/analyst"])


def test_title_and_language(html: str):
    assert f"<title>{TITLE}</title>" in html
    assert f"<h1>{TITLE}</h1>" in html
    assert '<html lang="zh">' in html
    assert "数据截至2026年3月" in html


def test_no_input_cells_prompts_or_parameters(html: str):
    assert "SECRET_CODE" not in html
    assert 'region_code = "990101"' not in html and "# Parameters" not in html
    body = html[html.index("<body"):]
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "jp-InputArea-editor" not in body and "highlight" not in body
    assert "In&nbsp;[" not in body and "Out[" not in body


def test_outputs_kept_and_noise_dropped(html: str):
    assert "全县规上工业增加值同比增长5.2%。" in html
    assert "一、总体情况" in html
    assert "UserWarning" not in html  # stderr dropped
    assert HEADLINE_MIMETYPE not in html and '"rank"' not in html
    assert '<div class="q1-headline">卡片</div>' in html  # the box shown with the record stays
    assert "Headline(...)" not in html


def test_offline_images_embedded_no_scripts(html: str):
    assert external_references(html) == []
    assert "<script" not in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)
    for cdn in ("require.js", "mathjax", "MathJax", "cdnjs", "unpkg", "jsdelivr", "@font-face"):
        assert cdn not in html


def test_no_local_paths(html: str):
    assert "/home/analyst" not in html
    assert "数据目录 …/data/processed/observations.parquet" in html


def test_print_stylesheet_is_a4(html: str):
    assert "@page { size: A4;" in html
    assert "@media print" in html


def test_the_checker_finds_external_urls():
    page = ('<html><head><script src="https://cdn.example/require.js"></script>'
            '<link rel="stylesheet" href="//fonts.example/css"><style>@import url("http://x/y.css");'
            '@font-face { src: url(https://f.example/a.woff2) }</style></head>'
            '<body><img src="data:image/png;base64,AAA="><a href="990101/05_briefing.html">a</a>'
            '<img src="file:///home/analyst/chart.png"></body></html>')
    assert external_references(page) == [
        "https://cdn.example/require.js", "//fonts.example/css", "http://x/y.css",
        "https://f.example/a.woff2", "file:///home/analyst/chart.png"]


def test_scrub_paths_longest_first():
    text = "a /home/u/proj/data b /home/u c"
    assert export.scrub_paths(text, ["/home/u", "/home/u/proj"]) == "a …/data b … c"
    img = '<img src="data:image/png;base64,AB/rootCD/root=="> /root/x'
    assert export.scrub_paths(img, ["/root"]) == '<img src="data:image/png;base64,AB/rootCD/root=="> …/x'



@pytest.mark.slow
def test_every_html_of_a_run_is_offline_and_titled(tmp_path: Path):
    write_processed(tmp_path / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    summary = run_batch(RunConfig(as_of="2026-03", region_codes=["990102"], jobs=1, quiet=True,
                                  notebook_dir=tmp_path / "notebooks",
                                  data_dir=tmp_path / "processed", out=tmp_path / "reports"))
    assert summary.failed == {}
    pages = sorted((tmp_path / "reports").rglob("*.html"))
    assert [p.name for p in pages] == ["05_briefing.html", "index.html"]
    name = dict((c, n) for c, n, _ in COUNTIES)["990102"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page
        assert str(tmp_path) not in text
        assert "<script" not in text
    briefing = pages[0].read_text(encoding="utf-8")
    assert f"<title>{name}开门红简报（2026年1-3月）</title>" in briefing
    assert "region = processed.require_region" not in briefing
    assert "路径" not in briefing  # the stderr print
    assert "全县规上工业增加值同比增长4.4%。" in briefing
