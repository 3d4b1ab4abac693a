"""Briefing sentences (简报) generated from the gap table and the project tables.

One sentence per indicator, built from the indicator's rows in the gap table for one
county (growth row and/or level row), clause by clause:

    [1-3月，]全县<name>[<level>]，同比增长5.2%，低于全市平均1.3个百分点，居全市第7位，
    比1-2月前移2位[，低于一季度目标0.8个百分点][；完成年度目标的21.3%，低于时序进度3.7个
    百分点，差距比1-2月收窄0.4个百分点]。

A paragraph per catalogue ``section`` (overall, industry, investment, consumption,
projects) in catalogue order, a 短板 sentence listing the lagging indicators with the gap
that made them lag, and a projects sentence from :func:`analysis.key_projects.start_rates`.
``lang="en"`` gives the same sentences in English with the catalogue's ``name_en``.
Number wording: :mod:`analysis.core.formatting`.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.core import catalog
from analysis.core.catalog import SECTIONS
from analysis.core.formatting import (
    amount_phrase,
    diff_phrase,
    fmt,
    gap_change_phrase,
    growth_phrase,
    period_label,
    quantity_phrase,
    rank_change_phrase,
    rank_phrase,
    region_subject,
)
from analysis.core.periods import as_day
from analysis.gaps import lagging_list

# The bold lead of each paragraph in a note (sections of analysis.core.catalog.SECTIONS, then 短板).
SECTION_LEADS = {
    "zh": {"overall": "总体：", "industry": "工业：", "investment": "投资：", "consumption": "消费：",
           "projects": "项目：", "shortfalls": "短板："},
    "en": {"overall": "Overall: ", "industry": "Industry: ", "investment": "Investment: ",
           "consumption": "Consumption: ", "projects": "Projects: ", "shortfalls": "Shortfalls: "},
}
_REF = {
    "zh": {"city": "全市平均", "peers": "全市", "peers_all": "所有县（市、区）", "schedule": "时序进度",
           "annual": "年度目标", "q1": "一季度目标"},
    "en": {"city": "the city average", "peers": "the city", "peers_all": "all counties",
           "schedule": "the time schedule", "annual": "the annual target", "q1": "the Q1 target"},
}


def _ok(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


def _name(code: str, cat: pd.DataFrame, lang: str) -> str:
    if code not in cat.index:
        return code
    name = str(cat.loc[code, "name_zh" if lang == "zh" else "name_en"])
    return name or str(cat.loc[code, "name_zh"]) or code


def _shown_unit(code: str, row: pd.Series, cat: pd.DataFrame) -> str:
    """The unit printed after a level: the catalogue's display unit (e.g. an index base), as
    in the headline box and the tables; the row's unit for a code no catalogue knows."""
    return str(catalog.display_units(cat).get(code, row["unit"]))


def _diff_unit(row: pd.Series) -> str:
    return "pp" if row["unit"] == "%" else row["unit"]


def _peers(row: pd.Series, lang: str) -> str:
    """Ranked among the city's counties (居全市第N位) or among all counties (peer_group "all")."""
    return _REF[lang]["peers_all" if row.get("peer_group") == "all" else "peers"]


def _rank_clauses(row: pd.Series, lang: str, prefix: str = "") -> list[str]:
    if not _ok(row["rank"]):
        return []
    out = [rank_phrase(row["rank"], _peers(row, lang), lang, prefix)]
    if _ok(row.get("prev_period")):
        change = rank_change_phrase(row["rank_change"], period_label(row["prev_period"], lang), lang)
        if change:
            out.append(change)
    return out


def _growth_clauses(row: pd.Series, lang: str) -> list[str]:
    ref = _REF[lang]
    out = [growth_phrase(row["actual"], lang)]
    if _ok(row["gap_to_city_pp"]):
        out.append(diff_phrase(row["gap_to_city_pp"], ref["city"], lang))
    out += _rank_clauses(row, lang)
    if _ok(row["gap_to_target"]):
        out.append(diff_phrase(row["gap_to_target"], ref[row["target_horizon"]], lang))
    return out


def _completion_clauses(row: pd.Series, lang: str) -> list[str]:
    ref = _REF[lang]
    target = ref[row["target_horizon"]]
    rate = fmt(row["completion_rate"] * 100)
    head = f"完成{target}的{rate}%" if lang == "zh" else f"{rate}% of {target} completed"
    out = [head, diff_phrase(row["gap_to_schedule_pp"], ref["schedule"], lang)]
    if _ok(row.get("prev_period")):
        prev = period_label(row["prev_period"], lang)
        change = gap_change_phrase(row["gap_to_schedule_pp"], row["gap_to_schedule_change_pp"], prev, lang)
        if change:
            out.append(change)
    if row["target_horizon"] == "annual" and _ok(row.get("q1_completion_rate")):
        out += _q1_clauses(row, lang)
    return out


