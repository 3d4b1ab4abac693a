"""Defaults the analysis states once: the stated Q1 share, the headline indicators.

Each constant here is an assumption of the analysis (see ``docs/assumptions.md``); modules
import it from here instead of repeating the number.
"""

from __future__ import annotations

# The speech's rule of thumb: "Q1 is more than 30% of the year". Shown beside the measured
# projections, never used as the projection itself (nationally Q1 is 20-25% of the year).
STATED_Q1_SHARE = 0.30
# The interval level of every projection (80%: wide enough to mean something, narrow enough
# to be useful to a leader).
INTERVAL_LEVEL = 0.80
# The indicators of the headline box, the index page and the overall rank, in this order.
HEADLINE_INDICATORS = ("iva", "fai", "retail", "tech_invest", "ind_output", "electricity")
# The flow indicators the projection notebook projects to the year end, in this order, and
# the one the leader's briefing shows (固定资产投资: the speech's first concern).
OUTLOOK_INDICATORS = ("fai", "retail", "ind_output", "electricity")
BRIEFING_OUTLOOK = "fai"
