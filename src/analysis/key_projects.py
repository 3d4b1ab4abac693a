"""Key-project tracking (重点项目): start rate, investment against schedule, 双90, township ranks.

Inputs are the loaders' frames: the project ledger (``project_id, project_name,
county_code, township_code, planned_start, actual_start, planned_investment,
completed_investment, reported_on``; investment in 万元) and the township weekly reports
(``week_end, township_code, county_code, investment_week, investment_ytd,
projects_started``).

Definitions (as-of date ``d``, a day):

- new start (新开工): ``planned_start`` in the year of ``d``; the other rows are continuing
  projects (续建, planned and started in earlier years) that count for investment only.
- planned by ``d``: a new start with ``planned_start <= d``; started by ``d``:
  ``actual_start <= d``.
- start rate (开工率) ``= started among planned-by-d / planned-by-d``. New starts begun
  ahead of plan are counted separately (``n_started_early``) so the rate cannot exceed
  100%; ``start_rate_annual = new starts started by d / all new starts of the year``.
- investment completion rate ``= completed_investment / planned_investment`` (sums for a
  township or county), judged against 时序进度 at the ledger's report date ``reported_on``
  (填报日期: the completed investment is cumulative to that date, so a 31-March snapshot is
  judged on March's schedule even when ``d`` is in February), or at ``d`` for rows without
  one: month / 12 (``schedule_by="month"``, the bureau convention) or day of year / days
  in year (``"day"``). A township or county is judged at its latest ``reported_on``
  (``investment_as_of``). Starts are always counted at ``d``.
- 双90 (the speech: "3月底前开工率90%，投资完成率超时序进度90%"), read as: (1) by 31 March,
  new starts started / new starts planned to start by 31 March >= 90% (checked with starts up
  to ``min(d, 31 March)``); (2) investment completion rate >= 90% of 时序进度, i.e.
  ``completion_rate >= 0.9 * schedule_progress`` ("completion exceeds 90% of the
  schedule"), not "completion rate >= 90%".
- late to start: planned by ``d`` and not started by ``d``; ``days_late = d -
  planned_start``. Projects that started after their plan have ``start_delay_days``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.periods import as_day, schedule_at_dates

LEDGER_COLUMNS = [
    "project_id", "project_name", "county_code", "township_code", "planned_start", "actual_start",
    "planned_investment", "completed_investment",
]
WEEKLY_COLUMNS = ["week_end", "township_code", "county_code", "investment_week", "investment_ytd"]
GROUP_KEYS = {"county": ["county_code"], "township": ["county_code", "township_code"]}


def _check(frame: pd.DataFrame, needed: list[str], name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks columns {missing}")


def _investment_dates(projects: pd.DataFrame, d: pd.Timestamp) -> pd.Series:
    """Date each row's completed investment runs to: ``reported_on``, else the as-of date."""
    if "reported_on" not in projects.columns:
        return pd.Series(d, index=projects.index)
    return pd.to_datetime(projects["reported_on"]).fillna(d).astype("datetime64[ns]")


def project_status(projects: pd.DataFrame, as_of: object, schedule_by: str = "month") -> pd.DataFrame:
    """One row per project at ``as_of``: planned/started flags, days late, completion vs schedule.

    Adds ``new_start, planned_by_as_of, started, started_early, late, days_late, start_delay_days,
    investment_as_of, completion_rate, schedule_progress, gap_to_schedule_pp`` to the ledger
    columns (schedule at ``investment_as_of`` = ``reported_on``, see the module docstring).
    """
    _check(projects, LEDGER_COLUMNS, "projects")
    d = as_day(as_of)
    out = projects.copy()
    new = out["planned_start"].dt.year == d.year
    planned = new & (out["planned_start"] <= d)
    started = out["actual_start"].notna() & (out["actual_start"] <= d)
    out["new_start"] = new
    out["planned_by_as_of"] = planned
    out["started"] = started
    out["started_early"] = started & new & ~planned
    out["late"] = planned & ~started
    out["days_late"] = (d - out["planned_start"]).dt.days.where(out["late"])
    delay = (out["actual_start"] - out["planned_start"]).dt.days
    out["start_delay_days"] = delay.where(started & (delay > 0), 0).where(started)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = out["completed_investment"] / out["planned_investment"].where(out["planned_investment"] > 0)
    out["completion_rate"] = rate
    out["investment_as_of"] = _investment_dates(out, d)
    out["schedule_progress"] = schedule_at_dates(out["investment_as_of"], schedule_by)
    out["gap_to_schedule_pp"] = (out["completion_rate"] - out["schedule_progress"]) * 100
    return out


