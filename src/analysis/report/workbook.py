"""The month's tables of one city as an Excel workbook: what analysts paste into their 通报.

:func:`city_sheets` builds the sheets from the library tables only (the same ones the notes
use, no second computation path):

- 总表: the city, then its counties by overall rank (:func:`analysis.report.headline.overall_rank`),
  with each headline indicator's figure, gap, rank and status (:func:`headline_rows`);
- 差距分析: the full :func:`analysis.gaps.gap_table` of the city's counties;
- 全年推算: :func:`analysis.projection.outlook.annual_outlook` (recommended projection, its
  interval, implied share, 倒排 pace) per county and flow indicator;
- 重点项目, 乡镇周排名, 未按期开工, 约谈名单: :mod:`analysis.key_projects` (:mod:`.workbook_projects`);
- 数据校验: the validation findings ``q1brief ingest`` wrote; 说明: as-of month, data, methods.

Figures stay numbers, rounded as the notes print them (:func:`analysis.core.formatting.rounded`:
rates, growth, 百分点 and 亿元 one decimal, counts and 万元 whole, dimensionless two) and shown
with matching number formats; completion rates and shares are fractions in percent format.
:func:`write_city_workbook` reads ``data/processed`` and writes the file atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.atomic import write_bytes
from analysis.core.errors import DataError
from analysis.core.formatting import unit_decimals
from analysis.core.periods import ytd_label
from analysis.core.settings import HEADLINE_INDICATORS, INTERVAL_LEVEL, STATED_Q1_SHARE, Settings
from analysis.data import processed
from analysis.gaps import gap_table, previous_period
from analysis.gaps.status import STATUS_COLOURS
from analysis.projection.cache import CityProjection
from analysis.projection.outlook import AnnualOutlook, annual_outlook, panel_projection
from analysis.report.headline import headline_rows, overall_rank
from analysis.report.tables import METHOD_NAMES_ZH, STATUS_NAMES
from analysis.report.workbook_notes import findings_sheet, notes_sheet
from analysis.report.workbook_projects import project_sheets
from analysis.report.xlsx import (
    GROWTH,
    INTEGER,
    PERCENT,
    PP,
    TEXT,
    Column,
    Sheet,
    decimal_format,
    fractions,
    integers,
    numbers,
    workbook_bytes,
)

MEASURE_NAMES = {"ytd_value": "累计值", "ytd_growth": "累计增长"}
HORIZON_NAMES = {"annual": "全年", "q1": "一季度"}
BASIS_NAMES = {"target": "目标", "schedule": "时序进度", "q1_schedule": "一季度目标进度", "city": "全市"}
_MEASURE_ORDER = {"ytd_value": 0, "ytd_growth": 1}
_BLOCK_NAMES = {"completion": "完成目标", "growth": "增速", "level": "累计值"}
_EMPTY_TARGETS = pd.DataFrame(columns=["region_code", "indicator", "year", "horizon", "measure", "target"])


def workbook_name(city_code: str, as_of: str) -> str:
    """``990100_2026-03_tables.xlsx``: the workbook's file name in ``reports/<as-of>/``."""
    return f"{city_code}_{as_of}_tables.xlsx"


def workbook_cities(regions: pd.DataFrame) -> list[tuple[str, str]]:
    """(code, name) of every city in ``regions`` that has counties, by code."""
    parents = set(regions.loc[regions["level"] == "county", "parent"].astype(str))
    cities = regions[(regions["level"] == "city") & regions["code"].isin(parents)]
    return sorted(zip(cities["code"].astype(str), cities["name"], strict=True))


# ---------------------------------------------------------------- cell helpers


def status_column(statuses: Sequence[object] | pd.Series, header: str = "状态",
                  absent: Sequence[bool] | None = None) -> Column:
    """The status word (正常/关注/落后/无数据) filled with the notes' status colour; cells
    marked ``absent`` (no row there at all) stay empty."""
    keys = [s if s in STATUS_COLOURS else "unknown" for s in statuses]
    keys = [None if gone else k for k, gone in zip(keys, absent or [False] * len(keys), strict=True)]
    return Column(header, [STATUS_NAMES[k] if k else None for k in keys], TEXT,
                  fills=[STATUS_COLOURS[k] if k else None for k in keys], center=True)


