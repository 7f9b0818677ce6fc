"""Render DOT to SVG or PNG with Graphviz's `dot` executable."""

from __future__ import annotations

import shutil
import subprocess


class RendererMissing(RuntimeError):
    """Graphviz is not installed."""


def render(dot_text: str, fmt: str) -> bytes:
    """SVG or PNG bytes for a DOT document; raises `RendererMissing` when `dot` is not on PATH."""
    exe = shutil.which("dot")
    if exe is None:
        raise RendererMissing("Graphviz `dot` was not found on PATH")
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