def start_rates(
    projects: pd.DataFrame,
    as_of: object,
    level: str = "county",
    schedule_by: str = "month",
    deadline: str = "03-31",
    threshold: float = 0.9,
) -> pd.DataFrame:
    """Start rate, investment completion vs schedule and the 双90 check per county or township.

    Columns: the group keys, ``n_projects, n_new_projects, n_continuing, n_planned, n_started,
    n_started_early, n_started_total, n_late, start_rate, start_rate_annual, planned_investment,
    completed_investment, completion_rate, schedule_progress, gap_to_schedule_pp,
    n_planned_deadline, n_started_deadline, investment_as_of, start_rate_deadline, start_ok,
    completion_ok, double_90`` (see the module docstring; a rate with a zero denominator is NaN, and a
    check on NaN is False).
    """
    if level not in GROUP_KEYS:
        raise ValueError(f"level must be one of {sorted(GROUP_KEYS)}, got {level!r}")
    keys = GROUP_KEYS[level]
    d = as_day(as_of)
    due = pd.Timestamp(f"{d.year}-{deadline}")
    status = project_status(projects, d, schedule_by)
    status["planned_and_started"] = status["planned_by_as_of"] & status["started"]
    status["new_started"] = status["new_start"] & status["started"]
    status["continuing"] = ~status["new_start"]
    status["planned_deadline"] = status["new_start"] & (status["planned_start"] <= due)
    status["started_deadline"] = (
        status["planned_deadline"] & status["actual_start"].notna() & (status["actual_start"] <= min(d, due))
    )
    grouped = status.groupby(keys, sort=True)
    out = grouped.agg(
        n_projects=("project_id", "size"),
        n_new_projects=("new_start", "sum"),
        n_continuing=("continuing", "sum"),
        n_planned=("planned_by_as_of", "sum"),
        n_started=("planned_and_started", "sum"),
        n_started_early=("started_early", "sum"),
        n_started_total=("new_started", "sum"),
        n_late=("late", "sum"),
        planned_investment=("planned_investment", "sum"),
        completed_investment=("completed_investment", "sum"),
        n_planned_deadline=("planned_deadline", "sum"),
        n_started_deadline=("started_deadline", "sum"),
        investment_as_of=("investment_as_of", "max"),
    ).reset_index()
    return _with_rates(out, schedule_by, threshold)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator``, NaN where the denominator is not positive."""
    return numerator / denominator.where(denominator > 0)


def _with_rates(counts: pd.DataFrame, schedule_by: str, threshold: float) -> pd.DataFrame:
    """The rates and the 双90 checks of :func:`start_rates` from its counts and sums."""
    out = counts.assign(
        start_rate=_ratio(counts["n_started"], counts["n_planned"]),
        start_rate_annual=_ratio(counts["n_started_total"], counts["n_new_projects"]),
        completion_rate=_ratio(counts["completed_investment"], counts["planned_investment"]),
        start_rate_deadline=_ratio(counts["n_started_deadline"], counts["n_planned_deadline"]),
        schedule_progress=schedule_at_dates(counts["investment_as_of"], schedule_by),
    )
    out["gap_to_schedule_pp"] = (out["completion_rate"] - out["schedule_progress"]) * 100
    out["start_ok"] = (out["start_rate_deadline"] >= threshold).fillna(False).astype(bool)
    out["completion_ok"] = (out["completion_rate"] >= threshold * out["schedule_progress"]).fillna(False)
    out["completion_ok"] = out["completion_ok"].astype(bool)
    out["double_90"] = out["start_ok"] & out["completion_ok"]
    return out


def late_projects(projects: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Projects planned to start by ``as_of`` and not started, most days late first."""
    status = project_status(projects, as_of)
    late = status.loc[status["late"]]
    cols = ["project_id", "project_name", "county_code", "township_code", "planned_start", "days_late"]
    out = late[cols].sort_values(["days_late", "project_id"], ascending=[False, True])
    out["days_late"] = out["days_late"].astype(int)
    return out.reset_index(drop=True)


