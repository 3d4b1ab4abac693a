"""The briefing opened from disk in headless Chromium with the network cut off.

Every request the page makes is intercepted: ``file:`` and ``data:`` load, anything else is
aborted and recorded, and the test fails if there was any. The rendered DOM must hold the
county name, the headline figures and the Chinese paragraphs; a screenshot is saved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _batch_data import REPO, SAMPLE_COUNTY, ingest_sample

from analysis.batch.runner import RunConfig, run_batch

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    tmp = tmp_path_factory.mktemp("browser")
    processed = ingest_sample(tmp / "processed")
    summary = run_batch(RunConfig(as_of="2026-03", region_codes=[SAMPLE_COUNTY],
                                  notebooks=["05_briefing"], notebook_dir=REPO / "notebooks",
                                  data_dir=processed, out=tmp / "reports", jobs=1, quiet=True))
    assert summary.failed == {}
    out_dir = tmp / "reports" / "2026-03"
    return out_dir / SAMPLE_COUNTY / "05_briefing.html", out_dir / "index.html", processed, tmp


def _open(path: Path, screenshot: Path) -> tuple[list[str], str, list[int]]:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.route("**/*", route)
            page.goto(path.as_uri(), wait_until="load")
            text = page.inner_text("body")
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return outside, text, widths


def test_briefing_renders_offline_with_figures(pages):
    from analysis.data import processed
    from analysis.gaps import gap_table
    from analysis.report import headline, narrative

    briefing_html, _, data_dir, tmp = pages
    shot = tmp / "briefing.png"
    outside, text, widths = _open(briefing_html, shot)
    assert outside == []
    assert shot.stat().st_size > 10_000
    assert len(widths) >= 3 and all(w > 0 for w in widths)  # every chart decoded
    data = processed.read_processed(data_dir)
    table = gap_table(data["observations"], data["targets"], data["regions"], "2026-03")
    name = data["regions"].set_index("code").loc[SAMPLE_COUNTY, "name"]
    assert f"{name}开门红简报（2026年1-3月）" in text
    for item in headline.headline_items(table, SAMPLE_COUNTY).itertuples():
        assert item.label in text and item.value in text
    industry = narrative.county_narrative(table, SAMPLE_COUNTY)["industry"]
    assert industry.split("，")[1] in text  # e.g. "全区规上工业增加值同比增长5.0%"


def test_index_renders_offline(pages):
    _, index_html, _, tmp = pages
    outside, text, _ = _open(index_html, tmp / "index.png")
    assert outside == []
    assert "开门红简报索引（2026-03）" in text and "开门红简报" in text
