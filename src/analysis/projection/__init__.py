"""Q1-to-annual projection: several methods side by side, backtests, and the required pace.

See ``docs/methods.md`` for each method's formula and the measured accuracy.
"""

from analysis.projection.annual import DEFAULT_PREFERENCE, METHODS, project_annual, project_recommended
from analysis.projection.backtest import accuracy, backtest
from analysis.projection.festival import festival_window_shares
from analysis.projection.growth import project_growth, required_pace

__all__ = [
    "DEFAULT_PREFERENCE",
    "METHODS",
    "accuracy",
    "backtest",
    "festival_window_shares",
    "project_annual",
    "project_growth",
    "project_recommended",
    "required_pace",
]
