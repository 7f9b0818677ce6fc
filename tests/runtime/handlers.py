"""Handlers covering every operation and option, written once against an SDK namespace.

`CASES[name](sdk)` returns `(handler, input, callbacks)`: `callbacks` is a list of
`(callback name, action, payload)` answered from outside while the execution waits.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from typing import Any


class TransientError(Exception):
    pass


def steps(sdk: Any) -> Any:
    @sdk.durable_step
    def add(step_ctx: Any, a: int, b: int) -> int:
        return a + b

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        x = context.step(add(event["a"], 2))
        y = context.step(lambda _: x * 10, name="times-ten")
        z = context.step(lambda _: "unnamed")
        return {"x": x, "y": y, "z": z}

    return handler, {"a": 1}, []


def waits(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        context.step(lambda _: 1, name="before")
        context.wait(sdk.Duration.from_seconds(5), name="pause")
        context.wait(sdk.Duration.from_minutes(1))
        return context.step(lambda _: "after", name="after")

    return handler, {}, []


def step_fails(sdk: Any) -> Any:
    def boom(_: Any) -> None:
        raise TransientError("no luck")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> None:
        context.step(boom, name="boom", config=sdk.StepConfig(retry_strategy=sdk.RetryPresets.none()))

    return handler, {}, []


def step_retries(sdk: Any) -> Any:
    calls = {"n": 0}

    def flaky(step_ctx: Any) -> dict:
        calls["n"] += 1
        if calls["n"] < 3:
            raise TransientError(f"attempt {step_ctx.attempt}")
        return {"attempt": step_ctx.attempt}

    strategy = sdk.create_retry_strategy(
        sdk.RetryStrategyConfig(max_attempts=5, retryable_error_types=[TransientError])
    )

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        return context.step(flaky, name="flaky", config=sdk.StepConfig(retry_strategy=strategy))

    return handler, {}, []


def step_error_caught(sdk: Any) -> Any:
    def bad(_: Any) -> None:
        raise ValueError("bad value")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        try:
            context.step(bad, name="bad", config=sdk.StepConfig(retry_strategy=sdk.RetryPresets.none()))
        except sdk.StepError as error:
            return {"type": error.error_type, "message": error.message}
        return {}

    return handler, {}, []


def at_most_once(sdk: Any) -> Any:
    config = sdk.StepConfig(step_semantics=sdk.StepSemantics.AT_MOST_ONCE_PER_RETRY)

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> int:
        return context.step(lambda _: 7, name="once", config=config)

    return handler, {}, []


def children(sdk: Any) -> Any:
    @sdk.durable_with_child_context
    def inner(ctx: Any, base: int) -> int:
        a = ctx.step(lambda _: base + 1, name="inc")
        ctx.wait(sdk.Duration.from_seconds(2), name="nap")
        return ctx.run_in_child_context(lambda c: c.step(lambda _: a * 2, name="double"), name="grandchild")

    def broken(ctx: Any) -> None:
        ctx.step(lambda _: 1, name="fine")
        raise KeyError("missing")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        value = context.run_in_child_context(inner(3))
        try:
            context.run_in_child_context(broken, name="broken")
        except sdk.ChildContextError as error:
            return {"value": value, "error": error.error_type}
        return {"value": value}

    return handler, {}, []


def parallel(sdk: Any) -> Any:
    def fail(ctx: Any) -> None:
        ctx.step(_raise, name="explode", config=sdk.StepConfig(retry_strategy=sdk.RetryPresets.none()))

    @sdk.durable_parallel_branch(name="named")
    def named(ctx: Any, tag: str) -> str:
        return ctx.step(lambda _: tag, name="tag")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.ParallelConfig(max_concurrency=1, completion_config=sdk.CompletionConfig.all_completed())
        batch = context.parallel(
            [lambda c: c.step(lambda _: "a", name="a"), named("n"), fail], name="fan", config=config
        )
        return {
            "results": batch.get_results(),
            "ok": batch.success_count,
            "failed": batch.failure_count,
            "reason": batch.completion_reason.value,
            "status": batch.status.value,
        }

    return handler, {}, []


def _raise(_: Any) -> None:
    raise RuntimeError("branch failed")


def map_min_successful(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.MapConfig(
            max_concurrency=1,
            completion_config=sdk.CompletionConfig(min_successful=2),
            item_namer=lambda item, i: f"item-{item}",
        )
        batch = context.map(
            [5, 6, 7, 8],
            lambda c, item, i, items: c.step(lambda _: item * i, name="mul"),
            name="m",
            config=config,
        )
        return {
            "results": batch.get_results(),
            "total": batch.total_count,
            "reason": batch.completion_reason.value,
        }

    return handler, {}, []


def map_fail_fast(sdk: Any) -> Any:
    def body(ctx: Any, item: int, index: int, items: list) -> int:
        if item == 2:
            ctx.step(_raise, name="bad", config=sdk.StepConfig(retry_strategy=sdk.RetryPresets.none()))
        ctx.wait(sdk.Duration.from_seconds(1), name="w")
        return item

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        batch = context.map([1, 2, 3], body, name="ff", config=sdk.MapConfig(max_concurrency=1))
        try:
            batch.throw_if_error()
        except sdk.ChildContextError as error:
            return {"error": error.message, "reason": batch.completion_reason.value, "n": batch.total_count}
        return {}

    return handler, {}, []


def flat_parallel(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> list:
        config = sdk.ParallelConfig(max_concurrency=1, nesting_type=sdk.NestingType.FLAT)
        branches = [lambda c: c.step(lambda _: 1, name="one"), lambda c: c.step(lambda _: 2, name="two")]
        return context.parallel(branches, name="flat", config=config).get_results()

    return handler, {}, []


def condition(sdk: Any) -> Any:
    strategy = sdk.create_wait_strategy(
        sdk.WaitStrategyConfig(should_continue_polling=lambda s: s["n"] < 3, initial_delay=sdk.Duration.from_seconds(2))
    )

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.WaitForConditionConfig(wait_strategy=strategy, initial_state={"n": 0})
        return context.wait_for_condition(lambda s, c: {"n": s["n"] + 1, "attempt": c.attempt}, config, name="poll")

    return handler, {}, []


def callbacks(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        callback = context.create_callback(
            name="approval", config=sdk.CallbackConfig(timeout=sdk.Duration.from_hours(1))
        )
        answer = callback.result()
        reply = context.wait_for_callback(lambda cid, c: None, name="reply")
        return {"answer": answer, "reply": reply}

    return (
        handler,
        {},
        [("approval", "succeed", b'"yes"'), ("reply create callback id", "succeed", b'{"ok": 1}')],
    )


def callback_failure(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        try:
            context.wait_for_callback(lambda cid, c: None, name="ask")
        except sdk.CallbackError as error:
            return f"{type(error).__name__}: {error.message}"
        return "no error"

    return handler, {}, [("ask create callback id", "fail", ("RejectedError", "not approved"))]


def callback_timeout(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        callback = context.create_callback(name="slow", config=sdk.CallbackConfig(timeout=sdk.Duration.from_seconds(1)))
        try:
            callback.result()
        except sdk.CallbackTimeoutError:
            return "timed out"
        return "answered"

    return handler, {}, []


def submitter_fails(sdk: Any) -> Any:
    def submit(callback_id: str, ctx: Any) -> None:
        raise ConnectionError("queue down")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        config = sdk.WaitForCallbackConfig(retry_strategy=sdk.RetryPresets.none())
        try:
            context.wait_for_callback(submit, name="send", config=config)
        except sdk.CallbackSubmitterError as error:
            return f"submitter: {error.message}"
        return "sent"

    return handler, {}, []


def rich_values(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        moment = context.step(lambda _: datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC), name="when")
        amount = context.step(lambda _: decimal.Decimal("10.25"), name="amount")
        pair = context.step(lambda _: (1, "two"), name="pair")
        blob = context.step(lambda _: b"\x00\x01", name="blob")
        return {
            "when": moment.isoformat(),
            "amount": str(amount),
            "pair": list(pair),
            "tuple": type(pair).__name__,
            "blob": list(blob),
        }

    return handler, {}, []


def retry_block(sdk: Any) -> Any:
    calls = {"n": 0}

    def attempt(ctx: Any, n: int) -> int:
        calls["n"] += 1
        value = ctx.step(lambda _: calls["n"], name=f"try-{n}")
        if value < 2:
            raise TransientError("again")
        return value

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> int:
        config = sdk.WithRetryConfig(retry_strategy=sdk.RetryPresets.fixed(sdk.Duration.from_seconds(3)))
        return sdk.with_retry(context, attempt, config, name="block")

    return handler, {}, []


def nondeterministic(sdk: Any) -> Any:
    runs = {"n": 0}

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        runs["n"] += 1
        context.step(lambda _: 1, name=f"first-{runs['n']}")
        context.wait(sdk.Duration.from_seconds(1), name="gap")
        return "done"

    return handler, {}, []


def invoke(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        plain = context.invoke("plain-fn", {"n": 2}, name="plain")
        durable = context.invoke("durable-fn", {"n": 3}, name="durable")
        return {"plain": plain, "durable": durable}

    return handler, {}, []


def child_function(sdk: Any) -> Any:
    @sdk.durable_execution
    def child(event: dict, context: Any) -> dict:
        context.wait(sdk.Duration.from_seconds(1), name="child-wait")
        return {"tripled": context.step(lambda _: event["n"] * 3, name="triple")}

    return child


def plain_function(event: dict, context: Any) -> dict:
    return {"doubled": event["n"] * 2}


def wait_too_short(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> None:
        context.wait(sdk.Duration.from_seconds(0))

    return handler, {}, []


def logger_and_replay(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> list:
        seen = [context.is_replaying()]
        context.step(lambda _: 1, name="s1")
        context.wait(sdk.Duration.from_seconds(1), name="w1")
        seen.append(context.is_replaying())
        return context.step(lambda _: seen, name="record")

    return handler, {}, []


CASES: dict[str, Callable[[Any], Any]] = {
    name: fn
    for name, fn in globals().items()
    if callable(fn)
    and not name.startswith("_")
    and name not in {"child_function", "plain_function", "TransientError", "Callable", "Any"}
    and getattr(fn, "__module__", "") == __name__
}


from tests.runtime import handlers_options  # noqa: E402 - the second half of the catalogue

broken_function = handlers_options.broken_function
CASES.update(
    {
        name: getattr(handlers_options, name)
        for name in (
            "custom_completion",
            "tolerated_percentage",
            "invoke_failures",
            "serdes_and_subtypes",
            "condition_exhausted",
            "default_retries_exhausted",
            "at_most_once_retried",
            "unsupported_values",
            "empty_batches",
            "flat_map_with_waits",
            "decorated_submitter",
            "heartbeat_timeout",
            "big_batch_result",
            "bad_return",
            "finally_during_suspension",
        )
    }
)
