"""JSON: an array of `{path, line, column, end_line, end_column, code, name, severity, message, hint}`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from durable_compile.diagnostics import Diagnostic


def as_dict(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.span.line, "column": d.span.column, "end_line": d.span.end_line,
            "end_column": d.span.end_column, "code": d.code, "name": d.name, "severity": d.severity.value,
            "message": d.message, "hint": d.hint}


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
