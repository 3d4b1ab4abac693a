"""The Word note: items from an executed notebook's outputs, the official layout, the batch wiring.

A hand-made executed notebook holds the outputs the real blocks produce (their
``_repr_mimebundle_``), a captioned figure, a DataFrame's HTML table, removed cells and
stderr; the ``.docx`` made from it is read back with python-docx.
"""

from __future__ import annotations

import base64
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import nbformat
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from matplotlib.figure import Figure

from analysis.batch import index
from analysis.batch.runner import formats_for
from analysis.report import export, word
from analysis.report.blocks import (
    BLOCK_MIMETYPE,
    FIGURE_METADATA,
    Heading,
    Headline,
    Note,
    Paragraph,
    Paragraphs,
    Table,
    figure_caption,
)
from analysis.report.note_items import markdown_items, note_items

TITLE = "北塘区开门红简报（2026年1-3月）"
SUBTITLE = "数据截至2026年3月"
HEADLINE = pd.DataFrame({
    "indicator": ["iva", "fai"], "label": ["规上工业增加值", "固定资产投资"], "value": ["5.5%", "84.0亿元"],
    "status": ["amber", "red"], "note": ["低于全市0.4个百分点，第8/9位", "完成目标22.1%，低于时序进度2.9个百分点"]})


def _figure() -> Figure:
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title("Figure 1", loc="left")
    return fig


def _output(block) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={**block._repr_mimebundle_(), "text/plain": repr(block)})


def _figure_output(fig: Figure, caption: str | None) -> nbformat.NotebookNode:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    metadata = {FIGURE_METADATA: {"caption": caption}} if caption is not None else {}
    return nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(buffer.getvalue()).decode(),
                                                        "text/plain": "<Figure>"}, metadata=metadata)


def _notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    removed = v4.new_markdown_cell("# 开门红简报\n给领导看的一页简报（不应出现）")
    removed.metadata["tags"] = ["remove-cell"]
    params = v4.new_code_cell('region_code = "990102"')
    params.metadata["tags"] = ["parameters"]
    frame = pd.DataFrame({"县区": ["北塘区", "南河区"], "增速": ["5.5", "6.1"]}).set_index("县区")
    cells = [
        removed, params,
        v4.new_markdown_cell("## 主要指标"),
        v4.new_code_cell("ctx.headline()", outputs=[_output(Headline(HEADLINE, {"rank": 3}))]),
        v4.new_markdown_cell("## 运行情况\n\n下面是**各项**指标的\n`情况`："),
        v4.new_code_cell("ctx.narrative()", outputs=[
            v4.new_output("stream", name="stderr", text="/root/.venv/x.py: UserWarning\n"),
            _output(Paragraphs([Paragraph("1-3月，全区规上工业增加值同比增长5.5%。", "工业："),
                                Paragraph("", "空："), Paragraph("各项指标均未明显落后。", "短板：")]))]),
        v4.new_markdown_cell("### 分县情况"),
        v4.new_code_cell("frame", outputs=[v4.new_output("execute_result", data={
            "text/html": frame.to_html(), "text/plain": str(frame)}, execution_count=1)]),
        v4.new_code_cell("ctx.table()", outputs=[_output(Table(pd.DataFrame(
            {"指标": ["固定资产投资"], "实际": ["84.0"], "状态": ["落后"], "status": ["red"]})))]),
        v4.new_markdown_cell("## 图表"),
        v4.new_code_cell("show(...)", outputs=[_figure_output(_figure(), "图1 主要指标累计增速较全市（百分点）"),
                                               _figure_output(_figure(), None)]),
        v4.new_code_cell("future_block", outputs=[v4.new_output("display_data", data={
            BLOCK_MIMETYPE: {"kind": "gauge", "value": 3}, "text/html": "<p>新积木的HTML</p>"})]),
        v4.new_markdown_cell("## 说明"),
        v4.new_code_cell("ctx.methods_note()", outputs=[_output(Note("数据截至2026年3月。"))]),
    ]
    return v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> docx.document.Document:
    path = tmp_path_factory.mktemp("word") / "note.docx"
    word.write_docx(path, note_items(_notebook()), TITLE, SUBTITLE, date(2026, 4, 10))
    return docx.Document(str(path))


