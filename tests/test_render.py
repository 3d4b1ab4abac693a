"""The Jinja2 templates: autoescape for HTML, none for Markdown, and the index page's rows."""

from __future__ import annotations

from analysis.batch.index import render_index
from analysis.report.render import Markup, environment, render


def test_html_templates_escape_and_markdown_templates_do_not():
    env = environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"  # strings: escaped
    html = render("html/table.html.j2", columns=["<th>"], rows=[{"cells": ["a & b"], "status": None,
                                                                  "colour": None}])
    assert html == '<table class="q1-table"><thead><tr><th>&lt;th&gt;</th></tr></thead><tbody><tr>' \
                   "<td>a &amp; b</td></tr></tbody></table>"
    assert env.get_template("md/sample_readme.md.j2").environment.autoescape("md/x.md.j2") is False
    assert env.from_string("{{ x }}").render(x=Markup("<b>ok</b>")) == "<b>ok</b>"  # already HTML


def test_index_page_rows_sorted_escaped_and_linked():
    headline = {"rank": 2, "items": [{"indicator": "iva", "label": "规上工业增加值", "value": "6.4%",
                                      "status": "green", "note": "第2/3位"}]}
    state = {"as_of": "2026-03", "package_version": "0.1.0", "jobs": {
        "A/05_briefing": {"region_code": "A", "region_name": "甲县<i>", "notebook": "05_briefing",
                          "label": "开门红简报", "status": "ok", "headline": headline,
                          "outputs": {"html": "A/05_briefing.html"}},
        "B/05_briefing": {"region_code": "B", "region_name": "乙县", "notebook": "05_briefing",
                          "label": "开门红简报", "status": "failed",
                          "error": {"type": "DataError", "message": 'no "data" <b>', "source_cell_index": 2},
                          "outputs": {}},
    }}
    html = render_index(state)
    assert "<title>开门红简报索引（2026-03）</title>" in html and html.endswith("</html>\n")
    assert "<th>排名</th><th>县区</th><th>规上工业增加值</th><th>简报</th>" in html
    row_a = ('<tr><td>2</td><td class="name">甲县&lt;i&gt;<br><small>A</small></td><td class="fig status-green">'
             '<span class="dot" style="background:#2e7d32"></span>6.4%<small>第2/3位</small></td>'
             '<td class="links"><a href="A/05_briefing.html">开门红简报</a></td></tr>')
    assert row_a in html
    assert html.index(row_a) < html.index('<td class="name">乙县')  # ranked before unranked
    assert '<td class="fig">—</td>' in html  # B has no headline
    assert 'title="DataError（第3个单元格）: no &#34;data&#34; &lt;b&gt;">开门红简报（失败）</a>' in html
    assert "<li>B 乙县 05_briefing: DataError（第3个单元格）: no &#34;data&#34; &lt;b&gt;</li>" in html