def _decimals(unit: str, measure: str) -> int:
    return 1 if measure.endswith("growth") or unit == "%" else unit_decimals(unit)


def _value_format(unit: str, measure: str) -> str:
    return GROWTH if measure.endswith("growth") or unit == "%" else decimal_format(_decimals(unit, measure))


def _gap_format(unit: str, measure: str) -> str:
    return PP if measure.endswith("growth") or unit == "%" else decimal_format(_decimals(unit, measure), True)


# ---------------------------------------------------------------- 差距分析


def gap_sheet(gaps: pd.DataFrame, period: pd.Period, title: str, catalogue: pd.DataFrame | None = None) -> Sheet:
    """Every row of the gap table: one per county, indicator and measure (see module doc);
    names and order from ``catalogue`` (the city's; the packaged one by default)."""
    cat = catalog.indicators() if catalogue is None else catalogue
    order = {code: i for i, code in enumerate(cat.index)}
    rows = gaps.assign(_i=gaps["indicator"].map(order), _m=gaps["measure"].map(_MEASURE_ORDER))
    rows = rows.sort_values(["region_code", "_i", "_m"], kind="stable").reset_index(drop=True)
    unit, measure = rows["unit"].fillna("").astype(str), rows["measure"].astype(str)
    places = [_decimals(u, m) for u, m in zip(unit, measure, strict=True)]
    value_fmt = [_value_format(u, m) for u, m in zip(unit, measure, strict=True)]
    prev = previous_period(period)
    prev = ytd_label(prev) if prev is not None else "上期"
    columns = [
        Column("地区", rows["region_name"].tolist(), TEXT),
        Column("代码", rows["region_code"].tolist(), TEXT),
        Column("指标", catalog.indicator_names(cat, rows["indicator"]).tolist(), TEXT),
        Column("口径", measure.map(MEASURE_NAMES).fillna(measure).tolist(), TEXT),
        Column("单位", unit.tolist(), TEXT),
        Column("实际", numbers(rows["actual"], places), value_fmt),
        Column("目标", numbers(rows["target"], places), value_fmt),
        Column("目标口径", rows["target_horizon"].map(HORIZON_NAMES).tolist(), TEXT),
        Column("较目标", numbers(rows["gap_to_target"], places),
               [_gap_format(u, m) for u, m in zip(unit, measure, strict=True)]),
        Column("完成率", fractions(rows["completion_rate"]), PERCENT),
        Column("时序进度", fractions(rows["schedule_progress"]), PERCENT),
        Column("较时序进度(百分点)", numbers(rows["gap_to_schedule_pp"]), PP),
        Column("一季度目标完成率", fractions(rows["q1_completion_rate"]), PERCENT),
        Column("一季度时序进度", fractions(rows["q1_schedule_progress"]), PERCENT),
        Column("较一季度进度(百分点)", numbers(rows["q1_gap_to_schedule_pp"]), PP),
        Column("全市", numbers(rows["city_value"], places), value_fmt),
        Column("较全市(百分点)", numbers(rows["gap_to_city_pp"]), PP),
        Column("占全市比重", fractions(rows["share_of_city"]), PERCENT),
        Column("全市排名", integers(rows["rank"]), INTEGER),
        Column("排名县区数", integers(rows["n_peers"]), INTEGER),
        Column(f"位次较{prev}", integers(rows["rank_change"]), decimal_format(0, signed=True)),
        status_column(rows["status"]),
        Column("判定依据", rows["status_basis"].map(BASIS_NAMES).tolist(), TEXT),
        Column("落后幅度(百分点)", numbers(rows["shortfall_pp"]), decimal_format(1)),
        Column("短板", ["是" if flag else "" for flag in rows["lagging"].fillna(False)], TEXT, center=True),
    ]
    return Sheet("差距分析", title, columns, freeze_cols=3)


# ---------------------------------------------------------------- 总表


def _block(rows: pd.Series) -> str:
    if rows["measure"] == "ytd_value" and pd.notna(rows["completion_rate"]):
        return "completion"
    return "growth" if rows["measure"] == "ytd_growth" else "level"


