"""The briefing context: everything the notebooks show of one county at one as-of month.

``ctx = briefing_context(data_dir, region_code, as_of)`` reads the processed tables (each one
when first needed), takes the city's tables from a batch's ``context_dir`` when given (see
:mod:`analysis.report.city`) or computes them, and answers with small methods: the gap
table and the county's rows, display tables, the headline box, the narrative, charts, the
annual outlooks, the key-project tables and the methods note. Each returns a figure, a
DataFrame or a block of :mod:`analysis.report.blocks` (plain data that renders itself), so
the notebooks only choose what to show and in what order, and another renderer (Word) can
use the same content.

The catalogue, the status thresholds and the headline and outlook indicators
(:class:`analysis.report.options.NoteOptions`, ``ctx.options``) are passed to every library
call; :func:`analysis.report.options.note_options` decides them, for the batch's city
tables too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis import __version__
from analysis.core import catalog
from analysis.core.periods import as_day, as_period, ytd_label
from analysis.core.settings import BRIEFING_OUTLOOK
from analysis.data import processed
from analysis.data.delivery import delivery_note
from analysis.data.processed import AsOfTables, ProcessedTables
from analysis.gaps import lagging_list
from analysis.gaps.aggregate import with_city_rows
from analysis.projection.outlook import AnnualOutlook, annual_outlook, panel_projection
from analysis.report import city_note, headline, methods, narrative, tables
from analysis.report.blocks import Heading, Headline, Note, Paragraph, Paragraphs, Table
from analysis.report.city import CityTables, city_tables, load_city_tables
from analysis.report.methods import note_title
from analysis.report.options import note_options

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class BriefingContext:
    """One county at one as-of month: the processed data, the city's tables and the views."""

    def __init__(self, data: Mapping[str, pd.DataFrame], region_code: str, as_of: object, *,
                 share_assumption: float | None = None, lang: str = "zh",
                 city: CityTables | None = None) -> None:
        self.period = as_period(as_of)
        self.data = AsOfTables(data, self.period)  # nothing after the as-of month, for every view
        self.options = note_options(data)
        self.share_assumption = (self.options.settings.stated_q1_share if share_assumption is None
                                 else share_assumption)  # None: the city's stated Q1 share
        self.lang = lang
        self.region = processed.require_region(data["observations"], data["regions"], str(region_code))
        if city is not None:
            self.__dict__["city"] = city  # the batch's tables: cached_property not computed

    # ------------------------------------------------------------------ identity
    @property
    def region_code(self) -> str:
        return str(self.region["code"])

    @property
    def region_name(self) -> str:
        return str(self.region["name"])

    @property
    def is_city(self) -> bool:
        """Whether the note is the city's own (its counties are its peers, it has no parent)."""
        return str(self.region["level"]) == "city"

    @property
    def city_code(self) -> str:
        """The county's city; the city itself for the city's note."""
        return self.region_code if self.is_city else str(self.region["parent"])

    @property
    def label(self) -> str:
        """The YTD period in words, e.g. ``2026年1-3月``."""
        return f"{self.period.year}年{ytd_label(self.period)}"

    @property
    def day(self) -> pd.Timestamp:
        """The as-of day (the month's last day), for the key-project ledger."""
        return as_day(self.period)

    def title(self, what: str) -> str:
        """The note's title for ``what`` (e.g. ``差距分析``): county, what, YTD period."""
        return note_title(self.region_name, what, self.period)

    def heading(self, what: str) -> Heading:
        """The title as a top heading, for JupyterLab (the HTML note has its own title)."""
        return Heading(self.title(what), 1)

    def _repr_html_(self) -> str:
        return Heading(f"{self.region_name}（{self.label}）", 1)._repr_html_()

    # ------------------------------------------------------------------ tables of the city
    @cached_property
    def city(self) -> CityTables:
        """The city's gap table, ranks and project summary (the batch's, or computed now)."""
        return city_tables(self.data, self.period, self.options)

    @cached_property
    def obs(self) -> pd.DataFrame:
        """The observations; for the city's note with the city figures the bureau did not
        publish formed from the counties (:func:`analysis.gaps.aggregate.with_city_rows`)."""
        obs = self.data["observations"]
        if not self.is_city:
            return obs
        return with_city_rows(obs, self.data["regions"], self.options.catalogue)

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """The county's rows of the city's gap table; for the city's note, the city's own rows
        against its targets and 时序进度 (:func:`analysis.report.city_note.city_gaps`)."""
        if self.is_city:
            return city_note.city_gaps(self.obs, self.data.get("targets"), self.data["regions"],
                                       self.region_code, self.period, self.options.catalogue,
                                       self.options.thresholds)
        return self.city.gaps[self.city.gaps["region_code"] == self.region_code]

    def latest_table(self) -> pd.DataFrame:
        """The as-of month's figures of the county and its city, one row per indicator."""
        return tables.latest_overview(self.obs, [self.region_code, self.city_code], self.period,
                                      self.options.catalogue)

    def gap_overview(self) -> Table:
        """The county's gap table in Chinese, worst status first."""
        return Table(tables.gap_overview(self.gaps, self.region_code, self.options.catalogue))

    def lagging(self) -> Table:
        """The 短板 list: lagging indicators with the gap that made them lag."""
        return Table(tables.lagging_overview(lagging_list(self.gaps, self.options.catalogue), self.gaps),
                     status=None)

    # ------------------------------------------------------------------ charts
    def gap_bars(self, basis: str, title: str = "") -> Figure | None:
        """Bars of one gap per indicator (``"city"``: growth vs the city; ``"schedule"``:
        completion vs 时序进度), coloured by that gap alone; None when no row has it."""
        from analysis.report.charts import gap_bars

        rows = tables.gap_bar_rows(self.gaps, basis, self.options.catalogue, self.options.thresholds)
        if rows[tables.GAP_BASES[basis]].isna().all():  # e.g. the city's note: no gap to the city
            return None
        return gap_bars(rows, "name", tables.GAP_BASES[basis], status="colour", title=title)

    def indicator_chart(self, indicator: str, months: int = 26, title: str | None = None,
                        ylabel: str = "同比增长（%）") -> Figure:
        """YTD growth of ``indicator`` over the last ``months`` months: the county, the city
        and the other counties."""
        from analysis.report.charts import indicator_chart

        default = f"{catalog.indicator_names(self.options.catalogue, pd.Series([indicator])).iloc[0]}累计增长（%）"
        city = None if self.is_city else self.city_code  # the city's note: the city is the highlight
        return indicator_chart(self.obs, self.region_code, indicator, city_code=city,
                               start=self.period - months, title=default if title is None else title,
                               ylabel=ylabel, end=self.period)

    def growth_charts(self, months: int = 26) -> list[Figure]:
        """:meth:`indicator_chart` of every indicator with YTD growth for the county, in
        catalogue order."""
        own = self.obs[(self.obs["region_code"] == self.region_code) & (self.obs["measure"] == "ytd_growth")]
        present = set(own["indicator"])
        return [self.indicator_chart(code, months) for code in self.options.catalogue.index if code in present]

    # ------------------------------------------------------------------ briefing text
    def headline(self) -> Headline:
        """The key-figure box (the city's headline indicators), with the record the batch index
        reads (its index indicators and the overall rank over its rank indicators)."""
        def items(indicators: tuple[str, ...]) -> pd.DataFrame:
            return headline.headline_items(self.gaps, self.region_code, indicators, self.options.catalogue)

        ranks = self.city.ranks
        record = headline.headline_payload(self.region_code, self.region_name, str(self.period),
                                           items(self.options.index_indicators), ranks.get(self.region_code),
                                           len(ranks))
        return Headline(items(self.options.headline_indicators), record)

    def project_row(self) -> pd.Series | None:
        """The county's row of the key-project summary; None without a ledger or projects."""
        if self.is_city:
            return self.city_projects
        summary = self.city.projects
        if summary is None:
            return None
        mine = summary[summary["county_code"] == self.region_code]
        return mine.iloc[0] if len(mine) else None

    @cached_property
    def city_projects(self) -> pd.Series | None:
        """The city's key-project summary: every county's ledger as one (None without one)."""
        from analysis import key_projects

        projects = self.data.get("projects")
        if projects is None or projects.empty:
            return None
        whole = projects.assign(county_code=self.region_code)
        return key_projects.county_summary(whole, self.day, None, self.town_names).iloc[0]

    def city_sections(self) -> list[Any]:
        """The sections only the city's note has (:func:`analysis.report.city_note.city_blocks`):
        the city against its targets, the counties ranked, behind schedule, the townships at
        the bottom, the annual outlook. Empty for a county's note."""
        return city_note.city_blocks(self) if self.is_city else []

    def project_sentence(self) -> str | None:
        """The key-project sentence (开工率, 投资完成率, 双90, top three...), or None; says so
        when the ledger was reported after the as-of day (its investment is then not shown)."""
        row = self.project_row()
        if row is None:
            return None
        subject = "全市" if self.is_city else None  # the city's ledger as a whole: 全市重点项目…
        later = self.data.ledger_reported_after()
        note = "" if later is None else methods.later_ledger_text(later, self.period)
        return narrative.projects_sentence(row, self.day, self.lang, subject) + note

    def projects_paragraph(self) -> Paragraph | None:
        """:meth:`project_sentence` as a paragraph; without a ledger, the sentence saying so."""
        sentence = self.project_sentence()
        if sentence is None:
            return self.missing("projects", "本节无开工率、投资完成率和“双90”情况")
        return Paragraph(sentence)

    def narrative(self) -> Paragraphs:
        """The briefing's paragraphs: one per section with something to say, then 短板."""
        projects = self.project_sentence()
        if projects is None and not self.supplied("projects"):
            projects = methods.missing_input_text("projects", "本期不含重点项目进展")
        elif projects is not None and not self.supplied("township_weekly"):
            projects += methods.missing_input_text("township_weekly", "无乡镇投资贡献排名")
        paragraphs = narrative.county_narrative(self.gaps, self.region_code, lang=self.lang,
                                                catalogue=self.options.catalogue, projects=projects)
        if not self.supplied("targets"):
            paragraphs["shortfalls"] += methods.missing_input_text("targets", "短板只与全市平均比较")
        leads = narrative.SECTION_LEADS[self.lang]
        return Paragraphs([Paragraph(text, leads.get(key, key)) for key, text in paragraphs.items()])

    def methods_note(self, outlook: AnnualOutlook | None = None, figures: Sequence[Figure] = ()) -> Note:
        """The 说明 closing a briefing, generated from what the note used: the inputs supplied,
        the schedule basis of the county's rows, the status thresholds, the projection rule
        and method when ``outlook`` is shown, and the gap charts among ``figures``."""
        method = None if outlook is None else outlook.recommended["method"]
        method_zh = None if method is None else tables.METHOD_NAMES_ZH.get(str(method), str(method))
        supplied = [name for name in methods.OPTIONAL_INPUTS if self.supplied(name)]
        return Note(methods.methods_text(
            self.period, __version__, supplied=supplied,
            schedule=methods.schedule_text(self.gaps, self.period, self.options.catalogue),
            thresholds=self.options.thresholds,
            projection=methods.projection_text(method, method_zh, self.share_assumption,
                                               "series" if outlook is None else outlook.basis),
            figures=figures, delivery=self._delivery()))

    def _delivery(self) -> str:
        """The delivery line of a processed folder; tables given in memory have none."""
        folder = getattr(getattr(self.data, "source", self.data), "data_dir", None)
        return delivery_note(folder) if folder else ""

    def briefing_figures(self, outlook: AnnualOutlook | None = None) -> list[Figure]:
        """The briefing's charts, numbered 图1, 图2... over those the data allow: growth vs the
        city, completion vs 时序进度, 规上工业增加值's YTD growth, and ``outlook``'s fan chart."""
        own = self.obs[(self.obs["region_code"] == self.region_code) & (self.obs["indicator"] == "iva")
                       & (self.obs["measure"] == "ytd_growth")]
        fan = None if outlook is None else f"{outlook.name}累计走势与全年推算（{outlook.unit}）"
        return methods.number_figures([
            ("gap_city", "主要指标累计增速较全市（百分点）", lambda: self.gap_bars("city")),
            ("gap_schedule", "年度目标完成率较时序进度（百分点）", lambda: self.gap_bars("schedule")),
            ("iva", "规上工业增加值累计增长（%）",
             lambda: self.indicator_chart("iva", months=14, title="") if len(own) else None),
            ("outlook", fan or "", lambda: None if outlook is None else outlook.fan_chart(ylabel=outlook.unit)),
        ])

    # ------------------------------------------------------------------ optional inputs
    def supplied(self, table: str) -> bool:
        """Whether the optional input ``table`` (targets, projects, township_weekly) was supplied."""
        return self.data.get(table) is not None

    def missing(self, table: str, consequence: str) -> Paragraph | None:
        """One sentence saying ``table``'s file was not supplied and what the section lacks
        for it; None when it was supplied."""
        return None if self.supplied(table) else Paragraph(methods.missing_input_text(table, consequence))

    # ------------------------------------------------------------------ projection
    def has_levels(self, indicator: str) -> bool:
        """Whether the county has YTD levels of ``indicator`` (needed to project the year)."""
        obs = self.obs
        return bool(((obs["region_code"] == self.region_code) & (obs["indicator"] == indicator)
                     & (obs["measure"] == "ytd_value")).any())

    def outlook(self, indicator: str = BRIEFING_OUTLOOK, recommended_only: bool = False) -> AnnualOutlook | None:
        """The annual outlook of one flow indicator (None without YTD levels): from the city's
        panel of counties (evidence pooled over them, the cached backtest's record when the
        processed folder has it), or the county's own series when the city has too few."""
        if not self.has_levels(indicator):
            return None
        backtest = self.data.get("backtest")
        panel = panel_projection(self.obs, self.data["regions"], self.region_code, indicator, self.period,
                                 backtest, recommended_only, self.options.catalogue)
        return annual_outlook(self.obs, self.data.get("targets"), self.region_code, indicator, self.period,
                              self.share_assumption, backtest, recommended_only,
                              catalogue=self.options.catalogue, panel=panel)

    def outlooks(self) -> list[AnnualOutlook]:
        """The outlook of every indicator of ``outlook_indicators`` the county has levels for."""
        found = (self.outlook(code) for code in self.options.outlook_indicators)
        return [o for o in found if o is not None]

    def growth_projection(self, indicator: str = "iva") -> Table:
        """Annual growth projected from YTD growth (for indicators published as growth only)."""
        from analysis.projection import project_growth

        obs = self.obs
        series = obs[(obs["region_code"] == self.region_code) & (obs["indicator"] == indicator)
                     & (obs["measure"] == "ytd_growth")].set_index("period")["value"].sort_index()
        projection = project_growth(series, self.period.year, self.period.month)
        return Table(tables.growth_projection_overview(projection), status=None)

    # ------------------------------------------------------------------ key projects
    @cached_property
    def ledger(self) -> pd.DataFrame | None:
        """The county's rows of the key-project ledger (None without a ledger)."""
        projects = self.data.get("projects")
        return None if projects is None else projects[projects["county_code"] == self.region_code]

    @cached_property
    def town_names(self) -> dict[str, str]:
        regions = self.data["regions"]
        return dict(zip(regions["code"], regions["name"], strict=True))

    def project_table(self) -> Table | None:
        """The county's starts, start rate, investment completion, 时序进度 and 双90."""
        summary = self.city.projects
        if summary is None:
            return None
        mine = summary[summary["county_code"] == self.region_code]
        return Table(tables.project_overview(mine), status=None)

    def township_table(self) -> Table | Paragraph | None:
        """Start rate and investment completion of each of the county's townships."""
        from analysis import key_projects

        if self.ledger is None:
            return self.missing("projects", "无各乡镇开工和投资情况")
        rates = key_projects.start_rates(self.ledger, self.day, level="township")
        return Table(tables.township_overview(rates, self.town_names), status=None)

    def weekly_ranking(self) -> list[Any]:
        """The last weekly report's township ranking: a caption and the table (without weekly
        reports, the sentence saying so; empty when the county has none)."""
        from analysis import key_projects

        weekly = self.data.get("township_weekly")
        if weekly is None:
            return [self.missing("township_weekly", "无乡镇投资贡献周排名和约谈名单")]
        ranking = key_projects.township_ranking(weekly[weekly["county_code"] == self.region_code])
        if ranking.empty:
            return []
        week = str(ranking["week_end"].max())[:10]
        return [Paragraph(f"{week}当周乡镇投资贡献排名："),
                Table(tables.weekly_overview(ranking, self.town_names), status=None)]

    def late_projects(self) -> Table | Paragraph | None:
        """Projects past their planned start and not started, or a line saying there are none."""
        from analysis import key_projects

        if self.ledger is None:
            return self.missing("projects", "无未按期开工项目清单")
        late = key_projects.late_projects(self.ledger, self.day)
        if late.empty:
            return Paragraph("无未按期开工项目。")
        return Table(tables.late_overview(late), status=None)


def briefing_context(
    data_dir: str | Path,
    region_code: str,
    as_of: object,
    *,
    share_assumption: float | None = None,
    lang: str = "zh",
    context_dir: str | Path | None = None,
) -> BriefingContext:
    """The context of one county's notes at ``as_of`` from the processed folder ``data_dir``.

    ``share_assumption`` None: the city's stated Q1 share (``q1brief.toml``, default 0.30).
    ``context_dir``: the city's tables a batch computed once (``q1brief run`` passes it);
    they must be for this month, this data and these settings (DataError otherwise).
    Without it the city's tables are computed when first needed.
    """
    data = ProcessedTables(data_dir)
    city = None
    if context_dir:
        city = load_city_tables(Path(context_dir), as_of, processed.fingerprint(Path(data_dir))["sha256"],
                                data.settings)
    if lang not in narrative.SECTION_LEADS:
        raise ValueError(f"lang must be one of {sorted(narrative.SECTION_LEADS)}, got {lang!r}")
    return BriefingContext(data, region_code, as_of, share_assumption=share_assumption, lang=lang,
                           city=city)


__all__ = ["BriefingContext", "ProcessedTables", "briefing_context", "note_title"]  # re-exported
