"""Exact instruction counts under valgrind's callgrind, for benchmarks on a shared, noisy machine.

The measured process calls `os.getppid()` as a mark before and after each run it wants counted;
callgrind dumps its counters before every such call, so dump n holds what ran between marks n-1 and n.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def counts_between_marks(args: list[str], env: dict[str, str], marks: int) -> list[int] | None:
    """Instructions executed between consecutive marks of `python ARGS` (`marks` of them expected), or
    None when valgrind is missing or the dumps cannot be told apart."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory() as dumps:
        out = Path(dumps) / "callgrind.out"
        command = [valgrind, "--tool=callgrind", "--dump-before=os_getppid*", "--dump-instr=no", "--dump-line=no",
                   f"--callgrind-out-file={out}", sys.executable, *args]
        if subprocess.run(command, env=env, capture_output=True).returncode != 0:
            return None
        if out.with_name(f"{out.name}.{marks + 1}").exists():
            return None  # something else called the mark
        try:
            return [_total(out.with_name(f"{out.name}.{n}")) for n in range(1, marks + 1)]
        except (OSError, ValueError):  # no dump at the marks (a libpython without symbols)
            return None


def _total(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise ValueError(f"{dump}: no totals")


def environment(runtime: Path | None) -> dict[str, str]:
    """The measured process's environment: a fixed hash seed, and `runtime` first on the path if given."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    if runtime is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(runtime), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env
