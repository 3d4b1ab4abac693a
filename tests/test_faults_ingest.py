"""Fault suite, ingest: each bad delivery of issue 12 stops at ingest with a finding that names
the file, the row or cell and what was expected, and leaves the last good data untouched.

Every case builds its own small data folder (tests/conftest.py ``write_city``, or a copy of
the bundled sample where the check needs a whole city of peers). docs/reliability.md lists
the cases with these test names.
"""

from __future__ import annotations

import shutil
from datetime import datetime

import pandas as pd
import pytest

from analysis.data.ingest import ingest
from tests.conftest import REPO, write_city, write_nbs_csv

NOW = datetime(2026, 4, 16, 9, 0)


@pytest.fixture
def city(tmp_path):
    return write_city(tmp_path / "raw")


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(city, tmp_path):
    """Ingest a good delivery first, then the bad one; the processed folder must not change."""
    out = tmp_path / "processed"
    good = ingest(write_city(tmp_path / "good"), out, now=NOW)
    assert good.ok
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    result = ingest(city, out, now=NOW)
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(("validation-failed", "."))}
    if not result.ok:
        assert after == before, "a failed ingest changed the last good state"
    return result


def errors(result, check=None):
    found = result.findings[result.findings["severity"] == "error"]
    return found if check is None else found[found["check"] == check]


def test_region_parent_cycle_is_an_error(city, tmp_path):
    replace_in(city / "regions.csv", "990101,青山县,county,990100", "990101,青山县,county,990102")
    replace_in(city / "regions.csv", "990102,河口县,county,990100", "990102,河口县,county,990101")
    result = run(city, tmp_path)
    found = errors(result)
    assert found["check"].tolist() == ["regions"]  # checked first: nothing else is read
    assert found["location"].iloc[0] == "row 3, column parent"
    assert found["message"].iloc[0] == (
        "parent cycle 990101 青山县 -> 990102 河口县 -> 990101 青山县; expected a tree with the city at the top")
    assert "observations" not in result.tables


def test_county_with_blank_parent_is_an_error(city, tmp_path):
    replace_in(city / "regions.csv", "990102,河口县,county,990100", "990102,河口县,county,")
    found = errors(run(city, tmp_path))
    assert found[["location", "message"]].values.tolist() == [[
        "row 4, column parent",
        "county 990102 河口县 has no parent in the file, so there are 2 top regions; expected its parent to be "
        "the city 990100 示例市"]]


def test_township_under_the_city_and_two_cities_are_errors(city, tmp_path):
    replace_in(city / "regions.csv", "990101002,柳林乡,township,990101", "990101002,柳林乡,township,990100")
    (city / "regions.csv").open("a", encoding="utf-8").write("990200,别市,city,,别\n")
    messages = errors(run(city, tmp_path))["message"].tolist()
    assert "township 990101002 柳林乡 has parent 990100 示例市, a city; expected a county" in messages
    assert "2 cities (990100 示例市, 990200 别市); expected one city per data folder" in messages


def test_missing_regions_csv_is_one_clear_error(city, tmp_path):
    (city / "regions.csv").unlink()
    result = run(city, tmp_path)
    assert len(result.findings) == 1  # not a list of "region X is not in regions.csv"
    finding = result.findings.iloc[0]
    assert (finding["severity"], finding["check"]) == ("error", "regions")
    assert finding["message"].startswith("regions.csv not found: ingest needs the city's regions")


def test_infinite_target_is_an_error(city, tmp_path):
    replace_in(city / "targets.csv", "ytd_value,120", "ytd_value,inf")
    found = errors(run(city, tmp_path), "targets")
    assert found[["location", "message"]].values.tolist() == [
        ["row 2, column target", "target inf: expected a finite number"]]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("ytd_value,120", "ytd_value,0", "target 0: expected a positive level for a flow, count or stock indicator"),
    ("ytd_growth,8", "ytd_growth,-120", "target -120: expected a growth rate above -100%"),
    ("990102,iva,2026,q1,ytd_growth", "990102,iva,2026,q1,ytd_value",
     "measure 'ytd_value': expected a growth target: the catalogue keeps this indicator as growth only, so a "
     "level target cannot be compared"),
])
def test_targets_must_fit_the_indicator_kind(city, tmp_path, old, new, message):
    replace_in(city / "targets.csv", old, new)
    assert message in errors(run(city, tmp_path), "targets")["message"].tolist()


