"""Period labels, the Spring Festival calendar and 时序进度 (time-schedule progress).

Bureau tables label year-to-date columns in several ways: ``2026年3月``, ``2026年1-3月``,
``1-2月`` (year from context), ``一季度``. All of them name the *end month* of a YTD
period; :func:`parse_period_label` returns that month as a ``pandas.Period``, and
:func:`parse_period` the month with the label's frequency: ``"M"`` for months (and
``上半年``/``前三季度``, which are year-to-date months), ``"Q"`` for quarters
(``2020年第一季度``, ``2020年1-3季度``, ``2020Q1``: the quarter's last month) and ``"Y"``
for years (``2020年``: December).

This module is the one home of the calendar rules: reading an as-of month (:func:`as_period`)
or day (:func:`as_day`), 时序进度 of an annual target (:func:`schedule_progress`, and
:func:`schedule_at_dates` for a column of dates) and of a Q1 target
(:func:`q1_schedule_progress`), YTD labels, and the Spring Festival dates.
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

_QUARTERS = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
_HALVES = {"上半年": 6, "前三季度": 9, "全年": 12}

_RE_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
_RE_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_RE_YEAR = re.compile(r"^(\d{4})\s*年\s*(.*)$")
_RE_RANGE = re.compile(r"^(\d{1,2})\s*[-－—~～至]\s*(\d{1,2})\s*月(?:份)?$")
_RE_MONTH = re.compile(r"^(\d{1,2})\s*月(?:份)?$")
_RE_QUARTER = re.compile(r"^(?:第)?([一二三四1234])\s*季度$")
_RE_QUARTER_RANGE = re.compile(r"^(?:第)?[1一]\s*[-－—~～至]\s*([一二三四1234])\s*季度$")
_RE_Q = re.compile(r"^(\d{4})\s*(?:年|-)?\s*[Qq]\s*([1-4])$")
_RE_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T?\d{1,2}:\d{2}(?::\d{2})?)?$")
_RE_YEAR_ONLY = re.compile(r"^(\d{4})\s*年?$")
FREQUENCIES = ("M", "Q", "Y")


def parse_period_label(label: object, year: int | None = None) -> pd.Period:
    """Return the end month of a period label as a monthly ``Period``.

    ``"2026年3月"``, ``"2026年1-3月"``, ``"2026年一季度"``, ``"2026-03"`` and ``"202603"``
    carry their year; ``"1-2月"``, ``"3月"`` and ``"一季度"`` need ``year``.
    Raises ``ValueError`` naming the label when it cannot be parsed.
    """
    return parse_period(label, year)[0]


def parse_period(label: object, year: int | None = None) -> tuple[pd.Period, str]:
    """The end month of a period label (or date cell) and its frequency (``M``, ``Q``, ``Y``).

    Months: ``2026年3月``, ``2026年1-3月``, ``1-2月``, ``2026-03``, ``202603``, a date
    (``2026-03-31`` or a date cell). Quarters, on the quarter's last month: ``2026年第一季度``,
    ``一季度``, ``2026年1-3季度`` (the first three quarters together), ``2026Q1``. Years, on
    December: ``2026年``. Raises ``ValueError`` naming the label when it cannot be parsed.
    """
    if isinstance(label, datetime.date | pd.Timestamp):
        return pd.Period(label, freq="M"), "M"
    text = str(label).strip().replace(" ", "").replace("\u3000", "")
    if m := _RE_ISO.match(text) or _RE_COMPACT.match(text):
        return _month(int(m.group(1)), int(m.group(2)), label), "M"
    if m := _RE_DATE.match(text):
        return _month(int(m.group(1)), int(m.group(2)), label), "M"
    if m := _RE_Q.match(text):
        return _month(int(m.group(1)), 3 * int(m.group(2)), label), "Q"
    if m := _RE_YEAR_ONLY.match(text):
        return _month(int(m.group(1)), 12, label), "Y"
    rest = text
    if m := _RE_YEAR.match(text):
        year, rest = int(m.group(1)), m.group(2)
    end_month, freq = _end_month(rest)
    if end_month is None:
        raise ValueError(
            f"cannot parse period label {label!r}: expected forms like '2026年3月', "
            "'2026年1-3月', '1-2月', '一季度', '2026年第一季度', '2026Q1' or '2026-03'"
        )
    if year is None:
        raise ValueError(f"period label {label!r} has no year and none was given")
    return _month(year, end_month, label), freq


def _end_month(rest: str) -> tuple[int | None, str]:
    if m := _RE_RANGE.match(rest):
        start, end = int(m.group(1)), int(m.group(2))
        return (end if start == 1 and start <= end else None), "M"
    if m := _RE_MONTH.match(rest):
        return int(m.group(1)), "M"
    if m := _RE_QUARTER.match(rest) or _RE_QUARTER_RANGE.match(rest):
        return _QUARTERS[m.group(1)], "Q"
    return _HALVES.get(rest), "M"


def _month(year: int, month: int, label: object) -> pd.Period:
    if not 1 <= month <= 12:
        raise ValueError(f"period label {label!r}: month {month} is not 1-12")
    return pd.Period(year=year, month=month, freq="M")


def ytd_label(period: pd.Period, quarter_names: bool = False) -> str:
    """Chinese label of the YTD period ending at ``period``: 1-2月, 1-3月 (or 一季度), 全年.

    January alone is ``1月``; February is always ``1-2月`` because the two are released
    together.
    """
    month = period.month
    if quarter_names:
        named = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}
        if month in named:
            return named[month]
    return "1月" if month == 1 else f"1-{month}月"


def ytd_label_en(period: pd.Period) -> str:
    """English label of the YTD period ending at ``period``: Jan-Mar, Jan-Feb, Jan."""
    end = period.strftime("%b")
    return "Jan" if period.month == 1 else f"Jan-{end}"


@cache
def _festival_table() -> pd.Series:
    text = resources.files("analysis.resources").joinpath("spring_festival.csv").read_text("utf-8")
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    return pd.Series(
        pd.to_datetime([d for _, d in rows]), index=[int(y) for y, _ in rows], name="date"
    )


def spring_festival_dates() -> pd.Series:
    """Spring Festival (春节, lunar new year) date per year, 1990-2035, indexed by year."""
    return _festival_table().copy()


def as_period(as_of: object) -> pd.Period:
    """The as-of month as a monthly ``Period`` (the one reading of an as-of month).

    Accepts a Period, a date, or any label :func:`parse_period_label` reads (``"2026-03"``,
    ``"202603"``, ``"2026年3月"``, ``"2026年1-3月"``, ``"2026年一季度"``), then a date string
    (``"2026-03-31"``).
    """
    if isinstance(as_of, pd.Period):
        return as_of.asfreq("M")
    if isinstance(as_of, str):
        try:
            return parse_period_label(as_of)
        except ValueError as label_error:
            try:
                return pd.Period(pd.Timestamp(as_of), freq="M")
            except ValueError:
                raise label_error from None
    return pd.Period(pd.Timestamp(as_of), freq="M")


_MONTH_TEXT = re.compile(r"\s*(\d{4}[-/.]\d{1,2}|\d{6}|\d{4}\s*年.*)\s*")


def as_day(as_of: object) -> pd.Timestamp:
    """The day an ``as_of`` stands for: a month (``"2026-03"``, a ``Period``, ``"2026年1-3月"``)
    means its last day, as in the gap table; a date (``"2026-03-15"``, a Timestamp) that date."""
    if isinstance(as_of, pd.Period) or (isinstance(as_of, str) and _MONTH_TEXT.fullmatch(as_of)):
        return as_period(as_of).end_time.normalize()
    return pd.Timestamp(as_of)


def _check_by(by: str) -> None:
    if by not in ("month", "day"):
        raise ValueError(f"schedule progress 'by' must be 'month' or 'day', got {by!r}")


def schedule_progress(period: pd.Period, by: str = "month") -> float:
    """时序进度: the elapsed share of the year at the end of ``period`` (0-1).

    ``by="month"`` gives month/12 (25% at the end of March); ``by="day"`` gives elapsed
    days / days in the year, which some cities use.
    """
    _check_by(by)
    return float(schedule_at_dates(pd.Series([period.end_time.normalize()]), by).iloc[0])


def q1_schedule_progress(period: pd.Period, by: str = "month") -> float:
    """时序进度 of a Q1 target: the elapsed share of January-March at the end of ``period``.

    ``by="month"``: min(month, 3) / 3 (100% in March and after); ``by="day"``: elapsed days
    of Q1 / days of Q1.
    """
    _check_by(by)
    if by == "month":
        return min(period.month, 3) / 3
    start = pd.Timestamp(year=period.year, month=1, day=1)
    q1_end = pd.Timestamp(year=period.year, month=3, day=31)
    end = min(period.end_time.normalize(), q1_end)
    return ((end - start).days + 1) / ((q1_end - start).days + 1)


def schedule_at_dates(days: pd.Series, by: str = "month") -> pd.Series:
    """:func:`schedule_progress` at each date of a column (a ledger's report dates):
    month / 12, or day of year / days in the year."""
    _check_by(by)
    days = pd.to_datetime(days)
    if by == "month":
        return days.dt.month / 12
    return days.dt.day_of_year / np.where(days.dt.is_leap_year, 366, 365)


_AS_OF_MONTH = re.compile(r"(\d{4})-(\d{2})")


def as_of_month(text: str) -> str:
    """A report's as-of month exactly as ``YYYY-MM`` (month 01-12), else ``ValueError``.

    Strict on purpose: the text names a folder (``reports/<as-of>/``), so anything else
    (a path, ``2026-13``, ``2026-3``) is refused before a folder is made.
    """
    match = _AS_OF_MONTH.fullmatch(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueError(f"as-of month {text!r} is not a month written YYYY-MM (e.g. 2026-03)")
    return match.group(0)
