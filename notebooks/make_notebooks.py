"""Write the numbered notebooks (outputs empty) from the cell texts below.

The notebooks only call ``analysis``: loading, tables, sentences and charts are library
functions with tests; a cell here picks what to show and in what order. Run
``python notebooks/make_notebooks.py`` after editing, or edit the notebooks in JupyterLab
and keep this file in step.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).parent

PARAMETERS = '''\
# Parameters (papermill replaces them; the defaults run the first county of the sample city)
region_code = "990102"
as_of = "2026-03"
data_dir = "../data/processed"
share_assumption = None  # None: stated_q1_share of the city's q1brief.toml (default 0.30)
lang = "zh"'''

SETUP = '''\
%matplotlib inline
from html import escape

import pandas as pd
from IPython.display import HTML, display

from analysis.core.periods import ytd_label
from analysis.data import processed
from analysis.projection.outlook import annual_outlook
from analysis.report import charts, headline, tables

charts.use_chinese_font()
data = processed.read_processed(data_dir)
obs, regions = data["observations"], data["regions"]
catalogue = processed.read_catalogue(data_dir)  # packaged indicators + the city's indicators.csv
settings = processed.read_settings(data_dir)  # the city's q1brief.toml (defaults without one)
if share_assumption is None:
    share_assumption = settings.stated_q1_share
region = processed.require_region(obs, regions, region_code)
city_code = region["parent"]
period = pd.Period(as_of, freq="M")
names = catalogue["name_zh"]
label = f"{period.year}年{ytd_label(period)}"'''

GAPS = '''\
from analysis.gaps import gap_table, lagging_list
from analysis.gaps.status import comparison_status

table = gap_table(obs, data.get("targets", pd.DataFrame(
    columns=["region_code", "indicator", "year", "horizon", "measure", "target"])), regions, as_of,
    thresholds=settings.thresholds, catalogue=catalogue)
county = table[table["region_code"] == region_code]'''


def code(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def title(what: str) -> nbformat.NotebookNode:
    # Shown in JupyterLab; the HTML export has its own title and drops "remove-cell" cells.
    return code(f'display(HTML(f"<h1>{{escape(region[\'name\'])}}{what}（{{label}}）</h1>"))',
                "remove-cell")


NOTEBOOKS = {
    "01_indicators": [
        md("本县（区）各指标累计增长与全市、其他县区对比。"),
        code(PARAMETERS, "parameters"),
        code(SETUP),
        title("主要指标走势"),
        md("## 最新一期数据"),
        code('''\
latest = obs[(obs["region_code"].isin([region_code, city_code])) & (obs["period"] == period)]
wide = latest.pivot_table(index="indicator", columns=["region_name", "measure"], values="value")
wide.index = wide.index.map(lambda c: names.get(c, c))  # a code no catalogue knows shows as itself
wide.round(2)'''),
        md("## 累计增长走势"),
        code('''\
growth = obs[(obs["region_code"] == region_code) & (obs["measure"] == "ytd_growth")]
for code_ in [c for c in catalogue.index if c in set(growth["indicator"])]:
    fig = charts.indicator_chart(obs, region_code, code_, city_code=city_code,
                                 start=period - 26, title=f"{names[code_]}累计增长（%）",
                                 ylabel="同比增长（%）")
    display(fig)'''),
    ],
    "02_gap_analysis": [
        md("与目标、时序进度、全市平均和其他县区的差距；状态颜色：红=落后，黄=关注，"
           "绿=正常，灰=无数据。"),
        code(PARAMETERS, "parameters"),
        code(SETUP),
        code(GAPS),
        title("差距分析"),
        md("## 差距表"),
        code('display(HTML(tables.table_html(tables.gap_overview(table, region_code, catalogue))))'),
        md("## 增速与全市差距"),
        code('''\
rows = county[county["measure"] == "ytd_growth"].assign(name=lambda f: f["indicator"].map(names))
rows["colour"] = comparison_status(rows["gap_to_city_pp"], rows["direction"])  # this gap only
display(charts.gap_bars(rows, "name", "gap_to_city_pp", status="colour", title="累计增速较全市（百分点）"))'''),
        md("## 完成率与时序进度"),
        code('''\
rows = county[county["completion_rate"].notna()].assign(name=lambda f: f["indicator"].map(names))
rows["colour"] = comparison_status(rows["gap_to_schedule_pp"], rows["direction"])
display(charts.gap_bars(rows, "name", "gap_to_schedule_pp", status="colour", title="完成率较时序进度（百分点）"))'''),
        md("## 短板指标"),
        code('''\
lag = lagging_list(county, catalogue)
display(HTML(tables.table_html(lag[["name_zh", "measure", "status_basis", "shortfall_pp"]]
             .round(1).rename(columns={"name_zh": "指标", "measure": "口径", "status_basis": "依据",
                                       "shortfall_pp": "差距(百分点)"}), status=None)))'''),
    ],
    "03_q1_projection": [
        md("几种方法并列，各带区间；一季度占全年比重的假设与本县历史对比；"
           "完成全年目标所需的后续增速（倒排）。"),
        code(PARAMETERS, "parameters"),
        code(SETUP),
        code('''\
backtest = processed.read_processed(data_dir, ("backtest",)).get("backtest")  # None if absent
flows = [c for c in ("fai", "retail", "ind_output", "electricity")
         if ((obs["region_code"] == region_code) & (obs["indicator"] == c)
             & (obs["measure"] == "ytd_value")).any()]'''),
        title("一季度推算全年"),
        code('''\
for code_ in flows:
    out = annual_outlook(obs, data.get("targets"), region_code, code_, as_of,
                                  share_assumption, backtest)
    unit = out["unit"]
    display(HTML(f"<h2>{escape(names[code_])}（{escape(unit)}）</h2>"))
    proj = out["projection"]
    display(HTML(tables.table_html(tables.projection_overview(proj), status=None)))
    display(charts.projection_chart(proj, labels=tables.METHOD_NAMES_ZH, target=out["target"],
                                    title="全年推算（各方法，80%区间）",
                                    xlabel=unit))
    best = proj[proj["recommended"]].iloc[0]
    display(charts.fan_chart(out["ytd"], best["estimate"], best["lower"], best["upper"],
                             last_year=out["last_year"], target=out["target"],
                             title=f"{names[code_]}累计走势与全年推算", ylabel=unit))
    if len(out["pace"]):
        pace = out["pace"].iloc[0]
        display(HTML(f"<p>完成全年目标，{period.month + 1}-12月需同比增长"
                     f"{pace['required_growth_pct']:.1f}%（1-{period.month}月为"
                     f"{pace['growth_so_far_pct']:.1f}%）。</p>"))'''),
        md("## 规上工业增加值（只公布增速）"),
        code('''\
from analysis.projection import project_growth

iva = obs[(obs["region_code"] == region_code) & (obs["indicator"] == "iva")
          & (obs["measure"] == "ytd_growth")].set_index("period")["value"].sort_index()
display(HTML(tables.table_html(project_growth(iva, period.year, period.month).round(2)
                                 .astype(str), status=None)))'''),
    ],
    "04_key_projects": [
        md("开工率、投资完成率与时序进度、“双90”、乡镇排名和未按期开工项目。"),
        code(PARAMETERS, "parameters"),
        code(SETUP),
        code('''\
from analysis import key_projects as proj_

ledger = data["projects"]
weekly = data.get("township_weekly")
day = period.end_time.normalize()
town_names = dict(zip(regions["code"], regions["name"]))
summary = proj_.county_summary(ledger, day, weekly, town_names)
mine = summary[summary["county_code"] == region_code]'''),
        title("重点项目推进"),
        md("## 开工率与投资完成率"),
        code('''\
from analysis.report.narrative import projects_sentence

if len(mine):
    display(HTML(f"<p>{escape(projects_sentence(mine.iloc[0], day, lang))}</p>"))
cols = {"n_planned": "计划开工", "n_started": "已开工", "start_rate": "开工率",
        "completion_rate": "投资完成率", "schedule_progress": "时序进度", "double_90": "双90达标"}
display(HTML(tables.table_html(mine[list(cols)].rename(columns=cols).round(3).astype(str),
                                 status=None)))'''),
        md("## 乡镇排名"),
        code('''\
towns = proj_.start_rates(ledger, day, level="township")
towns = towns[towns["county_code"] == region_code].assign(
    乡镇=lambda f: f["township_code"].map(town_names))
display(HTML(tables.table_html(
    towns[["乡镇", "n_planned", "n_started", "start_rate", "completion_rate"]].round(3)
    .rename(columns={"n_planned": "计划开工", "n_started": "已开工", "start_rate": "开工率",
                     "completion_rate": "投资完成率"}).astype(str), status=None)))
if weekly is not None:
    ranking = proj_.township_ranking(weekly[weekly["county_code"] == region_code])
    last = ranking[ranking["week_end"] == ranking["week_end"].max()].sort_values("rank")
    last = last.assign(乡镇=last["township_code"].map(town_names), 占比=last["share"].round(3))
    cols = {"乡镇": "乡镇", "rank": "本周排名", "investment_week": "本周完成投资(万元)",
            "investment_ytd": "累计完成投资(万元)", "占比": "本周占比", "top3": "前三",
            "last_two_weeks": "连续两周末位"}
    display(HTML(f"<p>{escape(str(last['week_end'].max())[:10])}当周乡镇投资贡献排名：</p>"))
    display(HTML(tables.table_html(last[list(cols)].rename(columns=cols).astype(str),
                                     status=None)))'''),
        md("## 未按期开工项目"),
        code('''\
late = proj_.late_projects(ledger, day)
late = late[late["county_code"] == region_code]
if late.empty:
    display(HTML("<p>无未按期开工项目。</p>"))
else:
    display(HTML(tables.table_html(
        late[["project_name", "planned_start", "days_late"]].rename(columns={
            "project_name": "项目", "planned_start": "计划开工日期", "days_late": "延期天数"})
        .astype(str), status=None)))'''),
    ],
    "05_briefing": [
        code(PARAMETERS, "parameters"),
        code(SETUP + "\n\n" + GAPS + '''
from analysis.report import narrative
from analysis import key_projects as proj_

items = headline.headline_items(table, region_code, settings.headline_indicators, catalogue)
index_items = headline.headline_items(table, region_code, settings.index_indicators, catalogue)
ranks = headline.overall_rank(table, settings.rank_indicators)
town_names = dict(zip(regions["code"], regions["name"]))
project_text = None
if "projects" in data:
    summary = proj_.county_summary(data["projects"], period.end_time.normalize(),
                                   data.get("township_weekly"), town_names)
    mine = summary[summary["county_code"] == region_code]
    if len(mine):
        project_text = narrative.projects_sentence(mine.iloc[0], period.end_time.normalize(), lang)
paragraphs = narrative.county_narrative(table, region_code, lang=lang, catalogue=catalogue,
                                       projects=project_text)'''),
        title("开门红简报"),
        md("## 主要指标"),
        code('''\
display(HTML(headline.headline_html(items)))
display({headline.HEADLINE_MIMETYPE: headline.headline_payload(
    region_code, region["name"], as_of, index_items, ranks.get(region_code), len(ranks))}, raw=True)'''),
        md("## 运行情况"),
        code('''\
headings = {"overall": "总体", "industry": "工业", "investment": "投资", "consumption": "消费",
            "projects": "项目", "shortfalls": "短板"}
display(HTML("".join(f"<p><b>{headings.get(k, k)}：</b>{escape(v)}</p>"
                     for k, v in paragraphs.items() if v)))'''),
        md("## 图表"),
        code('''\
rows = county[county["measure"] == "ytd_growth"].assign(name=lambda f: f["indicator"].map(names))
rows["colour"] = comparison_status(rows["gap_to_city_pp"], rows["direction"])  # this gap only
display(charts.gap_bars(rows, "name", "gap_to_city_pp", status="colour", title="图1 主要指标累计增速较全市（百分点）"))
rows = county[county["completion_rate"].notna()].assign(name=lambda f: f["indicator"].map(names))
rows["colour"] = comparison_status(rows["gap_to_schedule_pp"], rows["direction"])
if len(rows):
    display(charts.gap_bars(rows, "name", "gap_to_schedule_pp", status="colour",
                            title="图2 年度目标完成率较时序进度（百分点）"))
display(charts.indicator_chart(obs, region_code, "iva", city_code=city_code, start=period - 14,
                               title="图3 规上工业增加值累计增长（%）", ylabel="同比增长（%）"))'''),
        code('''\
outlook = None
backtest = processed.read_processed(data_dir, ("backtest",)).get("backtest")  # None if absent
if ((obs["region_code"] == region_code) & (obs["indicator"] == "fai")
        & (obs["measure"] == "ytd_value")).any():
    outlook = annual_outlook(obs, data.get("targets"), region_code, "fai", as_of,
                                      share_assumption, backtest, recommended_only=True)
    best = outlook["projection"][outlook["projection"]["recommended"]].iloc[0]
    display(charts.fan_chart(outlook["ytd"], best["estimate"], best["lower"], best["upper"],
                             last_year=outlook["last_year"], target=outlook["target"],
                             title="图4 固定资产投资累计走势与全年推算（亿元）", ylabel="亿元"))'''),
        md("## 说明"),
        code('''\
from analysis import __version__

method = ""
if outlook is not None:
    best = outlook["projection"][outlook["projection"]["recommended"]].iloc[0]
    method_zh = tables.METHOD_NAMES_ZH.get(best["method"], str(best["method"]))
    method = (f"全年推算采用回测误差最小的方法（{escape(method_zh)}），"
              f"区间为80%预测区间；一季度占全年比重假设{share_assumption:.0%}仅作对照。")
display(HTML(
    f'<div class="q1-methods">数据截至{period.year}年{period.month}月（{label}累计）。'
    "来源：统计部门月度报表、年度与一季度目标、重点项目台账和乡镇周报。"
    "时序进度按已过月份/12计算；增速差距以百分点计；排名在全市各县（区）间比较，1为最好。"
    f"状态：落后=低于目标、时序进度或全市平均{settings.thresholds.red_pp:g}个百分点以上，关注=略低，正常=持平或领先，"
    "无数据=缺数；图1、图2的颜色只按图中这一项差距判断。"
    f"{method}程序版本 q1brief {__version__}。</div>"))'''),
    ],
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook with empty outputs; returns the paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook(cells=cells)
        for i, cell in enumerate(nb.cells):
            cell.id = f"{name[:2]}-{i:02d}"  # stable ids: rebuilding does not churn git
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
