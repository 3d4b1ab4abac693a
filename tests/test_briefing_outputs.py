"""The sample's briefing as a leader gets it: the Word note agrees with the HTML note, opens in
headless LibreOffice Writer, and the HTML note prints from Chromium to at most 4 A4 pages with
no figure, table, headline box or methods note cut across pages.

One batch run (two counties of the bundled sample, the briefing notebook, default formats:
HTML and Word) feeds every test. PDFs are checked with poppler (pdfinfo, pdftotext, pdfimages).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from _batch_data import REPO, SAMPLE_COUNTY, ingest_sample
from lxml import html as lxml_html

from analysis.batch.runner import RunConfig, run_batch

pytestmark = pytest.mark.slow
COUNTIES = [SAMPLE_COUNTY, "990121"]
CHROMIUM = Path("/usr/bin/chromium")
POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdfimages"))


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """County code -> (HTML note, Word note) of one batch run with the default formats."""
    tmp = tmp_path_factory.mktemp("briefing-outputs")
    processed = ingest_sample(tmp / "processed")
    summary = run_batch(RunConfig(as_of="2026-03", region_codes=COUNTIES, notebooks=["05_briefing"],
                                  notebook_dir=REPO / "notebooks", data_dir=processed, out=tmp / "reports",
                                  jobs=1, quiet=True))
    assert summary.failed == {}
    out = tmp / "reports" / "2026-03"
    return {code: (out / code / "05_briefing.html", out / code / "05_briefing.docx") for code in COUNTIES}


def _html_note(path: Path) -> dict:
    """What the HTML note shows: title, subtitle, headline cards, section headings,
    paragraphs, the methods note and the number of images."""
    page = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    text = lambda e: re.sub(r"\s+", " ", e.text_content()).strip()  # noqa: E731
    cards = [tuple(text(c.find_class(k)[0]) for k in ("label", "value", "note")) for c in page.find_class("q1-card")]
    return {
        "title": text(page.find(".//header/h1")),
        "subtitle": text(page.find_class("q1-subtitle")[0]),
        "cards": cards,
        "headings": [text(h) for h in page.iter("h2")],
        "paragraphs": [text(p) for p in page.iter("p") if "q1-subtitle" not in p.get("class", "")
                       and not any("q1-methods" in a.get("class", "") for a in p.iterancestors())],
        "note": text(page.find_class("q1-methods")[0]),
        "images": len(page.findall(".//img")),
        # each table's header row and last row, cells joined (as pdftotext lays a row on one line)
        "tables": [("".join(text(c) for c in t.findall(".//tr")[0]), "".join(text(c) for c in t.findall(".//tr")[-1]))
                   for t in page.iter("table") if len(t.findall(".//tr")) > 1],
    }


@pytest.mark.parametrize("code", COUNTIES)
def test_word_note_says_what_the_html_note_says(notes, code):
    html_path, docx_path = notes[code]
    shown = _html_note(html_path)
    doc = docx.Document(str(docx_path))
    by_style: dict[str, list[str]] = {}
    for paragraph in doc.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == [shown["title"]]
    assert by_style["Subtitle"][0].split("\t")[0] == shown["subtitle"]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", by_style["Subtitle"][0].split("\t")[1])
    # every paragraph, in order and to the character; the 说明 heading leads the methods note
    assert by_style["Normal"] == shown["paragraphs"]
    assert len(shown["paragraphs"]) >= 5 and any(p.startswith("工业：") for p in shown["paragraphs"])
    numbered = [h for h in shown["headings"] if h != "说明"]
    assert by_style["Heading 1"] == [f"{n}、{h}" for n, h in zip("一二三四五六", numbered, strict=False)]
    assert by_style["Quote"] == [f"说明：{shown['note']}"]
    # the headline table: the cards' label, value and note, row for row
    headline = doc.tables[0]
    assert [c.text for c in headline.rows[0].cells] == ["指标", "数值", "比较", "状态"]
    assert [tuple(c.text for c in r.cells[:3]) for r in headline.rows[1:]] == shown["cards"]
    assert len(shown["cards"]) >= 4
    # every chart, captioned in order
    assert len(doc.inline_shapes) == shown["images"] >= 3
    captions = by_style["Caption"]
    assert [c.split(" ")[0] for c in captions] == [f"图{i}" for i in range(1, len(captions) + 1)]
    assert "import" not in "\n".join(p.text for p in doc.paragraphs)  # no code


def _writer() -> str | None:
    """Why LibreOffice cannot convert a .docx here, or None when Writer is installed."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return "soffice not installed (apt-get install libreoffice-writer-nogui)"
    if not (Path(soffice).resolve().parent / "libswlo.so").is_file():
        return "LibreOffice Writer not installed, only soffice (apt-get install libreoffice-writer-nogui)"
    return None


