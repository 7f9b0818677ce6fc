"""The installed package list in pyproject.toml covers every source folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _folders(top: str, name: str) -> set[str]:
    base = ROOT / top
    return {
        ".".join([name, *p.parent.relative_to(base).parts])
        for p in base.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }


def test_every_package_folder_is_listed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = _folders("compiler", "durable_compile") | _folders("runtime", "durable_runtime")
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - found == set(), "these listed packages have no folder"