def _block_columns(kind: str, rows: pd.DataFrame, unit: str) -> list[Column]:
    measure = "ytd_growth" if kind == "growth" else "ytd_value"
    value = Column("累计增长(%)" if kind == "growth" else f"累计值({unit})" if unit else "数值",
                   numbers(rows["actual"], _decimals(unit, measure)), _value_format(unit, measure))
    middle = {
        "completion": [Column("完成率", fractions(rows["completion_rate"]), PERCENT),
                       Column("较时序进度(百分点)", numbers(rows["gap_to_schedule_pp"]), PP)],
        "growth": [Column("较全市(百分点)", numbers(rows["gap_to_city_pp"]), PP)],
        "level": [],
    }[kind]
    return [value, *middle, Column("排名", integers(rows["rank"]), INTEGER),
            status_column(rows["status"], absent=rows["indicator"].isna().tolist())]


def summary_sheet(gaps: pd.DataFrame, city_gaps: pd.DataFrame, city: tuple[str, str], title: str,
                  indicators: Sequence[str] = HEADLINE_INDICATORS, catalogue: pd.DataFrame | None = None,
                  rank_indicators: Sequence[str] | None = None) -> Sheet:
    """The index: the city first, then its counties by overall rank, with headline figures.

    Each headline indicator gets a block of columns for the row :func:`headline_rows`
    picks: completion of the annual target (累计值, 完成率, 较时序进度), or growth (累计增长,
    较全市), then 排名 and 状态. An indicator picked both ways gets both blocks. The city's
    settings give ``indicators`` (its index columns) and ``rank_indicators`` (default: the same).
    """
    ranks = overall_rank(gaps, indicators if rank_indicators is None else rank_indicators)
    names = dict(zip(gaps["region_code"], gaps["region_name"], strict=False))
    counties = sorted(names, key=lambda c: (ranks.get(c, np.nan) if pd.notna(ranks.get(c, np.nan)) else np.inf, c))
    order = [city[0], *counties]
    names[city[0]] = city[1]
    picked = headline_rows(pd.concat([city_gaps, gaps], ignore_index=True), indicators)
    picked = picked.assign(_block=picked.apply(_block, axis=1) if len(picked) else [])
    columns = [Column("排名", [None, *integers([ranks.get(c) for c in counties])], INTEGER),
               Column("地区", [names[c] for c in order], TEXT),
               Column("代码", order, TEXT)]
    groups = []
    cat = catalog.indicators() if catalogue is None else catalogue
    for code in indicators:
        mine = picked[picked["indicator"] == code]
        kinds = [k for k in ("completion", "growth", "level") if (mine["_block"] == k).any()]
        for kind in kinds:
            rows = mine[mine["_block"] == kind].set_index("region_code").reindex(order)
            unit = str(cat.at[code, "unit"]) if code in cat.index else ""
            block = _block_columns(kind, rows, unit)
            label = cat.at[code, "name_zh"] if code in cat.index else code
            groups.append((label if len(kinds) == 1 else f"{label}（{_BLOCK_NAMES[kind]}）", len(block)))
            columns += block
    return Sheet("总表", title, columns, freeze_cols=3, groups=groups)


# ---------------------------------------------------------------- 全年推算


def _rest_label(period: pd.Period) -> str:
    """The months after ``period`` in the year: 4-12月, 12月, or 其余月份 in December."""
    first = period.month + 1
    return {12: "12月", 13: "其余月份"}.get(first, f"{first}-12月")


_OUTLOOK_COLUMNS = ["地区", "代码", "指标", "单位", "ytd", "target", "method", "estimate", "lower", "upper",
                    "implied", "required", "so_far", "note"]


def _outlook_row(out: AnnualOutlook, place: tuple[str, str], name_zh: str, period: pd.Period) -> dict:
    """One 全年推算 row from an :class:`AnnualOutlook` (its recommended projection)."""
    best = out.recommended
    pace = out.pace.iloc[0] if len(out.pace) else pd.Series(dtype=object)
    notes = [str(n) for n in (best.get("note"), pace.get("note")) if isinstance(n, str) and n]
    method = best.get("method")
    return {
        "地区": place[1], "代码": place[0], "指标": name_zh, "单位": out.unit,
        "ytd": out.ytd.get(period, np.nan), "target": out.target,
        "method": None if method is None else METHOD_NAMES_ZH.get(str(method), method),
        "estimate": out.estimate, "lower": out.interval[0], "upper": out.interval[1],
        "implied": best.get("implied_q1_share", np.nan),
        "required": out.required_growth_pct, "so_far": out.growth_so_far_pct, "note": "；".join(notes),
    }


