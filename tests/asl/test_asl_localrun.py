"""Hand-written state machines give the same outcome on both local interpreters (moto and sfnx.testing),
and the outcome the definition means. Lambda tasks are answered by Python functions, in-process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.localrun import Answer, Outcome, Services, run_definition

HERE = Path(__file__).parent
STEPS = "${StepsFunctionArn}"


def machine(name: str) -> dict[str, Any]:
    return json.loads((HERE / "valid" / f"{name}.json").read_text())


def flaky(failures: int, error: type[Exception]) -> Callable[[Any], Any]:
    """A steps function that raises `error` on its first `failures` calls, then echoes its input."""
    calls: list[Any] = []

    def run(event: Any) -> Any:
        calls.append(event)
        if len(calls) <= failures:
            raise error(f"attempt {len(calls)} failed")
        return {"ok": event["input"]}
    return run


def by_step(**bodies: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
    return lambda event: bodies[event["step"]](event)


CASES: list[tuple[str, str, Any, Callable[[], Services], Outcome]] = [
    ("retry then succeed", "task_retry_catch", {"x": 1},
     lambda: Services({STEPS: flaky(2, ValueError)}),
     Outcome("SUCCEEDED", {"charged": {"ok": {"x": 1}}})),
    ("retries exhausted, caught", "task_retry_catch", {"x": 1},
     lambda: Services({STEPS: flaky(3, ValueError)}),
     Outcome("FAILED", error="ChargeFailed", cause='{"errorType":"ValueError","errorMessage":"attempt 3 failed"}')),
    ("error not retried, caught", "task_retry_catch", {"x": 1},
     lambda: Services({STEPS: flaky(1, KeyError)}),
     Outcome("FAILED", error="ChargeFailed", cause='{"errorType":"KeyError","errorMessage":"\'attempt 1 failed\'"}')),
    ("a task error ends the execution: its message is the cause", "map_inline", {"orders": [1]},
     lambda: Services({STEPS: flaky(1, KeyError)}), Outcome("FAILED", error="KeyError", cause="'attempt 1 failed'")),
    ("choice loop with Assign", "choice_loop", {"items": [1, 2, 3, 4]}, lambda: Services({}),
     Outcome("SUCCEEDED", 10)),
    ("choice loop, zero iterations", "choice_loop", {"items": []}, lambda: Services({}), Outcome("SUCCEEDED", 0)),
    ("inline map in item order", "map_inline", {"orders": [3, 1, 2]},
     lambda: Services({STEPS: lambda e: e["order"] * 10}), Outcome("SUCCEEDED", [30, 10, 20])),
    ("parallel branches in branch order", "parallel_branches", {"customer": "ann"},
     lambda: Services({STEPS: lambda e: "mail to " + e["to"]}),
     Outcome("SUCCEEDED", ["mail to ann", "audited ann"])),
    ("parallel branch failure caught", "parallel_branches", {"customer": "ann"},
     lambda: Services({STEPS: flaky(1, RuntimeError)}), Outcome("FAILED", error="FanoutFailed")),
    ("waits take no time", "waits", {"delay": 60, "at": "2030-01-01T00:00:00Z"}, lambda: Services({}),
     Outcome("SUCCEEDED", {"delay": 60, "at": "2030-01-01T00:00:00Z"})),
    ("callback answered", "callback_token", {},
     lambda: Services({STEPS: lambda e: None}, lambda p: Answer({"approved": True, "by": "ann"})),
     Outcome("SUCCEEDED", {"approved_by": "ann"})),
    ("callback answered no", "callback_token", {},
     lambda: Services({STEPS: lambda e: None}, lambda p: Answer({"approved": False})),
     Outcome("FAILED", error="Rejected", cause='{"approved":false}')),
    ("callback failed", "callback_token", {},
     lambda: Services({STEPS: lambda e: None}, lambda p: Answer(error="Declined", cause="budget")),
     Outcome("FAILED", error="Declined", cause="budget")),
    ("callback never answered", "callback_token", {},
     lambda: Services({STEPS: lambda e: None}), Outcome("FAILED", error="ApprovalTimeout")),
]


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
@pytest.mark.parametrize(("title", "name", "event", "services", "expected"), CASES, ids=[c[0] for c in CASES])
def test_interpreters_agree_with_the_meaning(engine: str, title: str, name: str, event: Any,
                                             services: Callable[[], Services], expected: Outcome) -> None:
    assert run_definition(machine(name), event, services(), engine) == expected  # type: ignore[arg-type]


def test_unknown_function_fails_the_task() -> None:
    outcome = run_definition(machine("map_inline"), {"orders": [1]}, Services({}), "moto")
    assert (outcome.status, outcome.error) == ("FAILED", "ResourceNotFoundException")


def test_outcome_json_shape() -> None:
    assert Outcome("FAILED", error="E", cause="c").to_json() == {
        "status": "FAILED", "result": None, "error": {"type": "E", "cause": "c"}}
