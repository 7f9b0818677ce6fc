"""Printing for every command: diagnostics to stderr, results to stdout or a file, exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click

from durable_compile.diagnostics import Diagnostic
from durable_compile.render.text import render_one

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


def short(diag: Diagnostic) -> str:
    """`path:line:col: CODE message`, any call chain, then the hint: the text renderer without the source."""
    return render_one(diag, lambda path, line: "", source=False)


def report(diagnostics: Iterable[Diagnostic]) -> None:
    for diag in sorted(diagnostics, key=Diagnostic.sort_key):
        click.echo(short(diag), err=True)


def write_output(data: bytes, path: str | None) -> None:
    """Write to `path` (creating folders) or to stdout."""
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
