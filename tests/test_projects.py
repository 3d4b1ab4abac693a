"""Key-project tracking on a hand-made ledger and weekly report; numbers worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.key_projects import (
    interview_list,
    late_projects,
    project_status,
    start_rates,
    top_townships,
    township_ranking,
)

C1, C2 = "330101", "330102"
T1, T2, T3, T9 = "330101001", "330101002", "330101003", "330102001"
AS_OF = "2026-03-20"


def ledger() -> pd.DataFrame:
    rows = [
        ("P1", C1, T1, "2026-02-10", "2026-02-15", 10000, 2500),
        ("P2", C1, T1, "2026-03-01", None, 5000, 0),  # late 19 days
        ("P3", C1, T2, "2026-03-15", "2026-03-18", 20000, 3000),  # started 3 days late
        ("P4", C1, T2, "2026-05-01", "2026-03-10", 5000, 1000),  # started ahead of plan
        ("P5", C1, T2, "2026-03-25", None, 10000, 0),  # not due yet, due by 31 March
        ("P6", C2, T9, "2026-01-10", "2026-01-05", 1000, 300),
    ]
    frame = pd.DataFrame(rows, columns=["project_id", "county_code", "township_code", "planned_start",
                                        "actual_start", "planned_investment", "completed_investment"])
    frame["project_name"] = "项目" + frame["project_id"]
    for col in ("planned_start", "actual_start"):
        frame[col] = pd.to_datetime(frame[col])
    frame["planned_investment"] = frame["planned_investment"].astype(float)
    frame["completed_investment"] = frame["completed_investment"].astype(float)
    frame["reported_on"] = pd.Timestamp(AS_OF)
    return frame


def weekly() -> pd.DataFrame:
    weeks = ["2026-03-06", "2026-03-13", "2026-03-20"]
    values = {T1: [100, 80, 30], T2: [50, 80, 10], T3: [10, 5, 40]}
    rows = [(w, t, C1, v[i]) for t, v in values.items() for i, w in enumerate(weeks)]
    rows += [(w, T9, C2, 20) for w in weeks]
    frame = pd.DataFrame(rows, columns=["week_end", "township_code", "county_code", "investment_week"])
    frame["week_end"] = pd.to_datetime(frame["week_end"])
    frame["investment_week"] = frame["investment_week"].astype(float)
    frame["investment_ytd"] = frame.groupby("township_code")["investment_week"].cumsum()
    frame["projects_started"] = 1
    return frame


def test_project_status():
    s = project_status(ledger(), AS_OF).set_index("project_id")
    assert s.loc["P2", "late"] and s.loc["P2", "days_late"] == 19
    assert s.loc["P3", "start_delay_days"] == 3 and not s.loc["P3", "late"]
    assert s.loc["P4", "started_early"] and s.loc["P1", "start_delay_days"] == 5
    assert np.isnan(s.loc["P5", "days_late"]) and not s.loc["P5", "planned_by_as_of"]
    assert s.loc["P1", "completion_rate"] == pytest.approx(0.25)
    assert s.loc["P1", "gap_to_schedule_pp"] == pytest.approx(0.0)


def test_county_start_rate_and_double_90():
    c = start_rates(ledger(), AS_OF).set_index("county_code")
    a = c.loc[C1]
    assert (a["n_projects"], a["n_planned"], a["n_started"], a["n_started_early"], a["n_late"]) == (5, 3, 2, 1, 1)
    assert a["start_rate"] == pytest.approx(2 / 3)
    assert a["start_rate_annual"] == pytest.approx(3 / 5)
    assert a["completion_rate"] == pytest.approx(6500 / 50000)
    assert a["schedule_progress"] == pytest.approx(0.25)
    assert a["gap_to_schedule_pp"] == pytest.approx(-12.0)
    # 双90: planned by 31 March = P1, P2, P3, P5; started by 20 March of those = P1, P3
    assert a["start_rate_deadline"] == pytest.approx(0.5)
    assert not a["start_ok"] and not a["completion_ok"] and not a["double_90"]
    b = c.loc[C2]  # 1/1 started; 0.30 >= 0.9 * 0.25
    assert b["start_ok"] and b["completion_ok"] and b["double_90"]


def test_township_rates_and_day_schedule():
    t = start_rates(ledger(), AS_OF, level="township", schedule_by="day").set_index("township_code")
    assert t.loc[T1, "start_rate"] == pytest.approx(0.5)
    assert t.loc[T2, "start_rate"] == pytest.approx(1.0) and t.loc[T2, "n_started_early"] == 1
    assert t.loc[T2, "completion_rate"] == pytest.approx(4000 / 35000)
    assert t.loc[T1, "schedule_progress"] == pytest.approx(79 / 365)


def test_late_projects():
    late = late_projects(ledger(), AS_OF)
    assert late["project_id"].tolist() == ["P2"] and late["days_late"].tolist() == [19]
    assert late_projects(ledger(), "2026-03-31")[["project_id", "days_late"]].values.tolist() == [
        ["P2", 30], ["P5", 6]
    ]


def test_township_ranking_top_three_and_interview_list():
    r = township_ranking(weekly())
    week3 = r.loc[(r["week_end"] == "2026-03-20") & (r["county_code"] == C1)].set_index("township_code")
    assert week3["rank"].to_dict() == {T1: 2.0, T2: 3.0, T3: 1.0}
    assert week3.loc[T1, "share"] == pytest.approx(30 / 80)
    week2 = r.loc[r["week_end"] == "2026-03-13"].set_index("township_code")
    assert week2.loc[T1, "rank"] == 1 and week2.loc[T2, "rank"] == 1  # tie shares the rank
    assert week2.loc[T3, "last_two_weeks"] and not week2.loc[T9, "last"]  # a lone township is never last
    top = top_townships(weekly())
    assert top.loc[top["county_code"] == C1, "township_code"].tolist() == [T3, T1, T2]
    assert interview_list(weekly()).empty  # T2 last only once
    assert interview_list(weekly(), "2026-03-13")["township_code"].tolist() == [T3]


def test_county_summary():
    from analysis.key_projects import county_summary

    s = county_summary(ledger(), AS_OF, weekly(), {T3: "丙镇"}).set_index("county_code")
    assert s.loc[C1, "n_late_projects"] == 1 and s.loc[C1, "max_days_late"] == 19
    assert s.loc[C1, "top3"] == ["丙镇", T1, T2] and s.loc[C1, "interview"] == []
    assert s.loc[C2, "n_late_projects"] == 0 and s.loc[C2, "top3"] == [T9]
    early = county_summary(ledger(), "2026-03-14", weekly()).set_index("county_code")
    assert early.loc[C1, "interview"] == [T3]  # week ending 13 March: T3 last twice
    assert county_summary(ledger(), AS_OF).loc[0, "top3"] == []
    # C2's last report is a week earlier than C1's: it still gets its own top three.
    partial = weekly().loc[lambda w: ~((w["county_code"] == C2) & (w["week_end"] == pd.Timestamp(AS_OF)))]
    s = county_summary(ledger(), AS_OF, partial, {T3: "丙镇"}).set_index("county_code")
    assert s.loc[C2, "top3"] == [T9] and s.loc[C2, "week_end"] == pd.Timestamp("2026-03-13")
    assert s.loc[C1, "top3"] == ["丙镇", T1, T2] and s.loc[C1, "week_end"] == pd.Timestamp(AS_OF)


def test_investment_schedule_at_the_ledger_report_date():
    # A 31-March snapshot read on 28 February: investment is cumulative to 31 March, so it is
    # judged on March's schedule (3/12), not February's (2/12).
    frame = ledger().assign(reported_on=pd.Timestamp("2026-03-31"))
    s = project_status(frame, "2026-02-28").set_index("project_id")
    assert s.loc["P1", "schedule_progress"] == 0.25
    assert s.loc["P1", "gap_to_schedule_pp"] == pytest.approx((0.25 - 0.25) * 100)
    assert s.loc["P1", "investment_as_of"] == pd.Timestamp("2026-03-31")
    c1 = start_rates(frame, "2026-02-28").set_index("county_code").loc[C1]
    # 6500 / 50000 = 13% against 25%: -12 pp; 90% of 25% = 22.5% not reached
    assert c1["schedule_progress"] == 0.25 and c1["gap_to_schedule_pp"] == pytest.approx(-12.0)
    assert not c1["completion_ok"]
    # by day: 90 / 365
    day = start_rates(frame, "2026-02-28", schedule_by="day").set_index("county_code").loc[C1]
    assert day["schedule_progress"] == pytest.approx(90 / 365)
    # Rows without a report date fall back to the as-of date.
    undated = project_status(frame.assign(reported_on=pd.NaT), "2026-02-28")
    assert (undated["schedule_progress"] == 2 / 12).all()


def test_continuing_projects_count_for_investment_not_for_the_start_rate():
    # P7, P8: 续建 projects (planned and started in 2024/2025). They add to investment, but
    # 开工率 counts only the year's new starts, so C1's rates are those of the test above.
    extra = pd.DataFrame(
        [
            ("P7", C1, T1, "2025-04-01", "2025-04-10", 40000.0, 11000.0),
            ("P8", C1, T2, "2024-09-01", "2024-08-20", 30000.0, 8000.0),
        ],
        columns=["project_id", "county_code", "township_code", "planned_start", "actual_start",
                 "planned_investment", "completed_investment"],
    )
    extra["project_name"] = "项目" + extra["project_id"]
    for col in ("planned_start", "actual_start"):
        extra[col] = pd.to_datetime(extra[col])
    extra["reported_on"] = pd.Timestamp(AS_OF)
    frame = pd.concat([ledger(), extra], ignore_index=True)
    s = project_status(frame, AS_OF).set_index("project_id")
    assert not s.loc["P7", "new_start"] and not s.loc["P7", "planned_by_as_of"]
    assert s.loc["P7", "started"] and not s.loc["P7", "started_early"] and not s.loc["P8", "late"]
    a = start_rates(frame, AS_OF).set_index("county_code").loc[C1]
    assert (a["n_projects"], a["n_new_projects"], a["n_continuing"]) == (7, 5, 2)
    assert (a["n_planned"], a["n_started"], a["n_started_early"], a["n_late"]) == (3, 2, 1, 1)
    assert a["start_rate"] == pytest.approx(2 / 3) and a["start_rate_annual"] == pytest.approx(3 / 5)
    assert a["start_rate_deadline"] == pytest.approx(2 / 4)  # P1, P3 of P1, P2, P3, P5
    # investment: (6500 + 11000 + 8000) / (50000 + 40000 + 30000) = 25500 / 120000 = 21.25%
    assert a["completion_rate"] == pytest.approx(0.2125) and not a["completion_ok"]  # < 22.5%
    assert late_projects(frame, AS_OF)["project_id"].tolist() == ["P2"]


def test_an_unknown_investment_makes_the_sum_unknown_not_smaller():
    # P3's figure unknown (e.g. reported after the as-of day): county C1's 6500 of 50000 would
    # drop to 3500 (7%) if NaN counted as 0; it is unknown instead. C2 keeps 300 / 1000.
    projects = ledger()
    projects.loc[projects["project_id"] == "P3", "completed_investment"] = np.nan
    c = start_rates(projects, AS_OF).set_index("county_code")
    assert np.isnan(c.loc[C1, "completed_investment"]) and np.isnan(c.loc[C1, "completion_rate"])
    assert not c.loc[C1, "completion_ok"] and c.loc[C1, "n_started"] == 2  # starts still counted
    assert c.loc[C2, "completion_rate"] == pytest.approx(0.3)
