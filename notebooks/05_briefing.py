# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # 开门红简报
#
# 给领导看的一页简报：先是主要指标卡片（数值，与目标、时序进度或全市的差距，全市排名；颜色为状态），
# 再是按总体、工业、投资、消费、项目分段的运行情况和短板，然后是图（按数据能画出的依次编号）和说明。文字和数字全部由程序
# 从数据生成（`analysis.report.narrative`）：要改措辞，请改程序，而不是改输出。市本级的简报（`region_code`
# 为市的代码）另有全市对照目标和时序进度、各县（市、区）排名、进度滞后的县、乡镇后进名单和全市全年推算。

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
ctx.heading("开门红简报")

# %% [markdown]
# ## 主要指标

# %%
ctx.headline()

# %% [markdown]
# ## 运行情况

# %%
ctx.narrative()

# %%
show(*ctx.city_sections())  # the city's own note only: its counties ranked, behind schedule, townships, outlook

# %% [markdown]
# ## 图表

# %%
outlook = ctx.outlook("fai", recommended_only=True)  # None when the county has no 固定资产投资 levels
figures = ctx.briefing_figures(outlook)  # 图1, 图2... over the charts the data allow
show(*figures)

# %% [markdown]
# ## 说明

# %%
ctx.methods_note(outlook, figures)
