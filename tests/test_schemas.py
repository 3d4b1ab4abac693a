"""pandera schemas: the data contract of the CSV inputs and processed tables, as findings."""

import pandas as pd

from analysis.data.region_tree import region_tree_findings
from analysis.data.schemas import processed_findings, regions_input_schema, schema_findings


def _regions(rows):
    return pd.DataFrame(rows, columns=["code", "name", "level", "parent", "short_name"])


def test_region_rules_name_row_and_column():
    frame = _regions([("990100", "示例市", "city", "", "示例"), ("99010", "青山县", "county", "990100", "青山"),
                      ("990102", "河\x00口县", "county", "990100", "河口"), ("990102", "石桥县", "borough", "990100", "")])
    found = schema_findings(frame, regions_input_schema(), "regions.csv", "regions")
    assert found[["location", "message"]].values.tolist() == [
        ["row 3, column code", "region code '99010': expected 6 digits (9 for a township)"],
        ["row 4, column name", "name '河\\x00口县': expected a region name without control characters"],
        ["row 5, column code", "region code appears twice: '990102': expected each code once"],
        ["row 5, column level", "level 'borough': expected one of country, province, city, county, township"],
    ]
    assert set(found["severity"]) == {"error"} and set(found["file"]) == {"regions.csv"}


def test_province_level_tree_and_a_self_parent():
    provinces = _regions([("100000", "全国", "country", "", "全国"), ("110000", "北京市", "province", "100000", "北京")])
    assert region_tree_findings(provinces, "r.csv", set()).empty
    looped = _regions([("990100", "示例市", "city", "", "示例"), ("990101", "青山县", "county", "990101", "青山")])
    assert region_tree_findings(looped, "r.csv", set())["message"].tolist() == [
        "parent cycle 990101 青山县 -> 990101 青山县; expected a tree with the city at the top"]


def test_processed_tables_break_their_contract_loudly():
    obs = pd.DataFrame({"region_code": ["990101"], "region_name": ["青山县"], "indicator": ["fai"],
                        "period": pd.PeriodIndex(["2026-03"], freq="M"), "frequency": ["M"], "measure": ["ytd_total"],
                        "value": [1.0], "unit": ["亿元"], "source": ["a.csv!B5"], "label": ["固投"], "raw": ["1"]})
    found = processed_findings({"observations": obs})
    assert found[["file", "location"]].values.tolist() == [["observations.parquet", "row 1, column measure"]]
    assert found["message"].iloc[0].startswith("measure 'ytd_total': expected one of ytd_value, ytd_growth, month_value")
    found = processed_findings({"observations": obs.drop(columns="frequency")})
    assert found["message"].tolist() == ["column 'frequency' is missing: expected every column of the table's schema",
                                         "measure 'ytd_total': expected one of " + found["message"].iloc[1].split("one of ")[1]]
