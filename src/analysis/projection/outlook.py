"""The annual outlook of one county's flow indicator, as a results object.

:func:`annual_outlook` projects the year from the county's monthly series (or takes a ready
projection table, e.g. the county's rows of a panel projection) and gathers what a reader
needs beside it: this year's and last year's YTD paths, the annual target and the 倒排 pace
(what the rest of the year must grow to reach the target). It is pure: frames in, an
:class:`AnnualOutlook` out.

The object answers questions (``recommended``, ``methods``, ``required_growth_pct``...) and
draws itself (``fan_chart()``, ``projection_chart()``, ``table_zh()``, ``blocks()`` and a rich
``_repr_html_`` for JupyterLab). Drawing needs :mod:`analysis.report`, which sits above
this layer: those methods import it when called, as statsmodels' results import their
graphics only when plotting, so importing the projection layer never imports the report
layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.core import catalog
from analysis.core.periods import as_period
from analysis.core.settings import INTERVAL_LEVEL, STATED_Q1_SHARE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from analysis.projection.cache import CityProjection

MIN_PANEL_SERIES = 3  # counties a city needs before its record is pooled (fewer: own series)


@dataclass(frozen=True, repr=False)
class AnnualOutlook:
    """One county's flow indicator projected to the year end, with its context.

    ``projection``: one row per method (``method, estimate, lower, upper, implied_q1_share,
    note, recommended``; exactly one recommended row when there is data); ``ytd`` and
    ``last_year``: YTD values by month of this year (up to the as-of month) and of last
    year; ``target``: the annual ``ytd_value`` target or NaN; ``pace``:
    :func:`analysis.projection.required_pace` rows (empty without a target). ``basis``:
    ``"panel"`` when the projection comes from the city's panel of counties (then
    ``evidence`` holds the city's pooled record per method:
    :func:`analysis.projection.calibrate.pooled_evidence`), ``"series"`` when from the
    county's own series alone.
    """

    region_code: str
    indicator: str
    period: pd.Period
    name: str
    unit: str
    projection: pd.DataFrame
    ytd: pd.Series
    last_year: pd.Series
    target: float
    pace: pd.DataFrame
    share_assumption: float = STATED_Q1_SHARE
    evidence: pd.DataFrame | None = None
    basis: str = "series"

    # ------------------------------------------------------------------ the answers
    @property
    def methods(self) -> pd.DataFrame:
        """The table of methods side by side (the projection rows)."""
        return self.projection

    @property
    def recommended(self) -> pd.Series:
        """The recommended method's row; a row of NaN (method ``None``) when there is none."""
        rows = self.projection[self.projection["recommended"].fillna(False).astype(bool)]
        if rows.empty:
            return pd.Series({"method": None, "estimate": np.nan, "lower": np.nan, "upper": np.nan,
                              "implied_q1_share": np.nan, "note": "", "recommended": False})
        return rows.iloc[0]

    @property
    def estimate(self) -> float:
        """The recommended annual estimate (NaN without one)."""
        return float(self.recommended["estimate"])

    @property
    def interval(self) -> tuple[float, float]:
        """The recommended estimate's interval (lower, upper) at the interval level."""
        row = self.recommended
        return float(row["lower"]), float(row["upper"])

    @property
    def has_target(self) -> bool:
        """Whether an annual level target is known (and so a required pace)."""
        return bool(np.isfinite(self.target))

    @property
    def required_growth_pct(self) -> float:
        """Growth (%) the months after the as-of month must reach for the target; NaN without."""
        return float(self.pace["required_growth_pct"].iloc[0]) if len(self.pace) else np.nan

    @property
    def growth_so_far_pct(self) -> float:
        """YTD growth (%) at the as-of month, as the pace computed it; NaN without a target."""
        return float(self.pace["growth_so_far_pct"].iloc[0]) if len(self.pace) else np.nan

    @property
    def title(self) -> str:
        """The indicator's name and unit, e.g. ``固定资产投资（亿元）``."""
        return f"{self.name}（{self.unit}）"

    # ------------------------------------------------------------------ drawing (report layer)
    def table_zh(self) -> pd.DataFrame:
        """The methods as a Chinese display table (text cells; :func:`report.tables.projection_overview`)."""
        from analysis.report.tables import projection_overview

        return projection_overview(self.projection)

    def evidence_zh(self) -> pd.DataFrame | None:
        """The city's pooled backtest record per method as a Chinese table (None without one)."""
        from analysis.report.tables import evidence_overview

        return None if self.evidence is None else evidence_overview(self.evidence)

    def projection_chart(self, title: str | None = None, xlabel: str | None = None) -> Figure:
        """Each method's estimate and interval, the recommended one in red, the target dotted."""
        from analysis.report.charts import projection_chart
        from analysis.report.tables import METHOD_NAMES_ZH

        default = f"全年推算（各方法，{INTERVAL_LEVEL:.0%}区间）"
        return projection_chart(self.projection, labels=METHOD_NAMES_ZH, target=self.target,
                                title=default if title is None else title,
                                xlabel=self.unit if xlabel is None else xlabel)

    def fan_chart(self, title: str | None = None, ylabel: str | None = None) -> Figure:
        """This year's YTD path fanning out to the recommended estimate, last year's path, the target."""
        from analysis.report.charts import fan_chart

        lower, upper = self.interval
        return fan_chart(self.ytd, self.estimate, lower, upper, last_year=self.last_year,
                         target=self.target,
                         title=f"{self.name}累计走势与全年推算" if title is None else title,
                         ylabel=self.unit if ylabel is None else ylabel)

    def pace_sentence(self, lang: str = "zh") -> str | None:
        """The 倒排 sentence (what the rest of the year must grow), or None without a target."""
        from analysis.report.narrative import pace_sentence

        if not len(self.pace):
            return None
        return pace_sentence(self.required_growth_pct, self.growth_so_far_pct, self.period, lang)

    def blocks(self) -> list[Any]:
        """What a projection section of a note shows, in order: heading, table of methods,
        projection chart, fan chart and (with a target) the pace sentence."""
        from analysis.report.blocks import Heading, Paragraph, Table

        shown: list[Any] = [Heading(self.title, 2), Table(self.table_zh(), status=None)]
        evidence = self.evidence_zh()
        if evidence is not None and len(evidence):
            shown += [Paragraph(f"推荐方法依据全市各县区历年回测（{self.period.month}月末起推，只用起推前数据）："),
                      Table(evidence, status=None)]
        shown += [self.projection_chart(), self.fan_chart()]
        sentence = self.pace_sentence()
        return [*shown, Paragraph(sentence)] if sentence else shown

    def _repr_html_(self) -> str:
        """JupyterLab's view: the blocks as one HTML fragment, charts as embedded PNG."""
        from analysis.report.blocks import to_html

        return to_html(self.blocks())

    def __repr__(self) -> str:
        row = self.recommended
        return (f"AnnualOutlook({self.region_code} {self.indicator} {self.period}: {row['method']} "
                f"{self.estimate:,.1f} [{self.interval[0]:,.1f}, {self.interval[1]:,.1f}] {self.unit}, "
                f"target {self.target:,.1f})")


