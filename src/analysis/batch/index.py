"""``reports/<as-of>/index.html``: one row per county, sorted by rank, linking its notes.

Built from the manifest alone (so a resumed run lists earlier jobs too). Self-contained:
inline CSS, no scripts, relative links. Every string that comes from data (region names,
indicator labels, figures, error messages) is HTML-escaped. A note made from other data
than the latest run's is marked stale (旧数据), with a line saying how many there are and
how to refresh them, so the page never passes off two data sets as one.
"""

from __future__ import annotations

from html import escape
from typing import Any

from analysis.gaps.status import STATUS_COLOURS

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #1f1f1f; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0.2rem 0; } p.meta { color: #5f6368; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d9d9d9; padding: 6px 8px; text-align: left;
         vertical-align: top; }
th, td.name, td.links { white-space: nowrap; }
td.fig small { white-space: normal; min-width: 9em; }
thead th { border-bottom: 2px solid #1f1f1f; }
td.fig { white-space: nowrap; } td.fig small { color: #5f6368; display: block; }
.dot { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%;
       margin-right: 4px; }
a.failed { color: #c62828; font-weight: bold; }
a.stale { color: #8d6e00; } p.stale { color: #8d6e00; font-weight: bold; }
.errors { font-size: 0.85rem; color: #c62828; }
@page { size: A4 landscape; margin: 12mm; }
"""


def _status(value: object) -> str:
    return value if value in STATUS_COLOURS else "unknown"  # type: ignore[return-value]


def _regions(jobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    by_region: dict[str, dict[str, Any]] = {}
    for entry in jobs.values():
        region = by_region.setdefault(entry["region_code"], {
            "code": entry["region_code"], "name": entry.get("region_name", ""),
            "jobs": [], "headline": None})
        region["jobs"].append(entry)
        if entry.get("status") == "ok" and entry.get("headline"):
            region["headline"] = entry["headline"]
    for region in by_region.values():
        region["jobs"].sort(key=lambda e: e["notebook"])
        rank = (region["headline"] or {}).get("rank")
        region["rank"] = rank if isinstance(rank, int) else None
    return sorted(by_region.values(),
                  key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))


def stale_jobs(state: dict[str, Any]) -> list[str]:
    """Keys of the jobs made from other data than the manifest's latest run."""
    current = (state.get("data_fingerprint") or {}).get("sha256")
    return sorted(k for k, e in state.get("jobs", {}).items() if current and e.get("data_fingerprint") != current)


def render_index(state: dict[str, Any]) -> str:
    """HTML text of the index page for a manifest ``state``."""
    stale = set(stale_jobs(state))
    regions = _regions(state.get("jobs", {}))
    labels: list[str] = []
    for region in regions:
        for item in (region["headline"] or {}).get("items", []):
            if item["label"] not in labels:
                labels.append(item["label"])
    as_of = escape(str(state.get("as_of", "")))
    city = escape(str(state.get("city_name", "")))
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    rows = [_row(region, labels, stale) for region in regions]
    failed = [e for e in state.get("jobs", {}).values() if e.get("status") != "ok"]
    errors = "".join(
        f"<li>{escape(e['region_code'])} {escape(e.get('region_name', ''))} "
        f"{escape(e['notebook'])}: {escape(_error_text(e.get('error')))}</li>" for e in failed)
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{city}开门红简报索引（{as_of}）</title>\n<style>{_CSS}</style>\n</head>\n<body><main>\n"
        f"<h1>{city}开门红简报索引（{as_of}）</h1>\n"
        f"<p class=\"meta\">{len(regions)}个县区，数据截至{as_of}；{escape(_delivery_text(state))}"
        f"程序版本 {escape(str(state.get('package_version', '')))}</p>\n"
        + (f"<p class=\"stale\">{len(stale)}份简报基于旧数据（标注“旧数据”），请运行 q1brief run --resume 更新。</p>\n"
           if stale else "")
        + _workbook_links(state.get("workbooks", {}))
        + f"<table>\n<thead><tr><th>排名</th><th>县区</th>{head}<th>简报</th></tr></thead>\n"
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>\n"
        + (f"<h2>失败的任务</h2>\n<ul class=\"errors\">{errors}</ul>\n" if failed else "")
        + "</main></body>\n</html>\n"
    )


def _row(region: dict[str, Any], labels: list[str], stale: set[str]) -> str:
    items = {i["label"]: i for i in (region["headline"] or {}).get("items", [])}
    cells = []
    for label in labels:
        item = items.get(label)
        if item is None:
            cells.append("<td class=\"fig\">—</td>")
            continue
        status = _status(item.get("status"))
        cells.append(
            f"<td class=\"fig status-{status}\"><span class=\"dot\" "
            f"style=\"background:{STATUS_COLOURS[status]}\"></span>{escape(item['value'])}"
            f"<small>{escape(item.get('note', ''))}</small></td>")
    links = []
    for entry in region["jobs"]:
        name = escape(entry.get("label") or entry["notebook"])
        html = entry.get("outputs", {}).get("html")
        if entry.get("status") == "ok" and html and f"{entry['region_code']}/{entry['notebook']}" in stale:
            links.append(f"<a class=\"stale\" href=\"{escape(html)}\">{name}（旧数据）</a>")
        elif entry.get("status") == "ok" and html:
            links.append(f"<a href=\"{escape(html)}\">{name}</a>")
        else:
            links.append(f"<a class=\"failed\" title=\"{escape(_error_text(entry.get('error')))}\""
                         f">{name}（失败）</a>")
    rank = str(region["rank"]) if region["rank"] is not None else "—"
    return (f"<tr><td>{rank}</td><td class=\"name\">{escape(region['name'])}<br><small>"
            f"{escape(region['code'])}</small></td>{''.join(cells)}"
            f"<td class=\"links\">{'<br>'.join(links)}</td></tr>\n")


def _delivery_text(state: dict[str, Any]) -> str:
    delivery = state.get("delivery") or {}
    if not delivery.get("fingerprint"):
        return ""
    return f"数据批次{str(delivery.get('ingested_at', ''))[:10]}入库（指纹{str(delivery['fingerprint'])[:12]}）；"


def _workbook_links(books: dict[str, dict[str, Any]]) -> str:
    """A line linking each city's Excel workbook (or saying why it failed)."""
    links = []
    for entry in sorted(books.values(), key=lambda e: e["city_code"]):
        name = escape(f"{entry.get('city_name', '')}{entry.get('label', '表格')}")
        if entry.get("status") == "ok":
            links.append(f"<a class=\"tables\" href=\"{escape(entry['path'])}\">{name}</a>")
        else:
            links.append(f"<a class=\"failed\" title=\"{escape(_error_text(entry.get('error')))}\""
                         f">{name}（失败）</a>")
    return f"<p class=\"meta\">{'　'.join(links)}</p>\n" if links else ""


def _error_text(error: dict[str, Any] | None) -> str:
    if not error:
        return ""
    where = f"（第{error['source_cell_index'] + 1}个单元格）" if "source_cell_index" in error else ""
    return f"{error.get('type', '')}{where}: {str(error.get('message', ''))[:200]}"