def outlook_rows(obs: pd.DataFrame, targets: pd.DataFrame | None, backtest: pd.DataFrame | None,
                 places: Sequence[tuple[str, str]], period: pd.Period,
                 share_assumption: float = STATED_Q1_SHARE, catalogue: pd.DataFrame | None = None,
                 regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`annual_outlook` (the briefing's path: recommended projection only, from the
    city's panel when ``regions`` is given and the city has enough counties) of every flow
    indicator each place has a YTD value for at ``period``, in catalogue order."""
    cat = catalog.indicators() if catalogue is None else catalogue
    flows = [c for c in cat.index if cat.at[c, "kind"] == "flow"]
    now = obs[(obs["period"] == period) & (obs["measure"] == "ytd_value") & obs["value"].notna()]
    known = set(zip(now["region_code"], now["indicator"], strict=True))
    by_region = dict(iter(obs[obs["region_code"].isin([c for c, _ in places])].groupby("region_code")))
    parent = {} if regions is None else dict(zip(regions["code"].astype(str), regions["parent"], strict=True))
    panels: dict[tuple[object, str], CityProjection | None] = {}

    def panel(code: str, indicator: str) -> CityProjection | None:
        if regions is None:
            return None
        key = (parent.get(str(code)), indicator)
        if key not in panels:  # one panel projection per city and indicator
            panels[key] = panel_projection(obs, regions, code, indicator, period, backtest, True, cat)
        return panels[key]

    records = [
        _outlook_row(annual_outlook(by_region[code], targets, code, indicator, period, share_assumption,
                                    backtest, recommended_only=True, catalogue=cat,
                                    panel=panel(code, indicator)),
                     (code, name), cat.at[indicator, "name_zh"], period)
        for code, name in places for indicator in flows if (code, indicator) in known
    ]
    return pd.DataFrame(records, columns=_OUTLOOK_COLUMNS)


def outlook_sheet(obs: pd.DataFrame, targets: pd.DataFrame | None, backtest: pd.DataFrame | None,
                  places: Sequence[tuple[str, str]], period: pd.Period, title: str,
                  share_assumption: float = STATED_Q1_SHARE, catalogue: pd.DataFrame | None = None,
                  regions: pd.DataFrame | None = None) -> Sheet:
    """One row per region and flow indicator (:func:`outlook_rows`): YTD value, annual target,
    the recommended method, its estimate and interval, the implied share of the year done
    against the stated share, and the growth the rest of the year needs (倒排)."""
    rows = outlook_rows(obs, targets, backtest, places, period, share_assumption, catalogue, regions)
    places_ = [unit_decimals(str(u)) for u in rows["单位"]]
    formats = [decimal_format(d) for d in places_]
    label, level = ytd_label(period), f"{INTERVAL_LEVEL:.0%}"
    columns = [
        Column("地区", rows["地区"].tolist(), TEXT),
        Column("代码", rows["代码"].tolist(), TEXT),
        Column("指标", rows["指标"].tolist(), TEXT),
        Column("单位", rows["单位"].tolist(), TEXT),
        Column(f"{label}累计", numbers(rows["ytd"], places_), formats),
        Column("全年目标", numbers(rows["target"], places_), formats),
        Column("推荐方法", rows["method"].tolist(), TEXT),
        Column("全年推算", numbers(rows["estimate"], places_), formats),
        Column(f"{level}区间下限", numbers(rows["lower"], places_), formats),
        Column(f"{level}区间上限", numbers(rows["upper"], places_), formats),
        Column(f"隐含{label}占全年比重", fractions(rows["implied"]), PERCENT),
        Column("假定占比", fractions([share_assumption] * len(rows)), PERCENT),
        Column(f"{label}累计增长(%)", numbers(rows["so_far"]), GROWTH),
        Column(f"完成全年目标{_rest_label(period)}需增长(%)", numbers(rows["required"]), GROWTH),
        Column("说明", rows["note"].tolist(), TEXT, wrap=True),
    ]
    return Sheet("全年推算", title, columns, freeze_cols=3,
                 empty_note=f"{label}没有可推算全年的累计值")


# ---------------------------------------------------------------- the workbook


def _city_gaps(obs: pd.DataFrame, targets: pd.DataFrame, regions: pd.DataFrame, period: pd.Period,
               city_code: str, columns: pd.Index, settings: Settings, cat: pd.DataFrame) -> pd.DataFrame:
    """The city's own gap rows (against its targets), empty when it has no figures itself."""
    if not ((obs["region_code"] == city_code) & (obs["period"] == period) & obs["value"].notna()).any():
        return pd.DataFrame(columns=columns)
    table = gap_table(obs, targets, regions, period, levels=("city",), thresholds=settings.thresholds, catalogue=cat)
    return table[table["region_code"] == city_code]


def city_sheets(data: Mapping[str, pd.DataFrame], as_of: str, city_code: str, *,
                findings: pd.DataFrame | None = None, fingerprint: str = "",
                share_assumption: float | None = None, settings: Settings | None = None) -> list[Sheet]:
    """Every sheet of the city's workbook, in order (see the module docstring).

    ``data``: the processed tables by name (:func:`analysis.data.processed.read_processed`,
    plus ``backtest`` when cached; its ``catalogue`` is the city's); ``findings``: the ingest's
    validation findings; ``fingerprint``: the SHA-256 of the processed data (shown on 说明);
    ``settings``: the city's (index and rank indicators, thresholds, stated Q1 share, which
    ``share_assumption`` overrides when given).
    """
    settings = Settings() if settings is None else settings
    share_assumption = settings.stated_q1_share if share_assumption is None else share_assumption
    cat = data.get("catalogue", catalog.indicators())
    obs, regions = data["observations"], data["regions"]
    city = regions[(regions["code"] == city_code) & (regions["level"] == "city")]
    if city.empty:
        raise DataError(f"{city_code} is not a city in regions.parquet", location=city_code,
                        expected="the code of a region with level 'city'")
    city_name = str(city.iloc[0]["name"])
    counties = regions[(regions["level"] == "county") & (regions["parent"] == city_code)]
    period = pd.Period(as_of, freq="M")
    targets = data.get("targets", _EMPTY_TARGETS)
    gaps = gap_table(obs, targets, regions, period, thresholds=settings.thresholds, catalogue=cat)
    gaps = gaps[gaps["parent"] == city_code].reset_index(drop=True)
    city_gaps = _city_gaps(obs, targets, regions, period, city_code, gaps.columns, settings, cat)
    when = f"{period.year}年{ytd_label(period)}"
    places = [(city_code, city_name), *sorted(zip(counties["code"], counties["name"], strict=True))]
    return [
        summary_sheet(gaps, city_gaps, (city_code, city_name), f"{city_name}{when}主要指标总表",
                      settings.index_indicators, cat, settings.rank_indicators),
        gap_sheet(gaps, period, f"{city_name}{when}差距分析", cat),
        outlook_sheet(obs, data.get("targets"), data.get("backtest"), places, period,
                      f"{city_name}{when}全年推算", share_assumption, cat, regions),
        *project_sheets(data.get("projects"), data.get("township_weekly"), regions,
                        list(counties["code"]), period, f"{city_name}{when}"),
        findings_sheet(findings, f"{city_name}{when}数据校验"),
        notes_sheet(data, (city_code, city_name), period, fingerprint, share_assumption, settings.thresholds),
    ]


def read_inputs(processed_dir: str | Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None]:
    """The processed tables (with the backtest cache when present) and the findings."""
    names = (*processed.TABLES, "backtest")
    return processed.read_processed(processed_dir, names), processed.read_findings(processed_dir)


def write_city_workbook(processed_dir: str | Path, as_of: str, city_code: str, path: str | Path, *,
                        fingerprint: str = "", share_assumption: float | None = None,
                        created: datetime | None = None) -> Path:
    """Build the city's workbook from ``processed_dir`` and write it to ``path`` atomically.

    ``created`` (default now) is the only time in the file; the same data and ``created``
    give the same bytes.
    """
    data, findings = read_inputs(processed_dir)
    sheets = city_sheets(data, as_of, city_code, findings=findings, fingerprint=fingerprint,
                         share_assumption=share_assumption, settings=processed.read_settings(processed_dir))
    path = Path(path)
    write_bytes(path, workbook_bytes(sheets, created, title=sheets[0].title))
    return path
