"""Small processed data sets and notebooks for the batch, export and browser tests.

The batch machinery is tested on a tiny notebook and synthetic processed data, so those
tests do not depend on the analysis notebooks or the bundled sample; the notebooks
themselves are tested in test_notebooks.py on the ingested sample.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd

CITY = ("990100", "示例市")
COUNTIES = [("990101", "东城县", 6.5), ("990102", "西山县", 3.1), ("990103", "南河区", -1.2)]


def write_processed(folder: Path) -> Path:
    """regions.parquet and observations.parquet for a city and three counties."""
    folder.mkdir(parents=True, exist_ok=True)
    regions = pd.DataFrame(
        [(CITY[0], CITY[1], "city", "", "示例")]
        + [(code, name, "county", CITY[0], name[:2]) for code, name, _ in COUNTIES],
        columns=["code", "name", "level", "parent", "short_name"],
    )
    periods = [p for p in pd.period_range("2025-02", "2026-03", freq="M")]
    rows = []
    for code, name, growth in [(CITY[0], CITY[1], 4.0), *COUNTIES]:
        for i, period in enumerate(periods):
            rows.append((code, name, "iva", period, "ytd_growth", growth + 0.1 * i, "%", "test"))
    obs = pd.DataFrame(rows, columns=["region_code", "region_name", "indicator", "period",
                                      "measure", "value", "unit", "source"])
    regions.to_parquet(folder / "regions.parquet", index=False)
    obs.to_parquet(folder / "observations.parquet", index=False)
    return folder


def drop_region(folder: Path, code: str) -> None:
    """Break one county: remove its observations (its notebooks must fail clearly)."""
    obs = pd.read_parquet(folder / "observations.parquet")
    obs[obs["region_code"] != code].to_parquet(folder / "observations.parquet", index=False)


TINY_CELLS = [
    ("code", 'region_code = "990101"\nas_of = "2026-03"\ndata_dir = "../data/processed"\n'
             'share_assumption = 0.30\nlang = "zh"', ["parameters"]),
    ("code", "%matplotlib inline\nimport pandas as pd\nfrom IPython.display import HTML, display\n"
             "from analysis.data import processed\nfrom analysis.report import charts, headline\ncharts.use_chinese_font()\n"
             "data = processed.read_processed(data_dir)\nobs = data['observations']\n"
             "region = processed.require_region(obs, data['regions'], region_code)", []),
    ("markdown", "## 规上工业增加值", []),
    ("code", "last = obs[(obs.region_code == region_code) & (obs.period == pd.Period(as_of, 'M'))]\n"
             "value = float(last['value'].iloc[0])\n"
             "items = pd.DataFrame({'indicator': ['iva'], 'label': ['规上工业增加值'],\n"
             "    'value': [f'{value:.1f}%'], 'status': ['green' if value > 5 else 'red'],\n"
             "    'note': ['<b>未转义</b>']})\n"
             "display(HTML(headline.headline_html(items)))\n"
             "display({headline.HEADLINE_MIMETYPE: headline.headline_payload(\n"
             "    region_code, region['name'], as_of, items, rank=int(value < 5) + 1, n_regions=3)},\n"
             "    raw=True)", []),
    ("code", "fig = charts.indicator_chart(obs, region_code, 'iva', city_code='990100',\n"
             "    title='规上工业增加值累计增长（%）')\nfig", []),
    ("code", "import warnings, sys\nprint('路径', data_dir, file=sys.stderr)\n"
             "print(f'全县规上工业增加值同比增长{value:.1f}%。')", []),
]


def write_tiny_notebook(folder: Path, name: str = "05_briefing.ipynb") -> Path:
    """A small parameterised notebook using the package the way the real ones do."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for kind, source, tags in TINY_CELLS:
        cell = (nbformat.v4.new_code_cell(source) if kind == "code"
                else nbformat.v4.new_markdown_cell(source))
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    path = folder / name
    nbformat.write(nb, path)
    return path


_URL_ATTRS = {"script": "src", "link": "href", "img": "src", "source": "src", "iframe": "src",
              "embed": "src", "object": "data", "audio": "src", "video": "src"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")
_CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""")  # the url(...) form is _CSS_URL


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts_with_src = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        attr = _URL_ATTRS.get(tag)
        if attr and attrs.get(attr):
            self.refs.append(attrs[attr])
        if tag == "script" and attrs.get("src"):
            self.scripts_with_src += 1
        if attrs.get("style"):
            self.refs += _CSS_URL.findall(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.refs += _CSS_URL.findall(data) + _CSS_IMPORT.findall(data)


def external_references(html: str) -> list[str]:
    """Every URL in a script/link/img/... src or href, or a CSS url()/@import (fonts too),
    that is not inline (``data:``) or a relative link to a file beside the page."""
    parser = _Refs()
    parser.feed(html)
    return [ref for ref in parser.refs
            if not ref.startswith(("data:", "#")) and (":" in ref or ref.startswith("//"))]


REPO = Path(__file__).resolve().parents[1]
SAMPLE_COUNTY = "990102"  # the first county of the sample city 示例市 (北塘区)


def ingest_sample(folder: Path) -> Path:
    """The bundled sample (data/raw, part of the repository) ingested into ``folder``."""
    from analysis.data.ingest import ingest

    raw = REPO / "data" / "raw"
    assert (raw / "regions.csv").is_file(), f"the bundled sample is missing from {raw}"
    result = ingest(raw, folder)
    assert result.ok, "ingest of the bundled sample failed"
    return folder