def township_ranking(weekly: pd.DataFrame, by: str = "investment_week") -> pd.DataFrame:
    """Rank each county's townships every week by investment contribution (1 = most).

    ``by`` is ``investment_week`` (that week's investment) or ``investment_ytd``. Ties
    share the best rank; a missing figure is not ranked. Adds ``rank, n_townships,
    share`` (of the county's total that week), ``top3``, ``last`` (the worst rank among
    ranked townships), ``week_no`` (1, 2, ... per county in date order) and
    ``last_two_weeks`` (last this week and in the county's previous reported week).
    """
    _check(weekly, WEEKLY_COLUMNS, "township weekly")
    frame = weekly.sort_values(["county_code", "week_end", "township_code"]).reset_index(drop=True)
    group = frame.groupby(["county_code", "week_end"], sort=False)[by]
    frame["rank"] = group.rank(ascending=False, method="min")
    frame["n_townships"] = group.transform("count")
    total = group.transform("sum")
    frame["share"] = frame[by] / total.where(total != 0)
    frame["top3"] = frame["rank"] <= 3
    worst = frame.groupby(["county_code", "week_end"], sort=False)["rank"].transform("max")
    frame["last"] = frame["rank"].notna() & (frame["rank"] == worst) & (frame["n_townships"] > 1)
    frame["week_no"] = frame.groupby("county_code")["week_end"].rank(method="dense").astype(int)
    before = frame[["township_code", "week_no", "last"]].assign(week_no=frame["week_no"] + 1)
    frame = frame.merge(
        before.rename(columns={"last": "last_prev"}), on=["township_code", "week_no"], how="left"
    )
    frame["last_two_weeks"] = frame["last"] & frame["last_prev"].fillna(False).astype(bool)
    return frame.drop(columns="last_prev")


def top_townships(weekly: pd.DataFrame, week_end: object | None = None, by: str = "investment_week") -> pd.DataFrame:
    """The top three townships of each county in a week (the latest when ``week_end`` is None)."""
    ranked = township_ranking(weekly, by)
    week = ranked["week_end"].max() if week_end is None else pd.Timestamp(week_end)
    top = ranked.loc[(ranked["week_end"] == week) & ranked["top3"]]
    return top.sort_values(["county_code", "rank", "township_code"]).reset_index(drop=True)


def interview_list(weekly: pd.DataFrame, week_end: object | None = None, by: str = "investment_week") -> pd.DataFrame:
    """约谈 list: townships last in their county two reported weeks in a row, ending ``week_end``."""
    ranked = township_ranking(weekly, by)
    week = ranked["week_end"].max() if week_end is None else pd.Timestamp(week_end)
    hit = ranked.loc[(ranked["week_end"] == week) & ranked["last_two_weeks"]]
    return hit.sort_values(["county_code", "township_code"]).reset_index(drop=True)


def county_summary(
    projects: pd.DataFrame,
    as_of: object,
    weekly: pd.DataFrame | None = None,
    township_names: dict[str, str] | None = None,
    schedule_by: str = "month",
) -> pd.DataFrame:
    """Per county: :func:`start_rates` plus late projects and the week's top three and 约谈 list.

    Adds ``n_late_projects, max_days_late``, ``county_name`` (from ``township_names`` when
    it also names the counties, as a code -> name map of all regions does; else NaN) and,
    from each county's last weekly report on or before ``as_of``, ``week_end``, ``top3``
    and ``interview`` (lists of township names, from ``township_names`` or the codes).
    """
    out = start_rates(projects, as_of, "county", schedule_by)
    late = late_projects(projects, as_of).groupby("county_code")["days_late"].agg(["size", "max"])
    late = late.rename(columns={"size": "n_late_projects", "max": "max_days_late"})
    out = out.merge(late, left_on="county_code", right_index=True, how="left")
    out["n_late_projects"] = out["n_late_projects"].fillna(0).astype(int)
    out["county_name"] = out["county_code"].map(township_names or {})
    out["top3"] = [[] for _ in range(len(out))]
    out["interview"] = [[] for _ in range(len(out))]
    out["week_end"] = pd.NaT
    if weekly is None or weekly.empty:
        return out
    names = township_names or {}
    upto = weekly.loc[weekly["week_end"] <= as_day(as_of)]
    if upto.empty:
        return out
    ranked = township_ranking(upto)
    # Each county's own latest report: a county that reported last a week earlier keeps its top 3.
    latest = ranked.groupby("county_code")["week_end"].transform("max")
    week = ranked.loc[ranked["week_end"] == latest].sort_values(["rank", "township_code"])
    week = week.assign(name=week["township_code"].map(lambda c: names.get(c, c)))
    top = week.loc[week["top3"]].groupby("county_code")["name"].agg(list)
    interview = week.loc[week["last_two_weeks"]].groupby("county_code")["name"].agg(list)
    out["top3"] = out["county_code"].map(top).map(lambda v: v if isinstance(v, list) else [])
    out["interview"] = out["county_code"].map(interview).map(lambda v: v if isinstance(v, list) else [])
    out["week_end"] = out["county_code"].map(ranked.groupby("county_code")["week_end"].max())
    return out
