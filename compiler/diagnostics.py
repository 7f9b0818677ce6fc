"""Diagnostics as data: the code registry and the `Diagnostic` record every pass returns.

Passes never print. The CLI renders diagnostics (text, JSON, SARIF, GitHub) at the very end.
Codes are stable: DUR1xx-7xx determinism rules, DUR8xx compile diagnostics of the backends,
DUR9xx tool problems (DUR999: the file could not be parsed or analyzed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from durable_compile.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1, "note": 0}[self.value]


@dataclass(frozen=True)
class Code:
    """One registered diagnostic code."""

    code: str  #: e.g. "DUR101"
    name: str  #: kebab-case name, e.g. "wall-clock"
    severity: Severity  #: default severity
    summary: str  #: one line for `durable-compile rules`
    hint: str  #: what to do instead


@dataclass(frozen=True)
class Related:
    """A secondary location, e.g. one hop of a call chain."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding, located in a file."""

    path: str  #: file as given by the user
    span: Span  #: where it points
    code: str  #: registered code
    message: str  #: the specific finding
    severity: Severity  #: effective severity
    hint: str = ""  #: what to do instead
    name: str = ""  #: the code's name
    related: tuple[Related, ...] = field(default_factory=tuple)  #: call chains, other places

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


REGISTRY: dict[str, Code] = {}


def register(code: Code) -> Code:
    """Add a code to the registry; registering the same code twice with other data is a bug."""
    existing = REGISTRY.get(code.code)
    if existing is not None and existing != code:
        raise ValueError(f"diagnostic code {code.code} registered twice with different data")
    REGISTRY[code.code] = code
    return code


def make(code: str, path: str, span: Span, message: str, *, severity: Severity | None = None,
         related: tuple[Related, ...] = ()) -> Diagnostic:
    """Build a diagnostic for a registered code, taking its name, hint and default severity."""
    entry = REGISTRY[code]
    return Diagnostic(path, span, code, message, severity or entry.severity, entry.hint, entry.name, related)


PARSE_ERROR = register(Code(
    "DUR999", "parse-error", Severity.ERROR,
    "the file does not parse, or the analyzer failed on it; other files are still checked",
    "fix the syntax error at the location shown; the file is analyzed as Python 3.11+",
))
NO_HANDLER = register(Code(
    "DUR998", "no-handler", Severity.ERROR,
    "the file defines no durable handler",
    "decorate the handler with @durable_execution (from aws_durable_execution_sdk_python or durable_runtime)",
))
UNKNOWN_HANDLER = register(Code(
    "DUR997", "unknown-handler", Severity.ERROR,
    "--handler names a function that is not a durable handler in this file",
    "pick one of the handlers listed in the message",
))
