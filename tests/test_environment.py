"""environment.yml (conda) stays in step with pyproject.toml and constraints.txt (pip)."""

import re
import tomllib

import yaml

from tests.conftest import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip())[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_at_the_tested_versions():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    listed: dict[str, str] = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-e") or entry == "pip":
                continue
            name, _, version = re.split(r"(==|=)", entry, maxsplit=1)
            listed[_name(name)] = version
    assert listed.pop("python") == "3.11"
    assert set(listed) == wanted
    for name, version in listed.items():
        assert pins[name] == version, f"{name}: environment.yml {version} vs constraints.txt {pins[name]}"
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e .[test]" in pip_section
