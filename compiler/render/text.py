"""Text: `path:line:col: CODE message`, the source line with carets under the span, the call chain, help."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from durable_compile.diagnostics import Diagnostic


def render_one(d: Diagnostic, lines: Callable[[str, int], str], *, source: bool = True) -> str:
    out = [f"{d.path}:{d.span.line}:{d.span.column}: {d.code} {d.message}"]
    line = lines(d.path, d.span.line).replace("\t", " ") if source and d.span.line > 0 else ""
    if line.strip():
        number = str(d.span.line)
        pad = " " * len(number)
        end = d.span.end_column if d.span.end_line == d.span.line else len(line) + 1
        width = max(1, min(end, len(line) + 1) - d.span.column)
        out.append(f" {number} | {line}")
        out.append(f" {pad} | {' ' * (d.span.column - 1)}{'^' * width}")
    for hop in d.related:
        out.append(f"  via {hop.path}:{hop.span.line}:{hop.span.column}: {hop.message}")
    if d.hint:
        out.append(f"  help: {d.hint}")
    return "\n".join(out)


def render(diagnostics: Sequence[Diagnostic], lines: Callable[[str, int], str]) -> str:
    return "".join(render_one(d, lines) + "\n" for d in diagnostics)


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    counts: dict[str, int] = {}
    for d in diagnostics:
        counts[d.severity.value] = counts.get(d.severity.value, 0) + 1
    if not diagnostics:
        return f"no findings in {files} file{'s' if files != 1 else ''}"
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
             for s in ("error", "warning", "info", "note") if s in counts]
    return f"{len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''} ({', '.join(parts)}) " \
           f"in {files} file{'s' if files != 1 else ''}"
