"""pytest plugin (entry point `pytest11`): the `durable_runner` fixture builds runners and closes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from durable_runtime.testing.runner import DurableFunctionTestRunner


@pytest.fixture
def durable_runner() -> Iterator[Callable[..., DurableFunctionTestRunner]]:
    """`durable_runner(handler, **options)` -> a `DurableFunctionTestRunner`, closed after the test."""
    made: list[DurableFunctionTestRunner] = []

    def make(handler: Callable[..., Any], **options: Any) -> DurableFunctionTestRunner:
        runner = DurableFunctionTestRunner(handler, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()
