"""DUR205 non-replay-safe-log."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class PrintLogging(BannedCallRule):
    """`print`, `logging` or writes to stdout/stderr in orchestration code.

    Orchestration code re-runs on every replay, so each message is emitted again per invocation and the
    logs show the same step "happening" many times. `context.logger` drops records while replaying.
    Not an error: the execution itself is unaffected.
    """

    code = dx.register(dx.Code(
        "DUR205", "non-replay-safe-log", dx.Severity.INFO, "print or logging in orchestration code repeats on replay",
        "log with context.logger, which is silent while replaying",
    ))
    verb = "writes output again on each replay"
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    context.logger.info("starting", extra={"id": event["id"]})
    return context.step(lambda _: print("inside a step is fine"), name="p")
""",
    )
    INVALID = (
        """
import logging
log = logging.getLogger(__name__)
@durable_execution
def handler(event, context: DurableContext):
    print("starting")  # expect: DUR205
    log.info("started")  # expect: DUR205
    logging.warning("hm")  # expect: DUR205
    return context.step(lambda _: 1, name="one")
""",
    )
