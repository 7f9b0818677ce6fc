"""Files: the paths to lint (folders recurse over *.py and *.pyi, honouring excludes) and the cheap filter.

A file that never mentions the durable SDK (or `durable_runtime`) cannot hold a handler, a step or a child
function, so it is skipped before parsing: the common case in a real repository costs one read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from durable_compile.lint.config import LintConfig

SUFFIXES = (".py", ".pyi")
MARKERS = ("aws_durable_execution_sdk_python", "durable_runtime")


def collect(paths: Iterable[str], config: LintConfig) -> list[str]:
    """Files named directly are always taken; folders are walked (sorted) minus excluded entries."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_walk(path, config))
        else:
            found.append(raw)
    seen: set[str] = set()
    unique = []
    for f in found:
        key = os.path.normpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _walk(top: Path, config: LintConfig) -> list[str]:
    out: list[str] = []
    for folder, dirs, files in os.walk(top):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not config.excluded(base / d))
        for name in sorted(files):
            if name.endswith(SUFFIXES) and not config.excluded(base / name):
                out.append(str(base / name))
    return out


def mentions_durable(text: str) -> bool:
    """True when the text could hold durable code (an import of the SDK or of durable_runtime)."""
    return any(marker in text for marker in MARKERS)