def _q1_clauses(row: pd.Series, lang: str) -> list[str]:
    """完成一季度目标的92.8%[，低于一季度时序进度X个百分点 (before March only)]."""
    q1 = fmt(row["q1_completion_rate"] * 100)
    out = [f"完成一季度目标的{q1}%" if lang == "zh" else f"{q1}% of the Q1 target"]
    progress = row.get("q1_schedule_progress")
    if _ok(progress) and progress < 1:
        ref = "一季度时序进度" if lang == "zh" else "the Q1 time schedule"
        out.append(diff_phrase(row["q1_gap_to_schedule_pp"], ref, lang))
    return out


def _join(parts: list[str], lang: str) -> str:
    sep = "，" if lang == "zh" else ", "
    return sep.join(p for p in parts if p)


def _finish(text: str, lang: str) -> str:
    if lang == "zh":
        return text + "。"
    return text[:1].upper() + text[1:] + "."


def indicator_sentence(
    table: pd.DataFrame,
    region_code: str,
    indicator: str,
    lang: str = "zh",
    with_period: bool = True,
    catalogue: pd.DataFrame | None = None,
) -> str | None:
    """The sentence for one county and indicator, or None when the table has no row for it."""
    cat = catalog.indicators() if catalogue is None else catalogue
    rows = table.loc[(table["region_code"] == region_code) & (table["indicator"] == indicator)]
    if rows.empty:
        return None
    by_measure = {r["measure"]: r for _, r in rows.iterrows()}
    growth, level = by_measure.get("ytd_growth"), by_measure.get("ytd_value")
    first = rows.iloc[0]
    subject = region_subject(str(first["region_name"]), lang, str(first.get("region_level", "county")))  # 全市
    name = _name(indicator, cat, lang)
    head = f"{subject}{name}" if lang == "zh" else f"{subject}'s {name}"
    label = period_label(first["period"], lang)
    prefix = (f"{label}，" if lang == "zh" else f"in {label}, ") if with_period else ""

    clauses: list[str] = []
    tail: list[str] = []
    has_growth = growth is not None and _ok(growth["actual"])
    has_level = level is not None and _ok(level["actual"])
    if has_level:
        quantity = quantity_phrase(level["actual"], _shown_unit(indicator, level, cat), lang)
        if lang == "zh":
            head += quantity if level["row_kind"] == "cumulative" else f"为{quantity}"
        else:
            head += f" {'reached' if level['row_kind'] == 'cumulative' else 'was'} {quantity}"
        if level["row_kind"] == "rate":
            if _ok(level["gap_to_city"]):
                clauses.append(diff_phrase(level["gap_to_city"], _REF[lang]["city"], lang, _diff_unit(level)))
            clauses += _rank_clauses(level, lang)
            if _ok(level["gap_to_target"]):
                ref = _REF[lang][level["target_horizon"]]
                clauses.append(diff_phrase(level["gap_to_target"], ref, lang, _diff_unit(level)))
        elif not has_growth:
            clauses += _rank_clauses(level, lang, "总量" if lang == "zh" else "in total ")
        if level["row_kind"] == "cumulative" and _ok(level["completion_rate"]):
            tail = _completion_clauses(level, lang)
    if has_growth:
        growth_parts = _growth_clauses(growth, lang)
        if has_level:
            clauses = growth_parts + clauses
            if level["row_kind"] == "cumulative" and _ok(level["rank"]):  # the headline box's rank
                clauses.append(rank_phrase(level["rank"], _peers(level, lang), lang,
                                           "总量" if lang == "zh" else "in total "))
        else:  # 全县规上工业增加值同比增长5.2%: no comma after the name
            head += ("" if lang == "zh" else " ") + growth_parts[0]
            clauses = growth_parts[1:] + clauses
    if not has_growth and not has_level:
        missing = "数据暂缺" if lang == "zh" else " data not available"
        return _finish(prefix + head + missing, lang)
    body = _join([head, *clauses], lang)
    if tail:
        body += ("；" if lang == "zh" else "; ") + _join(tail, lang)
    return _finish(prefix + body, lang)


def section_paragraph(
    table: pd.DataFrame,
    region_code: str,
    section: str,
    lang: str = "zh",
    catalogue: pd.DataFrame | None = None,
    extra: list[str] | None = None,
) -> str:
    """The sentences of one section's indicators (catalogue order), then ``extra`` sentences.

    The first sentence carries the period label. Empty string when there is nothing to say.
    """
    cat = catalog.indicators() if catalogue is None else catalogue
    present = set(table.loc[table["region_code"] == region_code, "indicator"])
    codes = [c for c in cat.index[cat["section"] == section] if c in present]
    sentences = [
        indicator_sentence(table, region_code, code, lang, with_period=(i == 0), catalogue=cat)
        for i, code in enumerate(codes)
    ]
    sentences = [s for s in sentences if s] + list(extra or [])
    return ("" if lang == "zh" else " ").join(sentences)


