"""Spring Festival window shares, counted by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.projection.festival import festival_regressors, festival_window_shares


def test_window_shares_by_hand():
    shares = festival_window_shares([2015, 2023, 2016])
    # 2015-02-19: window 02-12..03-12 = 17 February days + 12 March days (29 days)
    assert shares.loc[2015, ["jan", "feb", "mar"]].tolist() == pytest.approx([0, 17 / 29, 12 / 29])
    # 2023-01-22: window 01-15..02-12 = 17 January days + 12 February days
    assert shares.loc[2023, ["jan", "feb", "mar"]].tolist() == pytest.approx([17 / 29, 12 / 29, 0])
    # 2016-02-08: window 02-01..02-29 (leap year) lies wholly in February
    assert shares.loc[2016, "feb"] == pytest.approx(1.0)


def test_custom_window_and_unknown_year():
    shares = festival_window_shares([2015, 1800], before=7, after=7)
    assert shares.loc[2015, "feb"] == pytest.approx(1.0)  # 02-12..02-26
    assert np.isnan(shares.loc[1800, "jan"])


def test_regressors_on_the_model_year():
    regs = festival_regressors([2015, 2016])
    assert regs.shape == (22, 2)
    assert regs[0].tolist() == pytest.approx([17 / 29, 0])   # 2015 Jan-Feb period
    assert regs[1].tolist() == pytest.approx([0, 12 / 29])   # 2015 March
    assert regs[2:11].sum() == 0
    assert regs[11].tolist() == pytest.approx([1.0, 0])      # 2016 Jan-Feb
