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
# 用一季度（或1-2月）的累计数推算全年：几种方法并列，各带80%区间，推荐的方法（本县历史回测误差
# 最小）标红；扇形图从本年累计走势延伸到全年推算的区间；有年度目标时给出完成目标所需的后续增速
# （倒排）。规上工业增加值只公布增速，单独按增速推算。方法和回测见 `docs/methods.md`。

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
# 几种方法并列，各带区间；一季度占全年比重的假设与本县历史对比；完成全年目标所需的后续增速（倒排）。

# %%
for outlook in ctx.outlooks():
    show(*outlook.blocks())
show(ctx.missing("targets", "不测算完成全年目标所需的后续增速（倒排）"))

# %% [markdown]
# ## 规上工业增加值（只公布增速）

# %%
ctx.growth_projection("iva")
