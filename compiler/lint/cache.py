"""Cache: analysis results keyed by file content, so an unchanged file costs one read and one hash.

The key covers the tool's own analysis code, the settings that change findings (allow-env, helper lists),
the path and the file's bytes. An entry also records the project modules the analysis followed and their
digests: if one of them changed, the entry is stale. Selection, ignores and suppressions are applied after
the cache, so changing them needs no re-analysis. Entries are JSON, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from durable_compile import __version__
from durable_compile import diagnostics as dx
from durable_compile.analyze.engine import FileResult
from durable_compile.analyze.project import file_digest
from durable_compile.analyze.rule import Edit, Finding, Fix
from durable_compile.analyze.summaries import Settings
from durable_compile.source import Span

FOLDER = ".durable-compile-cache"


@cache
def code_fingerprint() -> str:
    """A digest of the analyzer's own source: a changed rule invalidates every entry."""
    base = Path(__file__).resolve().parents[1] / "analyze"
    h = hashlib.sha256(__version__.encode())
    for path in sorted(base.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


class Cache:
    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.salt = f"{code_fingerprint()}|{sorted(settings.allow_env)}|{sorted(settings.deterministic)}|" \
                    f"{sorted(settings.nondeterministic.items())}"

    def key(self, path: str, data: bytes) -> str:
        h = hashlib.sha256(self.salt.encode())
        h.update(path.encode("utf-8", "surrogatepass") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileResult | None:
        try:
            raw = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        deps = tuple((str(p), str(d)) for p, d in raw["deps"])
        if any(file_digest(p) != d for p, d in deps):
            return None
        return FileResult(tuple(_finding(f) for f in raw["findings"]), deps)

    def put(self, key: str, result: FileResult) -> None:
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            data = {"findings": [_encode(f) for f in result.findings], "deps": [list(d) for d in result.deps]}
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only checkout still lints, just without a cache


def _span(s: Span) -> list[int]:
    return [s.line, s.column, s.end_line, s.end_column]


def _encode(f: Finding) -> dict[str, Any]:
    d = f.diagnostic
    out: dict[str, Any] = {"p": d.path, "s": _span(d.span), "c": d.code, "m": d.message, "v": d.severity.value,
                           "r": [[r.path, _span(r.span), r.message] for r in d.related]}
    if f.fix is not None:
        out["f"] = [f.fix.title, [[e.start, e.end, e.text] for e in f.fix.edits], f.fix.shifts_positions]
    return out


def _finding(raw: dict[str, Any]) -> Finding:
    related = tuple(dx.Related(p, Span(*s), m) for p, s, m in raw["r"])
    diagnostic = dx.make(raw["c"], raw["p"], Span(*raw["s"]), raw["m"], severity=dx.Severity(raw["v"]),
                         related=related)
    fix = None
    if "f" in raw:
        title, edits, shifts = raw["f"]
        fix = Fix(title, tuple(Edit(*e) for e in edits), shifts)
    return Finding(diagnostic, fix)
