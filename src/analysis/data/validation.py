"""Validation checks: DataFrames in, a findings table out (one row per problem).

A finding names the file, the cell or row, and what was expected. Severity ``error``
means the data cannot be used as it is (ingest writes no Parquet); ``warning`` means it
is used but the analyst should look (masked cells, revisions, growth that differs from
the levels on a comparable basis, indicators not in the catalogue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.catalog import indicators
from analysis.core.conversions import compare_growth
from analysis.core.errors import DataError
from analysis.data.bureau import MASKED

FINDING_COLUMNS = ["severity", "check", "file", "location", "message"]
OBS_KEY = ["region_code", "indicator", "period", "measure"]


@dataclass(frozen=True)
class Limits:
    """Plausibility limits for the checks (documented defaults, configurable)."""

    growth_min: float = -100.0  # a level cannot fall by more than 100%
    growth_warn_abs: float = 100.0  # |growth| above this is possible but worth a look
    growth_tolerance_pp: float = 1.0  # published vs recomputed growth (comparable basis)
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


def check_cells(raw: pd.DataFrame) -> pd.DataFrame:
    """Masked and blank cells, unknown indicators and unknown regions in reader output."""
    cells = ["source", "label", "period", "raw"]  # only the columns the messages use (a huge table stays cheap)
    masked = raw.loc[raw["raw"].isin(MASKED), cells]
    blank = raw.loc[(raw["raw"] == "") & (raw["period"].dt.month != 1) & raw["indicator"].notna(), cells]
    unknown_ind = raw.loc[raw["indicator"].isna() & ~raw["label"].duplicated(), ["source", "label"]]  # first cell
    unknown_reg = raw.loc[raw["region_code"].isna() & ~raw["region_name"].duplicated(), ["source", "region_name"]]
    return pd.concat([
        rows_to_findings(masked, "warning", "masked_cell", lambda f: (
            "masked cell '" + f["raw"] + "' (" + f["label"] + ", " + f["period"].astype(str)
            + ") read as missing, not zero")),
        rows_to_findings(blank, "warning", "blank_cell", lambda f: (
            "blank cell (" + f["label"] + ", " + f["period"].astype(str) + ") read as missing, not zero; "
            "expected a value (only January may be blank: 1-2月 is published in February)")),
        rows_to_findings(unknown_ind, "warning", "unknown_indicator", lambda f: (
            "indicator '" + f["label"] + "' is not in the catalogue and was not loaded; "
            "expected a name or alias from resources/indicators.csv")),
        rows_to_findings(unknown_reg, "error", "unknown_region", lambda f: (
            "region '" + f["region_name"].fillna("") + "' is not in regions.csv; "
            "expected a region name listed there")),
    ], ignore_index=True)


def check_duplicates(obs: pd.DataFrame) -> pd.DataFrame:
    """The same region, indicator, month and measure given twice (in one file or across files).

    One finding per region, indicator, measure and set of files, with the months it covers.
    """
    dup = obs[obs["value"].notna()]
    dup = dup[dup.duplicated(OBS_KEY, keep=False)]
    if dup.empty:
        return findings_frame()
    files = dup["source"].str.split("!").str[0]
    dup = dup.assign(files=files.groupby([dup[k] for k in OBS_KEY], observed=True).transform(
        lambda s: " and ".join(sorted(set(s)))))
    group = ["region_code", "indicator", "measure", "files"]
    first = dup.sort_values("period").groupby(group, observed=True).agg(
        source=("source", "first"), months=("period", "nunique"), start=("period", "min"),
        end=("period", "max")).reset_index()
    return rows_to_findings(first, "error", "duplicate", lambda f: (
        "duplicate " + f["region_code"] + "/" + f["indicator"] + "/" + f["measure"] + " for "
        + f["months"].astype(str) + " month(s) " + f["start"].astype(str) + ".." + f["end"].astype(str)
        + " in " + f["files"] + "; expected each region, indicator, month and measure once"))


def check_ytd_monotonic(obs: pd.DataFrame) -> pd.DataFrame:
    """A year-to-date flow that decreases within a year (a revision or an error)."""
    kinds = indicators()["kind"]
    flows = kinds[kinds.isin(["flow", "count"])].index
    ytd = obs[(obs["measure"] == "ytd_value") & obs["indicator"].isin(flows)].dropna(subset=["value"])
    ytd = ytd.sort_values(["region_code", "indicator", "period"])
    previous = ytd.groupby(["region_code", "indicator", ytd["period"].dt.year])["value"].shift()
    falling = ytd.assign(previous=previous)[ytd["value"] < previous]
    return rows_to_findings(falling, "warning", "ytd_decrease", lambda f: (
        "year-to-date " + f["indicator"] + " falls from " + f["previous"].map("{:g}".format) + " to "
        + f["value"].map("{:g}".format) + " in " + f["period"].astype(str)
        + "; expected a cumulative value that never decreases within a year"))


def check_growth_range(obs: pd.DataFrame, limits: Limits | None = None) -> pd.DataFrame:
    """Growth rates that are impossible (below -100%) or implausibly large."""
    limits = limits or Limits()
    growth = obs[obs["measure"].isin(["ytd_growth", "month_growth"])].dropna(subset=["value"])
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
    """Published YTD growth that differs from the levels by more than the tolerance.

    Growth is published on a comparable basis (可比口径), so differences are expected;
    the published figure is kept and large gaps are listed for the analyst.
    """
    limits = limits or Limits()
    table = compare_growth(obs, limits.growth_tolerance_pp)
    flagged = table[table["flagged"]]
    if flagged.empty:
        return findings_frame()
    sources = obs[obs["measure"] == "ytd_growth"][["region_code", "indicator", "period", "source"]]
    flagged = flagged.merge(sources, on=["region_code", "indicator", "period"], how="left")
    return rows_to_findings(flagged, "warning", "growth_vs_levels", lambda f: (
        f["indicator"] + " " + f["period"].astype(str) + ": published growth " + f["published"].map("{:.1f}".format)
        + "% vs " + f["recomputed"].map("{:.1f}".format)
        + "% recomputed from levels (" + f["diff_pp"].map("{:+.1f}".format) + " pp); published figure kept"))


def check_levels_nonnegative(obs: pd.DataFrame) -> pd.DataFrame:
    """A negative level of a flow or count (a year-to-date total cannot be below zero)."""
    kinds = indicators()["kind"]
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
                    limits: Limits | None = None) -> pd.DataFrame:
    """Levels about ``limits.magnitude_jump`` times (or more) off their peers or their own
    history: the signature of a unit slip (亿元 figures labelled 万元 are 10^4 too small once
    converted). Warnings, one per series; run on levels already in catalogue units.

    Peers are the other regions of the same level (``region_levels``: code -> level) with
    the same indicator and measure; each series is compared by its median over the months.
    """
    limits = limits or Limits()
    kinds = indicators()["kind"]
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
                          today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every observation check on reader output (all files of a city together).

    ``today`` (default now) bounds the months: a figure from the future is an error.
    """
    known = raw[raw["indicator"].notna() & raw["region_code"].notna()]
    return pd.concat([
        check_cells(raw),
        check_future_periods(raw, today if today is not None else pd.Timestamp.now()),
        check_duplicates(known),
        check_ytd_monotonic(known),
        check_levels_nonnegative(known),
        check_growth_range(known, limits),
        check_growth_consistency(known.drop_duplicates(OBS_KEY), limits),
    ], ignore_index=True)
