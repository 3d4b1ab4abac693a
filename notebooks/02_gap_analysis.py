# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # 差距分析
#
# 本县（区）每个指标与年度（或一季度）目标、时序进度、全市平均的差距和在全市的排名。差距表按状态
# 排序，落后的在前；两张条形图各只看一项差距（增速较全市、完成率较时序进度），颜色也只按这一项判断；
# 最后是短板指标及使其落后的那项差距。状态的阈值见 `analysis.gaps.status`。

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
from analysis.report.charts import use_chinese_font
from analysis.report.context import briefing_context

use_chinese_font()
ctx = briefing_context(data_dir, region_code, as_of, share_assumption=share_assumption, lang=lang,
                       context_dir=context_dir)

# %% tags=["remove-cell"]
ctx.heading("差距分析")

# %% [markdown]
# 与目标、时序进度、全市平均和其他县区的差距；状态颜色：红=落后，黄=关注，绿=正常，灰=无数据。

# %% [markdown]
# ## 差距表

# %%
ctx.gap_overview()

# %% [markdown]
# ## 增速与全市差距

# %%
ctx.gap_bars("city", title="累计增速较全市（百分点）")

# %% [markdown]
# ## 完成率与时序进度

# %%
ctx.gap_bars("schedule", title="完成率较时序进度（百分点）") or ctx.missing("targets", "无法计算完成率与时序进度")

# %% [markdown]
# ## 短板指标

# %%
ctx.lagging()
