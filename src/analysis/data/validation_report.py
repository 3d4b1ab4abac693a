"""The validation report ingest writes (``validation.md``) and its full findings CSV.

The Markdown report is for reading: a summary of counts per check, then at most
:data:`MAX_PER_CHECK_AND_FILE` findings per check and file, each message cut to
:data:`MAX_MESSAGE_CHARS` characters, with the number left out. The CSV beside it keeps
every finding in full. Both escape control characters (a NUL byte in a label is written
as ``\\x00``, never raw), so neither a hostile cell nor a million blank cells makes a
report that cannot be opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from analysis.core.errors import CONTROL_CLASS, escape_controls

MAX_PER_CHECK_AND_FILE = 20
MAX_MESSAGE_CHARS = 300
def md_cell(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Text safe inside a Markdown table cell: controls escaped, line breaks and ``|``
    escaped, cut to ``max_chars`` characters with the number of characters left out."""
    text = escape_controls(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    if len(text) > max_chars:
        text = f"{text[:max_chars]}… ({len(text) - max_chars} more characters)"
    return text.replace("|", "\\|")


def summary_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Number of findings per severity and check."""
    if findings.empty:
        return pd.DataFrame(columns=["severity", "check", "count"])
    return findings.groupby(["severity", "check"], sort=True).size().rename("count").reset_index()


def bounded(findings: pd.DataFrame, limit: int = MAX_PER_CHECK_AND_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``limit`` findings of each (severity, check, file), and the count of the rest
    per group (columns ``severity, check, file, left``)."""
    if findings.empty:
        return findings, pd.DataFrame(columns=["severity", "check", "file", "left"])
    group = findings.groupby(["severity", "check", "file"], sort=False)
    rank = group.cumcount()
    sizes = group.size().rename("size").reset_index()
    left = sizes.assign(left=sizes["size"] - limit)
    return findings[rank < limit], left[left["left"] > 0].drop(columns="size").reset_index(drop=True)


def file_name(path: str) -> str:
    """The last part of a finding's file (reports show names, not the analyst's folders)."""
    return str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] if path else ""


def render_report(findings: pd.DataFrame, title: str, facts: Sequence[str],
                  limit: int = MAX_PER_CHECK_AND_FILE, findings_file: str = "validation_findings.csv") -> str:
    """The Markdown report: ``title``, the ``facts`` as a bullet list, the summary, then the
    findings, at most ``limit`` per check and file."""
    lines = [f"# {title}", "", *(f"- {fact}" for fact in facts), "", "## Summary", "",
             "| severity | check | count |", "|---|---|---|"]
    counts = summary_counts(findings)
    lines += [f"| {r.severity} | {r.check} | {r.count} |" for r in counts.itertuples(index=False)]
    if counts.empty:
        lines.append("| - | no findings | 0 |")
    shown, left = bounded(findings, limit)
    lines += ["", "## Findings", ""]
    if not left.empty:
        lines += [f"At most {limit} findings per check and file are listed; `{findings_file}` has all "
                  f"{len(findings)}.", ""]
    lines += ["| severity | check | file | location | message |", "|---|---|---|---|---|"]
    for r in shown.itertuples(index=False):
        lines.append(f"| {r.severity} | {r.check} | {md_cell(file_name(r.file))} | {md_cell(r.location, 60)} "
                     f"| {md_cell(r.message)} |")
    for r in left.itertuples(index=False):
        lines.append(f"| {r.severity} | {r.check} | {md_cell(file_name(r.file))} | | … and {r.left} more "
                     f"(see {findings_file}) |")
    return "\n".join(lines) + "\n"


def write_findings_csv(findings: pd.DataFrame, path: str | Path) -> None:
    """Every finding to ``path`` as UTF-8 CSV (control characters escaped), written by
    Arrow straight from its string buffers: a million findings need no Python objects."""
    table = pa.Table.from_pandas(findings_csv(findings).astype("str"), preserve_index=False)
    pa_csv.write_csv(table, str(path), pa_csv.WriteOptions(quoting_style="needed"))


def findings_csv(findings: pd.DataFrame) -> pd.DataFrame:
    """Every finding with control characters escaped, ready for ``to_csv``."""
    if findings.empty:
        return findings
    escape = lambda m: m.group().encode("unicode_escape").decode("ascii")  # noqa: E731
    dirty = [c for c in findings.columns if findings[c].astype("str").str.contains(CONTROL_CLASS, regex=True).any()]
    return findings.assign(**{c: findings[c].astype("str").str.replace(CONTROL_CLASS, escape, regex=True)
                              for c in dirty}) if dirty else findings
