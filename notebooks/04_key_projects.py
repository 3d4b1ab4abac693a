# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # 重点项目推进
#
# 重点项目台账和乡镇周报：开工率、投资完成率与时序进度、“双90”（3月底开工率达90%，投资完成率达到
# 时序进度的90%），各乡镇的开工和投资，最近一周乡镇投资贡献排名（前三和连续两周末位）以及逾期未
# 开工的项目。各项口径见 `analysis.key_projects`。

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
ctx.heading("重点项目推进")

# %% [markdown]
# 开工率、投资完成率与时序进度、“双90”、乡镇排名和未按期开工项目。

# %% [markdown]
# ## 开工率与投资完成率

# %%
show(ctx.projects_paragraph(), ctx.project_table())

# %% [markdown]
# ## 乡镇排名

# %%
show(ctx.township_table(), *ctx.weekly_ranking())

# %% [markdown]
# ## 未按期开工项目

# %%
ctx.late_projects()