def test_negative_year_to_date_level_is_an_error(city, tmp_path):
    replace_in(city / "bureau" / "河口县.csv", "累计值(亿元),18.2", "累计值(亿元),-18.2")
    found = errors(run(city, tmp_path), "negative_level")
    assert found[["file", "location"]].values.tolist() == [["河口县.csv", "B5"]]
    assert found["message"].iloc[0].startswith("fai ytd_value -18.2 in 2026-03 is negative; expected a level of at")


def test_negative_planned_investment_is_an_error(city, tmp_path):
    replace_in(city / "projects.csv", '"50,000"', "-50000")
    found = errors(run(city, tmp_path), "projects")
    assert found[["location", "message"]].values.tolist() == [
        ["row 2, column planned_investment", "年度计划投资 -50000: expected an amount of at least 0 (万元)"]]


def test_completed_far_beyond_planned_is_an_error_and_twice_is_not(city, tmp_path):
    replace_in(city / "projects.csv", "30000,8000.5", "30000,60000000")  # 2000x planned
    found = errors(run(city, tmp_path), "projects")
    assert found[["location", "message"]].values.tolist() == [[
        "row 4, column completed_investment",
        "累计完成投资 6e+07: expected at most 10 times the year's planned investment (more is a unit slip, "
        "e.g. 元 written as 万元)"]]
    replace_in(city / "projects.csv", "30000,60000000", "30000,60000")  # 2x: possible
    assert run(city, tmp_path).ok


def test_falling_weekly_year_to_date_is_an_error(city, tmp_path):
    replace_in(city / "township_weekly.csv", "2026-03-29,990101001,990101,800,9000", "2026-03-29,990101001,990101,800,7000")
    found = errors(run(city, tmp_path), "township_weekly")
    assert found[["location", "message"]].values.tolist() == [[
        "row 3, column investment_ytd",
        "累计完成投资 7000: expected a year-to-date total that never falls from one week to the next"]]


def test_header_month_in_the_future_is_an_error(city, tmp_path):
    write_nbs_csv(city / "bureau" / "青山县.csv", [["固定资产投资累计增长(%)", "7.8", "9.1", ""]], region="青山县",
                  months=["2031年3月", "2031年2月", "2031年1月"])
    found = errors(run(city, tmp_path), "future_period")
    assert found["location"].tolist() == ["B5", "C5", "D5"]  # one per month of the file
    assert found["message"].iloc[0] == ("month 2031-03 is later than the current month 2026-04; expected no figure "
                                        "from the future (a wrong year in the header?)")


def test_report_dates_in_the_future_are_errors(city, tmp_path):
    replace_in(city / "projects.csv", "8000.5,2026-03-31", "8000.5,2027-03-31")
    replace_in(city / "township_weekly.csv", "2026-03-29,990101002", "2026-05-03,990101002")
    result = run(city, tmp_path)
    assert errors(result, "projects")["message"].tolist() == ["填报日期 2027-03-31: expected a date no later than today"]
    assert errors(result, "township_weekly")["location"].tolist() == ["row 4, column week_end"]


@pytest.fixture
def sample(tmp_path):
    """A copy of the bundled sample city (nine counties: enough peers for the magnitude check)."""
    return shutil.copytree(REPO / "data" / "raw", tmp_path / "sample")


def test_wan_yuan_label_on_yi_yuan_figures_is_flagged(sample, tmp_path):
    path = sample / "bureau" / "临江县.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("固定资产投资(不含农户)累计值(亿元)", "固定资产投资(不含农户)累计值(万元)"), encoding="utf-8-sig")
    result = ingest(sample, tmp_path / "out", now=NOW)
    assert result.ok  # a warning: the analyst checks the unit; the data is not refused
    found = result.findings[result.findings["check"] == "unit_magnitude"]
    assert found[["severity", "location"]].values.tolist() == [["warning", "B5"]]
    assert found["file"].iloc[0].endswith("临江县.csv")
    assert "fai ytd_value of 临江县 is about 10^-4 times its peers'" in found["message"].iloc[0]
    assert "was 亿元 written as 万元?" in found["message"].iloc[0]
    obs = result.tables["observations"]
    assert obs[(obs["region_code"] == "990127") & (obs["indicator"] == "fai")
               & (obs["period"] == pd.Period("2026-03", "M")) & (obs["measure"] == "ytd_value")]["value"].iloc[0] \
        == pytest.approx(42.76e-4)


