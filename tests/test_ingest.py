"""q1brief ingest: Parquet only when valid, written atomically, and a report of every finding."""

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from analysis.cli import main
from analysis.core.atomic import write_atomic
from analysis.core.catalog import package_regions
from analysis.data.delivery import delivery_note, read_delivery
from analysis.data.ingest import ingest
from tests.conftest import write_city


@pytest.fixture
def city(tmp_path):
    return write_city(tmp_path / "raw")


def test_ingest_writes_parquet_and_report(city, tmp_path):
    out = tmp_path / "processed"
    result = ingest(city, out)
    assert result.ok
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["catalogue.parquet", "delivery.json", "observations.parquet", "projects.parquet",
                     "regions.parquet", "settings.json", "sources.parquet", "targets.parquet",
                     "township_weekly.parquet", "validation.md", "validation_findings.csv"]
    obs = pd.read_parquet(out / "observations.parquet")
    assert obs["period"].dtype == "period[M]"  # round-trips through Parquet
    assert obs["value"].max() == pytest.approx(25.0)
    report = (out / "validation.md").read_text(encoding="utf-8")
    assert "OK, Parquet written" in report
    assert "masked_cell" in report and "河口县.csv" in report  # the ** cell is listed


def test_failed_ingest_keeps_the_last_good_delivery_byte_identical(city, tmp_path, capsys):
    out = tmp_path / "processed"
    assert main(["ingest", "--data-dir", str(city), "--out-dir", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    delivery = json.loads(before["delivery.json"])
    (city / "bureau" / "broken.csv").write_text("数据库：x\n地区：青山县\n指标,2026年3月\n固定资产投资累计值(亿元),abc\n",
                                                encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", "--data-dir", str(city), "--out-dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "broken.csv [B4]: unparseable number 'abc'" in printed
    assert "nothing in the processed folder was changed" in printed
    assert f"fingerprint {delivery['fingerprint'][:12]}" in printed
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert {k: v for k, v in after.items() if not k.startswith("validation-failed")} == before
    failed = after["validation-failed.md"].decode("utf-8")
    assert "nothing in this folder was changed" in failed
    assert f"still the previous delivery: ingested {delivery['ingested_at']}" in failed
    assert "unparseable number 'abc'" in failed
    assert b"broken.csv" in after["validation-failed_findings.csv"]
    assert not list(out.glob(".*.tmp"))
    (city / "bureau" / "broken.csv").unlink()  # fixed: the next success removes the failed report
    assert main(["ingest", "--data-dir", str(city), "--out-dir", str(out)]) == 0
    assert not list(out.glob("validation-failed*"))


def test_failed_first_ingest_says_there_is_no_data(city, tmp_path):
    (city / "targets.csv").write_text("region_code,indicator,year,horizon,measure,target\n990101,fai,2026,annual,"
                                      "ytd_value,x\n", encoding="utf-8")
    result = ingest(city, tmp_path / "out")
    assert not result.ok and result.previous is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["validation-failed.md",
                                                                    "validation-failed_findings.csv"]
    assert "holds no earlier delivery" in (tmp_path / "out" / "validation-failed.md").read_text(encoding="utf-8")


def test_delivery_records_fingerprint_files_and_date(city, tmp_path):
    out = tmp_path / "processed"
    when = datetime(2026, 4, 16, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    result = ingest(city, out, now=when)
    record = read_delivery(out)
    assert record == result.delivery
    assert record["ingested_at"] == "2026-04-16T08:30:00+08:00" and record["latest_period"] == "2026-03"
    hashes = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in record["tables"]}
    assert record["tables"] == hashes and len(hashes) == 8  # 7 tables and settings.json
    assert record["fingerprint"] == hashlib.sha256(
        "".join(f"{k}:{hashes[k]}\n" for k in sorted(hashes)).encode()).hexdigest()
    assert [f["path"] for f in record["raw_files"]] == [
        "bureau/河口县.csv", "bureau/青山县.csv", "projects.csv", "regions.csv", "targets.csv", "township_weekly.csv"]
    assert delivery_note(out) == f"数据批次：2026-04-16入库，数据指纹{record['fingerprint'][:12]}。"
    assert delivery_note(tmp_path / "nothing") == "数据批次：未记录（请运行 q1brief ingest）。"
    # the same raw files give the same fingerprint: re-ingesting unchanged data changes nothing downstream
    again = ingest(city, tmp_path / "again", now=when)
    assert again.delivery["fingerprint"] == record["fingerprint"]


def test_removed_input_removes_its_table_and_outputs_are_readable_by_others(city, tmp_path):
    out = tmp_path / "processed"
    ingest(city, out)
    (city / "targets.csv").unlink()
    result = ingest(city, out)
    assert result.ok and not (out / "targets.parquet").exists()
    assert "targets.csv not present" in (out / "validation.md").read_text(encoding="utf-8")
    assert (out / "observations.parquet").stat().st_mode & 0o044  # not mkstemp's private 0600


def test_unknown_region_in_targets_is_an_error(city, tmp_path):
    text = (city / "targets.csv").read_text(encoding="utf-8") + "990177,fai,2026,annual,ytd_growth,8\n"
    (city / "targets.csv").write_text(text, encoding="utf-8")
    result = ingest(city, tmp_path / "out")
    assert not result.ok
    error = result.findings[result.findings["severity"] == "error"].iloc[0]
    assert error["check"] == "targets" and error["location"] == "row 5, column region_code"
    assert not list((tmp_path / "out").glob("*.parquet"))


def test_write_atomic_leaves_nothing_when_writing_fails(tmp_path):
    target = tmp_path / "x.parquet"

    def fail(path):
        path.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, fail)
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        write_atomic(target, fail)
    assert target.read_bytes() == b"old"  # the previous good file survives
    assert [p.name for p in tmp_path.iterdir()] == ["x.parquet"]


@pytest.mark.realdata
def test_real_province_tables_ingest(real_data, tmp_path):
    raw = tmp_path / "raw" / "bureau"
    raw.mkdir(parents=True)
    package_regions().to_csv(tmp_path / "raw" / "regions.csv", index=False)  # the country and its provinces
    for path in (real_data / "nbs-province-monthly" / "xls").glob("*.xls"):
        (raw / path.name).symlink_to(path)
    result = ingest(tmp_path / "raw", tmp_path / "out", follow_links=True)  # links to the shared real data
    assert result.ok and result.files_read == 31
    obs = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert obs["region_code"].nunique() == 31 and len(obs) == 31 * 4 * 36
