"""Inline expectations (mypy's `# E:` idea): `# expect: CODE[, CODE]` comments compared as (line, code) sets.

Used by the rule examples, the expectation files and the false-positive corpus in tests.
"""

from __future__ import annotations

import re

from durable_compile.analyze.engine import analyze_text
from durable_compile.analyze.rules import instantiate
from durable_compile.diagnostics import Diagnostic

EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def diagnostics(text: str, path: str = "example.py") -> list[Diagnostic]:
    return [f.diagnostic for f in analyze_text(path, text, instantiate()).findings]


def expected(text: str) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found |= {(number, c.strip()) for c in match.group(1).split(",") if c.strip()}
    return found


def actual(text: str, codes: set[str] | None = None, path: str = "example.py") -> set[tuple[int, str]]:
    return {(d.span.line, d.code) for d in diagnostics(text, path) if codes is None or d.code in codes}
