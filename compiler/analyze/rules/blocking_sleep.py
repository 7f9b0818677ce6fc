"""DUR301 blocking-sleep."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class BlockingSleep(BannedCallRule):
    """Sleeping in orchestration code.

    `time.sleep` keeps the invocation (and its bill) running, is repeated on every replay, and cannot
    outlast the 15-minute invocation limit. A durable wait suspends the execution instead and resumes it
    later without running any code meanwhile.
    """

    code = dx.register(dx.Code(
        "DUR301", "blocking-sleep", dx.Severity.ERROR, "the orchestration sleeps instead of waiting durably",
        "use context.wait(Duration.from_seconds(n)) or wait_for_condition",
    ))
    verb = "blocks the invocation"
    VALID = (
        """
import time
@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_seconds(30), name="cool-off")
    return context.step(lambda _: time.sleep(0.1), name="short-pause-in-a-step")
""",
    )
    INVALID = (
        """
import time, asyncio
@durable_execution
def handler(event, context: DurableContext):
    time.sleep(30)  # expect: DUR301
    return context.step(lambda _: 1, name="one")
""",
    )
