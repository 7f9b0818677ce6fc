"""ASL benchmark: `to-asl` on handlers of 300 and 3,000 operations, and the readability of the samples.

Compile = parse + lower + emit + validate + write the folder's files, in memory (`compile_source`, what
`durable-compile to-asl` runs). Target (issue 6): 3,000 operations in under 2 s. Each timing is the median
of several runs; the peer is the bare libcst parse of the same text, measured in the same process between
the same runs (the front end's own share, parse + lower, is shown beside it); freeing a run's trees is
left out of every timing. The machine is shared: the load average is printed with the results, and each
compile is timed in CPU time as well (against the parse's CPU time), which moves less with the load; the
passes' split follows the table. Definition size is the text as written, against the 1 MB quota.
Readability: states / (durable operations + decisions + raises) per sample, target <= 1.25
(`python bench/bench_asl.py --readability` prints that table alone, without timings or files).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import libcst

from durable_compile.api import Lowered, lower_source, paused_gc
from durable_compile.backends.asl.package import DEFINITION, compile_lowered, compile_source, state_lines
from durable_compile.backends.asl.validate import MAX_DEFINITION_BYTES
from durable_compile.discover import discover
from durable_compile.ir import nodes as n
from durable_compile.ir.lower import lower_handler
from durable_compile.ir.lower.env import Env
from durable_compile.parse import parse as parse_module
from durable_compile.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_graph import handler_source  # noqa: E402  (the same generated handler as the graph benchmark)

RUNS = {300: 7, 3000: 5}


def timed(action, *args):  # type: ignore[no-untyped-def]
    """(seconds by the clock, CPU seconds of this process, result): on a shared machine the CPU time moves
    less with the load than the clock does."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action(*args)
    return time.perf_counter() - start, time.process_time() - cpu, result


def parse(text: str) -> libcst.Module:
    """The peer. The tree is returned, so that freeing it is left out of its time, as the compile's are."""
    with paused_gc():  # as the front end parses
        return libcst.parse_module(text)


def measure(operations: int) -> dict[str, float]:
    """Medians of interleaved runs: compile (what `compile_source` runs: the front end, then the back end,
    each timed), the bare parse, both by the clock and in CPU time; and the output's size."""
    source = SourceFile(f"bench-{operations}-ops.py", handler_source(operations))
    compile_source(source)  # warm caches and imports
    times: dict[str, list[float]] = {k: [] for k in ("compile", "front", "back", "parse", "cpu", "cpu_parse")}
    for _ in range(RUNS[operations]):
        lowered = compiled = None  # the last run's trees are freed here, outside the timings
        front, front_cpu, lowered = timed(lower_source, source)
        back, back_cpu, compiled = timed(compile_lowered, lowered)
        times["front"].append(front)
        times["back"].append(back)
        times["compile"].append(front + back)
        times["cpu"].append(front_cpu + back_cpu)
        seconds, cpu, _ = timed(parse, source.text)
        times["parse"].append(seconds)
        times["cpu_parse"].append(cpu)
    assert {d.code for d in compiled.diagnostics} <= {"DUR812"}, compiled.diagnostics[:3]
    result = {k: statistics.median(v) for k, v in times.items()}
    result["bytes"] = len(compiled.files[DEFINITION].encode())
    assert compiled.output is not None
    result["states"] = len(compiled.output.definition["States"])
    result["lines"] = len(state_lines(compiled.output.definition).encode())
    result["indented"] = len(json.dumps(compiled.output.definition, indent=2, ensure_ascii=False).encode()) + 1
    return result


def phases(source: SourceFile) -> dict[str, float]:
    """CPU time of each pass of one compile, in `lower_source`'s order (then `compile_lowered`)."""
    spent: dict[str, float] = {}
    with paused_gc():
        _, spent["parse"], module = timed(parse_module, source)
        _, spent["discovery"], info = timed(discover, module)
        _, spent["positions"], env = timed(Env.for_module, source.path, info, source.text)
        _, spent["lowering"], handlers = timed(lambda: [lower_handler(env, fn) for fn in info.handlers])
    spent["back end"] = timed(compile_lowered, Lowered(source, info, handlers))[1]
    return spent


def phase_note(operations: int) -> str:
    """The passes' medians at `operations` operations, each against the parse."""
    source = SourceFile(f"bench-{operations}-ops.py", handler_source(operations))
    runs = [phases(source) for _ in range(RUNS[operations])]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    parts = ", ".join(f"{k} {v:.3f} s (x{v / median['parse']:.2f})" for k, v in median.items())
    return f"Passes at {operations:,} operations (CPU time, medians of {len(runs)}): {parts}."


