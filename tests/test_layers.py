"""Imports run downward only: core <- data <- gaps, key_projects, projection <- report <- batch, cli.

Every ``import`` in every module (module level or inside a function) is checked, so a lazy
import cannot cross a layer unnoticed; the one deliberate exception is listed with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

SRC = REPO / "src" / "analysis"
LAYERS = {"core": 0, "resources": 0, "data": 1, "gaps": 2, "key_projects": 2, "projection": 2,
          "report": 3, "batch": 4, "cli": 4, "sample": 4, "__main__": 5}
# AnnualOutlook draws itself (fan_chart, table_zh, _repr_html_) with the report layer,
# imported only when drawing, as statsmodels' results import their graphics.
ALLOWED = {("projection.outlook", "report")}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "analysis" and len(parts) > 1 else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_imports_only_run_downward():
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        own = path.relative_to(SRC).with_suffix("").as_posix().replace("/", ".")
        own_layer = own.split(".")[0]
        if own_layer == "__init__":
            continue
        for module in _imports(path):
            layer = _layer(module)
            if layer is None or layer not in LAYERS or layer == own_layer:
                continue
            if LAYERS[layer] > LAYERS[own_layer] and (own, layer) not in ALLOWED:
                upward.append(f"{own} imports {module}")
    assert upward == []


def test_the_exception_is_lazy():
    tree = ast.parse((SRC / "projection" / "outlook.py").read_text(encoding="utf-8"))
    top = [n.module for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert not [m for m in top if m and m.startswith("analysis.report")]
