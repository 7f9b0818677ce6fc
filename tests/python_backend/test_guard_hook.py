"""The guard's profile hook around tagged durable calls: when it is on, when it is off, what it costs.

A tagged call `_dc.at(LINE, ctx).step(...)` switches the hook off as the call starts and on again as it
returns; the arguments are orchestration code (evaluated while the hook is on); replayed calls leave it
off until the context goes live. The cost is specified exactly, in hook events per tagged call.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from durable_runtime import guard, guard_sites
from durable_runtime.guard import DeterminismViolation, Instrumentation


class Context:
    """Stands in for a DurableContext: runs step bodies in place; replays its first `replayed` steps."""

    def __init__(self, replayed: int = 0) -> None:
        self._replaying = replayed > 0
        self.replayed = replayed
        self.steps = 0

    def step(self, func: Callable[[Any], Any], name: str | None = None) -> Any:
        self.steps += 1
        if self.steps >= self.replayed:
            self._replaying = False
        if name == "boom":
            raise ValueError("the step failed")
        return func(None)

    def is_replaying(self) -> bool:
        return self._replaying


@pytest.fixture
def inst() -> Iterator[Instrumentation]:
    made = Instrumentation("dc_guard_hook_test", "flow.py")
    made.map_lines((1, 1, 10_000))
    yield made
    guard._REGISTRY.pop("dc_guard_hook_test", None)


def watched(inst: Instrumentation, body: Callable[[Context], Any], context: Context | None = None) -> Any:
    return inst.orchestration(body)(context or Context())


def test_the_arguments_of_a_tagged_call_are_orchestration_code(inst: Instrumentation) -> None:
    with pytest.raises(DeterminismViolation) as caught:
        watched(inst, lambda ctx: inst.at(3, ctx).step(lambda _: 1, name=str(uuid.uuid4())))
    assert caught.value.call == "uuid.uuid4"


def test_the_hook_is_on_again_after_a_tagged_call(inst: Instrumentation) -> None:
    def body(ctx: Context) -> Any:
        inst.at(3, ctx).step(lambda _: time.time(), name="clock")  # fine inside the step
        return time.time()  # not after it

    with pytest.raises(DeterminismViolation) as caught:
        watched(inst, body)
    assert caught.value.call == "time.time"


def test_the_hook_is_on_again_after_a_tagged_call_that_raised(inst: Instrumentation) -> None:
    def body(ctx: Context) -> Any:
        try:
            inst.at(3, ctx).step(lambda _: 1, name="boom")
        except ValueError:
            return time.monotonic()
        return None

    with pytest.raises(DeterminismViolation) as caught:
        watched(inst, body)
    assert caught.value.call == "time.monotonic"


def test_replayed_calls_leave_the_hook_off_until_the_context_goes_live(inst: Instrumentation) -> None:
    seen: list[str] = []

    def body(ctx: Context) -> Any:
        for index in range(4):
            inst.at(3, ctx).step(lambda _, i=index: i, name=f"s{index}")
            seen.append(f"{index}: {time.time() > 0}")  # replaying until the third step has run
        return None

    with pytest.raises(DeterminismViolation):
        watched(inst, body, Context(replayed=3))
    assert seen == ["0: True", "1: True"]


def test_the_mode_off_never_switches_the_hook_on(inst: Instrumentation) -> None:
    quiet = Instrumentation("dc_guard_hook_off", "flow.py", mode="off")
    try:
        assert quiet.orchestration(lambda ctx: [quiet.at(3, ctx).step(lambda _: 1), time.time()])(Context())
    finally:
        guard._REGISTRY.pop("dc_guard_hook_off", None)


def count_events(monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any]) -> int:
    real = guard._profile
    events: list[str] = []

    def counting(frame: Any, event: str, arg: Any) -> Any:
        events.append(event)
        return real(frame, event, arg)

    monkeypatch.setattr(guard, "_profile", counting)
    monkeypatch.setattr(guard_sites, "_profile", counting)
    gc.disable()  # a collection would call its callbacks (Python functions) wherever it starts
    try:
        run()
    finally:
        gc.enable()
    return len(events)


@pytest.mark.parametrize("calls", [1, 10, 100])
def test_each_tagged_call_costs_the_hook_two_events(
    inst: Instrumentation, monkeypatch: pytest.MonkeyPatch, calls: int
) -> None:
    def step(_: Any) -> None:  # made outside the watched code: the body below only makes tagged calls
        return None

    def body(ctx: Context) -> None:
        for _ in range(calls):
            inst.at(3, ctx).step(step)

    baseline = count_events(monkeypatch, lambda: watched(inst, lambda ctx: None))
    assert count_events(monkeypatch, lambda: watched(inst, body)) - baseline == 2 * calls


def test_a_map_item_function_costs_the_hook_its_own_events_and_one_more(
    inst: Instrumentation, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = inst.orchestration(lambda ctx: None)  # what `_dc.at(...).map` hands the runtime for each item
    # the item's call and return, and the end of the stretch (the hook switches off as it starts)
    assert count_events(monkeypatch, lambda: item(Context())) == 3
