"""What a city adds in its data folder: its own indicators and its settings.

- ``indicators.csv`` (optional, beside ``regions.csv``): rows in the columns of the packaged
  catalogue that extend or override it (:func:`analysis.core.catalog.extend_catalogue`;
  columns and allowed values in ``docs/data-formats.md``);
- ``q1brief.toml`` (optional): headline, index and rank indicators, status thresholds, the
  stated Q1 share and the city's display name (:class:`analysis.core.settings.Settings`).

Without them the packaged catalogue and the default settings apply, which give the bundled
notes. Problems raise ``DataError`` naming the file, the row or key, and what is allowed.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd

from analysis.core.catalog import extend_catalogue, indicators
from analysis.core.errors import DataError
from analysis.core.settings import Settings
from analysis.data.readers import decode_csv

CATALOGUE_FILE = "indicators.csv"
SETTINGS_FILE = "q1brief.toml"


def load_catalogue(data_dir: str | Path) -> pd.DataFrame:
    """The packaged catalogue extended by ``data_dir/indicators.csv`` when there is one."""
    path = Path(data_dir) / CATALOGUE_FILE
    if not path.is_file():
        return indicators()
    text = decode_csv(path)
    if not text.strip():
        raise DataError("empty file", path=path, expected="a header row with the catalogue columns (code,name_zh,…)")
    city = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    city.columns = [str(c).strip() for c in city.columns]
    try:
        return extend_catalogue(indicators(), city)
    except DataError as error:
        raise DataError(error.reason, path=path, location=error.location, expected=error.expected) from error


def load_settings(data_dir: str | Path, catalogue: pd.DataFrame | None = None) -> Settings:
    """``data_dir/q1brief.toml`` as :class:`Settings` (defaults when absent); every indicator it
    names must be in ``catalogue`` (the packaged one by default)."""
    path = Path(data_dir) / SETTINGS_FILE
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"not a valid TOML file ({exc})", path=path,
                        expected='lines such as headline_indicators = ["iva", "fai"] (UTF-8)') from exc
    try:
        settings = Settings.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise DataError(str(exc), path=path, expected="the keys of docs/data-formats.md (q1brief.toml)") from exc
    known = (indicators() if catalogue is None else catalogue).index
    for key in ("headline_indicators", "index_indicators", "rank_indicators"):
        unknown = [code for code in getattr(settings, key) if code not in known]
        if unknown:
            raise DataError(f"{key} names unknown indicator(s) {', '.join(unknown)}", path=path, location=key,
                            expected="codes of the catalogue or of indicators.csv in the data folder")
    return settings