def _texts(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_section_numbers():
    assert [word.chinese_number(n) for n in (1, 9, 10, 12, 20, 31)] == ["一", "九", "十", "十二", "二十", "三十一"]
    assert [word.section_label(d, 2) for d in range(4)] == ["二、", "（二）", "2.", "（2）"]
    with pytest.raises(ValueError, match="1-99"):
        word.chinese_number(100)


def test_markdown_cells_become_headings_and_plain_paragraphs():
    items = markdown_items("## 差距表\n与目标的**差距**，\n见[附表](x.html)。\n\n- 红=落后\n- 黄=关注\n```\ncode()\n```")
    assert items == [
        {"kind": "heading", "text": "差距表", "level": 2},
        {"kind": "paragraphs", "items": [{"lead": "", "text": "与目标的差距，见附表。"}]},
        {"kind": "paragraphs", "items": [{"lead": "", "text": "红=落后"}]},
        {"kind": "paragraphs", "items": [{"lead": "", "text": "黄=关注"}]},
    ]


def test_items_follow_the_outputs_without_removed_cells_or_stderr():
    items = note_items(_notebook(), local_paths=["/root/.venv"])
    kinds = [i["kind"] for i in items]
    assert kinds == ["heading", "headline", "heading", "paragraphs", "paragraphs", "heading", "table", "table",
                     "heading", "figure", "figure", "paragraphs", "heading", "note"]
    assert items[11]["items"] == [{"lead": "", "text": "新积木的HTML"}]  # a kind Word does not know: its HTML
    assert items[1]["items"][1] == {"label": "固定资产投资", "value": "84.0亿元", "status": "red",
                                    "note": "完成目标22.1%，低于时序进度2.9个百分点"}
    # the DataFrame's HTML table: the two header rows joined per column
    assert items[6] == {"kind": "table", "columns": ["县区", "增速"], "rows": [["北塘区", "5.5"], ["南河区", "6.1"]],
                        "status": None}
    assert items[7]["status"] == ["red"] and items[7]["columns"] == ["指标", "实际", "状态"]
    assert items[9]["caption"] == "图1 主要指标累计增速较全市（百分点）" and items[10]["caption"] == ""
    assert "不应出现" not in str(items) and "UserWarning" not in str(items)


def test_page_is_a4_with_the_official_margins(document):
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin)
    assert [round(s.mm, 1) for s in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and "— " in footer


def _east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_fonts_named_as_offices_expect_with_fallbacks(document):
    styles = document.styles
    assert _east_asia(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert _east_asia(styles["Heading 1"]) == "黑体" and styles["Heading 1"].font.size == Pt(16)
    assert _east_asia(styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asia(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size == Pt(16)
    assert styles["Normal"].font.name == "Times New Roman"
    assert styles["Normal"].paragraph_format.line_spacing == Pt(28)
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)
    for style in ("Title", "Heading 1", "Normal"):  # a theme font would override the named face
        assert styles[style].element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None
    fonts = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob
    table = docx.oxml.parse_xml(fonts)
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in table.iterfind(qn("w:font")) if f.find(qn("w:altName")) is not None}
    assert alt["仿宋_GB2312"] == "仿宋" and alt["方正小标宋简体"] == "宋体" and alt["黑体"] == "SimHei"


def test_title_issue_line_and_numbered_sections(document):
    assert _texts(document, "Title") == [TITLE]
    assert _texts(document, "Subtitle") == [f"{SUBTITLE}\t2026年4月10日"]
    assert _texts(document, "Heading 1") == ["一、主要指标", "二、运行情况", "三、图表"]
    assert _texts(document, "Heading 2") == ["（一）分县情况"]
    assert _texts(document, "Normal") == ["下面是各项指标的情况：", "工业：1-3月，全区规上工业增加值同比增长5.5%。",
                                          "短板：各项指标均未明显落后。", "新积木的HTML"]
    assert _texts(document, "Quote") == ["说明：数据截至2026年3月。"]  # the 说明 heading leads the note
    lead = next(p for p in document.paragraphs if p.text.startswith("工业：")).runs[0]
    assert lead.text == "工业：" and lead._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_headline_table_and_figures(document):
    headline, frame, _ = document.tables
    rows = [[c.text for c in r.cells] for r in headline.rows]
    assert rows == [["指标", "数值", "比较", "状态"],
                    ["规上工业增加值", "5.5%", "低于全市0.4个百分点，第8/9位", "关注"],
                    ["固定资产投资", "84.0亿元", "完成目标22.1%，低于时序进度2.9个百分点", "落后"]]
    status = headline.rows[2].cells[3].paragraphs[0].runs[0]
    assert str(status.font.color.rgb) == "C62828" and status.font.bold
    assert headline.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in headline.rows)
    assert [[c.text for c in r.cells] for r in frame.rows] == [["县区", "增速"], ["北塘区", "5.5"], ["南河区", "6.1"]]
    assert len(document.inline_shapes) == 2
    assert _texts(document, "Caption") == ["图1 主要指标累计增速较全市（百分点）", "图2"]


def test_same_content_same_bytes():
    items = note_items(_notebook())
    first = word.note_docx(items, TITLE, SUBTITLE, date(2026, 4, 10))
    assert first == word.note_docx(items, TITLE, SUBTITLE, date(2026, 4, 10))
    assert first != word.note_docx(items, TITLE, SUBTITLE, date(2026, 4, 11))


def test_html_export_drops_the_block_records():
    html = export.export_html(_notebook(), TITLE, SUBTITLE)
    assert BLOCK_MIMETYPE not in html and "application/vnd.q1brief" not in html
    assert "工业：" in html and "低于全市0.4个百分点" in html


def test_blocks_record_their_plain_data():
    assert Heading("图表").record() == {"kind": "heading", "text": "图表", "level": 2}
    table = Table(pd.DataFrame({"指标": ["a"], "status": ["green"]}))
    assert table._repr_mimebundle_()[BLOCK_MIMETYPE] == {"kind": "table", "columns": ["指标"], "rows": [["a"]],
                                                          "status": ["green"]}
    assert Table(pd.DataFrame({"a": [1]}), status=None).record()["status"] is None
    assert figure_caption(_figure()) == "Figure 1"
    assert figure_caption(Figure()) == ""


def test_formats_default_to_word_for_the_briefing_only():
    assert formats_for("05_briefing") == ("html", "docx")
    assert formats_for("02_gap_analysis") == ("html",)
    assert formats_for("02_gap_analysis", ["docx", "html"]) == ("html", "docx")
    assert formats_for("05_briefing", ["html"]) == ("html",)
    with pytest.raises(ValueError, match="unknown note format"):
        formats_for("05_briefing", ["pdf"])


def test_index_links_the_word_note_beside_the_page():
    entry = {"region_code": "990102", "region_name": "北塘区", "notebook": "05_briefing", "label": "开门红简报",
             "status": "ok", "outputs": {"html": "990102/05_briefing.html", "docx": "990102/05_briefing.docx"}}
    other = {**entry, "notebook": "02_gap_analysis", "label": "差距分析",
             "outputs": {"html": "990102/02_gap_analysis.html"}}
    page = index.render_index({"as_of": "2026-03", "jobs": {"a": entry, "b": other}})
    assert '<a href="990102/05_briefing.html">开门红简报</a> <a class="docx" href="990102/05_briefing.docx">Word</a>' \
        in page
    assert '<a href="990102/02_gap_analysis.html">差距分析</a><br>' in page


def test_cli_rejects_an_unknown_format(tmp_path: Path, capsys):
    from _batch_data import write_processed, write_tiny_notebook

    from analysis.cli import main

    write_processed(tmp_path / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    code = main(["run", "--as-of", "2026-03", "--all", "--formats", "html,pdf", "--quiet",
                 "--notebook-dir", str(tmp_path / "notebooks"), "--data-dir", str(tmp_path / "processed"),
                 "--out", str(tmp_path / "reports")])
    assert code == 2
    assert "unknown note format(s) pdf" in capsys.readouterr().err


@pytest.mark.slow
def test_resume_writes_a_word_note_that_an_earlier_run_did_not(tmp_path: Path):
    """An HTML-only run, then the default formats with --resume: the briefing reruns for its
    Word note (recorded in the manifest); a third --resume has nothing left to do."""
    import json

    from _batch_data import write_processed, write_tiny_notebook

    from analysis.batch.runner import RunConfig, run_batch

    write_processed(tmp_path / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    config = RunConfig(as_of="2026-03", region_codes=["990101"], notebook_dir=tmp_path / "notebooks",
                       data_dir=tmp_path / "processed", out=tmp_path / "reports", jobs=1, quiet=True)
    out = tmp_path / "reports" / "2026-03"
    first = run_batch(replace(config, formats=("html",)))
    assert first.ran == ["990101/05_briefing"] and not (out / "990101" / "05_briefing.docx").exists()
    second = run_batch(replace(config, resume=True))
    assert second.ran == ["990101/05_briefing"] and second.failed == {}
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["jobs"]["990101/05_briefing"]["outputs"]
    assert outputs["docx"] == "990101/05_briefing.docx" and outputs["html"] == "990101/05_briefing.html"
    note = docx.Document(str(out / outputs["docx"]))
    assert note.paragraphs[0].text == "东城县开门红简报（2026年1-3月）"
    assert run_batch(replace(config, resume=True)).skipped == ["990101/05_briefing"]
