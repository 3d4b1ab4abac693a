"""What the notes of a city are computed with: catalogue, status thresholds, chosen indicators.

:func:`note_options` is the one place that decides them, for the per-batch city tables
(:mod:`analysis.report.city`) and for each notebook's context alike, so both always agree:
the processed folder's own catalogue when it has one (``catalogue.parquet``), otherwise the
package's (:func:`analysis.core.catalog.indicators`) and the stated defaults of
:mod:`analysis.core.settings`. City settings that reach the processed folder plug in here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.core import catalog
from analysis.core.settings import HEADLINE_INDICATORS, OUTLOOK_INDICATORS
from analysis.gaps import StatusThresholds


@dataclass(frozen=True, repr=False)
class NoteOptions:
    """The catalogue (indicator names, kinds, city aggregation), the status thresholds (None:
    :class:`analysis.gaps.StatusThresholds` defaults), the headline indicators (box, index,
    overall rank) and the indicators the projection notebook projects."""

    catalogue: pd.DataFrame
    thresholds: StatusThresholds | None = None
    headline_indicators: tuple[str, ...] = HEADLINE_INDICATORS
    outlook_indicators: tuple[str, ...] = OUTLOOK_INDICATORS

    def __repr__(self) -> str:
        return (f"NoteOptions({len(self.catalogue)} indicators, thresholds={self.thresholds}, "
                f"headline={self.headline_indicators}, outlook={self.outlook_indicators})")


def note_options(data: Mapping[str, pd.DataFrame]) -> NoteOptions:
    """The options for the processed tables ``data`` (a mapping of table name to frame)."""
    catalogue = data.get("catalogue")
    return NoteOptions(catalog.indicators() if catalogue is None else catalogue)
