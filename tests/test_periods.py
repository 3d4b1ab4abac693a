"""Period labels, 时序进度 and the Spring Festival calendar."""

import pandas as pd
import pytest

from analysis.core.periods import (
    as_day,
    parse_period_label,
    q1_schedule_progress,
    schedule_at_dates,
    schedule_progress,
    spring_festival_dates,
    ytd_label,
    ytd_label_en,
)


@pytest.mark.parametrize(
    ("label", "year", "expected"),
    [
        ("2026年3月", None, "2026-03"),
        ("2026年1-3月", None, "2026-03"),
        ("2026年1－3月", None, "2026-03"),
        ("1-2月", 2026, "2026-02"),
        ("一季度", 2026, "2026-03"),
        ("2026年一季度", None, "2026-03"),
        ("2026年第一季度", None, "2026-03"),
        ("上半年", 2025, "2025-06"),
        ("2026-03", None, "2026-03"),
        ("202603", None, "2026-03"),
        (" 2019年12月 ", None, "2019-12"),
    ],
)
def test_parse_period_label(label, year, expected):
    assert parse_period_label(label, year) == pd.Period(expected, freq="M")


@pytest.mark.parametrize("label", ["2026年13月", "2026年3-5月", "三月", "Q1 2026", ""])
def test_parse_period_label_rejects_with_the_label_in_the_message(label):
    with pytest.raises(ValueError, match="period label"):
        parse_period_label(label, 2026)


def test_parse_period_label_without_year_says_so():
    with pytest.raises(ValueError, match="no year"):
        parse_period_label("1-2月")


def test_ytd_labels():
    assert ytd_label(pd.Period("2026-02", "M")) == "1-2月"
    assert ytd_label(pd.Period("2026-03", "M")) == "1-3月"
    assert ytd_label(pd.Period("2026-03", "M"), quarter_names=True) == "一季度"
    assert ytd_label(pd.Period("2026-01", "M")) == "1月"
    assert ytd_label_en(pd.Period("2026-03", "M")) == "Jan-Mar"


def test_schedule_progress_by_month_and_day():
    assert schedule_progress(pd.Period("2026-03", "M")) == 0.25
    # 31 + 28 + 31 = 90 days of 365; 2024 is a leap year: 91 of 366
    assert schedule_progress(pd.Period("2026-03", "M"), by="day") == pytest.approx(90 / 365)
    assert schedule_progress(pd.Period("2024-03", "M"), by="day") == pytest.approx(91 / 366)
    with pytest.raises(ValueError, match="'month' or 'day'"):
        schedule_progress(pd.Period("2026-03", "M"), by="week")


def test_spring_festival_dates_known_years():
    dates = spring_festival_dates()
    assert dates[2020] == pd.Timestamp("2020-01-25")
    assert dates[2026] == pd.Timestamp("2026-02-17")
    assert dates.index.min() == 1990 and dates.index.max() == 2035


@pytest.mark.realdata
def test_spring_festival_dates_match_the_published_table(real_data):
    table = pd.read_csv(real_data / "nbs-national-retail" / "lunar_new_year.csv", parse_dates=["cny_date"])
    ours = spring_festival_dates()
    for row in table.itertuples(index=False):
        assert ours[row.year] == row.cny_date, row.year


def test_as_of_month_means_its_last_day():
    assert as_day("2026-03") == pd.Timestamp("2026-03-31")
    assert as_day(pd.Period("2026-02", "M")) == pd.Timestamp("2026-02-28")
    assert as_day("2026年1-3月") == pd.Timestamp("2026-03-31")
    assert as_day("2026-03-15") == pd.Timestamp("2026-03-15")


def test_schedule_rules_in_one_place():
    assert schedule_at_dates(pd.Series(pd.to_datetime(["2024-12-31", "2026-03-31"])), "day").tolist() == \
        pytest.approx([1.0, 90 / 365])
    assert schedule_at_dates(pd.Series(pd.to_datetime(["2026-03-15"]))).tolist() == [0.25]
    assert q1_schedule_progress(pd.Period("2026-02", "M")) == pytest.approx(2 / 3)
    assert q1_schedule_progress(pd.Period("2026-05", "M")) == 1.0
    assert q1_schedule_progress(pd.Period("2026-02", "M"), by="day") == pytest.approx(59 / 90)
    with pytest.raises(ValueError, match="'month' or 'day'"):
        q1_schedule_progress(pd.Period("2026-02", "M"), by="week")