def test_the_bundled_sample_has_no_error_and_no_unit_warning(sample, tmp_path):
    result = ingest(sample, tmp_path / "out", now=NOW)
    assert result.ok
    assert set(result.findings["check"]) == {"masked_cell", "growth_vs_levels"}


# ------------------------------------------------------------- tables that are cut, hostile cells


QINGSHAN_HEAD = ("数据库：县区月度数据\n地区：青山县\n时间：2025年1月-2026年3月\n"
                 "指标,2026年3月,2026年2月,2026年1月,2025年3月,2025年2月,2025年1月\n")
FULL_ROW = "固定资产投资累计值(万元),250000,120000,,232000,110000,\n"


def test_table_cut_mid_row_names_the_last_complete_row(city, tmp_path):
    (city / "bureau" / "青山县.csv").write_text(QINGSHAN_HEAD + FULL_ROW + "固定资产投资累计增长(%),7.8,9", encoding="utf-8")
    found = errors(run(city, tmp_path), "unreadable_table")
    assert found["location"].tolist() == ["row 6"]
    assert found["message"].iloc[0] == (
        "the table ends in the middle of row 6 ('固定资产投资累计增长(%)'): 2 of the 6 value cells the header "
        "promises; the last complete row is row 5 ('固定资产投资累计值(万元)'); expected the whole table (was the file "
        "cut?)")


def test_table_cut_between_rows_is_caught_by_its_missing_footer(city, tmp_path):
    (city / "bureau" / "青山县.csv").write_text(QINGSHAN_HEAD + FULL_ROW, encoding="utf-8")  # no 数据来源 line
    replace_in(city / "bureau" / "河口县.csv", "数据库：县区月度数据", "数据库：县区月度数据")  # same export
    found = errors(run(city, tmp_path), "truncated_table")
    assert found["file"].map(lambda f: f.rsplit("/", 1)[-1]).tolist() == ["青山县.csv"]
    assert found["message"].iloc[0].startswith(
        "the table stops after row 5 ('固定资产投资累计值(万元)') without the note or source line (数据来源：…) that "
        "the other 1 table(s) of this export end with")


def test_a_table_with_only_its_header_row_is_an_error(city, tmp_path):
    (city / "bureau" / "青山县.csv").write_text(QINGSHAN_HEAD, encoding="utf-8")
    found = errors(run(city, tmp_path), "unreadable_table")
    assert found[["location", "message"]].values.tolist() == [[
        "row 4", "the table has a header row but no data rows (was the file cut?); expected data rows below the "
                 "header row"]]


def test_a_month_later_than_the_files_stated_time_is_an_error(city, tmp_path):
    text = QINGSHAN_HEAD.replace("时间：2025年1月-2026年3月", "时间：2025年1月-2026年2月") + FULL_ROW + "数据来源：x\n"
    (city / "bureau" / "青山县.csv").write_text(text, encoding="utf-8")
    found = errors(run(city, tmp_path), "unreadable_table")
    assert found[["location", "message"]].values.tolist() == [[
        "B5", "month 2026-03 is later than the file's stated time (时间：… to 2026-02); expected periods no later "
              "than the '时间：' line above the table"]]


def test_nul_in_a_label_is_an_unreadable_cell_and_reports_escape_it(city, tmp_path):
    replace_in(city / "bureau" / "河口县.csv", "固定资产投资累计增长(%)", "固定资产\x00投资累计增长(%)")
    result = run(city, tmp_path)
    found = errors(result, "unreadable_table")
    assert found[["location", "message"]].values.tolist() == [[
        "A6", "unreadable cell '固定资产\\x00投资累计增长(%)': it holds the control character U+0000; expected text "
              "without control characters (a damaged or binary file?)"]]
    report = (tmp_path / "processed" / "validation-failed.md").read_bytes()
    assert b"\x00" not in report and "固定资产\\x00投资".encode() in report
    assert b"\x00" not in (tmp_path / "processed" / "validation-failed_findings.csv").read_bytes()


