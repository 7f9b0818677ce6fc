"""DUR101 wall-clock."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class WallClock(BannedCallRule):
    """Reading the clock in orchestration code.

    The handler re-runs from the top on every invocation, so `datetime.now()` or `time.time()` returns a
    different value on each replay. Anything computed from it (a deadline, a branch, an operation name)
    differs between the first run and the replay. Flags `time.time/time_ns/monotonic*/perf_counter*/
    process_time*/localtime/gmtime/ctime`, `datetime.now/utcnow/today`, `date.today` and pendulum/arrow
    "now", reached directly or through project helpers. `--fix` moves the read into a named step.
    """

    code = dx.register(dx.Code(
        "DUR101", "wall-clock", dx.Severity.ERROR, "the clock is read in orchestration code",
        "read the clock inside a step (its result is checkpointed), or take the time from the event",
    ))
    verb = "reads the wall clock"
    fixable = True
    VALID = (
        """
import time
@durable_step
def stamp(step_ctx: StepContext) -> float:
    return time.time()

@durable_execution
def handler(event, context: DurableContext):
    started = context.step(stamp())
    context.step(lambda _: time.time(), name="now")
    return started
""",
        """
from datetime import datetime
@durable_execution
def handler(event, context):
    when = datetime.fromisoformat(event["at"])
    return context.step(lambda _: when.isoformat(), name="echo")
""",
    )
    INVALID = (
        """
import time as t
from datetime import datetime as dt
@durable_execution
def handler(event, context: DurableContext):
    started = dt.now()  # expect: DUR101
    context.wait(Duration.from_seconds(5), name="pause")
    return {"took": t.time() - started.timestamp()}  # expect: DUR101
""",
        """
import datetime
def now_label():
    return datetime.datetime.utcnow().isoformat()

def label():
    return "at " + now_label()

@durable_execution
def handler(event, context):
    name = label()  # expect: DUR101
    return context.step(lambda _: 1, name="one")
""",
    )
