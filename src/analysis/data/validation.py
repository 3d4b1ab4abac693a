"""Validation checks: DataFrames in, a findings table out (one row per problem).

A finding names the file, the cell or row, and what was expected. Severity ``error``
means the data cannot be used as it is (ingest writes no Parquet); ``warning`` means it
is used but the analyst should look (masked cells, revisions, growth that differs from
the levels on a comparable basis, month and year-to-date growth that contradict each other,
indicators not in the catalogue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from analysis.core.catalog import catalogue_lines, indicators
from analysis.core.conversions import SERIES_KEY, compare_growth, ytd_to_monthly
from analysis.core.errors import DataError
from analysis.core.measures import GROWTH_MEASURES, LEVEL_MEASURES, MEASURES
from analysis.data.readers.cells import MASKED

FINDING_COLUMNS = ["severity", "check", "file", "location", "message"]
OBS_KEY = ["region_code", "indicator", "period", "measure"]


@dataclass(frozen=True)
class Limits:
    """Plausibility limits for the checks (documented defaults, configurable)."""

    growth_min: float = -100.0  # a level cannot fall by more than 100%
    growth_warn_abs: float = 100.0  # |growth| above this is possible but worth a look
    growth_tolerance_pp: float = 1.0  # published vs recomputed growth (comparable basis)
    month_ytd_tolerance_pp: float = 0.3  # YTD growth outside [previous YTD, this month] growth (rounding)
    completed_max_multiple: float = 10.0  # project completed > 10x the year's plan: a unit slip (error)
    completed_warn_multiple: float = 2.0  # above 2x the plan: possible, worth a look (warning)
    magnitude_jump: float = 1000.0  # a level 1000x off its history or its peers: a unit slip (warning)


def findings_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """An empty or filled findings table with the standard columns."""
    return pd.DataFrame(rows or [], columns=FINDING_COLUMNS).astype(str)


def finding_from_error(error: DataError, check: str) -> dict:
    """One error finding from a ``DataError`` raised by a reader."""
    message = error.reason + (f"; expected {error.expected}" if error.expected else "")
    return {"severity": "error", "check": check, "file": error.path or "", "location": error.location or "",
            "message": message}


def _split_source(source: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``file!cell`` -> (file, cell), with vectorised string operations (no Python objects)."""
    source = source.astype("str").fillna("")
    has_cell = source.str.contains("!", regex=False)
    return (source.str.replace(r"!.*$", "", regex=True),
            source.str.replace(r"^[^!]*!", "", regex=True).where(has_cell, ""))


def rows_to_findings(
    frame: pd.DataFrame, severity: str, check: str, message: Callable[[pd.DataFrame], pd.Series]
) -> pd.DataFrame:
    """Findings for every row of ``frame``; ``message`` builds the text from the rows."""
    if frame.empty:
        return findings_frame()
    text = frame.select_dtypes("category").columns  # the reader's repeated columns: text for the message
    frame = (frame.astype({c: "str" for c in text}) if len(text) else frame).reset_index(drop=True)
    file, location = _split_source(frame["source"])
    n = len(frame)
    return pd.DataFrame({  # Arrow strings throughout: a million findings are not a million Python objects
        "severity": pd.Series([severity], dtype="str").repeat(n).reset_index(drop=True),
        "check": pd.Series([check], dtype="str").repeat(n).reset_index(drop=True),
        "file": file, "location": location, "message": message(frame).astype("str")})


