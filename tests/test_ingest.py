"""q1brief ingest: Parquet only when valid, written atomically, and a report of every finding."""

import pandas as pd
import pytest

from analysis.cli import main
from analysis.core.atomic import write_atomic
from analysis.data.ingest import ingest
from tests.conftest import write_city


@pytest.fixture
def city(tmp_path):
    return write_city(tmp_path / "raw")


def test_ingest_writes_parquet_and_report(city, tmp_path):
    out = tmp_path / "processed"
    result = ingest(city, out)
    assert result.ok
    names = sorted(p.name for p in out.iterdir())
    assert names == ["catalogue.parquet", "observations.parquet", "projects.parquet", "regions.parquet",
                     "settings.json", "sources.parquet", "targets.parquet", "township_weekly.parquet",
                     "validation.md", "validation_findings.csv"]
    obs = pd.read_parquet(out / "observations.parquet")
    assert obs["period"].dtype == "period[M]"  # round-trips through Parquet
    assert obs["value"].max() == pytest.approx(25.0)
    report = (out / "validation.md").read_text(encoding="utf-8")
    assert "OK, Parquet written" in report
    assert "masked_cell" in report and "河口县.csv" in report  # the ** cell is listed


def test_ingest_with_an_error_writes_no_parquet(city, tmp_path, capsys):
    out = tmp_path / "processed"
    assert main(["ingest", "--data-dir", str(city), "--out-dir", str(out)]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    (city / "bureau" / "broken.csv").write_text("数据库：x\n地区：青山县\n指标,2026年3月\n固定资产投资累计值(亿元),abc\n",
                                                encoding="utf-8")
    assert main(["ingest", "--data-dir", str(city), "--out-dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "broken.csv [B4]: unparseable number 'abc'" in printed and "no Parquet written" in printed
    assert before and not list(out.glob("*.parquet"))  # stale tables removed: nothing reads old data
    assert "ERRORS, no Parquet written" in (out / "validation.md").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp"))


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
    for path in (real_data / "nbs-province-monthly" / "xls").glob("*.xls"):
        (raw / path.name).symlink_to(path)
    result = ingest(tmp_path / "raw", tmp_path / "out")
    assert result.ok and result.files_read == 31
    obs = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert obs["region_code"].nunique() == 31 and len(obs) == 31 * 4 * 36
