"""Data in: bureau exports and the city's CSV inputs read, checked and written as tidy Parquet
(``q1brief ingest``), and read back for the analyses (:mod:`.processed`)."""
