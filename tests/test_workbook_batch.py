"""q1brief run writes the city workbook beside index.html, lists it in the manifest, links it.

The fast tests call the batch pieces directly on the small processed data of
tests/_batch_data.py (a city and three counties, growth only, no targets or ledger); the
slow one runs a whole batch with the tiny notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _batch_data import CITY, COUNTIES, write_processed, write_tiny_notebook
from openpyxl import load_workbook

from analysis.batch import index, tables
from analysis.batch import manifest as mf
from analysis.batch.runner import RunConfig, run_batch
from analysis.data import processed

AS_OF = "2026-03"
NAME = f"{CITY[0]}_{AS_OF}_tables.xlsx"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_processed(tmp_path / "processed")


def test_which_cities_get_a_workbook(data_dir: Path):
    regions = processed.read_processed(data_dir, ("regions",))["regions"]
    assert tables.cities_to_write(regions, None) == [CITY]  # --all
    assert tables.cities_to_write(regions, [COUNTIES[0][0]]) == []  # one county: no city workbook
    assert tables.cities_to_write(regions, [CITY[0], COUNTIES[0][0]]) == [CITY]


def test_write_workbook_records_ok_and_failed(data_dir: Path, tmp_path: Path):
    out = tmp_path / "reports" / AS_OF
    out.mkdir(parents=True)
    entry = tables.write_workbook(CITY, AS_OF, data_dir, out, "abc", 0.3)
    assert entry["status"] == "ok" and entry["error"] is None and entry["path"] == NAME
    assert (entry["city_code"], entry["city_name"], entry["data_fingerprint"]) == (*CITY, "abc")
    book = load_workbook(out / NAME)
    # 东城县 grew 6.5 + 0.1 * 13 = 7.8% against the city's 5.3%: first, 2.5 pp above.
    rows = list(book["差距分析"].iter_rows(min_row=2, values_only=True))
    heads = [c.value for c in book["差距分析"][1]]
    first = dict(zip(heads, rows[0], strict=True))
    assert (first["代码"], first["实际"], first["全市"], first["较全市(百分点)"], first["全市排名"]) == \
        ("990101", 7.8, 5.3, 2.5, 1)
    assert book["说明"]["B7"].value == "abc"
    assert tables.is_current(entry, out, "abc") and not tables.is_current(entry, out, "changed")

    failed = tables.write_workbook(CITY, "2027-03", data_dir, out, "abc", 0.3)  # no such month
    assert failed["status"] == "failed" and failed["error"]["type"] == "DataError"
    assert "no observations for 2027-03" in failed["error"]["message"]
    assert not (out / failed["path"]).exists()


def test_index_links_the_workbook_and_escapes(tmp_path: Path):
    ok = {"city_code": "990100", "city_name": "示例<市>", "label": tables.LABEL, "status": "ok",
          "path": NAME, "error": None}
    html = index.render_index({"as_of": AS_OF, "jobs": {}, "workbooks": {"990100": ok}})
    assert f'<a class="tables" href="{NAME}">示例&lt;市&gt;表格汇编（Excel）</a>' in html
    failed = {**ok, "status": "failed", "error": {"type": "DataError", "message": "no <data>"}}
    html = index.render_index({"as_of": AS_OF, "jobs": {}, "workbooks": {"990100": failed}})
    assert "（失败）" in html and "no &lt;data&gt;" in html and f'href="{NAME}"' not in html
    assert "tables" not in index.render_index({"as_of": AS_OF, "jobs": {}})


@pytest.mark.slow
def test_run_all_writes_lists_and_links_the_workbook(tmp_path: Path):
    data = write_processed(tmp_path / "data" / "processed")
    write_tiny_notebook(tmp_path / "notebooks")
    config = RunConfig(as_of=AS_OF, notebook_dir=tmp_path / "notebooks", data_dir=data,
                       out=tmp_path / "reports", quiet=True, jobs=1)
    summary = run_batch(config)
    out = tmp_path / "reports" / AS_OF
    assert not summary.failed and summary.workbooks == [out / NAME]
    assert load_workbook(out / NAME).sheetnames[0] == "总表"
    state = json.loads((out / mf.MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = state["workbooks"][CITY[0]]
    assert entry["status"] == "ok" and entry["path"] == NAME
    assert entry["data_fingerprint"] == mf.data_fingerprint(data)["sha256"]
    assert f'href="{NAME}"' in (out / "index.html").read_text(encoding="utf-8")

    again = run_batch(RunConfig(**{**config.__dict__, "resume": True}))
    assert f"{CITY[0]}/tables" in again.skipped and not again.ran and not again.workbooks
