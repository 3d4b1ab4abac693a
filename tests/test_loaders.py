"""Loaders for regions, observations, targets, the project ledger and township weekly reports."""

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.data.loaders import (
    load_projects,
    load_regions,
    load_targets,
    load_township_weekly,
)
from analysis.data.observations import load_observations
from tests.conftest import write_city


@pytest.fixture
def city(tmp_path):
    return write_city(tmp_path / "city")


def replace_in(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_load_regions(city):
    regions = load_regions(city)
    assert regions.set_index("code").loc["990101001", "parent"] == "990101"
    assert list(regions.columns) == ["code", "name", "level", "parent", "short_name"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("990102,河口县", "99010,河口县", r"row 4, column code\]: region code '99010': expected 6 digits"),
        ("county,990100,河口", "district,990100,河口", r"row 4, column level\]: level 'district': expected one of"),
        ("990102,河口县,county,990100", "990102,河口县,county,990900", r"parent '990900' of 990102 河口县 is not a region"),
        ("990102001,河口镇", "990101001,河口镇", r"row 7, column code\]: region code appears twice: '990101001'"),
        ("code,name", "code,nom", r"missing column\(s\) name"),
    ],
)
def test_load_regions_bad_input(city, old, new, message):
    replace_in(city / "regions.csv", old, new)
    with pytest.raises(DataError, match=message):
        load_regions(city)


def test_load_observations_converts_to_catalogue_units(city):
    obs = load_observations(city)
    values = obs.set_index(["region_code", "measure", "period"])["value"]
    # 青山县 publishes 万元: 250000 万元 = 25 亿元
    assert values[("990101", "ytd_value", pd.Period("2026-03", "M"))] == pytest.approx(25.0)
    assert values[("990102", "ytd_value", pd.Period("2026-03", "M"))] == 18.2
    assert values[("990101", "ytd_growth", pd.Period("2026-03", "M"))] == 7.8
    assert set(obs.loc[obs["measure"] == "ytd_value", "unit"]) == {"亿元"}
    assert np.isnan(values[("990102", "ytd_growth", pd.Period("2025-02", "M"))])  # masked, not zero
    assert list(obs.columns) == ["region_code", "region_name", "indicator", "period", "frequency", "measure", "value",
                                 "unit", "source", "label", "raw"]
    row = obs[(obs["region_code"] == "990101") & (obs["period"] == pd.Period("2026-03", "M"))
              & (obs["measure"] == "ytd_value")].iloc[0]
    assert (row["source"], row["label"], row["raw"]) == ("青山县.csv!B5", "固定资产投资累计值(万元)", "250000")


def test_load_observations_unconvertible_unit(city):
    replace_in(city / "bureau" / "河口县.csv", "累计值(亿元)", "累计值(吨)")
    with pytest.raises(DataError, match=r"河口县\.csv \[B5\]: unit '吨' of fai .* cannot be converted to the catalogue unit '亿元'"):
        load_observations(city)


def test_level_without_unit_is_an_error(city):
    replace_in(city / "bureau" / "河口县.csv", "累计值(亿元)", "累计值")
    with pytest.raises(DataError, match=r"\[B5\]: row '固定资产投资累计值' has no unit; expected the unit in brackets, e.g. \(亿元\)"):
        load_observations(city)


def test_growth_only_level_left_out_and_unknown_indicator_kept_with_a_warning(city):
    extra = "规上工业增加值累计值(亿元),5,3,,4,2,\n房地产销售面积累计值(万平方米),1,1.5,,1,1,\n数据来源"
    replace_in(city / "bureau" / "河口县.csv", "数据来源", extra)
    with pytest.warns(UserWarning, match=r"房地产销售面积累计值\(万平方米\)' is not in the catalogue: kept as code "
                      r"'房地产销售面积'.*add this line to indicators.csv.*: 房地产销售面积,房地产销售面积,,,万平方米,ratio,"
                      r"ytd_value,higher,mean,,overall,,.*规上工业增加值累计值\(亿元\)' is a level of iva"):
        obs = load_observations(city)
    assert set(obs["indicator"]) == {"fai", "房地产销售面积"}
    kept = obs[obs["indicator"] == "房地产销售面积"].set_index("period")
    assert kept.loc[pd.Period("2026-02", "M"), "value"] == 1.5 and set(kept["unit"]) == {"万平方米"}


def test_unknown_region_is_an_error(city):
    replace_in(city / "bureau" / "河口县.csv", "地区：河口县", "地区：火星县")
    with pytest.raises(DataError, match=r"region '火星县' is not in regions\.csv"):
        load_observations(city)


def test_empty_file_names_the_file(city):
    (city / "targets.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"targets\.csv: empty file"):
        load_targets(city)


def test_load_targets(city):
    targets = load_targets(city, load_regions(city))
    assert targets["target"].tolist() == [120.0, 8.0, 6.5]
    assert targets["year"].dtype.kind == "i"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("990102,iva", "990199,iva", r"targets\.csv \[row 4, column region_code\].*unknown region_code '990199'"),
        ("990101,fai,2026,annual,ytd_value", "990101,gdp,2026,annual,ytd_value", r"row 2, column indicator"),
        ("q1,ytd_growth", "q2,ytd_growth", r"\[row 4, column horizon\]: horizon 'q2': expected 'annual' or 'q1'"),
        (",6.5", ",六点五", r"\[row 4\].*unparseable number '六点五' in column target"),
        (",120", ",", r"\[row 2, column target\]: missing target; expected a number \(a blank is not read as zero\)"),
    ],
)
def test_load_targets_bad_input(city, old, new, message):
    replace_in(city / "targets.csv", old, new)
    with pytest.raises(DataError, match=message):
        load_targets(city, load_regions(city))


def test_load_targets_duplicate(city):
    with (city / "targets.csv").open("a", encoding="utf-8") as handle:
        handle.write("990101,fai,2026,annual,ytd_value,130\n")
    with pytest.raises(DataError, match=r"\[row 5\]: duplicate target: expected one target per region"):
        load_targets(city)


def test_load_projects(city):
    projects = load_projects(city, load_regions(city))
    assert projects["project_id"].tolist() == ["P001", "P002", "P003"]
    assert projects["planned_investment"].tolist() == [50000.0, 20000.0, 30000.0]  # "50,000" read as 50000
    assert pd.isna(projects["actual_start"].iloc[1])  # not started: NaT, not a date
    assert projects["actual_start"].iloc[0] == pd.Timestamp("2026-02-20")
    assert projects["completed_investment"].iloc[2] == 8000.5


def test_load_projects_bad_date_and_wrong_township(city):
    replace_in(city / "projects.csv", "2026-03-10", "3月10日左右")
    with pytest.raises(DataError, match=r"projects\.csv \[row 3\].*unparseable date '3月10日左右' in column planned_start"):
        load_projects(city)
    write_city(city)
    replace_in(city / "projects.csv", "990102,990102001", "990102,990101002")
    with pytest.raises(DataError, match=r"\[row 4\].*township '990101002' is not a township of county '990102'"):
        load_projects(city, load_regions(city))


def test_load_township_weekly(city):
    weekly = load_township_weekly(city, load_regions(city))
    assert weekly["week_end"].min() == pd.Timestamp("2026-03-22")
    assert weekly["investment_ytd"].sum() == 17200
    replace_in(city / "township_weekly.csv", "2026-03-29,990101002", "2026-03-29,990101001")
    with pytest.raises(DataError, match=r"\[row 4\]: duplicate township week: expected one report per township"):
        load_township_weekly(city)
