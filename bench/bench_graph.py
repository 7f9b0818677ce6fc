"""Graph benchmark: parse + discover + lower + graph + Mermaid/JSON for handlers of 300 and 3,000 operations.

Target (issue 2): 3,000 operations in under 2 s, time growing linearly. Reported as the median of 5 runs,
and as the ratio 3,000 / 300 (10.0 is exactly linear), measured in this one process.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import libcst

from durable_compile import api
from durable_compile.source import SourceFile

HEAD = """from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration


@durable_step
def work(step_ctx, n):
    return n + 1


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    r = 0
"""
BLOCK = """    r = context.step(work(r), name="work-{j}")
    if r > {j}:
        context.wait(Duration.from_seconds(1), name="cool-{j}")
    else:
        r = r + 1
    context.step(lambda _: {j}, name="tick-{j}")
"""


def handler_source(operations: int) -> str:
    return HEAD + "".join(BLOCK.format(j=j) for j in range(operations // 3)) + "    return {'r': r}\n"


def run_once(source: SourceFile) -> float:
    start = time.perf_counter()
    lowered = api.lower_source(source)
    api.emit_graph(lowered, "mermaid")
    api.emit_graph(lowered, "json")
    elapsed = time.perf_counter() - start
    assert lowered.handlers[0].operations >= 0.99 * int(source.path.split("-")[1])
    return elapsed


def parse_only(source: SourceFile) -> float:
    """The floor: libcst parsing the same text, nothing else."""
    start = time.perf_counter()
    libcst.parse_module(source.text)
    return time.perf_counter() - start


def main() -> None:
    rows, medians = [], {}
    for ops in (300, 3000):
        source = SourceFile(f"bench-{ops}-ops.py", handler_source(ops))
        run_once(source)  # warm imports
        medians[ops] = statistics.median(run_once(source) for _ in range(5))
        floor = statistics.median(parse_only(source) for _ in range(5))
        rows.append(
            f"| {ops:,} | {source.text.count(chr(10)):,} | {medians[ops]:.3f} s | "
            f"x{medians[ops] / floor:.1f} | {'yes' if medians[ops] < 2 else 'NO'} |"
        )
    ratio = medians[3000] / medians[300]
    text = "\n".join(
        [
            "## graph: operations -> Mermaid + JSON (`bench/bench_graph.py`)",
            "",
            "| operations | lines | median of 5 | vs bare libcst parse | under 2 s |",
            "|---:|---:|---:|---:|:---:|",
            *rows,
            "",
            f"Growth 300 -> 3,000 operations: x{ratio:.1f} time for x10 operations (10.0 is linear).",
        ]
    )
    out = Path(__file__).resolve().parent / "results" / "graph.md"
    out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
