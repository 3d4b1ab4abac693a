"""Display blocks: escaped HTML, plain data kept for other renderers, None skipped by show()."""

from __future__ import annotations

import pandas as pd
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure

from analysis.report.blocks import Heading, Note, Paragraph, Paragraphs, Table, show, to_html


def test_blocks_render_escaped_html():
    assert Heading("固定资产投资<亿元>")._repr_html_() == "<h2>固定资产投资&lt;亿元&gt;</h2>"
    assert Paragraph("a & b", "工业：")._repr_html_() == "<p><b>工业：</b>a &amp; b</p>"
    both = Paragraphs([Paragraph("一", "总体："), Paragraph(""), Paragraph("二")])
    assert both._repr_html_() == "<p><b>总体：</b>一</p><p>二</p>"  # empty paragraphs dropped
    assert Note("说明<")._repr_html_() == '<div class="q1-methods">说明&lt;</div>'
    table = Table(pd.DataFrame({"指标": ["<b>x</b>"], "status": ["red"]}))
    assert table._repr_html_() == ('<table class="q1-table"><thead><tr><th>指标</th></tr></thead><tbody>'
                                   '<tr class="status-red"><td style="color:#c62828"><b>&lt;b&gt;x&lt;/b&gt;</b>'
                                   "</td></tr></tbody></table>")
    assert repr(table) == "Table(1 rows: 指标)" and table.frame["指标"].iloc[0] == "<b>x</b>"


def test_to_html_embeds_figures():
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().set_title("Title")
    html = to_html([Heading("A"), fig])
    assert html.startswith('<div class="q1-blocks"><h2>A</h2><img alt="Title" src="data:image/png;base64,iVBOR')


def test_show_displays_each_block_and_skips_none(capsys):
    assert not InteractiveShell.initialized()  # outside a kernel IPython prints each block
    show(Paragraph("一"), None, Heading("二"))
    out = capsys.readouterr().out
    assert "Paragraph(text='一'" in out and "Heading(text='二'" in out and "None" not in out