def compile_row(operations: int, m: dict[str, float]) -> str:
    size, back = m["bytes"], m["back"]
    return (f"| {operations:,} | {m['states']:,.0f} | {m['compile']:.3f} s | x{m['compile'] / m['parse']:.2f} | "
            f"{m['cpu']:.3f} s, x{m['cpu'] / m['cpu_parse']:.2f} | "
            f"x{m['front'] / m['parse']:.2f} + x{back / m['parse']:.2f} | {'yes' if m['compile'] < 2 else 'NO'} | "
            f"{size / 1024:,.0f} KiB ({100 * size / MAX_DEFINITION_BYTES:.0f}% of 1 MB"
            f"{', DUR812' if size > MAX_DEFINITION_BYTES else ''}) |")


def fit_note(small: dict[str, float], large: dict[str, float]) -> str:
    """Bytes per state and per operation in the one-state-per-line layout (the one written near the quota),
    and the largest handler of this shape that fits (a straight line through the two measured sizes)."""
    per_op = (large["lines"] - small["lines"]) / 2700
    fits = int(300 + (MAX_DEFINITION_BYTES - small["lines"]) / per_op)
    return (f"Size, one state per line: {large['lines'] / large['states']:.0f} bytes per state, {per_op:.0f} per "
            f"operation; a handler of this shape fits the 1 MB quota up to about {fits // 100 * 100:,} "
            "operations (interpolated). Indented, 3,000 operations would take "
            f"{large['indented'] / 1024:,.0f} KiB.")


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
    top = (len(unfolded.definition["States"]) if unfolded else 0, len(compiled.output.definition["States"]))
    totals[:] = [totals[0] + before, totals[1] + states, totals[2] + units, totals[3] + top[0], totals[4] + top[1]]
    verdict = "yes" if states / units <= 1.25 else "no"
    return (f"| {path.stem} | {ops} + {decisions} + {raises} | {before} | {before / units:.2f} | {states} | "
            f"{states / units:.2f} | {verdict} |")


def readability_table() -> list[str]:
    """The readability table of every single-handler sample, with its totals."""
    lines = ["Readability: states (all scopes: Parallel branches and Map processors count) / (operations +",
             "decisions + raises), target <= 1.25; before = the same compiler with the fold pass switched off.", "",
             "| sample | ops + decisions + raises | states before | ratio before | states | ratio | <= 1.25 |",
             "|---|---:|---:|---:|---:|---:|:---:|"]
    totals = [0, 0, 0, 0, 0]
    lines += [row for p in sorted((ROOT / "samples").glob("*.py")) if (row := readability_row(p, totals))]
    lines += [f"| **all compiled samples** | {totals[2]} | {totals[0]} | {totals[0] / max(1, totals[2]):.2f} | "
              f"{totals[1]} | {totals[1] / max(1, totals[2]):.2f} | "
              f"{'yes' if totals[1] <= 1.25 * totals[2] else 'no'} |"]
    units = max(1, totals[2])
    lines += ["", f"Top-level states only (as this table counted before Parallel/Map compiled): {totals[3]} -> "
              f"{totals[4]} states, ratio {totals[3] / units:.2f} -> {totals[4] / units:.2f}."]
    return lines


def main() -> None:
    if "--readability" in sys.argv[1:]:  # the table alone, printed (quick: no timings, no file written)
        print("\n".join(readability_table()))
        return
    load_before = os.getloadavg()
    measured = {ops: measure(ops) for ops in (300, 3000)}
    load_after = os.getloadavg()
    lines = ["## to-asl: handler -> state machine folder (`bench/bench_asl.py`)", "",
             f"Load average (1 min) {load_before[0]:.1f} before and {load_after[0]:.1f} after the timings "
             f"({os.cpu_count()} cores); medians of {RUNS[300]} and {RUNS[3000]} interleaved runs.", "",
             "| operations | states | compile (median) | vs bare libcst parse | CPU time, vs the parse's | "
             "front end + back end (medians, x parse) | under 2 s | definition size |",
             "|---:|---:|---:|---:|---:|---:|:---:|---:|"]
    lines += [compile_row(ops, m) for ops, m in measured.items()]
    lines += ["", fit_note(measured[300], measured[3000]), "", phase_note(3000)]
    lines += ["", *readability_table()]
    out = ROOT / "bench" / "results" / "asl.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
