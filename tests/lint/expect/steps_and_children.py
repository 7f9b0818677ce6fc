"""Step bodies writing outer state, durable operations inside steps, children using the parent context."""
from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_with_child_context
from aws_durable_execution_sdk_python.config import Duration

totals = []


@durable_with_child_context
def child(c: DurableContext, n: int, parent: DurableContext) -> int:
    return parent.step(lambda _: n, name="wrong-context")  # expect: DUR505


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    seen = []

    def collect(step_ctx):
        seen.append(1)  # expect: DUR502
        totals.append(2)  # expect: DUR502
        context.wait(Duration.from_seconds(1), name="nested")  # expect: DUR501
        return 3

    context.step(collect, name="collect")

    def swallow(step_ctx):
        try:
            return int("x")
        except Exception:  # expect: DUR506
            pass

    context.step(swallow, name="swallow")
    context.step(lambda _: 1, name="dup")
    context.step(lambda _: 2, name="dup")  # expect: DUR602
    while True:  # expect: DUR404
        context.wait(Duration.from_seconds(60), name="tick")
    return {"seen": len(seen)}
