"""durable_runtime imports nothing outside the standard library (the pytest plugin may import pytest),
and nothing from the compiler."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
ALLOWED_THIRD_PARTY = {"testing/plugin.py": {"pytest"}}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_runtime_uses_only_the_standard_library() -> None:
    offenders = {}
    for path in sorted(RUNTIME.rglob("*.py")):
        relative = path.relative_to(RUNTIME).as_posix()
        allowed = (
            set(sys.stdlib_module_names) | {"durable_runtime", "__future__"} | ALLOWED_THIRD_PARTY.get(relative, set())
        )
        extra = _imported_roots(path) - allowed
        if extra:
            offenders[relative] = sorted(extra)
    assert offenders == {}
