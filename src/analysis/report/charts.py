"""Matplotlib charts for notebooks and briefing notes, with correct Chinese labels.

Every plotting function builds a :class:`matplotlib.figure.Figure` directly (no pyplot
global state) and returns it; the caller displays or saves it. Chinese glyphs need a CJK
font: :func:`use_chinese_font` registers the Noto Sans CJK SC face shipped by the
``mplfonts`` package (installed with this package, so nothing is installed by hand) and
sets the minus sign to ASCII, because CJK faces may lack U+2212. Importing this module has
no side effects; call :func:`use_chinese_font` (or use :func:`chinese_rc` in an
``rc_context``) before drawing.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import font_manager, rcParams
from matplotlib.figure import Figure

from analysis.core.formatting import number_text
from analysis.core.periods import as_period
from analysis.gaps.status import STATUS_COLOURS

FONT_PACKAGE = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"

HIGHLIGHT = "#c62828"
REFERENCE = "#1f1f1f"
PEER = "#b0b7c3"


def chinese_font_path() -> Path:
    """Path of the Noto Sans CJK SC font file inside the installed ``mplfonts`` package."""
    path = resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{FONT_FILE} not found in package {FONT_PACKAGE!r} ({path})")
    return Path(str(path))


@functools.cache
def _registered_font_name() -> str:
    """Register the CJK font with matplotlib once per process (a warm kernel runs many
    notebooks; registering again parses the 16 MB file and adds a duplicate entry)."""
    path = chinese_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def chinese_rc() -> dict[str, object]:
    """Register the CJK font and return the rcParams that select it (for ``rc_context``)."""
    name = _registered_font_name()
    sans = [name, *(f for f in rcParams["font.sans-serif"] if f != name)]
    return {"font.family": "sans-serif", "font.sans-serif": sans, "axes.unicode_minus": False}


def use_chinese_font() -> str:
    """Make the CJK font matplotlib's default sans-serif face; returns the family name."""
    rc = chinese_rc()
    rcParams.update(rc)
    return rc["font.sans-serif"][0]  # type: ignore[index]


