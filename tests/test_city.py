"""A city's own catalogue (indicators.csv) and settings (q1brief.toml) in its data folder."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from analysis.core.catalog import extend_catalogue, indicators
from analysis.core.errors import DataError
from analysis.core.settings import HEADLINE_INDICATORS, Settings, StatusThresholds
from analysis.data.city import load_catalogue, load_settings
from analysis.data.ingest import ingest
from analysis.data.processed import read_catalogue, read_processed, read_settings
from analysis.data.readers import read_bureau_table
from tests.conftest import write_city, write_nbs_csv

HEADER = "code,name_zh,aliases,name_en,unit,kind,forms,direction,city_agg,weight,section,note,display_unit\n"
LOANS = "loans,各项贷款余额,贷款余额|人民币贷款余额,loans outstanding,亿元,stock,end_value|ytd_value,higher,sum,,overall,,\n"


def city_rows(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_a_new_indicator_and_an_override():
    text = HEADER + LOANS + "fai,,全口径固定资产投资,,,,,,,,,,\n" + "retail,,,,,,,,,,,,亿元(社零)\n"
    cat = extend_catalogue(indicators(), city_rows(text))
    assert cat.loc["loans", "name_zh"] == "各项贷款余额" and cat.loc["loans", "forms"] == ("end_value", "ytd_value")
    assert cat.loc["loans", "aliases"] == ("贷款余额", "人民币贷款余额")
    assert "全口径固定资产投资" in cat.loc["fai", "aliases"] and "固投" in cat.loc["fai", "aliases"]  # added, kept
    assert cat.loc["fai", "unit"] == "亿元" and cat.loc["retail", "display_unit"] == "亿元(社零)"
    assert len(cat) == len(indicators()) + 1


@pytest.mark.parametrize(("row", "message"), [
    ("loans,各项贷款余额,,,亿元,stocks,end_value,higher,sum,,overall,,", r"\[row 2, column kind\].*one of flow, stock"),
    ("loans,各项贷款余额,,,亿元,stock,balance,higher,sum,,overall,,", r"\[row 2, column forms\].*unknown measure"),
    ("loans,各项贷款余额,,,亿元,stock,end_value,higher,sum,,,,", r"new indicator 'loans' has no section"),
    ("loans,各项贷款余额,,,亿元,stock,end_value,higher,weighted_mean,gdp,overall,,", r"column weight"),
    ("loans,各项贷款余额,固投,,亿元,stock,end_value,higher,sum,,overall,,", r"name '固投' is used by both fai and loans"),
    ("lo|ans,各项贷款余额,,,亿元,stock,end_value,higher,sum,,overall,,", r"bad indicator code"),
])
def test_bad_rows_name_the_row_and_what_is_allowed(row, message):
    with pytest.raises(DataError, match=message):
        extend_catalogue(indicators(), city_rows(HEADER + row + "\n"))


def test_unknown_column_is_an_error(tmp_path):
    (tmp_path / "indicators.csv").write_text("code,colour\nfai,red\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"indicators\.csv \[header row\]: unknown column\(s\) colour"):
        load_catalogue(tmp_path)


def test_city_indicator_is_matched_in_its_exports(tmp_path):
    (tmp_path / "indicators.csv").write_text(HEADER + LOANS, encoding="utf-8-sig")
    cat = load_catalogue(tmp_path)
    path = write_nbs_csv(tmp_path / "t.csv", [["人民币贷款余额(亿元)", "300", "290", ""]], region="北京市")
    obs = read_bureau_table(path, catalogue=cat)
    assert set(obs["indicator"]) == {"loans"} and set(obs["measure"]) == {"end_value"}
    assert obs["value"].tolist()[:2] == [300.0, 290.0]


def test_settings_defaults_reproduce_the_constants():
    settings = Settings()
    assert settings.headline_indicators == HEADLINE_INDICATORS
    assert settings.index_indicators == settings.rank_indicators == HEADLINE_INDICATORS
    assert settings.stated_q1_share == 0.30 and settings.thresholds == StatusThresholds()
    assert Settings.from_dict(settings.to_dict()) == settings


def test_settings_from_toml(tmp_path):
    (tmp_path / "q1brief.toml").write_text(
        'city_name = "示例市"\nheadline_indicators = ["fai", "iva"]\nrank_indicators = ["fai"]\n'
        "stated_q1_share = 0.25\n[status]\nred_pp = 3\namber_pp = 1.0\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.city_name == "示例市" and settings.headline_indicators == ("fai", "iva")
    assert settings.index_indicators == ("fai", "iva") and settings.rank_indicators == ("fai",)
    assert settings.stated_q1_share == 0.25
    assert settings.thresholds == StatusThresholds(red_pp=3.0, amber_pp=1.0)


@pytest.mark.parametrize(("text", "message"), [
    ('headline = ["fai"]\n', r"unknown setting\(s\) headline"),
    ('headline_indicators = ["fai", "gdp"]\n', r"\[headline_indicators\]: headline_indicators names unknown "
                                               r"indicator\(s\) gdp"),
    ("stated_q1_share = 30\n", r"stated_q1_share 30.0 must be between 0 and 1"),
    ('headline_indicators = "fai"\n', r"is not a list of codes"),
    ("[status]\nred = 2\n", r"unknown setting\(s\) status.red"),
    ("[status]\nred_pp = 1\namber_pp = 2\n", r"red_pp \(1.0\) must not be below amber_pp"),
    ("city_name = 示例市\n", r"not a valid TOML file"),
])
def test_bad_settings_name_the_file_and_key(tmp_path, text, message):
    (tmp_path / "q1brief.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"q1brief\.toml.*" + message):
        load_settings(tmp_path)


def test_ingest_carries_catalogue_and_settings_to_the_processed_folder(tmp_path):
    city = write_city(tmp_path / "raw")
    (city / "indicators.csv").write_text(HEADER + LOANS, encoding="utf-8")
    (city / "q1brief.toml").write_text('headline_indicators = ["loans", "fai"]\n[status]\nred_pp = 4\n',
                                       encoding="utf-8")
    write_nbs_csv(city / "bureau" / "loans.csv", [["各项贷款余额(亿元)", "300", "290", ""]], region="青山县")
    (city / "targets.csv").write_text((city / "targets.csv").read_text(encoding="utf-8")
                                      + "990101,loans,2026,annual,ytd_growth,9\n", encoding="utf-8")
    out = tmp_path / "out"
    assert ingest(city, out).ok
    cat = read_catalogue(out)
    assert cat.loc["loans", "forms"] == ("end_value", "ytd_value") and cat.index.name == "code"
    assert read_settings(out).headline_indicators == ("loans", "fai")
    assert read_settings(out).thresholds.red_pp == 4.0
    assert json.loads((out / "settings.json").read_text(encoding="utf-8"))["index_indicators"] == ["loans", "fai"]
    data = read_processed(out)
    loans = data["observations"][data["observations"]["indicator"] == "loans"]
    assert loans["value"].tolist()[:2] == [300.0, 290.0]
    assert data["targets"]["indicator"].tolist()[-1] == "loans"  # a target for a city indicator is accepted
    sources = data["sources"].set_index(data["sources"]["file"].str.rsplit("/", n=1).str[-1])
    assert sources.loc["loans.csv", "layout"] == "nbs_region"
    assert sources.loc["loans.csv", "source"] == "数据来源：示例市统计局"


def test_without_city_files_the_packaged_catalogue_and_defaults_are_used(tmp_path):
    out = tmp_path / "out"
    assert ingest(write_city(tmp_path / "raw"), out).ok
    pd.testing.assert_frame_equal(read_catalogue(out), indicators(), check_dtype=False, check_index_type=False)
    assert read_settings(out) == Settings()
    assert read_settings(tmp_path / "nowhere") == Settings()  # a folder from before settings.json


def test_a_bad_city_file_stops_ingest_with_the_row(tmp_path):
    city = write_city(tmp_path / "raw")
    (city / "indicators.csv").write_text(HEADER + LOANS.replace("stock", "stok"), encoding="utf-8")
    result = ingest(city, tmp_path / "out")
    assert not result.ok
    error = result.findings[result.findings["severity"] == "error"].iloc[0]
    assert error["check"] == "catalogue" and error["location"] == "row 2, column kind"
    assert not (tmp_path / "out" / "settings.json").exists()


def test_a_stock_balance_lands_on_the_form_its_catalogue_row_lists(tmp_path):
    from analysis.data.observations import to_catalogue_units

    city = write_city(tmp_path / "raw")
    stock_line = "loans,各项贷款,,,亿元,stock,ytd_value,higher,sum,,overall,,\n"
    (city / "indicators.csv").write_text(HEADER + stock_line, encoding="utf-8")
    cat = load_catalogue(city)
    path = write_nbs_csv(tmp_path / "t.csv", [["各项贷款余额(万元)", "3000000", "2900000", ""]], region="青山县")
    raw = read_bureau_table(path, pd.DataFrame({"code": ["990101"], "name": ["青山县"], "short_name": [""]}), cat)
    assert set(raw["measure"]) == {"end_value"}  # the reader says what the label says
    obs, findings = to_catalogue_units(raw, cat)
    assert findings.empty and set(obs["measure"]) == {"ytd_value"}  # the catalogue keeps the level as ytd_value
    assert obs["value"].tolist()[:2] == [300.0, 290.0] and set(obs["unit"]) == {"亿元"}


def test_the_suggested_line_for_a_balance_is_a_stock_that_reaches_the_gap_table():
    from analysis.core.catalog import catalogue_line

    assert catalogue_line("各项贷款", "各项贷款", "亿元", ["end_value"]) == (
        "各项贷款,各项贷款,,,亿元,stock,ytd_value,higher,sum,,overall,,")


def test_inspect_reports_a_settings_file_ingest_would_refuse(tmp_path, capsys):
    from analysis.cli import main

    city = write_city(tmp_path / "raw")
    (city / "q1brief.toml").write_text('headline_indicators = ["loans"]\n', encoding="utf-8")
    assert main(["inspect", str(city)]) == 1
    assert "headline_indicators names unknown indicator(s) loans" in capsys.readouterr().out


def test_a_summed_stock_is_not_compared_with_the_city_total(tmp_path):
    from analysis.gaps import gap_table

    city = write_city(tmp_path / "raw")
    (city / "indicators.csv").write_text(HEADER + "loans,各项贷款,,,亿元,stock,ytd_value,higher,sum,,overall,,\n",
                                         encoding="utf-8")
    for name, march, feb in [("青山县", "300", "290"), ("河口县", "100", "95"), ("示例市", "400", "385")]:
        write_nbs_csv(city / "bureau" / f"loans-{name}.csv", [["各项贷款余额(亿元)", march, feb, ""]], region=name)
    out = tmp_path / "out"
    assert ingest(city, out).ok
    data = read_processed(out)
    table = gap_table(data["observations"], data["targets"], data["regions"], "2026-03", catalogue=read_catalogue(out))
    loans = table[table["indicator"] == "loans"].set_index("region_code")
    assert loans.loc["990101", "city_value"] == 400 and pd.isna(loans.loc["990101", "gap_to_city"])
    assert loans.loc["990101", "share_of_city"] == 0.75 and loans.loc["990102", "rank"] == 2
    assert set(loans["status"]) == {"unknown"}  # no target, and a total is no benchmark: never red for being a county
