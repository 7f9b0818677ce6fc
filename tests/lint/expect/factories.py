"""Callables built by local factories and held in variables are regions too: checked, not reported as
unresolved (DUR900 stays silent), and clocks inside step bodies built this way are fine."""
import random
import time

from aws_durable_execution_sdk_python import DurableContext, durable_execution


def returns(value):
    return lambda ctx: value


def jittery(value):
    return lambda ctx: ctx.step(lambda _: value, name=f"v-{random.random()}")  # expect: DUR102, DUR601


def timed(label):
    def body(step_ctx):
        return f"{label}-{time.time()}"
    return body


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    branches = [returns(1), jittery(2)]
    first = context.parallel(branches, name="p")
    second = context.parallel([returns(i) for i in range(3)], name="q")
    stamp = context.step(timed("t"), name="stamp")
    return {"first": first.get_results(), "second": second.get_results(), "stamp": stamp}