def _pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    return pages, (width, height)


@pytest.mark.skipif(_writer() is not None, reason=str(_writer()))
@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo, pdftotext) not installed")
def test_word_note_opens_in_libreoffice(notes, tmp_path):
    html_path, docx_path = notes[SAMPLE_COUNTY]
    shown = _html_note(html_path)
    # a private profile: another soffice on the machine must not take the conversion over
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "05_briefing.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    pages, size = _pdf_pages(pdf)
    assert pages >= 2 and (round(size[0]), round(size[1])) == (595, 842)  # A4 in points
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert shown["title"].replace(" ", "") in text
    for label, value, _ in shown["cards"]:
        assert label in text and value in text
    assert shown["paragraphs"][0].replace(" ", "")[:30] in text


def _print_to_pdf(page: Path, pdf: Path, profile: Path) -> None:
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    page.as_uri()], check=True, capture_output=True, timeout=180)


def _page_of(pdf: Path, pages: int, needle: str) -> list[int]:
    """The pages whose text holds ``needle`` (spaces ignored: pdftotext spaces out CJK runs)."""
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    return [p for p in range(1, pages + 1) if squeeze(needle) in squeeze(_pdf_text(pdf, p))]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (apt-get install chromium)")
@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo, pdftotext, pdfimages) not installed")
@pytest.mark.parametrize("code", COUNTIES)
def test_briefing_prints_to_a4_without_cutting_figures_or_tables(notes, code, tmp_path):
    html_path, _ = notes[code]
    shown = _html_note(html_path)
    pdf = tmp_path / "briefing.pdf"
    _print_to_pdf(html_path, pdf, tmp_path / "chromium")
    pages, size = _pdf_pages(pdf)
    assert (round(size[0]), round(size[1])) == (595, 842)  # A4 in points
    assert 1 <= pages <= 4
    # each chart drawn once: a chart cut across pages is drawn on both (pdfimages lists it twice)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    drawn = [line.split() for line in listing if line.strip()]
    assert len(drawn) == shown["images"] >= 3
    assert len({row[10] for row in drawn}) == len(drawn)  # object ids: no image on two pages
    # the headline box whole on the first page, under its heading
    assert _page_of(pdf, pages, "主要指标") == [1]
    first_page = re.sub(r"\s+", "", _pdf_text(pdf, 1))
    assert all(label in first_page and value in first_page for label, value, _ in shown["cards"])
    # every table on one page: its header row on the page of its last row
    for header, last_row in shown["tables"]:
        assert _page_of(pdf, pages, header)[:1] == _page_of(pdf, pages, last_row)[-1:], header
    # the methods note whole on one page
    note = shown["note"]
    assert len(_page_of(pdf, pages, note[:20])) == 1
    assert _page_of(pdf, pages, note[:20]) == _page_of(pdf, pages, note[-20:])
    # a heading is not left alone at the foot of a page: what follows it starts on its page
    assert _page_of(pdf, pages, "运行情况")[:1] == _page_of(pdf, pages, shown["paragraphs"][0][:15])[:1]
    assert _page_of(pdf, pages, "图表") == [int(drawn[0][0])]
