"""Render: diagnostics -> text, JSON, SARIF 2.1.0 or GitHub workflow annotations.

Renderers are pure functions of the diagnostics (and, for text and SARIF fingerprints, a way to read a
source line). Only the CLI prints what they return; every command that reports diagnostics reuses them.
Output is deterministic: diagnostics are rendered in `Diagnostic.sort_key` order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from durable_compile.diagnostics import Diagnostic
from durable_compile.render import github, json_format, sarif, text

LineSource = Callable[[str, int], str]
FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, diagnostics: Sequence[Diagnostic], lines: LineSource) -> str:
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        return json_format.render(ordered)
    if fmt == "sarif":
        return sarif.render(ordered, lines)
    if fmt == "github":
        return github.render(ordered)
    return text.render(ordered, lines)
