"""More handler cases: completion rules, invoke failures, serdes and sub types, virtual and FLAT contexts,
exhausted retries and polls, heartbeat timeouts, large batch results (see handlers.py for the format)."""

from __future__ import annotations

from typing import Any


def custom_completion(sdk: Any) -> Any:
    def decide(status: Any) -> Any:
        if status.failure_count >= 1:
            return sdk.complete_batch(sdk.CompletionOutcome.FAILED)
        return sdk.continue_batch()

    def item(ctx: Any, x: int, i: int, xs: list) -> int:
        if x == 2:
            raise ValueError("two")
        return x

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.MapConfig(max_concurrency=1, completion_config=sdk.CompletionConfig(should_complete=decide))
        batch = context.map([1, 2, 3], item, name="custom", config=config)
        try:
            batch.throw_if_error()
        except sdk.DurableOperationError as error:
            return {
                "raised": type(error).__name__,
                "reason": batch.completion_reason.value,
                "status": batch.status.value,
            }
        return {}

    return handler, {}, []


def tolerated_percentage(sdk: Any) -> Any:
    def branch(ok: bool) -> Any:
        def run(ctx: Any) -> str:
            if not ok:
                raise RuntimeError("down")
            return "up"

        return run

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.ParallelConfig(
            max_concurrency=1, completion_config=sdk.CompletionConfig(tolerated_failure_percentage=40)
        )
        batch = context.parallel([branch(True), branch(False), branch(False), branch(True)], config=config)
        return {"reason": batch.completion_reason.value, "n": batch.total_count, "errors": len(batch.get_errors())}

    return handler, {}, []


def invoke_failures(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> list:
        out = []
        for name in ("broken-fn", "missing-fn"):
            try:
                context.invoke(name, {"n": 1}, name=name)
            except sdk.InvokeError as error:
                out.append(type(error).__name__)
        return out

    return handler, {}, []


def serdes_and_subtypes(sdk: Any) -> Any:
    json_serdes = sdk.JsonSerDes() if hasattr(sdk, "JsonSerDes") else None

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        a = context.step(
            lambda _: {"k": [1, 2]}, name="json", config=sdk.StepConfig(serdes=json_serdes, sub_type="Fetch")
        )
        b = context.run_in_child_context(
            lambda c: c.step(lambda _: 3, name="in"), name="kid", config=sdk.ChildConfig(sub_type="Phase")
        )
        v = context.run_in_child_context(
            lambda c: c.step(lambda _: 4, name="flat-in"), name="virtual", config=sdk.ChildConfig(is_virtual=True)
        )
        return {"a": a, "b": b, "v": v}

    return handler, {}, []


def condition_exhausted(sdk: Any) -> Any:
    strategy = sdk.create_wait_strategy(
        sdk.WaitStrategyConfig(should_continue_polling=lambda s: True, max_attempts=3, initial_delay=sdk.Duration(1))
    )

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        try:
            context.wait_for_condition(lambda s, c: s + 1, sdk.WaitForConditionConfig(strategy, 0), name="never")
        except sdk.WaitForConditionError as error:
            return error.message or ""
        return "met"

    return handler, {}, []


def default_retries_exhausted(sdk: Any) -> Any:
    def always(_: Any) -> None:
        raise TimeoutError("upstream slow")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> None:
        context.step(always, name="always")

    return handler, {}, []


def at_most_once_retried(sdk: Any) -> Any:
    calls = {"n": 0}

    def once(step_ctx: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("reset")
        return step_ctx.attempt

    config = sdk.StepConfig(
        retry_strategy=sdk.RetryPresets.fixed(sdk.Duration(2)), step_semantics=sdk.StepSemantics.AT_MOST_ONCE_PER_RETRY
    )

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> int:
        return context.step(once, name="once", config=config)

    return handler, {}, []


def unsupported_values(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> Any:
        try:
            context.step(lambda _: object(), name="opaque")
        except sdk.SerDesError as error:
            kind = type(error).__name__
        return {"kind": kind, "result": context.step(lambda _: {1, 2}, name="a-set")}

    return handler, {}, []


def empty_batches(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        p = context.parallel([], name="none")
        m = context.map([], lambda c, x, i, xs: x, name="nothing")
        return {"p": p.total_count, "m": m.total_count, "reason": m.completion_reason.value}

    return handler, {}, []


def flat_map_with_waits(sdk: Any) -> Any:
    def item(ctx: Any, x: int, i: int, xs: list) -> int:
        ctx.wait(sdk.Duration(2), name=f"nap-{x}")
        return ctx.step(lambda _: x * x, name=f"sq-{x}")

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> list:
        config = sdk.MapConfig(max_concurrency=1, nesting_type=sdk.NestingType.FLAT)
        return context.map([1, 2, 3], item, name="flat-map", config=config).get_results()

    return handler, {}, []


def decorated_submitter(sdk: Any) -> Any:
    @sdk.durable_wait_for_callback
    def submit(callback_id: str, ctx: Any, ticket: str) -> None:
        ctx.logger.info("submitting %s", ticket)

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> Any:
        return context.wait_for_callback(submit("T-1"))

    return handler, {}, [("submit create callback id", "succeed", b'"done"')]


def heartbeat_timeout(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> str:
        config = sdk.CallbackConfig(timeout=sdk.Duration(60), heartbeat_timeout=sdk.Duration(1))
        try:
            context.create_callback(name="beat", config=config).result()
        except sdk.CallbackTimeoutError as error:
            return error.message or "timeout"
        return "answered"

    return handler, {}, []


def big_batch_result(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        config = sdk.MapConfig(max_concurrency=1)
        batch = context.map(list(range(4)), lambda c, x, i, xs: "z" * 70_000, name="big", config=config)
        context.wait(sdk.Duration(1), name="after")
        return {"n": len(batch.get_results()), "size": sum(len(r) for r in batch.get_results())}

    return handler, {}, []


def broken_function(event: dict, context: Any) -> None:
    raise PermissionError("no access")


def bad_return(sdk: Any) -> Any:
    @sdk.durable_execution
    def handler(event: dict, context: Any) -> Any:
        return context.step(lambda _: 1, name="one") and {1, 2}

    return handler, {}, []


def finally_during_suspension(sdk: Any) -> Any:
    """A `finally` with a durable operation runs while a wait in its `try` suspends: on replay the
    position holds the cleanup step where the code now reaches `after`, so the execution fails as
    non-deterministic, on AWS as here."""

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> int:
        x = 0
        try:
            context.wait(sdk.Duration.from_seconds(1), name="nap")
            x = context.step(lambda _: x + 1, name="after")
        finally:
            x = context.step(lambda _: x + 1, name="cleanup")
        return x

    return handler, {}, []