def check_cells(raw: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Masked and blank cells, unknown indicators and unknown regions in reader output.

    An indicator no catalogue knows is kept under its derived code; its warning prints the
    ``indicators.csv`` line that would add it (see :func:`analysis.core.catalog.catalogue_line`).
    Subsets keep only the columns their messages use, so a huge table stays cheap.
    """
    catalogue = indicators() if catalogue is None else catalogue
    cells = ["source", "label", "period", "raw"]
    masked = raw.loc[raw["raw"].isin(MASKED), cells]
    # January is released with February (1-2月); a month measure has no February of its own either
    month = raw["period"].dt.month
    single = raw["measure"].isin(["month_value", "month_growth", "mom_growth", "month_index", "mom_index"])
    blank = raw.loc[(raw["raw"] == "") & (month != 1) & ~(single & (month == 2)), cells]
    unknown_reg = raw.loc[raw["region_code"].isna() & ~raw["region_name"].duplicated(), ["source", "region_name"]]
    return pd.concat([
        rows_to_findings(masked, "warning", "masked_cell", lambda f: (
            "masked cell '" + f["raw"] + "' (" + f["label"] + ", " + f["period"].astype(str)
            + ") read as missing, not zero")),
        rows_to_findings(blank, "warning", "blank_cell", lambda f: (
            "blank cell (" + f["label"] + ", " + f["period"].astype(str) + ") read as missing, not zero; "
            "expected a value (only January, and February of a single-month figure, may be blank: "
            "1-2月 is published together in February)")),
        check_unknown_indicators(raw, catalogue),
        rows_to_findings(unknown_reg, "error", "unknown_region", lambda f: (
            "region '" + f["region_name"].fillna("") + "' is not in regions.csv; "
            "expected a region name listed there")),
    ], ignore_index=True)


def unknown_indicators(raw: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator code no catalogue knows, by code: ``indicator, label, unit, forms,
    source, line`` (the first label and cell; the unit most used by its levels, else by all its
    rows; the measures it has, in catalogue order; ``line``: the ``indicators.csv`` line that
    adds it). Built with grouped operations on the reader's categorical columns, turned into
    text once per indicator: a table of a million unknown rows stays cheap."""
    rows = raw.loc[~raw["indicator"].isin(catalogue.index), ["indicator", "label", "unit", "measure", "source"]]
    columns = ["indicator", "label", "unit", "forms", "source", "line"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = _text(rows.drop_duplicates("indicator")[["indicator", "label", "source"]])
    out = out.sort_values("indicator", kind="stable").reset_index(drop=True)
    codes = out["indicator"]
    levels = rows[rows["measure"].isin(LEVEL_MEASURES)]
    unit = codes.map(_most_used(levels, "unit")).astype(object)
    unit = unit.where(unit.notna(), codes.map(_most_used(rows, "unit")).astype(object)).fillna("").astype("str")
    present = _text(rows[["indicator", "measure"]].drop_duplicates())
    has = np.zeros((len(codes), len(MEASURES)), dtype=bool)
    has[pd.Index(codes).get_indexer(present["indicator"]), pd.Index(MEASURES).get_indexer(present["measure"])] = True
    forms = pd.Series("", index=out.index, dtype="str")
    for k, measure in enumerate(MEASURES):
        forms = forms + np.where(has[:, k], measure + "|", "")
    forms = forms.str.rstrip("|")
    return out.assign(unit=unit, forms=forms, line=catalogue_lines(codes, unit, forms))[columns]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns as strings (the reader's categoricals become text)."""
    return frame.astype({c: "str" for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype) or frame[c].dtype == object})


def _most_used(rows: pd.DataFrame, column: str) -> pd.Series:
    """Per indicator, its most frequent ``column`` value (the smallest on a tie, as ``mode``)."""
    counts = _text(rows.groupby(["indicator", column], observed=True).size().rename("n").reset_index())
    counts = counts.sort_values(["indicator", "n", column], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates("indicator").set_index("indicator")[column]


def check_unknown_indicators(raw: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """A warning per unknown indicator, with the catalogue line to add."""
    return rows_to_findings(unknown_indicators(raw, catalogue), "warning", "unknown_indicator", lambda f: _join(
        "indicator '", f["label"], "' is not in the catalogue: kept as code '", f["indicator"],
        "' (not in gap tables or notes until catalogued); to use it add this line to indicators.csv in "
        "the data folder (check kind, direction and city_agg): ", f["line"]))


def _join(*parts: pd.Series | str) -> pd.Series:
    """Text pieces joined row by row in one Arrow pass: no column-sized intermediate per ``+``
    (a million unknown indicators make a million messages)."""
    text = pyarrow.large_string()
    arrays = [pyarrow.scalar(p, text) if isinstance(p, str) else pyarrow.array(p, type=text) for p in parts]
    return pd.Series(pc.binary_join_element_wise(*arrays, pyarrow.scalar("", text)), dtype="str")


def _key(obs: pd.DataFrame) -> list[str]:
    return [*OBS_KEY, "frequency"] if "frequency" in obs.columns else OBS_KEY


def check_duplicates(obs: pd.DataFrame) -> pd.DataFrame:
    """The same region, indicator, month, measure (and frequency) given twice (in one file or
    across files). One finding per region, indicator, measure and set of files, with the months
    it covers. A monthly and a quarterly figure for the same month are not duplicates
    (:func:`analysis.data.observations.prefer_monthly` keeps the monthly one)."""
    key = _key(obs)
    dup = obs[obs["value"].notna()]
    dup = dup[dup.duplicated(key, keep=False)]
    if dup.empty:
        return findings_frame()
    files = dup["source"].str.split("!").str[0]
    dup = dup.assign(files=files.groupby([dup[k] for k in key], observed=True).transform(
        lambda s: " and ".join(sorted(set(s)))))
    group = ["region_code", "indicator", "measure", "files"]
    first = dup.sort_values("period").groupby(group, observed=True).agg(
        source=("source", "first"), months=("period", "nunique"), start=("period", "min"),
        end=("period", "max")).reset_index()
    return rows_to_findings(first, "error", "duplicate", lambda f: (
        "duplicate " + f["region_code"] + "/" + f["indicator"] + "/" + f["measure"] + " for "
        + f["months"].astype(str) + " month(s) " + f["start"].astype(str) + ".." + f["end"].astype(str)
        + " in " + f["files"] + "; expected each region, indicator, month and measure once"))


def check_ytd_monotonic(obs: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """A year-to-date flow that decreases within a year (a revision or an error)."""
    kinds = (indicators() if catalogue is None else catalogue)["kind"]
    flows = kinds[kinds.isin(["flow", "count"])].index
    ytd = obs[(obs["measure"] == "ytd_value") & obs["indicator"].isin(flows)].dropna(subset=["value"])
    ytd = ytd.sort_values(["region_code", "indicator", "period"]).drop_duplicates(OBS_KEY)
    previous = ytd.groupby(["region_code", "indicator", ytd["period"].dt.year])["value"].shift()
    falling = ytd.assign(previous=previous)[ytd["value"] < previous]
    return rows_to_findings(falling, "warning", "ytd_decrease", lambda f: (
        "year-to-date " + f["indicator"] + " falls from " + f["previous"].map("{:g}".format) + " to "
        + f["value"].map("{:g}".format) + " in " + f["period"].astype(str)
        + "; expected a cumulative value that never decreases within a year"))


def check_growth_range(obs: pd.DataFrame, limits: Limits | None = None) -> pd.DataFrame:
    """Growth rates that are impossible (below -100%) or implausibly large."""
    limits = limits or Limits()
    growth = obs[obs["measure"].isin(GROWTH_MEASURES)].dropna(subset=["value"])
    impossible = growth[growth["value"] < limits.growth_min]
    large = growth[(growth["value"].abs() > limits.growth_warn_abs) & (growth["value"] >= limits.growth_min)]
    return pd.concat([
        rows_to_findings(impossible, "error", "growth_range", lambda f: (
            "growth " + f["value"].map("{:g}".format) + f"% is impossible; expected a growth rate of at least "
            f"{limits.growth_min:g}%")),
        rows_to_findings(large, "warning", "growth_range", lambda f: (
            "growth " + f["value"].map("{:g}".format) + f"% is outside ±{limits.growth_warn_abs:g}%; "
            "check the cell (a small base can do this)")),
    ], ignore_index=True)


def check_growth_consistency(obs: pd.DataFrame, limits: Limits | None = None) -> pd.DataFrame:
    """Published growth that differs from the levels by more than the tolerance: YTD growth
    against YTD levels, month growth against month levels (published, or the difference of
    consecutive YTD levels; a combined 1-2月 is not compared with a February month growth).

    Growth is published on a comparable basis (可比口径), so differences are expected;
    the published figure is kept and large gaps are listed for the analyst.
    """
    limits = limits or Limits()
    obs = obs[obs["frequency"] == "M"] if "frequency" in obs.columns else obs
    monthly = month_levels(obs)
    tables = [
        ("ytd_growth", compare_growth(obs, limits.growth_tolerance_pp)),
        ("month_growth", compare_growth(pd.concat([monthly, obs[obs["measure"] == "month_growth"]]),
                                        limits.growth_tolerance_pp, level="month_value", growth="month_growth")),
    ]
    found = []
    for measure, table in tables:
        flagged = table[table["flagged"]]
        if flagged.empty:
            continue
        sources = obs[obs["measure"] == measure][["region_code", "indicator", "period", "source"]]
        flagged = flagged.merge(sources, on=["region_code", "indicator", "period"], how="left")
        what = "growth" if measure == "ytd_growth" else "month growth"
        found.append(rows_to_findings(flagged, "warning", "growth_vs_levels", lambda f, what=what: (
            f["region_code"] + " " + f["indicator"] + " " + f["period"].astype(str) + f": published {what} "
            + f["published"].map("{:.1f}".format)
            + "% vs " + f["recomputed"].map("{:.1f}".format)
            + "% recomputed from levels (" + f["diff_pp"].map("{:+.1f}".format) + " pp); published figure kept")))
    return pd.concat(found, ignore_index=True) if found else findings_frame()


def month_levels(obs: pd.DataFrame) -> pd.DataFrame:
    """Month levels: the published ``month_value`` rows, else differences of YTD levels
    (not a February that stands for 1-2月)."""
    published = obs[obs["measure"] == "month_value"][[*SERIES_KEY, "period", "value"]]
    ytd = obs[obs["measure"] == "ytd_value"][[*SERIES_KEY, "period", "value"]].drop_duplicates([*SERIES_KEY, "period"])
    derived = ytd_to_monthly(ytd) if len(ytd) else ytd.assign(combined_jan_feb=False)
    derived = derived[~derived["combined_jan_feb"]].drop(columns="combined_jan_feb")
    both = pd.concat([published, derived]).drop_duplicates([*SERIES_KEY, "period"], keep="first")
    return both.assign(measure="month_value")


def check_month_vs_ytd_growth(obs: pd.DataFrame, limits: Limits | None = None) -> pd.DataFrame:
    """Month and YTD growth of one series that cannot both be right.

    YTD growth at month t is a weighted mean of YTD growth at t-1 and month growth at t
    (weights: last year's levels), so it lies between them; one outside by more than
    ``month_ytd_tolerance_pp`` means a row was read as the wrong measure (同比 taken for 累计)
    or a cell is wrong. Checked from March (January is not published on its own).
    """
    limits = limits or Limits()
    obs = obs[obs["frequency"] == "M"] if "frequency" in obs.columns else obs
    cols = [*SERIES_KEY, "period", "value"]
    ytd = obs[obs["measure"] == "ytd_growth"][[*cols, "source"]].dropna(subset=["value"])
    month = obs[obs["measure"] == "month_growth"][cols].dropna(subset=["value"])
    if ytd.empty or month.empty:
        return findings_frame()
    before = ytd[cols].assign(period=ytd["period"] + 1).rename(columns={"value": "ytd_before"})
    table = ytd.merge(month.rename(columns={"value": "month"}), on=[*SERIES_KEY, "period"])
    table = table.merge(before, on=[*SERIES_KEY, "period"])
    table = table[table["period"].dt.month >= 3]
    low = table[["ytd_before", "month"]].min(axis=1) - limits.month_ytd_tolerance_pp
    high = table[["ytd_before", "month"]].max(axis=1) + limits.month_ytd_tolerance_pp
    bad = table[(table["value"] < low) | (table["value"] > high)]
    return rows_to_findings(bad, "warning", "month_vs_ytd_growth", lambda f: (
        f["region_code"] + " " + f["indicator"] + " " + f["period"].astype(str) + ": year-to-date growth "
        + f["value"].map("{:.1f}".format)
        + "% is not between the previous year-to-date growth " + f["ytd_before"].map("{:.1f}".format)
        + "% and this month's growth " + f["month"].map("{:.1f}".format)
        + "%; expected a weighted mean of the two (is a 同比 row read as 累计, or a cell wrong?)"))


def check_levels_nonnegative(obs: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """A negative level of a flow or count (a year-to-date total cannot be below zero)."""
    kinds = (indicators() if catalogue is None else catalogue)["kind"]
    flows = kinds[kinds.isin(["flow", "count"])].index
    levels = obs[obs["measure"].isin(["ytd_value", "month_value"]) & obs["indicator"].isin(flows)]
    negative = levels[levels["value"] < 0]
    return rows_to_findings(negative, "error", "negative_level", lambda f: (
        f["indicator"] + " " + f["measure"] + " " + f["value"].map("{:g}".format) + " in " + f["period"].astype(str)
        + " is negative; expected a level of at least 0 (a flow summed over the year cannot fall below zero)"))


def check_future_periods(obs: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Months later than the current one: a wrong year in a header, never a real figure.
    One finding per file and month, at its first cell."""
    now = pd.Period(today, freq="M")
    future = obs[obs["period"] > now]
    if future.empty:
        return findings_frame()
    first = future.assign(file=future["source"].str.split("!").str[0]).drop_duplicates(["file", "period"])
    return rows_to_findings(first, "error", "future_period", lambda f: (
        "month " + f["period"].astype(str) + f" is later than the current month {now}; expected no figure "
        "from the future (a wrong year in the header?)"))


def check_magnitude(obs: pd.DataFrame, region_levels: pd.Series | None = None,
                    limits: Limits | None = None, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Levels about ``limits.magnitude_jump`` times (or more) off their peers or their own
    history: the signature of a unit slip (亿元 figures labelled 万元 are 10^4 too small once
    converted). Warnings, one per series; run on levels already in catalogue units.

    Peers are the other regions of the same level (``region_levels``: code -> level) with
    the same indicator and measure; each series is compared by its median over the months.
    """
    limits = limits or Limits()
    kinds = (indicators() if catalogue is None else catalogue)["kind"]
    levels = obs[obs["measure"].isin(["ytd_value", "month_value"])
                 & obs["indicator"].map(kinds).isin(["flow", "count", "stock"]) & (obs["value"] > 0)]
    if levels.empty:
        return findings_frame()
    series = ["region_code", "indicator", "measure"]
    median = levels.groupby(series, observed=True)["value"].median().rename("own").reset_index()
    median["level"] = median["region_code"].map(region_levels) if region_levels is not None else ""
    peers = median.groupby(["level", "indicator", "measure"], observed=True)["own"]
    median["peers"] = peers.transform("median")
    median["n"] = peers.transform("size")
    ratio = median["own"] / median["peers"]
    median["power"] = np.round(np.log10(ratio)).astype(int)
    odd = median[(median["n"] >= 3) & ((ratio >= limits.magnitude_jump) | (ratio <= 1 / limits.magnitude_jump))]
    first = levels.drop_duplicates(series)[[*series, "source", "region_name", "unit"]]
    odd = odd.merge(first, on=series)
    jumps = _history_jumps(levels, series, limits)
    return pd.concat([
        rows_to_findings(odd, "warning", "unit_magnitude", lambda f: (
            f["indicator"] + " " + f["measure"] + " of " + f["region_name"].fillna("") + " is about 10^"
            + f["power"].astype(str) + " times its peers' (median " + f["own"].map("{:.4g}".format) + " vs "
            + f["peers"].map("{:.4g}".format) + " " + f["unit"] + "); expected figures in the unit of the row "
            "label (was 亿元 written as 万元?)")),
        rows_to_findings(jumps, "warning", "unit_magnitude", lambda f: (
            f["indicator"] + " " + f["measure"] + " of " + f["region_name"].fillna("") + " jumps to "
            + f["value"].map("{:.4g}".format) + " in " + f["period"].astype(str) + ", about 10^"
            + f["power"].astype(str) + " times its own median " + f["own"].map("{:.4g}".format)
            + "; expected the same unit in every month")),
    ], ignore_index=True)


def _history_jumps(levels: pd.DataFrame, series: list[str], limits: Limits) -> pd.DataFrame:
    """Months of a series ``magnitude_jump`` times off the series' own median (first per series)."""
    own = levels.groupby(series, observed=True)["value"].transform("median")
    ratio = levels["value"] / own
    odd = levels.assign(own=own, power=np.round(np.log10(ratio)).astype(int))[
        (ratio >= limits.magnitude_jump) | (ratio <= 1 / limits.magnitude_jump)]
    return odd.sort_values("period").drop_duplicates(series)


def validate_observations(raw: pd.DataFrame, limits: Limits | None = None,
                          catalogue: pd.DataFrame | None = None, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every observation check on reader output (all files of a city together).

    ``today`` (default now) bounds the months: a figure from the future is an error.
    """
    catalogue = indicators() if catalogue is None else catalogue
    known = raw[raw["indicator"].isin(catalogue.index) & raw["region_code"].notna()]
    unique = known.drop_duplicates(_key(known))
    return pd.concat([
        check_cells(raw, catalogue),
        check_future_periods(raw, today if today is not None else pd.Timestamp.now()),
        check_duplicates(raw[raw["region_code"].notna()]),
        check_ytd_monotonic(known, catalogue),
        check_levels_nonnegative(known, catalogue),
        check_growth_range(raw[raw["region_code"].notna()], limits),
        check_growth_consistency(unique, limits),
        check_month_vs_ytd_growth(unique, limits),
    ], ignore_index=True)
