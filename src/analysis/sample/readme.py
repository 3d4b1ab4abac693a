"""The ``data/raw/README.md`` that describes the generated sample (facts read from the data,
wording in the template ``md/sample_readme.md.j2``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.render import render
from analysis.sample import dynamics, ledgers, tables, writer
from analysis.sample.geography import CITY_CODE, CITY_NAME

if TYPE_CHECKING:
    from analysis.sample import SampleData


_LABELS = {"industry": "industrial output (iva and ind_output)"}


def _start_rates(data: SampleData) -> pd.Series:
    """开工率 by county: new starts started / new starts planned to start by the report date."""
    p = data.projects
    new = p["planned_start"].dt.year == ledgers.YEAR
    due = p[new & (p["planned_start"] <= ledgers.REPORT_DATE)]
    return due.groupby("county_code")["actual_start"].apply(lambda s: s.notna().mean())


def _completion(data: SampleData) -> pd.Series:
    """Investment completion rate by county: completed / planned investment of the year."""
    sums = data.projects.groupby("county_code")[["completed_investment", "planned_investment"]].sum()
    return sums["completed_investment"] / sums["planned_investment"]


def _last_twice(data: SampleData) -> list[str]:
    """Townships last in their county by weekly investment in both final weeks."""
    w = data.township_weekly
    final = w[w["week_end"].isin(ledgers.WEEK_ENDS[-2:])]
    last = final.loc[final.groupby(["county_code", "week_end"])["investment_week"].idxmin()]
    counts = last["township_code"].value_counts()
    return sorted(counts[counts == 2].index)


def readme_text(data: SampleData) -> str:
    """Markdown text: what the sample is, how it was made, and what is deliberately in it
    (template ``analysis/report/templates/md/sample_readme.md.j2``)."""
    names = data.regions.set_index("code")["name"]
    n_new = int((data.projects["planned_start"].dt.year == ledgers.YEAR).sum())
    return render(
        "md/sample_readme.md.j2",
        city_name=CITY_NAME, city_code=CITY_CODE, seed=data.seed,
        n_towns=int((data.regions["level"] == "township").sum()),
        xlsx_county=names[writer.XLSX_COUNTY], gb18030_county=names[writer.GB18030_COUNTY],
        iva_file=writer.IVA_FILE, report_date=f"{ledgers.REPORT_DATE:%Y-%m-%d}",
        first_week=f"{ledgers.WEEK_ENDS[0]:%Y-%m-%d}", last_week=f"{ledgers.WEEK_ENDS[-1]:%Y-%m-%d}",
        trend_years=ledgers.TREND_YEARS, n_new=n_new, n_cont=len(data.projects) - n_new,
        lagging=[{"name": names[c], "code": c, "label": _LABELS.get(ind, ind), "gap": f"{f:g}"}
                 for ind, by in dynamics.LAGGING.items() for c, f in by.items()],
        profiles=[{"name": names[c], "code": c, "indicator": code, "value": v}
                  for c, by in dynamics.PROFILES.items() for code, v in by.items()],
        masked=[{"name": names[r], "indicator": i, "measure": m, "period": p, "text": t}
                for r, i, m, p, t in tables.MASKED],
        deliberate_gaps=[{"name": names[r], "indicator": i, "period": p, "gap": f"{g:+.1f}"}
                         for r, i, p, g in tables.DELIBERATE_GAPS],
        separated=[{"name": names[r], "indicator": i, "measure": m, "period": p}
                   for r, i, m, p in tables.SEPARATED],
        start_rates=[f"{names[c]} {v:.0%}" for c, v in _start_rates(data).items()],
        completion=[f"{names[c]} {v:.1%}" for c, v in _completion(data).items()],
        slow_starters=[names[c] for c in ledgers.SLOW_STARTERS],
        summoned=[f"{names[t]} ({t})" for t in _last_twice(data)],
    )
