"""Suite 9 (map): one handler per requirement 9-1 .. 9-20."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import CompletionConfig, Duration, MapConfig, NestingType

from ._support import JsonSerDes, OpSerDes, PrefixSerDes, projection, results_of

FULL = ("completionReason", "status", "successCount", "failureCount", "totalCount")
SHORT = ("completionReason", "successCount", "failureCount", "totalCount")
LARGE_ITEM_CHARS = 70 * 1024


def sequential(**completion) -> MapConfig:
    """Items one at a time, in index order (deterministic history)."""
    return MapConfig(max_concurrency=1, completion_config=CompletionConfig(**completion))


def ok_or_raise(ctx, item, index, items):
    """Items named "fail" raise; every other item is returned unchanged."""
    if item == "fail":
        raise RuntimeError(f"item {index} failed")
    return item


def upper(ctx, item, index, items):
    return item.upper()


@durable_execution
def r9_1(event, context):
    def greet(ctx, item, index, items):
        return ctx.step(lambda _: f"Hello, {item}!", name="greet")

    return context.map(event, greet, name="map", config=sequential()).get_results()


@durable_execution
def r9_2(event, context):
    return context.map(event, lambda ctx, item, index, items: item * 2, config=sequential()).get_results()


@durable_execution
def r9_3(event, context):
    items = [10, 20, 30]
    return context.map(items, lambda ctx, item, index, _: item + index, name="indexed",
                       config=sequential()).get_results()


@durable_execution
def r9_4(event, context):
    return context.map([], upper, name="empty").get_results()


@durable_execution
def r9_5(event, context):
    batch = context.map(["ok", "fail", "ok"], ok_or_raise, name="failfast",
                        config=sequential(tolerated_failure_count=0))
    return projection(batch, *FULL)


@durable_execution
def r9_6(event, context):
    batch = context.map(["fail", "ok"], ok_or_raise, name="throwing", config=sequential(tolerated_failure_count=0))
    batch.throw_if_error()
    return batch.get_results()


@durable_execution
def r9_7(event, context):
    batch = context.map(["a", "b", "c", "d"], ok_or_raise, name="min-successful",
                        config=sequential(min_successful=2))
    return projection(batch, "completionReason", "successCount", "totalCount")


@durable_execution
def r9_8(event, context):
    batch = context.map(["ok", "fail", "ok"], ok_or_raise, name="tolerated",
                        config=sequential(tolerated_failure_count=1))
    return projection(batch, *FULL)


@durable_execution
def r9_9(event, context):
    batch = context.map(["fail", "fail", "ok"], ok_or_raise, name="tolerated-exceeded",
                        config=sequential(tolerated_failure_count=1))
    return projection(batch, *SHORT)


@durable_execution
def r9_10(event, context):
    batch = context.map(["fail", "fail", "ok", "ok"], ok_or_raise, name="tolerated-pct",
                        config=sequential(tolerated_failure_percentage=25))
    return projection(batch, *SHORT)


@durable_execution
def r9_11(event, context):
    config = MapConfig(max_concurrency=2)
    return context.map(["r0", "r1", "r2"], ok_or_raise, name="concurrent", config=config).get_results()


@durable_execution
def r9_12(event, context):
    def step_item(ctx, item, index, items):
        return ctx.step(lambda _: item, name=f"item-{index}")

    config = MapConfig(max_concurrency=1, nesting_type=NestingType.FLAT)
    return context.map(["fa", "fb"], step_item, name="flat", config=config).get_results()


@durable_execution
def r9_13(event, context):
    config = MapConfig(max_concurrency=1, item_namer=lambda item, index: f"item-{item}")
    return context.map(event, lambda ctx, item, index, items: item * 10, name="named-items",
                       config=config).get_results()


@durable_execution
def r9_14(event, context):
    config = MapConfig(max_concurrency=1, item_serdes=PrefixSerDes())
    return context.map(["x", "y"], upper, name="serdes", config=config).get_results()


@durable_execution
def r9_15(event, context):
    def item_fn(ctx, item, index, items):
        if index == 1:
            ctx.wait(Duration.from_seconds(1))
        return ctx.step(lambda _: item, name=f"produce-{item}")

    return context.map(["r0", "r1"], item_fn, name="suspend", config=sequential()).get_results()


@durable_execution
def r9_16(event, context):
    def large(ctx, item, index, items):
        return str(index) * LARGE_ITEM_CHARS

    batch = context.map([0, 1, 2, 3], large, name="large", config=sequential())
    return {"successCount": batch.success_count, "totalCount": batch.total_count}


@durable_execution
def r9_17(event, context):
    batch = context.map(["a", "b"], upper, name="then-wait", config=sequential())
    context.wait(Duration.from_seconds(1))
    return batch.get_results()


@durable_execution
def r9_18(event, context):
    batch = context.map(["ok", "fail"], ok_or_raise, name="fail-then-wait",
                        config=sequential(tolerated_failure_count=1))
    context.wait(Duration.from_seconds(1))
    return projection(batch, *FULL)


@durable_execution
def r9_19(event, context):
    config = MapConfig(max_concurrency=1, serdes=OpSerDes(), item_serdes=JsonSerDes())
    return results_of(context.map(["x", "y"], upper, name="op-serde", config=config))


@durable_execution
def r9_20(event, context):
    config = MapConfig(max_concurrency=1, serdes=OpSerDes(), item_serdes=JsonSerDes())
    batch = context.map(["x", "y"], upper, name="op-serde-replay", config=config)
    context.wait(Duration.from_seconds(1))
    return results_of(batch)
