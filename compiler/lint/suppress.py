"""Suppression comments: `# noqa[: CODES]` on the line, `# lint-ignore[: CODES]` on the line above (or on
the line), and a file-level `# durable-compile: noqa` on a line of its own.

Codes are comma or space separated; a bare `# noqa` / `# lint-ignore` suppresses every code on that line.
Only the first line of a finding counts (what `path:line:col` shows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from durable_compile.analyze.positions import split_lines
from durable_compile.diagnostics import Diagnostic

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*lint-(?:ignore|fixme)(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
                     re.IGNORECASE)
_FILE = re.compile(r"^\s*#\s*durable-compile:\s*noqa\s*$", re.MULTILINE | re.IGNORECASE)
ALL = frozenset({"*"})


@dataclass
class Suppressions:
    lines: dict[int, frozenset[str]] = field(default_factory=dict)  #: line -> codes ("*": all)
    whole_file: bool = False

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code == "DUR999":
            return False
        codes = self.lines.get(diagnostic.span.line)
        return codes is not None and ("*" in codes or diagnostic.code in codes)


def file_level(text: str) -> bool:
    """True when a line of its own says `# durable-compile: noqa`: the file is not analyzed at all."""
    return "durable-compile" in text and bool(_FILE.search(text))


def _codes(match: re.Match[str]) -> frozenset[str]:
    text = match.group("codes")
    return frozenset(c.upper() for c in re.split(r"[\s,]+", text) if c) if text else ALL


def scan(text: str) -> Suppressions:
    """Find every suppression comment (a cheap substring test first: most files have none)."""
    result = Suppressions(whole_file=file_level(text))
    if "noqa" not in text and "lint-" not in text:
        return result
    for number, line in enumerate(split_lines(text), start=1):
        if "#" not in line:
            continue
        for match in _NOQA.finditer(line):
            _add(result, number, _codes(match))
        for match in _IGNORE.finditer(line):
            own_line = line.lstrip().startswith("#")
            _add(result, number + 1 if own_line else number, _codes(match))
    return result


def _add(result: Suppressions, line: int, codes: frozenset[str]) -> None:
    result.lines[line] = result.lines.get(line, frozenset()) | codes