def test_nul_in_a_region_name_is_not_reported_as_an_unknown_region(city, tmp_path):
    replace_in(city / "bureau" / "河口县.csv", "地区：河口县", "地区：河口\x00县")
    (city / "bureau" / "分县.csv").write_text("地区,指标,2026年3月\n河口\x00县,规上工业增加值累计增长(%),6.5\n",
                                              encoding="utf-8")
    found = errors(run(city, tmp_path))
    assert "unknown_region" not in set(found["check"])
    assert found.loc[found["file"].str.endswith("分县.csv"), "message"].tolist() == [
        "unreadable cell '河口\\x00县': it holds the control character U+0000; expected text without control "
        "characters (a damaged or binary file?)"]


@pytest.mark.parametrize("label", ['"固定资产投资累计值(亿元)', "固" * 200_000])
def test_a_stray_quote_or_a_giant_cell_is_a_clear_error_naming_the_file(city, tmp_path, label):
    body = f"{label},1,2,,3,4,\n" + ("固定资产投资累计增长(%),7.8,9.1,,5.0,4.0,\n" * 6000)  # well over 131072 characters
    (city / "bureau" / "青山县.csv").write_text(QINGSHAN_HEAD + body, encoding="utf-8")
    result = run(city, tmp_path)
    found = errors(result, "unreadable_table")
    assert found["file"].iloc[0].endswith("青山县.csv") and found["location"].iloc[0].startswith("line ")
    assert "a cell longer than 131072 characters usually means a stray double quote" in found["message"].iloc[0]
    # the last good report stays as it was; the failed attempt says why
    assert "OK, Parquet written" in (tmp_path / "processed" / "validation.md").read_text(encoding="utf-8")
    assert "131072" in (tmp_path / "processed" / "validation-failed.md").read_text(encoding="utf-8")


