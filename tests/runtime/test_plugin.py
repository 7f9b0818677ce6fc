"""The pytest plugin is registered by the package and its fixture runs a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durable_runtime import DurableContext, durable_execution


def test_durable_runner_fixture(durable_runner: Callable[..., Any]) -> None:
    @durable_execution
    def handler(event: dict, context: DurableContext) -> int:
        return context.step(lambda _: event["n"] + 1, name="inc")

    result = durable_runner(handler).run('{"n": 41}')
    assert (result.result, result.get_step("inc").result) == ("42", "42")
