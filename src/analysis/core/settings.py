"""The analysis's stated defaults and a city's settings (``q1brief.toml`` in its data folder).

Each constant here is an assumption of the analysis (see ``docs/assumptions.md``); modules
import it from here instead of repeating the number. :class:`Settings` gathers what a city
may change (the headline indicators, the index columns, the overall-rank indicators, the
status thresholds, the stated Q1 share and its display name); its defaults are these
constants, so a data folder without a settings file gives today's notes.
:meth:`Settings.from_dict` reads the TOML/JSON form documented in ``docs/data-formats.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The speech's rule of thumb: "Q1 is more than 30% of the year". Shown beside the measured
# projections, never used as the projection itself (nationally Q1 is 20-25% of the year).
STATED_Q1_SHARE = 0.30
# The interval level of every projection (80%: wide enough to mean something, narrow enough
# to be useful to a leader).
INTERVAL_LEVEL = 0.80
# The indicators of the headline box, the index page and the overall rank, in this order.
HEADLINE_INDICATORS = ("iva", "fai", "retail", "tech_invest", "ind_output", "electricity")
# The flow indicators the projection notebook projects to the year end, in this order, and
# the one the leader's briefing shows (固定资产投资: the speech's first concern).
OUTLOOK_INDICATORS = ("fai", "retail", "ind_output", "electricity")
BRIEFING_OUTLOOK = "fai"
STATUSES = ("green", "amber", "red", "unknown")


@dataclass(frozen=True)
class StatusThresholds:
    """Thresholds for :func:`analysis.gaps.status.assess_status` (percentage points of shortfall).

    Defaults: red when more than 2 pp behind target, schedule or city; amber when behind
    by more than 0 and at most 2 pp; green when on or ahead of every reference.
    """

    red_pp: float = 2.0
    amber_pp: float = 0.0
    compare_city: bool = True
    lagging_statuses: tuple[str, ...] = ("red",)

    def __post_init__(self) -> None:
        if self.red_pp < self.amber_pp:
            raise ValueError(f"red_pp ({self.red_pp}) must not be below amber_pp ({self.amber_pp})")
        unknown = set(self.lagging_statuses) - set(STATUSES)
        if unknown:
            raise ValueError(f"lagging_statuses has unknown statuses {sorted(unknown)}; use {STATUSES}")


@dataclass(frozen=True)
class Settings:
    """What a city may set in ``q1brief.toml``; the defaults reproduce the bundled notes.

    ``index_indicators`` and ``rank_indicators`` default to ``headline_indicators``;
    ``city_name`` blank means the name of the city in ``regions.csv``.
    """

    city_name: str = ""
    headline_indicators: tuple[str, ...] = HEADLINE_INDICATORS
    index_indicators: tuple[str, ...] | None = None
    rank_indicators: tuple[str, ...] | None = None
    stated_q1_share: float = STATED_Q1_SHARE
    thresholds: StatusThresholds = field(default_factory=StatusThresholds)

    def __post_init__(self) -> None:
        for name in ("index_indicators", "rank_indicators"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, tuple(self.headline_indicators))
        if not 0 < self.stated_q1_share < 1:
            raise ValueError(f"stated_q1_share {self.stated_q1_share} must be between 0 and 1 (e.g. 0.30)")

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator code the settings name (to check against the catalogue)."""
        return tuple(dict.fromkeys((*self.headline_indicators, *self.index_indicators, *self.rank_indicators)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON/TOML form (the keys of ``q1brief.toml``)."""
        t = self.thresholds
        return {
            "city_name": self.city_name,
            "headline_indicators": list(self.headline_indicators),
            "index_indicators": list(self.index_indicators or ()),
            "rank_indicators": list(self.rank_indicators or ()),
            "stated_q1_share": self.stated_q1_share,
            "status": {"red_pp": t.red_pp, "amber_pp": t.amber_pp, "compare_city": t.compare_city,
                       "lagging_statuses": list(t.lagging_statuses)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from the TOML/JSON form; every key optional. ``ValueError`` names an
        unknown key (a typo would otherwise be ignored silently) or a value of the wrong type."""
        known = set(cls().to_dict())
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        status = data.get("status", {})
        if not isinstance(status, Mapping):
            raise ValueError("'status' must be a table: [status] with red_pp, amber_pp, compare_city, lagging_statuses")
        bad = sorted(set(status) - set(cls().to_dict()["status"]))
        if bad:
            raise ValueError(f"unknown setting(s) status.{', status.'.join(bad)}; known: red_pp, amber_pp, "
                             "compare_city, lagging_statuses")
        kwargs: dict[str, Any] = {}
        if "city_name" in data:
            kwargs["city_name"] = _typed(data["city_name"], str, "city_name", "a text")
        for key in ("headline_indicators", "index_indicators", "rank_indicators"):
            if key in data:
                kwargs[key] = _codes(data[key], key)
        if "stated_q1_share" in data:
            kwargs["stated_q1_share"] = float(_typed(data["stated_q1_share"], int | float, "stated_q1_share",
                                                     "a number such as 0.3"))
        thresholds: dict[str, Any] = {}
        for key in ("red_pp", "amber_pp"):
            if key in status:
                thresholds[key] = float(_typed(status[key], int | float, f"status.{key}", "a number of points"))
        if "compare_city" in status:
            thresholds["compare_city"] = _typed(status["compare_city"], bool, "status.compare_city", "true or false")
        if "lagging_statuses" in status:
            thresholds["lagging_statuses"] = _codes(status["lagging_statuses"], "status.lagging_statuses")
        return cls(**kwargs, thresholds=StatusThresholds(**thresholds))


def _typed(value: Any, kind: Any, key: str, expected: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueError(f"setting {key} = {value!r} is not {expected}")
    return value


def _codes(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"setting {key} = {value!r} is not a list of codes, e.g. [\"iva\", \"fai\"]")
    return tuple(value)
