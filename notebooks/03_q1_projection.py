# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # 一季度推算全年
#
# 用一季度（或1-2月）的累计数推算全年：几种方法并列，各带80%区间，推荐的方法标红。推荐和区间
# 依据全市各县区历年的回测记录（每年只用当年起推月份以前的数据）：默认上年占比法，另一方法在
# 合并记录中明显更准时才改用；全市县区不足3个时只用本县历史。扇形图从本年累计走势延伸到全年
# 推算的区间；有年度目标时给出完成目标所需的后续增速（倒排）。规上工业增加值只公布增速，单独按
# 增速推算。方法和回测见 `docs/methods.md`。

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
ctx.heading("一季度推算全年")

# %% [markdown]
# 几种方法并列，各带区间；全市合并回测中各方法的误差和区间覆盖率；完成全年目标所需的后续增速（倒排）。

# %%
for outlook in ctx.outlooks():
    show(*outlook.blocks())

# %% [markdown]
# ## 规上工业增加值（只公布增速）

# %%
ctx.growth_projection("iva")
