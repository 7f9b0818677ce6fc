"""What recording source locations costs: the runtime benchmark's workloads with and without it, in one process.

Every new operation's START records where its call is written (`durable_runtime.sources.starting`): a
generated module's tag, else, while `sources.walking()` is on (the local runtime behind `durable-compile
run` turns it on), a walk out of the runtime's frames. Three ways, everything else equal:
*nothing*, the look-up replaced by one that returns nothing; *default*, the in-memory test runner as it
is (original handlers are not walked: only the tag is read); *walking*, the same with frame walks on.
The workloads are original handlers run directly (the walk is their only source of locations). The
in-memory runs are the hot path; the SQLite row is `durable-compile run`'s path, where every blocking
checkpoint is a commit. Times are CPU times (on a shared machine, waiting for a core is most of the
wall time's noise; on SQLite this leaves the commits' I/O out, so the share shown there is an upper
bound). Runs are interleaved with the garbage collector paused, medians and best runs compared. Writes
bench/results/sources.md.

    python bench/bench_sources.py [--quick]
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "sources.md"
sys.path.insert(0, str(HERE))

import bench_runtime as workloads  # noqa: E402  (the runtime benchmark's handlers, shared)

from durable_runtime import sources  # noqa: E402
from durable_runtime.operation import base  # noqa: E402

MEMORY: dict[str, tuple[Callable[..., Any], int]] = {
    "1,000 sequential steps": (workloads.sequential(1000), 1000),
    "300 steps, then 20 (step, wait) pairs": (workloads.steps_then_waits(300, 20), 340),
    "map of 500 items, max concurrency 10": (workloads.big_map(500, 10), 1000),
}
WAYS = ("nothing", "default", "walking")
Row = tuple[str, dict[str, list[float]], int]


@contextlib.contextmanager
def way(name: str) -> Iterator[None]:
    original = base.starting
    if name == "nothing":
        base.starting = lambda: None  # type: ignore[assignment]
    try:
        with sources.walking() if name == "walking" else contextlib.nullcontext():
            yield
    finally:
        base.starting = original  # type: ignore[assignment]


def _run(build: Callable[..., Any], name: str, store: Any = None) -> float:
    """CPU seconds of one execution: on a machine shared with other jobs, waiting for a core is most of
    the wall time's noise, and no part of what is compared."""
    gc.collect()
    gc.disable()  # a collection landing in one run and not in another is the rest of it
    try:
        with way(name):
            started = time.process_time()
            workloads.run_once(workloads.OURS, build, store)
            return time.process_time() - started
    finally:
        gc.enable()


def measure(cases: dict[str, tuple[Callable[..., Any], int]], repeat: int, sqlite: bool = False) -> list[Row]:
    rows = []
    for label, (build, units) in cases.items():
        times: dict[str, list[float]] = {name: [] for name in WAYS}
        with tempfile.TemporaryDirectory() as folder:
            for index in range(repeat + 1):  # the first round warms up
                order = WAYS[index % 3 :] + WAYS[: index % 3]  # rotate which goes first
                for name in order:
                    store = _sqlite(Path(folder), f"{index}-{name}") if sqlite else None
                    elapsed = _run(build, name, store)
                    if index:
                        times[name].append(elapsed)
        rows.append((label, times, units))
    return rows


SEQUENTIAL = """from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def handler(event, context):
    return sum(context.step(lambda _, i=i: i, name=f"s{i}") for i in range(1000))
"""


def generated(folder: Path) -> Callable[..., Any]:
    """The 1,000-step workload as `to-python --guard off` generates it: every call tagged with its line."""
    import importlib.util

    from durable_compile import api
    from durable_compile.backends.python import Options
    from durable_compile.source import SourceFile

    path = folder / "bench_sources_generated.py"
    path.write_text(
        api.emit_python(api.lower_source(SourceFile("sequential.py", SEQUENTIAL)), Options(mode="off")).text
    )
    spec = importlib.util.spec_from_file_location("bench_sources_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    handler = module.handler
    return lambda _sdk: handler


def _sqlite(folder: Path, name: str) -> Any:
    from durable_runtime.store.sqlite import SqliteStore

    return SqliteStore(folder / f"{name}.db")


def table(memory: list[Row], disk: list[Row], repeat: int) -> str:
    out = [
        "## Source locations: what recording them costs",
        "",
        f"`python bench/bench_sources.py` (one process, durable_runtime with time skipped, original handlers "
        f"run directly and one generated module; CPU time, medians of {repeat} interleaved runs with the "
        f"garbage collector paused; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs). *nothing*: no location recorded; *default*: "
        "the runtime as the in-memory test runner uses it (a generated module's tag is read; original "
        "handlers are not walked); *walking*: every new operation walks out of the runtime's frames to its "
        "caller's `file:line`, as `durable-compile run` does. Replayed operations never look anything up.",
        "",
        "| workload | store | nothing | default / nothing | walking / nothing | walking / nothing (best) "
        "| walk per operation |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for rows, store in ((memory, "memory"), (disk, "SQLite")):
        for label, times, units in rows:
            base_median = statistics.median(times["nothing"])
            default = statistics.median(times["default"]) / base_median
            walk = statistics.median(times["walking"])
            best = min(times["walking"]) / min(times["nothing"])
            per = (walk - base_median) / units * 1e6
            out.append(
                f"| {label} | {store} | {base_median * 1e3:,.1f} ms | {default:.3f}x | {walk / base_median:.3f}x "
                f"| {best:.3f}x | {per:+.2f} us |"
            )
    out += [
        "",
        "The last column is the walk's own price per new operation (memory rows) and, on SQLite, the walk "
        "plus storing the location with the operation record. The in-memory test runner is the hot path "
        "(benchmarked against AWS's runner), so it does not walk: there `default / nothing` is the whole cost "
        "of source locations for a handler run directly, and in the generated module's row the price of recording its "
        "tags (walking changes nothing there: the tag comes first). `durable-compile run` walks: its steps each wait "
        "for a SQLite commit, whose I/O is not in the CPU time above (a step there takes about 240 us of wall "
        "time, bench/results/runtime.md). Errors and log records look their location up only when they "
        "happen; replayed operations look nothing up.",
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 3 if quick else 15
    logging.disable(logging.CRITICAL)
    started = time.perf_counter()
    memory = measure(MEMORY, repeat)
    with tempfile.TemporaryDirectory() as folder:
        label = "1,000 sequential steps, generated module (tags)"
        memory += measure({label: (generated(Path(folder)), 1000)}, repeat)
    disk = measure({"1,000 sequential steps": MEMORY["1,000 sequential steps"]}, 3 if quick else 9, sqlite=True)
    text = table(memory, disk, repeat)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(text)
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
