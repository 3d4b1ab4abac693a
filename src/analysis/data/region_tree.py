"""``regions.csv`` must form a tree: one top region, every region under the level above it.

A city's file has one city at the top (its own parent blank or a province of the package
catalogue), every county's parent is that city and every township's parent one of its
counties. A province-level file has the country at the top and provinces under it. The
gap table ranks counties among the city's counties and compares them with the city, so a
parent cycle, a county with no parent or two cities would silently give wrong ranks and
a wrong 全市: each is an error naming the row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.validation import findings_frame

PARENT_LEVEL = {"province": "country", "city": "province", "county": "city", "township": "county"}


def region_tree_findings(regions: pd.DataFrame, path: str | Path, catalogue_codes: set[str]) -> pd.DataFrame:
    """Error findings (check ``regions``) for every way ``regions`` is not a tree.

    ``regions`` has the columns of ``regions.csv`` in file order (row 2 is its first row);
    ``catalogue_codes`` are codes a top region may name as parent (the package's country
    and provinces).
    """
    frame = regions.reset_index(drop=True)
    row = {code: i + 2 for i, code in enumerate(frame["code"])}
    parent = dict(zip(frame["code"], frame["parent"], strict=True))
    level = dict(zip(frame["code"], frame["level"], strict=True))
    name = dict(zip(frame["code"], frame["name"], strict=True))
    found: list[tuple[int, str]] = []

    cycles = _cycles(parent)
    in_cycle = {code for cycle in cycles for code in cycle}
    for cycle in cycles:
        chain = " -> ".join(f"{c} {name[c]}" for c in [*cycle, cycle[0]])
        found.append((min(row[c] for c in cycle), f"parent cycle {chain}; expected a tree with the city at the top"))
    for code, up in parent.items():
        if up and up not in parent and up not in catalogue_codes:
            found.append((row[code], f"parent {up!r} of {code} {name[code]} is not a region; "
                                     "expected a code listed in the file"))
    roots = [c for c, up in parent.items()
             if (not up or (up not in parent and up in catalogue_codes)) and c not in in_cycle]
    top = next((c for c in roots if level[c] in ("city", "country")), roots[0] if roots else None)
    for code in roots:
        if code != top:
            expected = PARENT_LEVEL.get(level[code], "")
            above = f"the {expected} {top} {name[top]}" if top and level.get(top) == expected else f"a {expected}"
            found.append((row[code], f"{level[code]} {code} {name[code]} has no parent in the file, so there are "
                                     f"{len(roots)} top regions; expected its parent to be {above}"))
    for code, up in parent.items():
        if code in in_cycle or code in roots or up not in parent:
            continue
        wanted = PARENT_LEVEL.get(level[code])
        if level[up] != wanted:
            found.append((row[code], f"{level[code]} {code} {name[code]} has parent {up} {name[up]}, a {level[up]}; "
                                     f"expected a {wanted or 'region of a higher level'}"))
    cities = [c for c in parent if level[c] == "city"]
    if len(cities) > 1:
        listed = ", ".join(f"{c} {name[c]}" for c in cities)
        found.append((row[cities[1]], f"{len(cities)} cities ({listed}); expected one city per data folder"))
    found.sort()
    return findings_frame([{"severity": "error", "check": "regions", "file": str(path),
                            "location": f"row {r}, column parent", "message": m} for r, m in found])


def _cycles(parent: dict[str, str]) -> list[list[str]]:
    """Every parent cycle (each once, starting at its smallest code)."""
    cycles, done = [], set()
    for start in parent:
        path: list[str] = []
        seen: set[str] = set()
        code = start
        while code in parent and code not in done and code not in seen:
            seen.add(code)
            path.append(code)
            code = parent[code]
        if code in seen:  # walked into this walk's own path: a cycle
            cycle = path[path.index(code):]
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
        done.update(path)
    return cycles