def annual_target(targets: pd.DataFrame | None, region_code: str, indicator: str, year: int) -> float:
    """The annual ``ytd_value`` target of the county's indicator for ``year``; NaN when none."""
    if targets is None or targets.empty:
        return np.nan
    hit = targets[(targets["region_code"] == region_code) & (targets["indicator"] == indicator)
                  & (targets["year"] == year) & (targets["horizon"] == "annual")
                  & (targets["measure"] == "ytd_value")]
    return float(hit["target"].iloc[0]) if len(hit) else np.nan


def annual_outlook(
    obs: pd.DataFrame,
    targets: pd.DataFrame | None,
    region_code: str,
    indicator: str,
    as_of: object,
    share_assumption: float = STATED_Q1_SHARE,
    backtest: pd.DataFrame | None = None,
    recommended_only: bool = False,
    *,
    projection: pd.DataFrame | None = None,
    catalogue: pd.DataFrame | None = None,
    panel: CityProjection | None = None,
) -> AnnualOutlook:
    """The outlook of one county's flow indicator at ``as_of``.

    The projection is :func:`analysis.projection.project_annual` of the county's monthly
    series, with the cached ``backtest`` as evidence when given; ``recommended_only`` (for a
    briefing, which shows one projection) computes only the recommended row, skipping model
    fits that cannot change it. A ready ``projection`` table (the same columns, e.g. the
    county's rows of a panel projection) is used as it is instead. ``catalogue`` names the
    indicator (default :func:`analysis.core.catalog.indicators`). With ``panel`` (the city's
    :func:`panel_projection`) the county's rows of it are used when it has a recommended
    estimate for the county (issue 11: evidence pooled over the city's counties); otherwise
    the county's own series is projected.
    """
    from analysis.projection import project_annual, project_recommended, required_pace
    from analysis.projection.cache import SEP, flow_panel, series_evidence

    period = as_period(as_of)
    rows = obs[(obs["region_code"] == region_code) & (obs["indicator"] == indicator)]
    ytd = rows[rows["measure"] == "ytd_value"].set_index("period")["value"].sort_index()
    empty = pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    monthly = flow_panel(rows).get(f"{region_code}{SEP}{indicator}", empty)
    evidence, basis = None, "series"
    if projection is None and panel is not None:
        projection = county_rows(panel.projection, region_code)
        evidence, basis = (panel.evidence, "panel") if projection is not None else (None, "series")
    if projection is None:
        evidence = (series_evidence(backtest, region_code, indicator, period.month)
                    if backtest is not None and not backtest.empty else None)
        project = project_recommended if recommended_only else project_annual
        projection = project(monthly, period.year, through_month=period.month,
                             share_assumption=share_assumption, evidence=evidence)
    target = annual_target(targets, region_code, indicator, period.year)
    pace = (required_pace(monthly, period.year, target, through_month=period.month)
            if np.isfinite(target) else pd.DataFrame())
    cat = catalog.indicators() if catalogue is None else catalogue
    return AnnualOutlook(
        region_code=region_code, indicator=indicator, period=period,
        name=str(cat["name_zh"].get(indicator, indicator)),
        unit=str(rows["unit"].iloc[0]) if len(rows) else "",
        projection=projection,
        ytd=ytd[(ytd.index.year == period.year) & (ytd.index <= period)],
        last_year=ytd[ytd.index.year == period.year - 1],
        target=target, pace=pace, share_assumption=share_assumption, evidence=evidence, basis=basis,
    )


