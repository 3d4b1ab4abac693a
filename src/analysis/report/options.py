"""What the notes of a city are computed with: its catalogue and settings, and the projected flows.

:func:`note_options` is the one place that decides them, for the per-batch city tables
(:mod:`analysis.report.city`) and for each notebook's context alike, so both always agree:
the processed folder's catalogue and settings (``catalogue.parquet`` and ``settings.json``,
which ``q1brief ingest`` writes from the city's ``indicators.csv`` and ``q1brief.toml``), or
the package's catalogue and the stated defaults of :mod:`analysis.core.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.core import catalog
from analysis.core.settings import OUTLOOK_INDICATORS, Settings, StatusThresholds


@dataclass(frozen=True, repr=False)
class NoteOptions:
    """The catalogue (names, units, kinds, city aggregation), the city's settings (headline,
    index and rank indicators, status thresholds, stated Q1 share) and the indicators the
    projection notebook projects."""

    catalogue: pd.DataFrame
    settings: Settings = field(default_factory=Settings)
    outlook_indicators: tuple[str, ...] = OUTLOOK_INDICATORS

    @property
    def thresholds(self) -> StatusThresholds:
        return self.settings.thresholds

    @property
    def headline_indicators(self) -> tuple[str, ...]:
        """The key-figure box of a briefing."""
        return self.settings.headline_indicators

    @property
    def index_indicators(self) -> tuple[str, ...]:
        """The columns of the batch index page (the headline record a briefing displays)."""
        return tuple(self.settings.index_indicators or self.settings.headline_indicators)

    @property
    def rank_indicators(self) -> tuple[str, ...]:
        """The indicators the overall rank is the mean rank over."""
        return tuple(self.settings.rank_indicators or self.settings.headline_indicators)

    def __repr__(self) -> str:
        return f"NoteOptions({len(self.catalogue)} indicators, {self.settings}, outlook={self.outlook_indicators})"


def note_options(data: Mapping[str, pd.DataFrame]) -> NoteOptions:
    """The options for the processed tables ``data``: its ``catalogue`` table and, for a
    :class:`~analysis.data.processed.ProcessedTables` (or a view of one), the folder's settings."""
    catalogue = data.get("catalogue")
    settings = getattr(data, "settings", None) or Settings()  # ProcessedTables, AsOfTables
    return NoteOptions(catalog.indicators() if catalogue is None else catalogue, settings)
