"""ASL benchmark: `to-asl` on handlers of 300 and 3,000 operations, and the readability of the samples.

Compile = parse + lower + emit + validate + write the folder's files, in memory. Target (issue 6):
3,000 operations in under 2 s. Timings are medians of 3 runs with the bare libcst parse of the same
text as the peer (ratio). Definition size is compared with the 1 MB limit. Readability: states /
(durable operations + decisions + raises) per sample, target <= 1.25.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import libcst

from durable_compile.api import lower_source
from durable_compile.backends.asl.package import DEFINITION, compile_source
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_graph import handler_source  # noqa: E402  (the same generated handler as the graph benchmark)


def timed(action, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action(*args)
    return time.perf_counter() - start, result


def compile_row(operations: int) -> str:
    source = SourceFile(f"bench-{operations}-ops.py", handler_source(operations))
    runs = [timed(compile_source, source) for _ in range(3)]
    median = statistics.median(t for t, _ in runs)
    compiled = runs[0][1]
    assert {d.code for d in compiled.diagnostics} <= {"DUR812"}, compiled.diagnostics[:3]
    parse = statistics.median(timed(libcst.parse_module, source.text)[0] for _ in range(3))
    size = len(compiled.files[DEFINITION].encode())
    states = len(compiled.output.definition["States"]) if compiled.output else 0
    return (f"| {operations:,} | {states:,} | {median:.3f} s | x{median / parse:.1f} | "
            f"{'yes' if median < 2 else 'NO'} | {size / 1024:,.0f} KiB ({100 * size / 1048576:.0f}% of 1 MB"
            f"{', DUR812' if size > 1048576 else ''}) |")


def count_states(scope: dict) -> int:
    """States of a scope and of every Parallel branch and Map processor inside it."""
    total = 0
    for state in scope["States"].values():
        total += 1 + sum(count_states(b) for b in state.get("Branches", ()))
        total += count_states(state["ItemProcessor"]) if "ItemProcessor" in state else 0
    return total


def readability_row(path: Path, totals: list[int]) -> str | None:
    source = SourceFile(path.relative_to(ROOT).as_posix(), path.read_text())
    lowered = lower_source(source)
    if len(lowered.handlers) != 1:
        return None
    compiled = compile_source(source)
    if not compiled.ok or compiled.output is None:
        return f"| {path.stem} | - | - | - | - | - | not compiled (DUR820) |"
    with mock.patch("durable_compile.backends.asl.emit.fold", lambda definition, source_map: None):
        unfolded = compile_source(source).output
    body = n.walk(lowered.handlers[0].function.body)
    ops = sum(isinstance(s, n.Operation) for s in body)
    decisions = sum(isinstance(s, n.If | n.While | n.For) for s in body)
    raises = sum(isinstance(s, n.Raise) for s in body)
    before = count_states(unfolded.definition) if unfolded else 0
    states = count_states(compiled.output.definition)
    units = max(1, ops + decisions + raises)
    totals[:] = [totals[0] + before, totals[1] + states, totals[2] + units]
    verdict = "yes" if states / units <= 1.25 else "no"
    return (f"| {path.stem} | {ops} + {decisions} + {raises} | {before} | {before / units:.2f} | {states} | "
            f"{states / units:.2f} | {verdict} |")


def main() -> None:
    lines = ["## to-asl: handler -> state machine folder (`bench/bench_asl.py`)", "",
             "| operations | states | median of 3 | vs bare libcst parse | under 2 s | definition size |",
             "|---:|---:|---:|---:|:---:|---:|"]
    lines += [compile_row(ops) for ops in (300, 3000)]
    lines += ["", "Readability: states (all scopes: Parallel branches and Map processors count) / (operations +",
              "decisions + raises), target <= 1.25; before = the same compiler with the fold pass switched off.", "",
              "| sample | ops + decisions + raises | states before | ratio before | states | ratio | <= 1.25 |",
              "|---|---:|---:|---:|---:|---:|:---:|"]
    totals = [0, 0, 0]
    lines += [row for p in sorted((ROOT / "samples").glob("*.py")) if (row := readability_row(p, totals))]
    lines += [f"| **all compiled samples** | {totals[2]} | {totals[0]} | {totals[0] / max(1, totals[2]):.2f} | "
              f"{totals[1]} | {totals[1] / max(1, totals[2]):.2f} | "
              f"{'yes' if totals[1] <= 1.25 * totals[2] else 'no'} |"]
    load = os.getloadavg()
    lines += ["", f"Load average while measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)."]
    out = ROOT / "bench" / "results" / "asl.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
