# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # 主要指标走势
#
# 一个县（区）的主要经济指标：最新一期各指标的累计值和累计增长（本县与全市并列），以及近两年各指标
# 累计增长的走势（红线为本县，黑色虚线为全市，灰线为其他县区）。改下面的 `region_code`、`as_of`
# 即可看另一个县区或月份；数据是 `q1brief ingest` 写入 `data/processed/` 的表。

# %% tags=["parameters"]
# Parameters (papermill replaces them; the defaults run the first county of the sample city)
region_code = "990102"
as_of = "2026-03"
data_dir = "../data/processed"
share_assumption = None  # None: stated_q1_share of the city's q1brief.toml (default 0.30)
lang = "zh"
context_dir = None  # set by `q1brief run`: the city's tables, computed once for the whole batch

# %%
# %matplotlib inline
from analysis.report.blocks import show
from analysis.report.charts import use_chinese_font
from analysis.report.context import briefing_context

use_chinese_font()
ctx = briefing_context(data_dir, region_code, as_of, share_assumption=share_assumption, lang=lang,
                       context_dir=context_dir)

# %% tags=["remove-cell"]
ctx.heading("主要指标走势")

# %% [markdown]
# 本县（区）各指标累计增长与全市、其他县区对比。

# %% [markdown]
# ## 最新一期数据

# %%
ctx.latest_table()

# %% [markdown]
# ## 累计增长走势

# %%
show(*ctx.growth_charts())
