"""GitHub: workflow-command annotations (`::error file=...,line=...::message`), escaped as the runner expects.

Message data escapes `%`, CR and LF; property values additionally escape `:` and `,`.
info and note become `notice`.
"""

from __future__ import annotations

from collections.abc import Sequence

from durable_compile.diagnostics import Diagnostic

LEVELS = {"error": "error", "warning": "warning", "info": "notice", "note": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_one(d: Diagnostic) -> str:
    s = d.span
    props = [("file", d.path), ("line", str(s.line)), ("col", str(s.column)), ("endLine", str(s.end_line)),
             ("endColumn", str(s.end_column)), ("title", f"{d.code} {d.name}".strip())]
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    body = d.message + (f"\nhelp: {d.hint}" if d.hint else "")
    return f"::{LEVELS[d.severity.value]} {head}::{escape_data(body)}"


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(render_one(d) + "\n" for d in diagnostics)
