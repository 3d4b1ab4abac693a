"""The foundation every layer uses: errors, the catalogues, the calendar (periods, 时序进度),
YTD conversions, number formatting, atomic file writes and the stated defaults."""
