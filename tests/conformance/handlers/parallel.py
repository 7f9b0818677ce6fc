"""Suite 8 (parallel): one handler per requirement 8-1 .. 8-22."""

from __future__ import annotations

from aws_durable_execution_sdk_python import ParallelBranch, durable_execution
from aws_durable_execution_sdk_python.config import CompletionConfig, Duration, NestingType, ParallelConfig

from ._support import WrappedSerDes, projection, results_of

FULL = ("completionReason", "status", "successCount", "failureCount", "totalCount")
SHORT = ("completionReason", "successCount", "failureCount", "totalCount")


def returns(value):
    return lambda ctx: value


def step_returning(value):
    return lambda ctx: ctx.step(lambda _: value, name=f"task-{value}")


def raises(message="branch failed"):
    def branch(ctx):
        raise RuntimeError(message)

    return branch


def sequential(**completion) -> ParallelConfig:
    """Branches one at a time, in index order (deterministic history)."""
    return ParallelConfig(max_concurrency=1, completion_config=CompletionConfig(**completion))


@durable_execution
def r8_1(event, context):
    batch = context.parallel([step_returning("task-1"), step_returning("task-2")], name="parallel",
                             config=sequential())
    return batch.get_results()


@durable_execution
def r8_2(event, context):
    return context.parallel([returns("alpha"), returns("beta")], config=sequential()).get_results()


@durable_execution
def r8_3(event, context):
    branches = [ParallelBranch(returns("one"), name="first"), ParallelBranch(returns("two"), name="second")]
    return context.parallel(branches, name="named", config=sequential()).get_results()


@durable_execution
def r8_4(event, context):
    branches = [returns("hello"), returns(42), returns({"k": "v"})]
    return context.parallel(branches, name="hetero", config=sequential()).get_results()


@durable_execution
def r8_5(event, context):
    return context.parallel([], name="empty").get_results()


@durable_execution
def r8_6(event, context):
    batch = context.parallel([returns("ok"), raises(), returns("never")], name="failfast",
                             config=sequential(tolerated_failure_count=0))
    return projection(batch, *FULL)


@durable_execution
def r8_7(event, context):
    batch = context.parallel([raises(), returns("never")], name="throwing",
                             config=sequential(tolerated_failure_count=0))
    batch.throw_if_error()
    return batch.get_results()


@durable_execution
def r8_8(event, context):
    branches = [returns(f"b{i}") for i in range(4)]
    batch = context.parallel(branches, name="min-successful", config=sequential(min_successful=2))
    return projection(batch, "completionReason", "successCount", "totalCount")


@durable_execution
def r8_9(event, context):
    batch = context.parallel([returns("a"), raises(), returns("c")], name="tolerated",
                             config=sequential(tolerated_failure_count=1))
    return projection(batch, *FULL)


@durable_execution
def r8_10(event, context):
    batch = context.parallel([raises(), raises(), returns("c")], name="tolerated-exceeded",
                             config=sequential(tolerated_failure_count=1))
    return projection(batch, *SHORT)


@durable_execution
def r8_11(event, context):
    branches = [returns("r0"), returns("r1"), returns("r2")]
    return context.parallel(branches, name="concurrent", config=ParallelConfig(max_concurrency=2)).get_results()


@durable_execution
def r8_12(event, context):
    config = ParallelConfig(max_concurrency=1, nesting_type=NestingType.FLAT)
    return context.parallel([step_returning("fa"), step_returning("fb")], name="flat", config=config).get_results()


@durable_execution
def r8_13(event, context):
    branches = [raises(), raises(), returns("c"), returns("d")]
    batch = context.parallel(branches, name="tolerated-pct", config=sequential(tolerated_failure_percentage=25))
    return projection(batch, *SHORT)


def _wait_then(value):
    def branch(ctx):
        ctx.wait(Duration.from_seconds(2))
        return value

    return branch


@durable_execution
def r8_14(event, context):
    batch = context.parallel([step_returning("b0"), _wait_then("b1")], name="replay", config=sequential())
    return batch.get_results()


@durable_execution
def r8_15(event, context):
    config = ParallelConfig(max_concurrency=1, item_serdes=WrappedSerDes())
    return context.parallel([returns("x"), returns("y")], name="serde", config=config).get_results()


@durable_execution
def r8_16(event, context):
    batch = context.parallel([raises(), raises(), raises()], name="all-fail",
                             config=sequential(tolerated_failure_count=3))
    return projection(batch, *FULL)


@durable_execution
def r8_17(event, context):
    batch = context.parallel([returns("a"), raises(), returns("c")], name="min-not-reached",
                             config=sequential(min_successful=3))
    return projection(batch, *FULL)


@durable_execution
def r8_18(event, context):
    branches = [raises(), raises(), returns("c"), returns("d")]
    batch = context.parallel(branches, name="combined",
                             config=sequential(min_successful=3, tolerated_failure_count=1))
    return projection(batch, *SHORT)


@durable_execution
def r8_19(event, context):
    return context.parallel([returns("a"), returns("b")], name="bad-concurrency",
                            config=ParallelConfig(max_concurrency=0)).get_results()


@durable_execution
def r8_20(event, context):
    batch = context.parallel([returns("a"), raises(), returns("c")], name="accessors",
                             config=sequential(tolerated_failure_count=1))
    return {
        "hasFailure": batch.has_failure,
        "successCount": len(batch.succeeded()),
        "failureCount": len(batch.failed()),
        "errorCount": len(batch.get_errors()),
    }


def _inner_parallel(ctx):
    batch = ctx.parallel([step_returning("i1"), step_returning("i2")], name="inner", config=sequential())
    return batch.get_results()


@durable_execution
def r8_21(event, context):
    return context.parallel([_inner_parallel], name="outer", config=sequential()).get_results()


@durable_execution
def r8_22(event, context):
    branches = [raises(), returns("b"), returns("c"), returns("d")]
    batch = context.parallel(branches, name="pct-boundary", config=sequential(tolerated_failure_percentage=25))
    return projection(batch, *FULL)


__all__ = ["results_of"]