def lag_reason(row: pd.Series, lang: str = "zh") -> str:
    """The gap that made a gap-table row lag, as the 短板 sentence and the gap-analysis note's
    短板 table both print it (低于时序进度2.9个百分点, 完成一季度目标的92.8%, ...)."""
    ref = _REF[lang]
    basis = row["status_basis"]
    if basis == "schedule":
        return diff_phrase(row["gap_to_schedule_pp"], ref["schedule"], lang)
    if basis == "q1_schedule":
        return _join(_q1_clauses(row, lang), lang)
    if basis == "target":
        return diff_phrase(row["gap_to_target"], ref[row["target_horizon"]], lang, _diff_unit(row))
    return diff_phrase(row["gap_to_city"], ref["city"], lang, _diff_unit(row))


def shortfall_sentence(
    table: pd.DataFrame, region_code: str, lang: str = "zh", catalogue: pd.DataFrame | None = None
) -> str:
    """短板 sentence: the lagging indicators, worst first, each with the gap that made it lag."""
    cat = catalog.indicators() if catalogue is None else catalogue
    own = table.loc[table["region_code"] == region_code]
    lag = lagging_list(own, cat)
    # Indicators with no known status on any row (a level row without a target does not count
    # when the growth row was judged, nor does an indicator already listed as 短板).
    judged = (own["status"] != "unknown").groupby(own["indicator"]).any()
    unknown = int((~judged).sum())
    own_city = "parent" in own and own["parent"].isna().all() and own["city_value"].isna().all()
    if lag.empty and own_city:  # the city's own note: no city average to fall behind
        text = "各项指标均未明显落后于目标和时序进度" if lang == "zh" else (
            "No indicator is clearly behind its target or the time schedule"
        )
    elif lag.empty:
        text = "各项指标均未明显落后于目标、时序进度和全市平均" if lang == "zh" else (
            "No indicator is clearly behind its target, the time schedule or the city average"
        )
    else:
        items = []
        for _, item in lag.iterrows():
            row = own.loc[(own["indicator"] == item["indicator"]) & (own["measure"] == item["measure"])].iloc[0]
            name = _name(item["indicator"], cat, lang)
            reason = lag_reason(row, lang)
            items.append(f"{name}（{reason}）" if lang == "zh" else f"{name} ({reason})")
        if lang == "zh":
            text = f"当前短板指标{len(items)}项：" + "、".join(items)
        else:
            text = f"Lagging indicators ({len(items)}): " + "; ".join(items)
    if unknown:
        text += f"；另有{unknown}项指标数据暂缺或无可比基准" if lang == "zh" else (
            f"; {unknown} more without data or a benchmark"
        )
    return _finish(text, lang)


def projects_sentence(
    summary: pd.Series, as_of: object, lang: str = "zh", region_name: str | None = None
) -> str:
    """Key-project sentence from one row of :func:`analysis.key_projects.county_summary`.

    Uses ``n_planned, n_started, start_rate, completed_investment (万元), completion_rate,
    gap_to_schedule_pp, start_ok, completion_ok`` and, when present, ``n_late_projects,
    max_days_late, top3, interview``. The subject (全县/全区/...) follows the same rule as
    the other sentences (:func:`region_subject`) on ``region_name``, else the row's
    ``county_name``; with no name the sentence has no subject (重点项目…), never a guessed 全县.
    ``as_of`` is read as in :func:`analysis.core.periods.as_day` (a month means its last day).
    """
    d = as_day(as_of)
    name = region_name if region_name else summary.get("county_name")
    subject = region_subject(str(name), lang) if _ok(name) and name else ""
    rate = fmt(summary["start_rate"] * 100) if _ok(summary["start_rate"]) else None
    done = amount_phrase(summary["completed_investment"] / 1e4, lang) if _ok(summary["completed_investment"]) \
        else None  # unknown, e.g. a ledger reported after the as-of day
    completion = fmt(summary["completion_rate"] * 100) if _ok(summary["completion_rate"]) else None
    sched = _REF[lang]["schedule"]
    n_planned, n_started = int(summary["n_planned"]), int(summary["n_started"])
    n_late = int(summary.get("n_late_projects", 0) or 0)
    top, interview = list(summary.get("top3", []) or []), list(summary.get("interview", []) or [])
    if lang == "zh":
        text = f"截至{d.month}月{d.day}日，{subject}重点项目计划开工{n_planned}个，已开工{n_started}个"
        if rate:
            text += f"，开工率{rate}%"
        text += f"；完成投资{done}" if done else ""
        if completion:
            text += f"，投资完成率{completion}%，" + diff_phrase(summary["gap_to_schedule_pp"], sched, lang)
        start_ok = "开工率已达90%" if summary["start_ok"] else "开工率未达90%"
        comp_ok = ("投资完成率无本期数据" if completion is None else
                   "投资完成率已达时序进度的90%" if summary["completion_ok"] else "投资完成率未达时序进度的90%")
        text += f"。“双90”目标：{start_ok}，{comp_ok}"
        if n_late:
            text += f"。逾期未开工项目{n_late}个，最长逾期{int(summary['max_days_late'])}天"
        if top:
            text += f"。本周投资贡献前三位的乡镇为{'、'.join(top)}"
        if interview:
            text += f"；{'、'.join(interview)}连续两周排名末位"
        return text + "。"
    whose = f"{subject}'s " if subject else "the "
    text = f"By {d.day} {d.strftime('%b')}, {n_started} of {whose}{n_planned} key projects due had started"
    if rate:
        text += f" (start rate {rate}%)"
    text += f"; investment completed {done}" if done else ""
    if completion:
        text += f", {completion}% of the annual plan, " + diff_phrase(summary["gap_to_schedule_pp"], sched, lang)
    text += (f". Double-90 goal: start rate {'met' if summary['start_ok'] else 'not met'}, "
             f"investment vs 90% of schedule "
             f"{'unknown' if completion is None else 'met' if summary['completion_ok'] else 'not met'}")
    if n_late:
        text += f". {n_late} projects late to start, the latest by {int(summary['max_days_late'])} days"
    if top:
        text += f". Top three townships this week: {', '.join(top)}"
    if interview:
        text += f"; last two weeks in a row: {', '.join(interview)}"
    return text + "."


