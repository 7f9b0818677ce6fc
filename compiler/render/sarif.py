"""SARIF 2.1.0: one run, every registered rule (with help), results with regions, call chains as
`relatedLocations`, and a `partialFingerprints` entry that survives line moves.

URIs are relative to the current directory (repository-relative when run from the repository root), in
POSIX form. Checked in tests against the official SARIF 2.1.0 JSON schema.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any

from durable_compile import __version__
from durable_compile.diagnostics import REGISTRY, Diagnostic
from durable_compile.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "note": "note"}
HELP_URI = "urn:durable-compile:rule:{code}"


def uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return PurePath(os.path.normpath(p)).as_posix()


def _region(span: Span) -> dict[str, int]:
    return {"startLine": max(1, span.line), "startColumn": max(1, span.column),
            "endLine": max(1, span.end_line), "endColumn": max(1, span.end_column)}


def _location(path: str, span: Span) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": uri(path)}, "region": _region(span)}}


def _rules() -> list[dict[str, Any]]:
    return [{
        "id": c.code, "name": c.name,
        "shortDescription": {"text": c.summary},
        "fullDescription": {"text": f"{c.summary}. Instead: {c.hint}"},
        "help": {"text": c.hint},
        "helpUri": HELP_URI.format(code=c.code),
        "defaultConfiguration": {"level": LEVELS[c.severity.value]},
    } for c in sorted(REGISTRY.values(), key=lambda c: c.code)]


def _result(d: Diagnostic, index: dict[str, int], lines: Callable[[str, int], str]) -> dict[str, Any]:
    anchor = f"{d.code}|{uri(d.path)}|{lines(d.path, d.span.line).strip()}|{d.message}"
    result: dict[str, Any] = {
        "ruleId": d.code, "ruleIndex": index[d.code], "level": LEVELS[d.severity.value],
        "message": {"text": d.message + (f" (help: {d.hint})" if d.hint else "")},
        "locations": [_location(d.path, d.span)],
        "partialFingerprints": {"durableCompile/v1": hashlib.sha256(anchor.encode()).hexdigest()[:32]},
    }
    if d.related:
        result["relatedLocations"] = [
            {"id": i, **_location(r.path, r.span), "message": {"text": r.message}}
            for i, r in enumerate(d.related, start=1)
        ]
    return result


def document(diagnostics: Sequence[Diagnostic], lines: Callable[[str, int], str]) -> dict[str, Any]:
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    return {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "durable-compile", "version": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(d, index, lines) for d in diagnostics],
        }],
    }


def render(diagnostics: Sequence[Diagnostic], lines: Callable[[str, int], str]) -> str:
    return json.dumps(document(diagnostics, lines), indent=2, ensure_ascii=False) + "\n"