def _new_figure(width: float = 7.0, height: float = 3.6) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _x(index: pd.Index) -> pd.Index:
    """Periods become timestamps so matplotlib can place them on a date axis."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return index


def line_chart(
    wide: pd.DataFrame,
    highlight: str | None = None,
    reference: str | None = None,
    title: str = "",
    ylabel: str = "",
) -> Figure:
    """One line per column of ``wide`` (index = periods): ``highlight`` bold red,
    ``reference`` (e.g. the city) dashed black, every other column a thin grey peer line."""
    fig, ax = _new_figure()
    x = _x(wide.index)
    peers = [c for c in wide.columns if c not in (highlight, reference)]
    for i, col in enumerate(peers):
        ax.plot(x, wide[col], color=PEER, linewidth=0.9, label="其他县区" if i == 0 else None)
    if reference is not None and reference in wide:
        ax.plot(x, wide[reference], color=REFERENCE, linestyle="--", linewidth=1.6,
                label=str(reference))
    if highlight is not None and highlight in wide:
        ax.plot(x, wide[highlight], color=HIGHLIGHT, linewidth=2.4, marker="o", markersize=3.5,
                label=str(highlight))
    ax.axhline(0, color="#888888", linewidth=0.6)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(ylabel)
    if len(wide.columns):
        ax.legend(frameon=False, fontsize=9, loc="best")
    return fig


def indicator_chart(
    obs: pd.DataFrame,
    region_code: str,
    indicator: str,
    measure: str = "ytd_growth",
    city_code: str | None = None,
    start: str | pd.Period | None = None,
    title: str = "",
    ylabel: str = "",
    end: str | pd.Period | None = None,
) -> Figure:
    """An indicator's series for one region against its city and the other regions in ``obs``.

    ``obs`` is the tidy observation frame; rows of ``indicator`` and ``measure`` are pivoted
    to one column per region name. Periods before ``start`` and after ``end`` (the note's
    as-of month) are dropped.
    """
    rows = obs[(obs["indicator"] == indicator) & (obs["measure"] == measure)]
    if start is not None:
        rows = rows[rows["period"] >= as_period(start)]
    if end is not None:
        rows = rows[rows["period"] <= as_period(end)]
    wide = rows.pivot_table(index="period", columns="region_code", values="value", aggfunc="first")
    wide = wide.sort_index()
    names = rows.drop_duplicates("region_code").set_index("region_code")["region_name"]
    wide = wide.rename(columns=names.to_dict())
    highlight = names.get(region_code)
    reference = names.get(city_code) if city_code is not None else None
    return line_chart(wide, highlight=highlight, reference=reference, title=title, ylabel=ylabel)


def gap_bars(
    table: pd.DataFrame,
    label: str,
    value: str,
    status: str = "status",
    title: str = "",
    xlabel: str = "",
) -> Figure:
    """Horizontal bars of ``value`` per ``label``, coloured by ``status`` (green/amber/red/unknown).

    Rows with a missing value are drawn as an empty grey slot labelled "无数据", so unknown
    data is visible rather than silently omitted.
    """
    data = table[[label, value, status]].iloc[::-1]
    fig, ax = _new_figure(height=max(2.2, 0.42 * len(data) + 1.0))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    y = np.arange(len(data))
    values = data[value].astype(float).to_numpy()
    colours = [STATUS_COLOURS.get(str(s), STATUS_COLOURS["unknown"]) for s in data[status]]
    ax.barh(y, np.nan_to_num(values), color=colours, height=0.6)
    ax.set_yticks(y, [str(v) for v in data[label]])
    ax.axvline(0, color="#555555", linewidth=0.8)
    finite = values[np.isfinite(values)]
    span = float(np.abs(finite).max()) if finite.size else 1.0
    for yi, v in zip(y, values, strict=True):
        if np.isfinite(v):
            offset = 0.02 * span * (1 if v >= 0 else -1)
            ax.text(v + offset, yi, number_text(v, signed=True), va="center", ha="left" if v >= 0 else "right",
                    fontsize=9)
        else:
            ax.text(0, yi, " 无数据", va="center", ha="left", fontsize=9,
                    color=STATUS_COLOURS["unknown"])
    ax.set_xlim(-1.25 * span, 1.25 * span)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_xlabel(xlabel)
    return fig


def fan_chart(
    ytd: pd.Series,
    estimate: float,
    lower: float,
    upper: float,
    last_year: pd.Series | None = None,
    target: float | None = None,
    title: str = "",
    ylabel: str = "",
) -> Figure:
    """Cumulative path of the year: actual YTD values (index = month 1..12 or monthly periods),
    a fan from the last actual month to the projected annual ``estimate`` with its interval
    [``lower``, ``upper``] at December, last year's cumulative path and the annual target.

    The fan interpolates linearly between the last actual YTD value and the December
    bounds; it shows the projection's range, not a month-by-month forecast.
    """
    fig, ax = _new_figure()
    months = _month_numbers(ytd.index)
    actual = pd.Series(ytd.to_numpy(dtype=float), index=months).dropna()
    if last_year is not None:
        ly = pd.Series(last_year.to_numpy(dtype=float), index=_month_numbers(last_year.index))
        ax.plot(ly.index, ly, color=PEER, linewidth=1.4, marker="o", markersize=3, label="上年累计")
    if len(actual):
        ax.plot(actual.index, actual, color=HIGHLIGHT, linewidth=2.4, marker="o", markersize=4,
                label="本年累计")
        m0, v0 = int(actual.index[-1]), float(actual.iloc[-1])
        if m0 < 12 and np.isfinite(estimate):
            xs = np.array([m0, 12])
            if np.isfinite(lower) and np.isfinite(upper):
                ax.fill_between(xs, [v0, lower], [v0, upper], color=HIGHLIGHT, alpha=0.15,
                                linewidth=0, label="预测区间")
            ax.plot(xs, [v0, estimate], color=HIGHLIGHT, linestyle="--", linewidth=1.6,
                    label="全年预测")
    if target is not None and np.isfinite(target):
        ax.axhline(target, color=REFERENCE, linestyle=":", linewidth=1.4, label="年度目标")
    ax.set_xticks(range(1, 13), [f"{m}月" for m in range(1, 13)])
    ax.set_xlim(0.5, 12.5)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=9, loc="lower right")  # the cumulative paths rise to the upper right
    return fig


def projection_chart(
    projection: pd.DataFrame,
    labels: dict[str, str] | None = None,
    target: float | None = None,
    title: str = "",
    xlabel: str = "",
) -> Figure:
    """Each method's annual estimate with its interval (``method, estimate, lower, upper``,
    optional ``recommended``); the recommended method in red, the target as a dotted line."""
    labels = labels or {}
    data = projection.iloc[::-1]
    fig, ax = _new_figure(height=max(2.2, 0.45 * len(data) + 1.0))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    y = np.arange(len(data))
    rec = data["recommended"].fillna(False).astype(bool).to_numpy() if "recommended" in data \
        else np.zeros(len(data), dtype=bool)
    est = data["estimate"].astype(float).to_numpy()
    lo = data["lower"].astype(float).to_numpy()
    hi = data["upper"].astype(float).to_numpy()
    for yi, e, a, b, r in zip(y, est, lo, hi, rec, strict=True):
        colour = HIGHLIGHT if r else "#44546a"
        if np.isfinite(a) and np.isfinite(b):
            ax.plot([a, b], [yi, yi], color=colour, linewidth=3, alpha=0.35, solid_capstyle="butt")
        if np.isfinite(e):
            ax.plot([e], [yi], "o", color=colour, markersize=7)
    ax.set_yticks(y, [labels.get(str(m), str(m)) for m in data["method"]])
    if target is not None and np.isfinite(target):
        ax.axvline(target, color=REFERENCE, linestyle=":", linewidth=1.4, label="年度目标")
        ax.legend(frameon=False, fontsize=9, loc="best")
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_xlabel(xlabel)
    return fig


def _month_numbers(index: pd.Index) -> np.ndarray:
    if isinstance(index, pd.PeriodIndex):
        return index.month.to_numpy()
    return np.asarray(index, dtype=int)


def ranking_panels(ranking: pd.DataFrame, title: str = "", columns: int = 3) -> Figure:
    """One panel per indicator of ``ranking`` (``name, region_name, actual, city_value, rank,
    colour, unit, measure``; :func:`analysis.report.city_note.ranking_rows`): the counties as
    horizontal bars, best at the top, coloured by ``colour``, with the city's figure as a
    dashed line; a county without a figure keeps an empty slot."""
    groups = list(ranking.groupby("name", sort=False))
    rows = max(1, -(-len(groups) // columns))
    n_bars = max((len(g) for _, g in groups), default=1)
    fig = Figure(figsize=(3.3 * columns, rows * (0.24 * n_bars + 1.0) + 0.4), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (name, group) in zip(axes, groups, strict=False):
        data = group.iloc[::-1]
        values = data["actual"].astype(float).to_numpy()
        y = np.arange(len(data))
        colours = [STATUS_COLOURS.get(str(s), STATUS_COLOURS["unknown"]) for s in data["colour"]]
        ax.barh(y, np.nan_to_num(values), color=colours, height=0.65)
        ax.set_yticks(y, [str(v) for v in data["region_name"]], fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        city = float(group["city_value"].iloc[0]) if group["city_value"].notna().any() else np.nan
        if np.isfinite(city):
            ax.axvline(city, color=REFERENCE, linestyle="--", linewidth=1.1, label="全市")
            ax.legend(frameon=False, fontsize=7, loc="lower right")
        unit = "%" if group["measure"].iloc[0] == "ytd_growth" else str(group["unit"].iloc[0])
        label = "累计增长" if group["measure"].iloc[0] == "ytd_growth" else ""
        ax.set_title(f"{name}{label}（{unit}）" if unit else f"{name}{label}", loc="left", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return fig
