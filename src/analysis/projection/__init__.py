"""Q1-to-annual projection: several methods side by side, backtests, and the required pace.

See ``docs/methods.md`` for each method's formula and the measured accuracy.
"""

from analysis.projection.annual import DEFAULT_PREFERENCE, METHODS, project_annual, project_recommended
from analysis.projection.backtest import accuracy, backtest
from analysis.projection.festival import festival_window_shares
from analysis.projection.growth import project_growth, required_pace
from analysis.projection.pooled import PANEL_METHODS, panel_backtest, project_panel

__all__ = [
    "DEFAULT_PREFERENCE",
    "METHODS",
    "PANEL_METHODS",
    "accuracy",
    "backtest",
    "festival_window_shares",
    "panel_backtest",
    "project_annual",
    "project_growth",
    "project_panel",
    "project_recommended",
    "required_pace",
]
