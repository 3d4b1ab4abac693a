"""The bundled sample city (data/raw): the lagging counties built into it come out red.

The lagging counties and indicators are those listed in data/raw/README.md ("Deliberately
in the data"); every county gets a briefing paragraph per section.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import loaders
from analysis.gaps import gap_table, lagging_by_region
from analysis.narrative import narratives, projects_sentences
from analysis.projects import county_summary

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
# data/raw/README.md: Q1 2026 growth far below the other counties ...
LAGGING_GROWTH = {
    "990123": ["fai", "tech_invest"],
    "990124": ["iva", "ind_output", "electricity"],
    "990126": ["new_entities", "retail"],
}
# ... and ratio indicators fixed at poor levels.
LAGGING_RATIOS = {
    "990124": ["trad_share", "sei_share", "financing_rate", "plot_ratio"],
    "990123": ["project_conversion"],
}


@pytest.fixture(scope="module")
def sample():
    if not (RAW / "regions.csv").exists():
        pytest.skip("sample data not in data/raw")
    regions = loaders.load_regions(RAW)
    return {
        "regions": regions,
        "obs": loaders.load_observations(RAW, regions),
        "targets": loaders.load_targets(RAW, regions),
        "projects": loaders.load_projects(RAW, regions),
        "weekly": loaders.load_township_weekly(RAW, regions),
    }


@pytest.fixture(scope="module")
def table(sample) -> pd.DataFrame:
    return gap_table(sample["obs"], sample["targets"], sample["regions"], "2026-03")


def status_of(table: pd.DataFrame, region: str, indicator: str, measure: str) -> str:
    hit = table.loc[(table["region_code"] == region) & (table["indicator"] == indicator) & (table["measure"] == measure)]
    assert len(hit) == 1, (region, indicator, measure)
    return hit["status"].iloc[0]


def test_every_county_and_indicator(table, sample):
    counties = set(sample["regions"].loc[sample["regions"]["level"] == "county", "code"])
    assert set(table["region_code"]) == counties and len(counties) == 9
    assert set(table["indicator"]) == {
        "fai", "tech_invest", "iva", "ind_output", "trad_share", "sei_share", "electricity", "new_entities",
        "new_hightech", "retail", "project_conversion", "financing_rate", "plot_ratio",
    }
    ranked = table.loc[table["measure"] == "ytd_growth"].groupby(["indicator"])["rank"].max()
    assert (ranked <= 9).all()


@pytest.mark.parametrize("region", sorted(LAGGING_GROWTH))
def test_lagging_counties_are_red(table, region):
    for indicator in LAGGING_GROWTH[region]:
        assert status_of(table, region, indicator, "ytd_growth") == "red", indicator
    for indicator in LAGGING_RATIOS.get(region, []):
        assert status_of(table, region, indicator, "ytd_value") == "red", indicator
    lagging = lagging_by_region(table)[region]
    assert set(LAGGING_GROWTH[region]) | set(LAGGING_RATIOS.get(region, [])) <= set(lagging)


def test_city_iva_is_the_published_row(table):
    iva = table.loc[table["indicator"] == "iva"]
    assert (iva["city_source"] == "published").all() and iva["city_value"].nunique() == 1


def test_a_paragraph_per_section_for_every_county(table, sample):
    names = dict(zip(sample["regions"]["code"], sample["regions"]["name"], strict=True))
    summary = county_summary(sample["projects"], "2026-03-31", sample["weekly"], names)
    for lang in ("zh", "en"):
        text = narratives(table, lang, projects=projects_sentences(summary, "2026-03-31", lang))
        sections = text.groupby("region_code")["section"].agg(list)
        assert len(sections) == 9
        expected = ["overall", "industry", "investment", "consumption", "projects", "shortfalls"]
        assert all(s == expected for s in sections)
        body = text.loc[text["section"] != "shortfalls", "text"]
        assert body.str.startswith("1-3月，" if lang == "zh" else "In Jan-Mar, ").all()
        assert not text["text"].str.contains(r"\bnan\b|\bNone\b|\bNaN\b", regex=True).any()
    shiqiao = text.loc[text["region_code"] == "990123"]
    assert "fixed-asset investment" in shiqiao.loc[shiqiao["section"] == "shortfalls", "text"].iloc[0]
