"""The page and type of a Chinese official briefing in Word (python-docx), after GB/T 9704-2012.

A4 with the standard type area (top 37 mm, bottom 35 mm, inside 28 mm, outside 26 mm:
156 x 225 mm); the title in 方正小标宋简体 二号 (22 pt), first-level headings in 黑体 三号,
second-level in 楷体_GB2312 三号, body in 仿宋_GB2312 三号 (16 pt) on a fixed 28 pt line,
first lines indented two characters; Latin letters and digits in Times New Roman; page
numbers "— 1 —" in the footer.

Word picks a run's Chinese face from ``w:eastAsia`` of ``w:rFonts`` (``font.name`` in
python-docx only sets the Latin faces), so every style sets it. A machine without the
office faces (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312 come with the office's font pack) gets
the fallback named in the document's font table (``w:altName``: 宋体, 仿宋, 楷体, SimHei),
with the GB2312 character set and the family as further hints to Word's substitution.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
# The face Word uses when the office face is missing (font table w:altName), and its family.
FALLBACKS = {TITLE_FONT: ("宋体", "roman"), BODY_FONT: ("仿宋", "roman"),
             SUBHEADING_FONT: ("楷体", "roman"), HEADING_FONT: ("SimHei", "swiss"),
             "仿宋": ("FangSong", "roman"), "楷体": ("KaiTi", "roman"), "宋体": ("SimSun", "roman")}

PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH = Mm(156)
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)
INDENT = Pt(32)  # two characters of 三号
# style name -> (Chinese face, size, bold, alignment, exact line height or None, first-line indent)
STYLES: dict[str, tuple[str, Pt, bool, Any, Pt | None, Pt | None]] = {
    "Normal": (BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, LINE, INDENT),
    "Title": (TITLE_FONT, Pt(22), False, WD_ALIGN_PARAGRAPH.CENTER, Pt(36), Pt(0)),
    "Subtitle": (BODY_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.LEFT, Pt(24), Pt(0)),
    "Heading 1": (HEADING_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, LINE, INDENT),
    "Heading 2": (SUBHEADING_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, LINE, INDENT),
    "Heading 3": (BODY_FONT, BODY_SIZE, True, WD_ALIGN_PARAGRAPH.LEFT, LINE, INDENT),
    "Caption": (HEADING_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.CENTER, Pt(24), Pt(0)),
    "Quote": (BODY_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.JUSTIFY, Pt(24), Pt(28)),  # the 说明 note
    "No Spacing": (BODY_FONT, Pt(12), False, WD_ALIGN_PARAGRAPH.CENTER, None, Pt(0)),  # table cells
    "Footer": ("宋体", Pt(14), False, WD_ALIGN_PARAGRAPH.CENTER, None, Pt(0)),
}
NOTE_STYLE, CELL_STYLE = "Quote", "No Spacing"
ISSUE_RULE = "C00000"  # the red rule under the issuing line (版头分隔线)


def set_fonts(element: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and Chinese faces of ``element`` (a style or run element, or an rPr),
    dropping theme fonts, which would otherwise win over the named ones."""
    rpr = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attr, face in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{attr}"), face)


def style_document(doc: Any) -> None:
    """Page size and margins, Chinese language default, the styles of :data:`STYLES`, the
    page-number footer and the font table's fallbacks."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(defaults, BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    for name, (face, size, bold, align, line, indent) in STYLES.items():
        style = doc.styles[name]
        set_fonts(style.element, face)
        style.font.size, style.font.bold, style.font.italic = size, bold, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        color = style.element.rPr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
        fmt = style.paragraph_format
        fmt.alignment, fmt.first_line_indent, fmt.left_indent = align, indent, Pt(0)
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        if line is None:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, line
        _drop_border(style.element)
    _page_numbers(section)
    _font_fallbacks(doc)


def _drop_border(style: Any) -> None:
    """The default template draws a rule under Title and a box around Quote: not in a 公文."""
    ppr = style.find(qn("w:pPr"))
    if ppr is not None and (border := ppr.find(qn("w:pBdr"))) is not None:
        ppr.remove(border)


def _page_numbers(section: Any) -> None:
    """"— N —" centred in the footer (a PAGE field, so Word and LibreOffice number the pages)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.style = "Footer"
    paragraph.add_run("— ")
    field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _font_fallbacks(doc: Any) -> None:
    """Add each office face of :data:`FALLBACKS` to ``word/fontTable.xml`` with its fallback
    (``w:altName``), the GB2312 character set (86) and its family."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    table = parse_xml(part.blob)
    known = {f.get(qn("w:name")) for f in table.iterfind(qn("w:font"))}
    for name, (alt, family) in FALLBACKS.items():
        if name in known:
            continue
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def bottom_rule(paragraph: Any, colour: str = ISSUE_RULE, size: int = 12) -> None:
    """A rule under ``paragraph`` (``size`` in eighths of a point), e.g. the red 版头 line."""
    border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="{size}" w:space="6" '
                       f'w:color="{colour}"/></w:pBdr>')
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                              "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
