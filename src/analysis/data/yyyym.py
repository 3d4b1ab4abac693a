"""Reader for ``yyyym,value,...`` series exports (e.g. the national retail YTD series).

The format: a CSV with a ``yyyym`` column (six digits, year then month: ``202603``) and a
``value`` column; other columns (``dt_name``, ``unit``) are optional. A blank value is a
missing value: from 2012 on the bureau leaves January blank and February holds 1-2月.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.errors import DataError


def read_yyyym_csv(path: str | Path, name: str | None = None) -> pd.Series:
    """The ``value`` column as a float Series on a monthly PeriodIndex (blank -> NaN).

    ``attrs["unit"]`` holds the unit when the file has a ``unit`` column. Raises
    :class:`DataError` naming the file and row for a bad ``yyyym``, a non-numeric value or
    a repeated month.
    """
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"yyyym", "value"} - set(table.columns)
    if missing:
        raise DataError(f"missing column(s) {sorted(missing)}", path=path, location="header",
                        expected="columns yyyym,value")
    codes = table["yyyym"].str.strip()
    good = codes.str.fullmatch(r"\d{6}") & codes.str[4:].astype("string").isin(
        [f"{m:02d}" for m in range(1, 13)])
    if not good.all():
        row = int(good.to_numpy().argmin())
        raise DataError(f"bad yyyym {codes.iloc[row]!r}", path=path, location=f"row {row + 2}",
                        expected="six digits YYYYMM with month 01-12")
    values = pd.to_numeric(table["value"].str.strip().replace("", None), errors="coerce")
    bad = values.isna() & table["value"].str.strip().ne("")
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataError(f"value {table['value'].iloc[row]!r} is not a number", path=path,
                        location=f"row {row + 2}, column value", expected="a number or blank")
    index = pd.PeriodIndex([pd.Period(year=int(c[:4]), month=int(c[4:]), freq="M") for c in codes])
    if index.has_duplicates:
        row = int(index.duplicated().argmax())
        raise DataError(f"month {codes.iloc[row]} appears twice", path=path,
                        location=f"row {row + 2}", expected="one row per month")
    series = pd.Series(values.to_numpy(dtype=float), index=index, name=name or path.stem)
    units = table["unit"].str.strip() if "unit" in table else pd.Series(dtype=str)
    units = units[units != ""].unique()
    if len(units):
        series.attrs["unit"] = str(units[0])
    return series.sort_index()


def read_festival_csv(path: str | Path) -> pd.Series:
    """A ``year,cny_date`` file as a Series year -> Timestamp (the Spring Festival dates)."""
    table = pd.read_csv(path, dtype={"year": int, "cny_date": str})
    return pd.Series(pd.to_datetime(table["cny_date"]).to_numpy(), index=table["year"].to_numpy(),
                     name="date")