def test_links_leading_outside_the_data_folder_are_refused(city, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(city / "bureau" / "河口县.csv", elsewhere / "河口县.csv")
    (city / "bureau" / "河口县.csv").unlink()
    (city / "bureau" / "河口县.csv").symlink_to(elsewhere / "河口县.csv")
    (city / "bureau" / "passwd.csv").symlink_to("/etc/passwd")
    result = run(city, tmp_path)
    found = errors(result, "outside_link")
    assert sorted(found["message"].str.split(" is a link").str[0]) == ["bureau/passwd.csv", "bureau/河口县.csv"]
    assert "outside the data folder: not read" in found["message"].iloc[0]
    assert result.files_read == 1  # only 青山县.csv was read
    followed = ingest(city, tmp_path / "followed", now=NOW, follow_links=True)
    assert errors(followed, "unreadable_table")["file"].str.endswith("passwd.csv").all()  # read, and not a table
    (city / "bureau" / "passwd.csv").unlink()
    assert ingest(city, tmp_path / "followed", now=NOW, follow_links=True).ok


def test_a_link_inside_the_data_folder_is_read(city, tmp_path):
    (city / "bureau" / "河口县.csv").rename(city / "河口县-original.csv")
    (city / "bureau" / "河口县.csv").symlink_to(city / "河口县-original.csv")
    assert run(city, tmp_path).ok


def test_reports_list_at_most_20_findings_per_check_and_file(city, tmp_path):
    rows = [[f"{name}累计值(亿元)", "**", "**", "", "**", "**", ""] for name in
            ["技改投资", "房地产开发投资", "房地产住宅投资", "规上工业总产值", "社会消费品零售总额", "固定资产投资"]]
    write_nbs_csv(city / "bureau" / "青山县.csv", rows, region="青山县",
                  months=["2026年3月", "2026年2月", "2026年1月", "2025年3月", "2025年2月", "2025年1月"])
    result = ingest(city, tmp_path / "out", now=NOW)
    masked = result.findings[result.findings["check"] == "masked_cell"]
    assert result.ok and masked["file"].value_counts().to_dict() == {"青山县.csv": 24, "河口县.csv": 1}
    report = (tmp_path / "out" / "validation.md").read_text(encoding="utf-8")
    assert report.count("| warning | masked_cell | 青山县.csv |") == 21  # 20 findings and the line of the rest
    assert "| warning | masked_cell | 青山县.csv | | … and 4 more (see validation_findings.csv) |" in report
    assert report.count("| warning | masked_cell | 河口县.csv |") == 1
    assert "| warning | masked_cell | 25 |" in report
    full = pd.read_csv(tmp_path / "out" / "validation_findings.csv")
    assert (full["check"] == "masked_cell").sum() == 25


def test_a_long_table_read_in_parts_gives_the_same_observations(monkeypatch):
    """Reading in parts (as a 2,000,000-row table is) changes nothing: values, cells, metadata."""
    from analysis.data.readers import parts, read_export

    path = REPO / "data" / "raw" / "bureau" / "临江县.csv"
    whole = read_export(path)
    monkeypatch.setattr(parts, "PART_ROWS", 4)
    split = read_export(path)
    pd.testing.assert_frame_equal(split.observations.astype(str), whole.observations.astype(str))
    assert split.metadata == whole.metadata and whole.metadata["source"].startswith("数据来源")


def test_a_short_row_inside_a_long_table_is_not_called_the_end(tmp_path, monkeypatch):
    from analysis.core.errors import DataError
    from analysis.data.readers import parts, read_export

    rows = "".join(f"固定资产投资{i}累计值(亿元),1,2,,3,4,\n" for i in range(10))
    path = tmp_path / "t.csv"
    path.write_text(QINGSHAN_HEAD + rows.replace("固定资产投资4累计值(亿元),1,2,,3,4,", "固定资产投资4累计值(亿元),1,2")
                    + "数据来源：x\n", encoding="utf-8")
    monkeypatch.setattr(parts, "PART_ROWS", 3)
    with pytest.raises(DataError, match=r"\[row 9\]: row 9 \('固定资产投资4累计值\(亿元\)'\) has 2 of the 6 value cells"):
        read_export(path)


def test_observations_turned_into_text_part_by_part_are_the_same_table(sample, tmp_path, monkeypatch):
    """Issue 12 (2,000,000 rows): ingest keeps the reader's text categorical and turns it into
    text per schema-check part and Parquet row group; tiny parts must give the same file."""
    import analysis.data.ingest as ingest_module
    import analysis.data.schemas as schemas

    assert ingest(sample, tmp_path / "whole", now=NOW).ok
    monkeypatch.setattr(ingest_module, "ROW_GROUP", 7)
    monkeypatch.setattr(schemas, "CHECK_ROWS", 5)
    assert ingest(sample, tmp_path / "parts", now=NOW).ok
    whole = pd.read_parquet(tmp_path / "whole" / "observations.parquet")
    parts = pd.read_parquet(tmp_path / "parts" / "observations.parquet")
    assert len(parts) > 7 and parts.dtypes.equals(whole.dtypes)
    assert parts["region_name"].dtype == "str" and parts["period"].dtype == "period[M]"
    pd.testing.assert_frame_equal(parts, whole)
    assert parts.loc[(parts["region_code"] == "990127") & (parts["indicator"] == "fai")
                     & (parts["period"] == pd.Period("2026-03", "M")) & (parts["measure"] == "ytd_value"),
                     "value"].tolist() == [42.76]


def test_a_schema_error_in_a_later_part_names_its_row_of_the_whole_table(monkeypatch):
    import analysis.data.schemas as schemas

    table = pd.DataFrame({"frequency": pd.Categorical(["M"] * 12 + ["W"] + ["M"] * 3)})  # row 13 of the file
    schema = schemas.pa.DataFrameSchema({"frequency": schemas._text_column(schemas.pa.Check.isin(["M", "Q", "Y"]))})
    monkeypatch.setattr(schemas, "CHECK_ROWS", 5)  # parts of rows 1-5, 6-10, 11-15, 16
    found = schemas._table_findings(table, schema, "observations.parquet")
    assert found[["location", "message"]].values.tolist() == [
        ["row 13, column frequency", "column frequency: isin(['M', 'Q', 'Y']) (found 'W')"]]