def projects_sentences(
    summary: pd.DataFrame, as_of: object, lang: str = "zh", region_names: dict[str, str] | None = None
) -> dict[str, str]:
    """County code -> :func:`projects_sentence` for every row of a county summary.

    ``region_names`` (code -> name) gives each sentence its subject when the summary has no
    ``county_name`` column.
    """
    names = region_names or {}
    return {
        row["county_code"]: projects_sentence(row, as_of, lang, names.get(row["county_code"]))
        for _, row in summary.iterrows()
    }


def county_narrative(
    table: pd.DataFrame,
    region_code: str,
    lang: str = "zh",
    catalogue: pd.DataFrame | None = None,
    projects: str | None = None,
) -> dict[str, str]:
    """Paragraphs for one county: each section with something to say, then ``shortfalls``.

    ``projects`` (a sentence from :func:`projects_sentence`) is appended to the projects
    section.
    """
    cat = catalog.indicators() if catalogue is None else catalogue
    out: dict[str, str] = {}
    for section in SECTIONS:
        extra = [projects] if section == "projects" and projects else None
        text = section_paragraph(table, region_code, section, lang, cat, extra)
        if text:
            out[section] = text
    out["shortfalls"] = shortfall_sentence(table, region_code, lang, cat)
    return out


def narratives(
    table: pd.DataFrame,
    lang: str = "zh",
    catalogue: pd.DataFrame | None = None,
    projects: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every county's paragraphs as a frame ``region_code, region_name, section, text``.

    ``projects`` maps county codes to project sentences (:func:`projects_sentences`).
    """
    cat = catalog.indicators() if catalogue is None else catalogue
    extra = projects or {}
    rows = [
        (code, own["region_name"].iloc[0], section, text)
        for code, own in table.groupby("region_code", sort=True)
        for section, text in county_narrative(own, code, lang, cat, extra.get(code)).items()
    ]
    return pd.DataFrame(rows, columns=["region_code", "region_name", "section", "text"])


def pace_sentence(required_growth_pct: float, growth_so_far_pct: float, period: pd.Period,
                  lang: str = "zh") -> str:
    """倒排 sentence: the growth the months after ``period`` need for the annual target,
    beside the YTD growth so far (both in %, from :func:`analysis.projection.required_pace`)."""
    m = period.month
    if not _ok(required_growth_pct) or not math.isfinite(required_growth_pct):
        return (f"完成全年目标所需的{m + 1}-12月增速无法测算（上年同期或本年累计数据不全）。" if lang == "zh"
                else f"The growth months {m + 1}-12 need for the annual target cannot be computed "
                     "(last year's months or this year's YTD value missing).")
    so_far = f"{fmt(growth_so_far_pct)}%" if _ok(growth_so_far_pct) else ("—" if lang == "zh" else "n/a")
    if lang == "zh":
        return f"完成全年目标，{m + 1}-12月需同比增长{fmt(required_growth_pct)}%（1-{m}月为{so_far}）。"
    return (f"To reach the annual target, months {m + 1}-12 must grow {fmt(required_growth_pct)}% "
            f"year on year (months 1-{m}: {so_far}).")
