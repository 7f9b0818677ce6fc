"""DUR302 thread-or-executor."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class ThreadOrExecutor(BannedCallRule):
    """Threads, executors or asyncio tasks in orchestration code.

    Work started on threads or tasks finishes in a different order on each run, and durable operations
    must start one after another in a context. The SDK's `parallel` and `map` run branches concurrently
    with deterministic positions and names.
    """

    code = dx.register(dx.Code(
        "DUR302", "thread-or-executor", dx.Severity.ERROR, "threads, executors or tasks in orchestration code",
        "use context.parallel or context.map",
    ))
    verb = "starts concurrent work"
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    return context.map(event["items"], lambda ctx, item, i, items: ctx.step(lambda _: item, name="x"), name="m")
""",
    )
    INVALID = (
        """
import threading
from concurrent.futures import ThreadPoolExecutor
@durable_execution
def handler(event, context: DurableContext):
    with ThreadPoolExecutor() as pool:  # expect: DUR302
        futures = [pool.submit(len, x) for x in event["items"]]
    threading.Thread(target=print).start()  # expect: DUR302
    return context.step(lambda _: len(futures), name="n")
""",
    )
