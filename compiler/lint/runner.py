"""Runner: paths + config -> sorted diagnostics (and the fixes that go with them).

collect files -> read -> skip files without a durable import (before parsing) and files marked
`# durable-compile: noqa` -> cache lookup -> analyze the misses (in a process pool when there are enough)
-> store -> keep the selected codes, drop per-file ignores and suppressed lines -> sort.
Every rule runs on every analyzed file; selection happens afterwards, so the cache serves any selection.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

from durable_compile import diagnostics as dx
from durable_compile.analyze.engine import FileResult, analyze_text
from durable_compile.analyze.project import Project
from durable_compile.analyze.rule import Finding, Fix
from durable_compile.analyze.rules import DEFAULT_OFF, RULES, instantiate
from durable_compile.analyze.summaries import Settings
from durable_compile.lint import files, suppress
from durable_compile.lint.cache import FOLDER, Cache
from durable_compile.lint.config import LintConfig
from durable_compile.source import Span

POOL_THRESHOLD = 24  #: fewer files than this are analyzed in-process (a pool costs more than it saves)


@dataclass
class LintRun:
    diagnostics: list[dx.Diagnostic] = field(default_factory=list)
    fixes: dict[str, list[Fix]] = field(default_factory=dict)  #: path -> fixes of reported findings
    texts: dict[str, str] = field(default_factory=dict)  #: path -> text, for files with findings
    files: int = 0  #: files considered
    analyzed: int = 0  #: files parsed and analyzed in this run
    cached: int = 0  #: files answered from the cache
    skipped: int = 0  #: files without a durable import, or marked noqa


def all_codes() -> frozenset[str]:
    return frozenset({r.code.code for r in RULES} | {"DUR999"})


def lint(paths: list[str], config: LintConfig, *, use_cache: bool = True, jobs: int = 0) -> LintRun:
    run = LintRun()
    todo: list[tuple[str, str, str | None]] = []  #: (path, text, cache key)
    texts: dict[str, str] = {}
    settings = config.settings()
    store = Cache(Path(config.root) / FOLDER, settings) if use_cache else None
    results: dict[str, FileResult] = {}
    for path in files.collect(paths or ["."], config):
        run.files += 1
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            results[path] = FileResult((Finding(dx.make("DUR999", path, Span(1, 1, 1, 2),
                                                         f"cannot read: {err.strerror}")),), ())
            continue
        text = data.decode("utf-8", errors="replace")
        if not files.mentions_durable(text) or suppress.file_level(text):
            run.skipped += 1
            continue
        texts[path] = text
        key = store.key(path, data) if store is not None else None
        hit = store.get(key) if store is not None and key is not None else None
        if hit is not None:
            run.cached += 1
            results[path] = hit
        else:
            todo.append((path, text, key))
    run.analyzed = len(todo)
    for (path, _, key), result in zip(todo, _analyze_all([(p, t) for p, t, _ in todo], settings, jobs),
                                      strict=True):
        results[path] = result
        if store is not None and key is not None:
            store.put(key, result)
    _collect(run, results, texts, config)
    return run


def _collect(run: LintRun, results: dict[str, FileResult], texts: dict[str, str], config: LintConfig) -> None:
    enabled = config.enabled(all_codes(), DEFAULT_OFF) | {"DUR999"}
    for path in sorted(results):
        text = texts.get(path, "")
        marks = suppress.scan(text)
        ignored = config.ignored_for(path)
        for finding in results[path].findings:
            d = finding.diagnostic
            if d.code not in enabled or any(d.code.startswith(i) for i in ignored) or marks.covers(d):
                continue
            run.diagnostics.append(d)
            run.texts[path] = text
            if finding.fix is not None:
                run.fixes.setdefault(path, []).append(finding.fix)
    run.diagnostics.sort(key=dx.Diagnostic.sort_key)


def _analyze_all(items: list[tuple[str, str]], settings: Settings, jobs: int) -> list[FileResult]:
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(items) < POOL_THRESHOLD:
        return analyze_batch(items, settings)
    size = max(4, len(items) // (workers * 4))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    from concurrent.futures import ProcessPoolExecutor  # only big runs pay for importing multiprocessing

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [r for batch in pool.map(analyze_batch, batches, [settings] * len(batches)) for r in batch]


def analyze_batch(items: list[tuple[str, str]], settings: Settings) -> list[FileResult]:
    """Analyze files with one shared project cache (helpers read from disk once per batch). Syntax trees
    are short-lived and acyclic, so the cyclic garbage collector runs less often meanwhile."""
    project = Project()
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 20_000), *thresholds[1:])
    try:
        return [analyze_text(path, text, instantiate(), settings, project) for path, text in items]
    finally:
        gc.set_threshold(*thresholds)
