"""``reports/<as-of>/index.html``: the city's row first, then one row per county by rank,
each linking its notes (the HTML page, and the Word document beside it where one was written).

Built from the manifest alone (so a resumed run lists earlier jobs too) through the template
``analysis/report/templates/html/index.html.j2``. Self-contained: inline CSS, no scripts,
relative links. Every string that comes from data (region names, indicator labels, figures,
error messages) is HTML-escaped by the template's autoescape. A note made from other data
than the latest run's is marked stale (旧数据), with a line saying how many there are and
how to refresh them, so the page never passes off two data sets as one.
"""

from __future__ import annotations

from typing import Any

from analysis.gaps.status import STATUS_COLOURS
from analysis.report.render import render


def _status(value: object) -> str:
    return value if value in STATUS_COLOURS else "unknown"  # type: ignore[return-value]


def _regions(jobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    by_region: dict[str, dict[str, Any]] = {}
    for entry in jobs.values():
        region = by_region.setdefault(entry["region_code"], {
            "code": entry["region_code"], "name": entry.get("region_name", ""),
            "city": entry.get("level") == "city", "jobs": [], "headline": None})
        region["jobs"].append(entry)
        if entry.get("status") == "ok" and entry.get("headline"):
            region["headline"] = entry["headline"]
    for region in by_region.values():
        region["jobs"].sort(key=lambda e: e["notebook"])
        rank = (region["headline"] or {}).get("rank")
        region["rank"] = rank if isinstance(rank, int) else None
    return sorted(by_region.values(),
                  key=lambda r: (not r["city"], r["rank"] is None, r["rank"] or 0, r["code"]))


def stale_jobs(state: dict[str, Any]) -> list[str]:
    """Keys of the jobs made from other data than the manifest's latest run."""
    current = (state.get("data_fingerprint") or {}).get("sha256")
    return sorted(k for k, e in state.get("jobs", {}).items() if current and e.get("data_fingerprint") != current)


def render_index(state: dict[str, Any]) -> str:
    """HTML text of the index page for a manifest ``state`` (template ``html/index.html.j2``)."""
    stale = set(stale_jobs(state))
    regions = _regions(state.get("jobs", {}))
    labels: list[str] = []
    for region in regions:
        for item in (region["headline"] or {}).get("items", []):
            if item["label"] not in labels:
                labels.append(item["label"])
    failed = [{"code": e["region_code"], "name": e.get("region_name", ""), "notebook": e["notebook"],
               "error": _error_text(e.get("error"))}
              for e in state.get("jobs", {}).values() if e.get("status") != "ok"]
    return render("html/index.html.j2", as_of=str(state.get("as_of", "")), city=str(state.get("city_name", "")),
                  package_version=str(state.get("package_version", "")), labels=labels,
                  delivery=_delivery_text(state), stale=len(stale),
                  workbooks=_workbook_links(state.get("workbooks", {})),
                  regions=[_row(region, labels, stale) for region in regions], failed=failed,
                  n_counties=sum(not region["city"] for region in regions))


def _row(region: dict[str, Any], labels: list[str], stale: set[str]) -> dict[str, Any]:
    """What the template shows of one region: rank, name, one cell per label, the links
    (a link to a note made from older data is marked ``stale``)."""
    items = {i["label"]: i for i in (region["headline"] or {}).get("items", [])}
    cells: list[dict[str, str] | None] = []
    for label in labels:
        item = items.get(label)
        status = _status(item.get("status")) if item is not None else "unknown"
        cells.append(None if item is None else {
            "status": status, "colour": STATUS_COLOURS[status], "value": item["value"],
            "note": item.get("note", "")})
    links = []
    for entry in region["jobs"]:
        outputs = entry.get("outputs", {}) if entry.get("status") == "ok" else {}
        links.append({"name": entry.get("label") or entry["notebook"],
                      "href": outputs.get("html") or outputs.get("docx"),
                      "docx": outputs.get("docx") if outputs.get("html") else None,  # Word beside the page
                      "stale": f"{entry['region_code']}/{entry['notebook']}" in stale,
                      "error": _error_text(entry.get("error"))})
    rank = "全市" if region["city"] else str(region["rank"]) if region["rank"] is not None else "—"
    return {"rank": rank, "name": region["name"], "code": region["code"], "cells": cells, "links": links,
            "city": region["city"]}


def _delivery_text(state: dict[str, Any]) -> str:
    """The delivery the run's data came from (``数据批次…入库（指纹…）；``), or ''."""
    delivery = state.get("delivery") or {}
    if not delivery.get("fingerprint"):
        return ""
    return f"数据批次{str(delivery.get('ingested_at', ''))[:10]}入库（指纹{str(delivery['fingerprint'])[:12]}）；"


def _workbook_links(books: dict[str, dict[str, Any]]) -> list[dict[str, str | None]]:
    """A link to each city's Excel workbook (or, failed, why), for the line above the table."""
    return [{"name": f"{entry.get('city_name', '')}{entry.get('label', '表格')}",
             "href": entry["path"] if entry.get("status") == "ok" else None,
             "error": _error_text(entry.get("error"))}
            for entry in sorted(books.values(), key=lambda e: e["city_code"])]


def _error_text(error: dict[str, Any] | None) -> str:
    if not error:
        return ""
    where = f"（第{error['source_cell_index'] + 1}个单元格）" if "source_cell_index" in error else ""
    return f"{error.get('type', '')}{where}: {str(error.get('message', ''))[:200]}"
