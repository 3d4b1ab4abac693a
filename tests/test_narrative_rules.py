"""Number wording rules."""

from __future__ import annotations

import pandas as pd

from analysis.core.formatting import (
    amount_phrase,
    diff_phrase,
    fmt,
    gap_change_phrase,
    growth_phrase,
    ordinal_en,
    period_label,
    quantity_phrase,
    rank_change_phrase,
    rank_phrase,
    region_subject,
)


def test_growth_and_flat():
    assert growth_phrase(5.24) == "同比增长5.2%"
    assert growth_phrase(-1.25) == "同比下降1.3%"  # 四舍五入, not round-half-even
    assert growth_phrase(-1.34) == "同比下降1.3%"
    assert growth_phrase(0.04) == "与上年同期持平"
    assert growth_phrase(-0.04, "en") == "was flat year on year"
    assert growth_phrase(5.2, "en") == "grew 5.2% year on year"
    assert fmt(-0.04) == "0.0" and fmt(3456.5, 0) == "3457" and fmt(1.005, 2) == "1.01"


def test_differences_in_percentage_points():
    assert diff_phrase(-1.3, "全市平均") == "低于全市平均1.3个百分点"
    assert diff_phrase(2.05, "时序进度") == "高于时序进度2.1个百分点"
    assert diff_phrase(0.01, "全市平均") == "与全市平均持平"
    assert diff_phrase(-0.25, "全市平均", unit="") == "低于全市平均0.25"
    assert diff_phrase(-1.3, "the city average", "en") == "1.3 percentage points below the city average"


def test_amounts_and_quantities():
    assert amount_phrase(12.34) == "12.3亿元"
    assert amount_phrase(0.3456) == "3456万元"
    assert quantity_phrase(6500, "万元") == "6500万元"
    assert quantity_phrase(23456, "万元") == "2.3亿元"
    assert quantity_phrase(1234.0, "户") == "1234户"
    assert quantity_phrase(35.24, "%") == "35.2%"
    assert quantity_phrase(1.234, "") == "1.23"
    assert quantity_phrase(80787.2, "万千瓦时") == "8.1亿千瓦时"  # 1亿千瓦时 and up, like money
    assert quantity_phrase(9999.96, "万千瓦时") == "1.0亿千瓦时"  # rounds to 10000.0万
    assert quantity_phrase(9999.94, "万千瓦时") == "9999.9万千瓦时"
    assert quantity_phrase(12345678, "万千瓦时") == "1234.6亿千瓦时"
    assert quantity_phrase(80787.2, "万千瓦时", "en") == "807.9 million kWh"
    assert quantity_phrase(12345678, "万千瓦时", "en") == "123.5 billion kWh"
    # The unit follows the rounded figure: 9999.6万元 rounds to 10000万元, so 1.0亿元.
    assert amount_phrase(0.99996) == "1.0亿元" and amount_phrase(0.99994) == "9999万元"
    assert amount_phrase(9.99996, "en") == "1.00 billion yuan" and amount_phrase(-0.99996) == "-1.0亿元"
    assert amount_phrase(21.3, "en") == "2.13 billion yuan"
    assert amount_phrase(0.65, "en") == "65.0 million yuan"


def test_ranks_labels_and_subjects():
    assert rank_phrase(7.0) == "居全市第7位"
    assert rank_change_phrase(2.0, "1-2月") == "比1-2月前移2位"
    assert rank_change_phrase(-1.0, "1-2月") == "比1-2月后移1位"
    assert rank_change_phrase(0.0, "1-2月") == "位次与1-2月持平"
    assert rank_change_phrase(float("nan"), "1-2月") is None
    assert rank_change_phrase(-1.0, "Jan-Feb", "en") == "down 1 place from Jan-Feb"
    assert [ordinal_en(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"]
    assert period_label(pd.Period("2026-03", "M")) == "1-3月"
    assert period_label(pd.Period("2026-03", "M"), quarter_names=True) == "一季度"
    assert period_label(pd.Period("2026-02", "M"), "en") == "Jan-Feb"
    assert region_subject("一县") == "全县" and region_subject("三区") == "全区"
    assert region_subject("一县", "en") == "the county"
    # A county-level city compared with 全市平均 is named, not 全市; the city itself is 全市.
    assert region_subject("义乌市") == "义乌市" and region_subject("义乌市", "en") == "the county-level city"
    assert region_subject("金华市", level="city") == "全市" and region_subject("四子王旗") == "全旗"


def test_gap_change_only_when_behind_both_times():
    assert gap_change_phrase(-3.7, 0.4, "1-2月") == "差距比1-2月收窄0.4个百分点"
    assert gap_change_phrase(-3.7, -0.4, "1-2月") == "差距比1-2月扩大0.4个百分点"
    assert gap_change_phrase(-3.7, -4.0, "1-2月") is None  # was ahead in 1-2月
    assert gap_change_phrase(1.0, 0.4, "1-2月") is None
    assert gap_change_phrase(-3.7, float("nan"), "1-2月") is None