def county_rows(panel_rows: pd.DataFrame, region_code: str) -> pd.DataFrame | None:
    """One county's rows of a panel projection in :func:`project_annual`'s columns; None when
    the panel has no finite recommended estimate for it."""
    from analysis.projection.annual import COLUMNS

    mine = panel_rows[panel_rows["series"].astype(str) == str(region_code)]
    chosen = mine[mine["recommended"].fillna(False).astype(bool)]
    if chosen.empty or not np.isfinite(chosen["estimate"].astype(float)).all():
        return None
    return mine[COLUMNS].reset_index(drop=True)


def panel_projection(obs: pd.DataFrame, regions: pd.DataFrame, region_code: str, indicator: str,
                     as_of: object, backtest: pd.DataFrame | None = None, recommended_only: bool = False,
                     catalogue: pd.DataFrame | None = None) -> CityProjection | None:
    """The projection of the county's whole city panel for ``indicator`` at ``as_of``
    (:func:`analysis.projection.cache.city_projection`, from the cached ``backtest`` record
    when it has the city), or None when the county has no parent or the city fewer than
    :data:`MIN_PANEL_SERIES` counties with monthly values of the indicator."""
    from analysis.projection.cache import city_panel, city_projection

    parent = regions.loc[regions["code"].astype(str) == str(region_code), "parent"]
    if parent.empty or pd.isna(parent.iloc[0]) or str(parent.iloc[0]) == "":
        return None
    city = str(parent.iloc[0])
    period = as_period(as_of)
    wide = city_panel(obs, regions, city, indicator, catalogue)
    if wide.loc[wide.index <= period].shape[1] < MIN_PANEL_SERIES:
        return None
    return city_projection(obs, backtest, regions, city, indicator, period,
                           recommended_only=recommended_only, catalogue=catalogue, panel=wide)
