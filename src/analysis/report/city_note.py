"""The city's own briefing: the city against its targets, its counties side by side, its townships.

A city analyst's note (the 发改委/统计局 of the prefecture city) reads the city's figures
against the city's own targets and 时序进度, then the counties ranked on each headline
indicator, the counties behind schedule, the townships at the bottom across the city and
the city's annual outlook. This module computes those views from tables the library already
has (the gap table, :func:`analysis.gaps.aggregate.with_city_rows`, the key-project ledger,
the annual outlooks) and returns display frames (text cells) and sentences;
:class:`analysis.report.context.BriefingContext` wraps them in blocks for the notebooks.

City figures are the city's own published rows where the bureau publishes them, otherwise
the catalogue's aggregate of the counties (``source`` :data:`AGGREGATED_SOURCE`), and
:func:`sources_sentence` says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.formatting import fmt
from analysis.core.periods import ytd_label
from analysis.gaps import comparison_status, gap_table
from analysis.gaps.aggregate import AGGREGATED_SOURCE
from analysis.gaps.status import STATUSES, StatusThresholds
from analysis.report.headline import headline_rows
from analysis.report.tables import STATUS_NAMES, gap_overview

if TYPE_CHECKING:
    from analysis.report.context import BriefingContext

SOURCE_NAMES = {"published": "市统计局发布", "aggregated": "由县（市、区）汇总"}
# How each catalogue rule forms a city figure, in words (the weight's name is filled in).
RULE_WORDS = {
    ("sum", "ytd_value"): "各县（市、区）相加",
    ("sum", "ytd_growth"): "各县（市、区）总量相加后计算增速",
    ("weighted_growth", "ytd_growth"): "按各县（市、区）{weight}加权平均",
    ("weighted_mean", "ytd_value"): "按各县（市、区）{weight}加权平均",
    ("mean", "ytd_value"): "各县（市、区）简单平均",
}
BOTTOM_TOWNSHIPS = 10  # rows of the city-wide township bottom list


def _num(x: float, digits: int = 1) -> str:
    return "—" if pd.isna(x) else fmt(float(x), digits)


def city_gaps(city_obs: pd.DataFrame, targets: pd.DataFrame | None, regions: pd.DataFrame, city_code: str,
              period: pd.Period, catalogue: pd.DataFrame,
              thresholds: StatusThresholds | None = None) -> pd.DataFrame:
    """The city's own rows of a gap table (its targets, 时序进度, status) at ``period``.

    ``city_obs`` holds the city's series completed from the counties
    (:func:`analysis.gaps.aggregate.with_city_rows`). Adds ``figure_source``: ``published``
    (the bureau's city row) or ``aggregated`` (formed from the counties), and ``region_level``
    ``city``. No rank, no city
    comparison: the city is the reference of its counties.
    """
    if targets is None:
        targets = pd.DataFrame(columns=["region_code", "indicator", "year", "horizon", "measure", "target"])
    table = gap_table(city_obs, targets, regions, period, thresholds=thresholds, catalogue=catalogue,
                      levels=("city",))
    table = table[table["region_code"] == city_code].reset_index(drop=True)
    now = city_obs[(city_obs["region_code"] == city_code) & (city_obs["period"] == period)]
    aggregated = now.loc[now["source"] == AGGREGATED_SOURCE, ["indicator", "measure"]]
    key = pd.MultiIndex.from_frame(table[["indicator", "measure"]])
    hit = key.isin(pd.MultiIndex.from_frame(aggregated)) if len(aggregated) else np.zeros(len(table), bool)
    # region_level: the sentences call the city 全市 (analysis.core.formatting.region_subject).
    return table.assign(figure_source=np.where(hit, "aggregated", "published"), region_level="city")


def city_overview(gaps: pd.DataFrame, city_code: str, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The city's gap rows as a display table: the county gap table's columns without the
    city comparison and rank, with 时序进度 and the figure's 来源 (published or aggregated)."""
    rows = gaps[gaps["region_code"] == city_code]
    # The order gap_overview shows (worst status first), so the extra columns line up.
    severity = rows["status"].map({"red": 0, "amber": 1, "green": 2}).fillna(3)
    rows = rows.assign(_sev=severity).sort_values(["_sev", "indicator", "measure"], kind="stable")
    shown = gap_overview(rows, city_code, catalogue).drop(columns=["全市", "较全市(百分点)", "全市排名"])
    shown.insert(5, "时序进度(%)", [_num(100 * p) for p in rows["schedule_progress"]])
    shown.insert(len(shown.columns) - 2, "来源", rows["figure_source"].map(SOURCE_NAMES).to_numpy())  # before 状态
    return shown


def sources_sentence(gaps: pd.DataFrame, catalogue: pd.DataFrame) -> str:
    """Which city figures are the bureau's and which were formed from the counties, grouped by
    how (the catalogue rule), e.g. ``…固定资产投资总量（各县（市、区）相加）；其余指标采用市统计局发布数。``"""
    aggregated = gaps[gaps["figure_source"] == "aggregated"]
    if aggregated.empty:
        return "全市数据均采用市统计局发布数。"
    groups: dict[str, list[str]] = {}
    names = catalog.indicator_names(catalogue, aggregated["indicator"]).to_numpy()
    for row, name in zip(aggregated.itertuples(index=False), names, strict=True):
        rule = str(catalogue["city_agg"].get(row.indicator, ""))
        weight = str(catalogue["weight"].get(row.indicator, "") or "")
        weight_name = str(catalogue["name_zh"].get(weight, weight)) if weight else ""
        words = RULE_WORDS.get((rule, row.measure), rule).format(weight=weight_name)
        what = "增速" if row.measure == "ytd_growth" else "总量" if row.row_kind == "cumulative" else ""
        groups.setdefault(words, []).append(f"{name}{what}")
    parts = [f"{'、'.join(items)}（{words}）" for words, items in groups.items()]
    text = "全市数据中，以下指标市统计局未发布，由所辖县（市、区）数据按指标目录规则汇总：" + "；".join(parts)
    if (gaps["figure_source"] == "published").any():
        text += "；其余指标采用市统计局发布数"
    return text + "。"


def _ranked_rows(county_gaps: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The counties' rows of one indicator that its ranking uses: growth when published
    (the bureau ranks by growth), else the row the headline box shows."""
    rows = county_gaps[county_gaps["indicator"] == indicator]
    growth = rows[(rows["measure"] == "ytd_growth") & rows["actual"].notna()]
    return growth if len(growth) else headline_rows(rows, (indicator,))


def ranking_rows(county_gaps: pd.DataFrame, indicators: Sequence[str], catalogue: pd.DataFrame,
                 thresholds: StatusThresholds | None = None) -> pd.DataFrame:
    """One row per headline indicator and county, best first: ``indicator, name, region_code,
    region_name, measure, actual, city_value, rank, n_peers, colour`` (``colour``: the status of
    the gap to the city alone, unknown where there is none)."""
    frames = []
    for code in indicators:
        rows = _ranked_rows(county_gaps, code)
        if rows.empty:
            continue
        gap = rows["gap_to_city_pp"] if rows["measure"].iloc[0] == "ytd_growth" else rows["gap_to_city"]
        frames.append(rows.assign(name=catalog.indicator_names(catalogue, rows["indicator"]).to_numpy(),
                                  colour=comparison_status(gap, rows["direction"], thresholds).to_numpy())
                      .sort_values(["rank", "region_code"], na_position="last"))
    cols = ["indicator", "name", "region_code", "region_name", "measure", "unit", "actual", "city_value",
            "rank", "n_peers", "colour"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def ranking_overview(ranking: pd.DataFrame, overall: pd.Series) -> pd.DataFrame:
    """The counties ranked on each headline indicator as one display table: a row per county
    (by overall rank ``overall``), a column per indicator with the figure and its rank, and
    the city's figure in the first row."""
    if ranking.empty:
        return pd.DataFrame(columns=["县（市、区）"])
    names = ranking.drop_duplicates("region_code").set_index("region_code")["region_name"]
    order = overall.reindex(names.index).sort_values(na_position="last").index
    table = pd.DataFrame({"县（市、区）": ["全市", *names.reindex(order)],
                          "综合排名": ["", *[_num(overall.get(c), 0) for c in order]]})
    for _, rows in ranking.groupby("indicator", sort=False):
        rows = rows.set_index("region_code")
        first = rows.iloc[0]
        suffix = "%" if first["unit"] == "%" else ""
        label = f"{first['name']}{'增速' if first['measure'] == 'ytd_growth' else ''}"
        city = f"{_num(first['city_value'])}{suffix}" if pd.notna(first["city_value"]) else "—"
        cells = [f"{_num(rows.at[c, 'actual'])}{suffix}（{_num(rows.at[c, 'rank'], 0)}）"
                 if c in rows.index and pd.notna(rows.at[c, "actual"]) else "—" for c in order]
        table[label] = [city, *cells]
    return table


def behind_schedule(county_gaps: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Counties behind 时序进度 on an indicator with a level target, most behind first.

    The schedule the status uses: in January-March the Q1 target against the elapsed share
    of the quarter where there is a Q1 target, else the annual target against the year's.
    Columns: 县（市、区）, 指标, 目标, 完成率(%), 时序进度(%), 较时序进度(百分点), 状态, ``status``.
    """
    rows = county_gaps[county_gaps["status_basis"].isin(["schedule", "q1_schedule"])]
    q1 = rows["status_basis"] == "q1_schedule"
    completion = rows["q1_completion_rate"].where(q1, rows["completion_rate"])
    progress = rows["q1_schedule_progress"].where(q1, rows["schedule_progress"])
    gap = rows["q1_gap_to_schedule_pp"].where(q1, rows["gap_to_schedule_pp"])
    sign = np.where(rows["direction"] == "lower", -1.0, 1.0)
    rows = rows.assign(_c=completion, _p=progress, _g=gap, _q1=q1, _behind=gap * sign)
    rows = rows[rows["_behind"] < 0].sort_values(["_behind", "region_code"])
    return pd.DataFrame({
        "县（市、区）": rows["region_name"].to_numpy(),
        "指标": catalog.indicator_names(catalogue, rows["indicator"]).to_numpy(),
        "目标": np.where(rows["_q1"], "一季度目标", "年度目标"),
        "完成率(%)": [_num(100 * v) for v in rows["_c"]],
        "时序进度(%)": [_num(100 * v) for v in rows["_p"]],
        "较时序进度(百分点)": [_num(v) for v in rows["_g"]],
        "状态": rows["status"].map(STATUS_NAMES).fillna("无数据").to_numpy(),
        "status": rows["status"].where(rows["status"].isin(STATUSES), "unknown").to_numpy(),
    })


def township_bottom(projects: pd.DataFrame, day: pd.Timestamp, names: dict[str, str],
                    n: int = BOTTOM_TOWNSHIPS) -> pd.DataFrame:
    """The ``n`` townships of the whole city furthest behind the investment schedule (key-project
    ledger), with their start rate: 县（市、区）, 乡镇（街道）, 计划开工, 已开工, 开工率(%),
    投资完成率(%), 较时序进度(百分点)."""
    from analysis import key_projects

    rates = key_projects.start_rates(projects, day, level="township")
    rates = rates.sort_values(["gap_to_schedule_pp", "start_rate", "township_code"], na_position="last").head(n)
    return pd.DataFrame({
        "县（市、区）": rates["county_code"].map(names).to_numpy(),
        "乡镇（街道）": rates["township_code"].map(names).to_numpy(),
        "计划开工": rates["n_planned"].astype(int).to_numpy(),
        "已开工": rates["n_started"].astype(int).to_numpy(),
        "开工率(%)": [_num(100 * v) for v in rates["start_rate"]],
        "投资完成率(%)": [_num(100 * v) for v in rates["completion_rate"]],
        "较时序进度(百分点)": [_num(v) for v in rates["gap_to_schedule_pp"]],
    })


def weekly_last(weekly: pd.DataFrame, day: pd.Timestamp, names: dict[str, str]) -> pd.DataFrame:
    """Each county's last township in its latest weekly report on or before ``day``: 县（市、区）,
    乡镇（街道）, 周末日期, 本周完成投资(万元), 连续两周末位 (the 约谈 list)."""
    from analysis import key_projects

    upto = weekly[weekly["week_end"] <= day]
    if upto.empty:
        return pd.DataFrame(columns=["县（市、区）", "乡镇（街道）", "周末日期", "本周完成投资(万元)", "连续两周末位"])
    ranked = key_projects.township_ranking(upto)
    latest = ranked.groupby("county_code")["week_end"].transform("max")
    last = ranked[(ranked["week_end"] == latest) & ranked["last"]]
    last = last.sort_values(["last_two_weeks", "county_code", "township_code"], ascending=[False, True, True])
    return pd.DataFrame({
        "县（市、区）": last["county_code"].map(names).to_numpy(),
        "乡镇（街道）": last["township_code"].map(names).to_numpy(),
        "周末日期": last["week_end"].dt.strftime("%Y-%m-%d").to_numpy(),
        "本周完成投资(万元)": [_num(v) for v in last["investment_week"]],
        "连续两周末位": np.where(last["last_two_weeks"], "是", ""),
    })


def outlook_overview(outlooks: Sequence[object], period: pd.Period) -> pd.DataFrame:
    """The city's annual outlooks (:class:`analysis.projection.outlook.AnnualOutlook`) as one
    display table: YTD value, the recommended annual estimate and interval, the target, the
    expected completion and the growth the rest of the year needs."""
    from analysis.report.tables import METHOD_NAMES_ZH

    rows = []
    for o in outlooks:
        lower, upper = o.interval  # type: ignore[attr-defined]
        target, estimate = o.target, o.estimate  # type: ignore[attr-defined]
        method = str(o.recommended["method"])  # type: ignore[attr-defined]
        ytd = o.ytd.iloc[-1] if len(o.ytd) else np.nan  # type: ignore[attr-defined]
        rows.append({
            "指标": o.title,  # type: ignore[attr-defined]
            f"{ytd_label(period)}累计": _num(ytd, 2),
            "全年推算": _num(estimate, 2),
            "区间": f"{_num(lower, 2)} ~ {_num(upper, 2)}" if np.isfinite(lower) and np.isfinite(upper) else "—",
            "方法": METHOD_NAMES_ZH.get(method, method),
            "年度目标": _num(target, 2),
            "预计完成目标(%)": _num(100 * estimate / target) if np.isfinite(target) and target else "—",
            "余下月份需增长(%)": _num(o.required_growth_pct) if o.has_target else "—",  # type: ignore[attr-defined]
        })
    return pd.DataFrame(rows)


def city_blocks(ctx: BriefingContext) -> list[Any]:
    """The city note's own sections as blocks, in reading order (see the module docstring)."""
    from analysis.report.blocks import Heading, Paragraph, Table

    cat = ctx.options.catalogue
    county_gaps = ctx.city.gaps[ctx.city.gaps["parent"] == ctx.region_code]
    out: list[Any] = [Heading("全市主要指标与目标、时序进度"), Table(city_overview(ctx.gaps, ctx.region_code, cat)),
                      Paragraph(sources_sentence(ctx.gaps, cat))]
    out += [Heading("各县（市、区）主要指标排名"), *_ranking_blocks(ctx, county_gaps)]
    behind = behind_schedule(county_gaps, cat)
    out += [Heading("进度滞后的县（市、区）"),
            Table(behind) if len(behind) else Paragraph("各县（市、区）有目标的累计指标均达到时序进度。")]
    out += [Heading("乡镇（街道）后进名单"), *_township_blocks(ctx)]
    found = (ctx.outlook(code, recommended_only=True) for code in ctx.options.outlook_indicators)
    outlooks = [o for o in found if o is not None]
    out.append(Heading("全市全年推算"))
    if outlooks:
        out.append(Table(outlook_overview(outlooks, ctx.period), status=None))
        out += [Paragraph(f"{o.name}：{s}") for o in outlooks if (s := o.pace_sentence(ctx.lang))]
    else:
        out.append(Paragraph("全市没有可用于推算全年的累计总量数据。"))
    return out


def _ranking_blocks(ctx: BriefingContext, county_gaps: pd.DataFrame) -> list[Any]:
    from analysis.report.blocks import Paragraph, Table
    from analysis.report.charts import ranking_panels

    ranking = ranking_rows(county_gaps, ctx.options.headline_indicators, ctx.options.catalogue,
                           ctx.options.thresholds)
    if ranking.empty:
        return [Paragraph("各县（市、区）主要指标暂无数据。")]
    return [Paragraph("括号内为在全市的位次（增速指标按累计增速排位）；综合排名为各项位次的平均排位。"),
            Table(ranking_overview(ranking, ctx.city.ranks), status=None),
            ranking_panels(ranking, title="各县（市、区）主要指标（虚线为全市）")]


def _township_blocks(ctx: BriefingContext) -> list[Any]:
    from analysis.report.blocks import Paragraph, Table

    names = ctx.town_names
    projects, weekly = ctx.data.get("projects"), ctx.data.get("township_weekly")
    out: list[Any] = []
    if projects is None or projects.empty:
        out.append(Paragraph("未提供项目台账（projects.csv），乡镇项目进度从略。"))
    else:
        out += [Paragraph(f"全市投资完成率较时序进度差距最大的{BOTTOM_TOWNSHIPS}个乡镇（街道）（项目台账）："),
                Table(township_bottom(projects, ctx.day, names), status=None)]
    if weekly is None or weekly.empty:
        out.append(Paragraph("未提供乡镇周报（township_weekly.csv），乡镇周排名从略。"))
    else:
        last = weekly_last(weekly, ctx.day, names)
        out += [Paragraph("各县（市、区）最近一周投资贡献末位的乡镇（街道）（“连续两周末位”为约谈名单）："),
                Table(last, status=None)]
    return out
