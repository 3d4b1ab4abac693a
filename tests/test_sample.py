"""Tests of the sample-data generator (analysis.sample) and of the committed data/raw."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.core.catalog import match_indicator, parse_row_label
from analysis.sample import DEFAULT_SEED, generate, ledgers, write_sample
from analysis.sample.dynamics import MONTHS, festival_factor
from analysis.sample.tables import DELIBERATE_GAPS, MASKED, SEPARATED
from analysis.sample.writer import ROWS, month_label, row_label

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
MASK_TOKENS = {"**", "…", "-"}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, DEFAULT_SEED)
    return out


@pytest.fixture(scope="module")
def data():
    return generate(DEFAULT_SEED)


def read_grid(path: Path) -> list[list[str]]:
    """A bureau file as rows of text cells (CSV in UTF-8-BOM or GB18030, or xlsx)."""
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = [["" if c is None else str(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return rows
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text)))


def region_files() -> list[Path]:
    return sorted(p for p in (RAW / "bureau").iterdir() if not p.name.startswith("分县"))


# --- reproducibility -------------------------------------------------------------------


def test_regenerated_files_identical_to_committed(regenerated: Path) -> None:
    committed = sorted(p.relative_to(RAW) for p in RAW.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert committed == fresh
    for rel in committed:
        if rel.suffix == ".xlsx":
            assert read_grid(RAW / rel) == read_grid(regenerated / rel), rel
        else:
            assert (RAW / rel).read_bytes() == (regenerated / rel).read_bytes(), rel


def test_seed_is_respected(data) -> None:
    again = generate(DEFAULT_SEED)
    pd.testing.assert_frame_equal(again.cells, data.cells)
    other = generate(DEFAULT_SEED + 1)
    assert not np.allclose(other.cells["value"].fillna(0), data.cells["value"].fillna(0))
    assert not other.projects["project_name"].equals(data.projects["project_name"])


# --- hand-checked pieces ---------------------------------------------------------------


def test_labels() -> None:
    assert month_label("2026-03") == "2026年3月"
    assert month_label("2019-11") == "2019年11月"
    assert row_label("fai", "固定资产投资", "ytd_value") == "固定资产投资累计值(亿元)"
    assert row_label("retail", "社零总额", "ytd_growth") == "社零总额累计增长(%)"
    assert row_label("trad_share", "传统产业产值占比", "ytd_value") == "传统产业产值占比(%)"
    assert row_label("plot_ratio", "工业用地容积率", "ytd_value") == "工业用地容积率"


def test_festival_factor_follows_the_2026_date() -> None:
    # Festival 2026-02-17, investment window [-10, +15) days = 7 Feb .. 3 Mar inclusive:
    # 22 days of February (28) and 3 of March (31) at -0.5.
    factor = pd.Series(festival_factor((-10, 15, -0.5)), index=MONTHS)
    assert factor[pd.Period("2026-01", "M")] == 1.0
    assert factor[pd.Period("2026-02", "M")] == pytest.approx(1 - 0.5 * 22 / 28)
    assert factor[pd.Period("2026-03", "M")] == pytest.approx(1 - 0.5 * 3 / 31)
    # 2025-01-29: window 19 Jan .. 12 Feb = 13 January days and 12 February days.
    assert factor[pd.Period("2025-01", "M")] == pytest.approx(1 - 0.5 * 13 / 31)
    assert factor[pd.Period("2025-02", "M")] == pytest.approx(1 - 0.5 * 12 / 28)


# --- committed files: structure ---------------------------------------------------------


def test_regions() -> None:
    regions = pd.read_csv(RAW / "regions.csv", dtype=str, keep_default_na=False)
    assert list(regions.columns) == ["code", "name", "level", "parent", "short_name"]
    assert regions["code"].is_unique and regions["name"].is_unique
    city = regions[regions["level"] == "city"]
    assert city[["code", "name", "parent"]].values.tolist() == [["990100", "示例市", ""]]
    counties = regions[regions["level"] == "county"]
    assert len(counties) == 9 and (counties["parent"] == "990100").all()
    assert counties["code"].str.fullmatch(r"9901\d\d").all()
    towns = regions[regions["level"] == "township"]
    assert towns["parent"].isin(counties["code"]).all()
    assert (towns["code"].str[:6] == towns["parent"]).all() and (towns["code"].str.len() == 9).all()
    assert towns.groupby("parent").size().between(5, 8).all()


@pytest.mark.parametrize("path", region_files(), ids=lambda p: p.name)
def test_bureau_file_layout(path: Path) -> None:
    grid = read_grid(path)
    regions = pd.read_csv(RAW / "regions.csv", dtype=str)
    assert grid[0][0].startswith("数据库：") and grid[2][0].startswith("时间：")
    assert grid[1][0] == f"地区：{path.stem}" and path.stem in set(regions["name"])
    header = grid[3]
    assert header[0] == "指标"
    months = [pd.Period(h.replace("年", "-").replace("月", ""), "M") for h in header[1:] if h]
    assert len(months) == 87 and months[0] == pd.Period("2026-03", "M")
    assert months == sorted(months, reverse=True) and months[-1] == pd.Period("2019-01", "M")
    assert grid[-1][0].startswith("数据来源：")
    january = [i + 1 for i, m in enumerate(months) if m.month == 1]
    for row in grid[4:-1]:
        name, measure, _ = parse_row_label(row[0])
        assert match_indicator(name) is not None, row[0]
        assert measure in (None, "ytd_value", "ytd_growth")
        assert all(row[i] == "" for i in january), row[0]
        assert all(c != "" for i, c in enumerate(row[1:88], start=1) if i not in january), row[0]


def test_variants_and_iva_file() -> None:
    names = {p.name for p in (RAW / "bureau").iterdir()}
    assert "河口县.xlsx" in names and "柳溪县.csv" in names
    assert not (RAW / "bureau" / "柳溪县.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    grid = read_grid(RAW / "bureau" / "分县规上工业增加值.csv")
    header = next(r for r in grid if r[0] == "地区")
    assert header[:3] == ["地区", "指标", "2026年3月"] and len([h for h in header if h]) == 89
    rows = [r for r in grid[grid.index(header) + 1 :] if r[0]]
    assert len(rows) == 10 and {r[1] for r in rows} == {"规上工业增加值累计增长(%)"}
    for path in region_files():  # iva is in no per-region file
        assert not any(match_indicator(parse_row_label(r[0])[0]) == "iva" for r in read_grid(path)[4:-1])


def test_masked_and_separated_cells() -> None:
    found, separated = [], []
    for path in sorted((RAW / "bureau").iterdir()):
        for row in read_grid(path):
            found += [c for c in row if c in MASK_TOKENS]
            separated += [c for c in row if "," in c]
    assert len(found) == len(MASKED) and set(found) == MASK_TOKENS
    assert len(separated) == len(SEPARATED)
    assert all(m[3] < "2026-01" for m in MASKED)


def _cells_from_files() -> pd.DataFrame:
    """(region name, label) x month values read back from every layout (a) file."""
    records = []
    for path in region_files():
        grid = read_grid(path)
        months = [h for h in grid[3][1:] if h]
        for row in grid[4:-1]:
            name, measure, _ = parse_row_label(row[0])
            for month, cell in zip(months, row[1:], strict=False):
                value = float(cell.replace(",", "")) if cell and cell not in MASK_TOKENS else np.nan
                records.append((path.stem, match_indicator(name), measure or "ytd_value", month, value))
    return pd.DataFrame(records, columns=["region", "indicator", "measure", "month", "value"])


@pytest.fixture(scope="module")
def file_cells() -> pd.DataFrame:
    return _cells_from_files()


@pytest.mark.parametrize("indicator", ["fai", "retail", "electricity", "new_entities"])
def test_city_level_is_sum_of_counties(file_cells: pd.DataFrame, indicator: str) -> None:
    sub = file_cells[(file_cells["indicator"] == indicator) & (file_cells["measure"] == "ytd_value")]
    wide = sub.pivot(index="month", columns="region", values="value")
    counties = wide.drop(columns="示例市")
    complete = counties.notna().all(axis=1) & wide["示例市"].notna()
    diff = (counties[complete].sum(axis=1) - wide.loc[complete, "示例市"]).abs()
    assert complete.sum() > 70
    assert diff.max() <= 9 * 0.05 + 1e-9  # nine roundings of at most half the last digit


def test_published_growth_close_to_recomputed_except_deliberate(file_cells: pd.DataFrame) -> None:
    wide = file_cells.pivot_table(
        index=["region", "indicator", "month"], columns="measure", values="value", dropna=False
    )
    wide = wide.reset_index()
    wide["period"] = [pd.Period(m.replace("年", "-").replace("月", ""), "M") for m in wide["month"]]
    previous = wide.assign(period=wide["period"] + 12)[["region", "indicator", "period", "ytd_value"]]
    merged = wide.merge(previous, on=["region", "indicator", "period"], suffixes=("", "_prev"))
    recomputed = 100 * (merged["ytd_value"] / merged["ytd_value_prev"] - 1)
    diff = (merged["ytd_growth"] - recomputed).abs()
    flagged = merged.loc[diff > 1.5, ["region", "indicator", "period"]]
    regions = pd.read_csv(RAW / "regions.csv", dtype=str).set_index("code")["name"]
    expected = {(regions[r], i, pd.Period(p, "M")) for r, i, p, _ in DELIBERATE_GAPS}
    assert set(map(tuple, flagged.to_numpy())) == expected
    # Otherwise within the ±0.3pp comparable-basis noise, the growth rounding (0.05pp) and
    # what rounding both levels to their last digit (half a unit h) does to their ratio.
    half = merged["indicator"].map({"electricity": 0.05, "new_entities": 0.5}).fillna(0.005)
    ratio = merged["ytd_value"] / merged["ytd_value_prev"]
    bound = 0.35 + 100 * ratio * (half / merged["ytd_value"] + half / merged["ytd_value_prev"])
    assert (diff[diff <= 1.5] <= bound[diff <= 1.5] + 1e-9).all()


def test_q1_share_is_realistic(file_cells: pd.DataFrame) -> None:
    city = file_cells[(file_cells["region"] == "示例市") & (file_cells["measure"] == "ytd_value")]
    values = city.set_index(["indicator", "month"])["value"]
    for indicator in ("fai", "retail", "electricity"):
        shares = [
            values[(indicator, f"{y}年3月")] / values[(indicator, f"{y}年12月")] for y in (2019, 2023, 2024, 2025)
        ]
        assert all(0.19 < s < 0.26 for s in shares), (indicator, shares)


def test_2020_shock(file_cells: pd.DataFrame) -> None:
    city = file_cells[(file_cells["region"] == "示例市") & (file_cells["measure"] == "ytd_growth")]
    growth = city.set_index(["indicator", "month"])["value"]
    assert growth[("fai", "2020年2月")] < -15 and growth[("retail", "2020年2月")] < -10
    assert growth[("fai", "2020年12月")] > growth[("fai", "2020年6月")] > growth[("fai", "2020年2月")]


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 1, 2])
def test_lagging_counties_in_generated_cells(seed: int) -> None:
    # The gap is set in percentage points (dynamics.lag_factor), so it holds for any seed.
    cells = generate(seed).cells
    march = cells[(cells["period"] == "2026-03") & (cells["measure"] == "ytd_growth")]
    gap = march.pivot_table(index="indicator", columns="region_code", values="value")
    gap = gap.sub(gap["990100"], axis=0)
    assert gap.loc["fai", "990123"] == pytest.approx(-12 * 0.9, abs=1.0)
    assert gap.loc["iva", "990124"] < -3 and gap.loc["electricity", "990124"] < -4
    assert gap.loc["new_entities", "990126"] < -7 and gap.loc["retail", "990126"] < -3


# --- ledgers -----------------------------------------------------------------------------


def test_targets() -> None:
    targets = pd.read_csv(RAW / "targets.csv", dtype={"region_code": str})
    assert list(targets.columns) == [
        "region_code",
        "indicator",
        "year",
        "horizon",
        "measure",
        "target",
    ]
    assert not targets.duplicated(["region_code", "indicator", "year", "horizon", "measure"]).any()
    assert targets["region_code"].nunique() == 10 and set(targets["horizon"]) == {"annual", "q1"}
    growth = targets[(targets["measure"] == "ytd_growth") & (targets["indicator"] != "tech_invest")]
    assert growth["target"].between(3, 11).all()
    # Level target = last year's level * (1 + growth target): 石桥县 fai, read from its file.
    t = targets.set_index(["region_code", "indicator", "horizon", "measure"])["target"]
    grid = read_grid(RAW / "bureau" / "石桥县.csv")
    row = next(r for r in grid if r[0].endswith("累计值(亿元)") and "固定资产投资" in r[0])
    last = float(row[grid[3].index("2025年12月")])
    g = t[("990123", "fai", "annual", "ytd_growth")]
    assert t[("990123", "fai", "annual", "ytd_value")] == pytest.approx(last * (1 + g / 100), abs=0.006)


def test_targets_follow_each_countys_trend(file_cells: pd.DataFrame) -> None:
    # Trend = mean published December growth 2023-2025 (read back from the county files);
    # annual target = trend + city margin (0.5-1pp) + county spread (-0.5..+0.5, ambitious
    # +1.5) rounded to half points, so within [-0.25, 3.25]pp of the trend; Q1 the annual
    # target or 0.5pp lower.
    targets = pd.read_csv(RAW / "targets.csv", dtype={"region_code": str})
    t = targets.set_index(["region_code", "indicator", "horizon", "measure"])["target"]
    names = pd.read_csv(RAW / "regions.csv", dtype=str).set_index("name")["code"]
    december = file_cells[file_cells["month"].isin(["2023年12月", "2024年12月", "2025年12月"])]
    growth = december[december["measure"] == "ytd_growth"]
    trend = growth.groupby(["region", "indicator"])["value"].mean()
    margins = []
    for (region, indicator), value in trend.items():
        code = names[region]
        if code == "990100" or (code, indicator, "annual", "ytd_growth") not in t:
            continue
        annual = t[(code, indicator, "annual", "ytd_growth")]
        assert -0.25 <= annual - value <= 3.25, (region, indicator, annual, value)
        assert annual - t[(code, indicator, "q1", "ytd_growth")] in (0.0, 0.5)
        margins.append(annual - value)
    assert len(margins) == 9 * 4  # fai, retail, electricity, tech_invest (iva has its own file)
    assert 0.3 < np.median(margins) < 1.6
    # 新增高新技术企业, 北塘区: Q1 target = floor(annual target x usual Q1 share 2023-2025)
    counts = file_cells[(file_cells["region"] == "北塘区") & (file_cells["indicator"] == "new_hightech")]
    counts = counts.set_index("month")["value"]
    share = sum(counts[f"{y}年3月"] for y in (2023, 2024, 2025)) / sum(
        counts[f"{y}年12月"] for y in (2023, 2024, 2025)
    )
    annual = t[("990102", "new_hightech", "annual", "ytd_value")]
    assert annual == int(annual)  # a whole count, last year's times 1.05-1.12
    assert 1.05 <= annual / counts["2025年12月"] <= 1.12 + 0.5 / counts["2025年12月"]
    assert t[("990102", "new_hightech", "q1", "ytd_value")] == max(np.floor(annual * share), 1)
    # Ratio targets: last December + a yearly increment; Q1 a quarter of it (北塘区 sei_share)
    sei = file_cells[(file_cells["region"] == "北塘区") & (file_cells["indicator"] == "sei_share")]
    last = sei.set_index("month")["value"]["2025年12月"]
    step = t[("990102", "sei_share", "annual", "ytd_value")] - last
    assert 0.95 <= step <= 2.05
    assert t[("990102", "sei_share", "q1", "ytd_value")] == pytest.approx(round(last + step / 4, 1), abs=0.051)


def test_projects() -> None:
    projects = pd.read_csv(RAW / "projects.csv", dtype=str, encoding="utf-8-sig")
    assert list(projects.columns) == [
        "项目编号",
        "项目名称",
        "县区代码",
        "乡镇代码",
        "计划开工日期",
        "实际开工日期",
        "年度计划投资(万元)",
        "累计完成投资(万元)",
        "填报日期",
    ]
    assert projects["项目编号"].is_unique
    assert (projects["乡镇代码"].str[:6] == projects["县区代码"]).all()
    plan = projects["年度计划投资(万元)"].astype(float)
    done = projects["累计完成投资(万元)"].astype(float)
    assert plan.between(10000, 200000).all() and (done <= plan).all()
    planned = pd.to_datetime(projects["计划开工日期"])
    actual = pd.to_datetime(projects["实际开工日期"])
    assert (actual.dropna() <= pd.Timestamp("2026-03-31")).all()
    new = planned.dt.year == 2026
    county = projects["县区代码"]
    # continuing projects (续建): planned March 2024 - November 2025, all under way
    cont = ~new
    assert planned[cont].between("2024-03-01", "2025-11-30").all() and actual[cont].notna().all()
    assert actual[cont].dt.year.isin([2024, 2025]).all()
    assert county[new].value_counts().between(12, 25).all()
    assert county[cont].value_counts().between(15, 28).all()
    assert (planned[new].dt.month <= 6).mean() > 0.8
    # 开工率 on the year's new starts only
    due = new & (planned <= pd.Timestamp("2026-03-31"))
    rate = actual[due].notna().groupby(county[due]).mean()
    assert rate["990123"] < 0.75 and (rate.drop("990123") >= 0.9).all()
    assert ((actual - planned)[new].dt.days > 7).any()  # some started late
    assert (due & actual.isna()).sum() >= 3  # some past their date and not started
    # continuing projects carry most of the plan; completion vs the year's plan by 31 March:
    # 石桥县 clearly behind the 双90 bar (0.9 x 25% = 22.5%), the others 22.5-30%
    assert plan[cont].sum() / plan.sum() > 0.6
    completion = done.groupby(county).sum() / plan.groupby(county).sum()
    assert completion["990123"] < 0.18
    assert completion.drop("990123").between(0.225, 0.30).all()


def test_township_weekly(data) -> None:
    weekly = pd.read_csv(
        RAW / "township_weekly.csv",
        dtype={"乡镇代码": str, "县区代码": str},
        encoding="utf-8-sig",
        parse_dates=["周截止日期"],
    )
    regions = pd.read_csv(RAW / "regions.csv", dtype=str)
    towns = regions[regions["level"] == "township"]
    assert set(weekly["乡镇代码"]) == set(towns["code"]) and len(weekly) == len(towns) * 13
    assert (weekly["周截止日期"].dt.day_of_week == 6).all()
    assert weekly["周截止日期"].min() == pd.Timestamp("2026-01-04")
    weekly = weekly.sort_values(["乡镇代码", "周截止日期"])
    cumulative = weekly.groupby("乡镇代码")["本周完成投资(万元)"].cumsum()
    assert (cumulative - weekly["累计完成投资(万元)"]).abs().max() < 0.06
    assert (weekly.groupby("乡镇代码")["累计开工项目数"].diff().dropna() >= 0).all()
    # projects_started agrees with the ledger at the last week
    last = weekly[weekly["周截止日期"] == pd.Timestamp("2026-03-29")].set_index("乡镇代码")["累计开工项目数"]
    p = data.projects
    # (new starts only: continuing projects started before 2026)
    this_year = p["actual_start"].between(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-29"))
    ledger = p[this_year].groupby("township_code").size()
    assert (last.reindex(ledger.index) == ledger).all() and last.sum() == ledger.sum()
    # the 约谈 list: the final two weeks' last places that repeat are in 石桥县 and 白沙县
    final = weekly[weekly["周截止日期"] >= pd.Timestamp("2026-03-22")]
    lasts = final.loc[final.groupby(["县区代码", "周截止日期"])["本周完成投资(万元)"].idxmin(), "乡镇代码"]
    repeated = lasts.value_counts()
    assert sorted(repeated[repeated == 2].index.str[:6]) == sorted(ledgers.SUMMONED)


# --- the committed sample through the project's loaders and validator -------------------


@pytest.fixture(scope="module")
def loaded():
    from analysis.data.loaders import load_regions
    from analysis.data.observations import load_observations

    regions = load_regions(RAW)
    return regions, load_observations(RAW, regions)


def test_every_sample_file_loads(loaded) -> None:
    from analysis.data.loaders import load_projects, load_targets, load_township_weekly

    regions, obs = loaded
    assert obs["region_code"].notna().all() and obs["indicator"].notna().all()
    assert obs["region_code"].nunique() == 10
    files = {s.split("!")[0] for s in obs["source"]}
    assert files == {p.name for p in (RAW / "bureau").iterdir()}
    # 12 indicators in the city file + iva; tech_invest levels only for the city
    assert set(obs["indicator"]) == {code for code, _ in ROWS} | {"iva"}
    assert obs.loc[obs["indicator"] == "iva", "measure"].eq("ytd_growth").all()
    tech_levels = obs[(obs["indicator"] == "tech_invest") & (obs["measure"] == "ytd_value")]
    assert set(tech_levels["region_code"]) == {"990100"}
    assert len(load_targets(RAW, regions)) == len(pd.read_csv(RAW / "targets.csv"))
    projects = load_projects(RAW, regions)
    assert projects["actual_start"].isna().sum() > 0 and projects["planned_start"].notna().all()
    weekly = load_township_weekly(RAW, regions)
    assert len(weekly) == 13 * int((regions["level"] == "township").sum())


def test_validator_finds_exactly_the_planted_problems() -> None:
    from analysis.data.ingest import collect

    findings = collect(RAW).findings
    assert set(findings["check"]) == {"masked_cell", "growth_vs_levels"}
    assert (findings["check"] == "masked_cell").sum() == len(MASKED)
    names = pd.read_csv(RAW / "regions.csv", dtype=str).set_index("code")["name"]
    gaps = findings[findings["check"] == "growth_vs_levels"]
    assert sorted(gaps["file"]) == sorted(f"{names[r]}.csv" for r, *_ in DELIBERATE_GAPS)


def test_lagging_counties_are_where_they_were_put(loaded) -> None:
    _, obs = loaded
    march = obs[obs["period"] == pd.Period("2026-03", "M")]
    growth = march[march["measure"] == "ytd_growth"].set_index(["region_code", "indicator"])["value"]
    assert growth[("990123", "fai")] < growth[("990100", "fai")] - 3  # 石桥县 investment
    assert growth[("990124", "iva")] < growth[("990100", "iva")] - 3  # 柳溪县 industry
    assert growth[("990124", "electricity")] < growth[("990100", "electricity")] - 3
    assert growth[("990126", "new_entities")] < growth[("990100", "new_entities")] - 3  # 白沙县
    # 石桥县 has the lowest completion of its annual fai target, far behind 时序进度 (25%)
    targets = pd.read_csv(RAW / "targets.csv", dtype={"region_code": str})
    annual = targets[
        (targets["indicator"] == "fai") & (targets["horizon"] == "annual") & (targets["measure"] == "ytd_value")
    ].set_index("region_code")["target"]
    level = march[(march["indicator"] == "fai") & (march["measure"] == "ytd_value")]
    completion = level.set_index("region_code")["value"] / annual
    assert completion.idxmin() == "990123" and completion["990123"] < 0.25 - 0.05


def test_ratio_profiles(data) -> None:
    cells = data.cells[data.cells["measure"] == "ytd_value"]
    wide = cells.pivot_table(index=["region_code", "period"], columns="indicator", values="value")
    assert (wide["trad_share"] + wide["sei_share"]).max() < 100
    march = wide.xs("2026-03", level="period")
    counties = march.drop(index="990100")
    assert counties["trad_share"].idxmax() == "990124"  # 柳溪县, the old industrial county
    assert counties["sei_share"].idxmin() == "990124"
    assert counties["project_conversion"].idxmin() == "990123"  # 石桥县
