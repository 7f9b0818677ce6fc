"""The determinism guard: each kind of call it stops in orchestration code, and each kind it lets through.

INVALID snippets run as orchestration code must raise `DeterminismViolation` naming the call (strict);
VALID ones must run. None of them reaches the world: a stopped call is stopped before it runs.
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from durable_runtime import guard
from durable_runtime.guard import DeterminismViolation, Instrumentation

INVALID: dict[str, tuple[str, str, Callable[[], Any]]] = {
    "time.time": ("clock", "time.time", lambda: time.time()),
    "time.monotonic": ("clock", "time.monotonic", lambda: time.monotonic()),
    "datetime.now": ("clock", "datetime.datetime.now", lambda: datetime.datetime.now()),
    "datetime.utcnow": ("clock", "datetime.datetime.utcnow", lambda: datetime.datetime.utcnow()),
    "date.today": ("clock", "datetime.date.today", lambda: datetime.date.today()),
    "random.random": ("random", "random.random", lambda: random.random()),
    "random.randint": ("random", "random.randint", lambda: random.randint(1, 6)),
    "random.choice": ("random", "random.choice", lambda: random.choice("abc")),
    "unseeded Random": ("random", "random.Random", lambda: random.Random()),
    "secrets": ("random", "secrets.token_hex", lambda: secrets.token_hex(4)),
    "os.urandom": ("random", "os.urandom", lambda: os.urandom(4)),
    "uuid4": ("uuid", "uuid.uuid4", lambda: uuid.uuid4()),
    "uuid1": ("uuid", "uuid.uuid1", lambda: uuid.uuid1()),
    "os.environ[]": ("environment", "os.environ", lambda: os.environ["PATH"]),
    "os.environ.get": ("environment", "os.environ", lambda: os.environ.get("PATH")),
    "os.getenv": ("environment", "os.getenv", lambda: os.getenv("PATH")),
    "open": ("file", "builtins.open", lambda: open(__file__)),
    "pathlib": ("file", "pathlib.Path.read_text", lambda: Path(__file__).read_text()),
    "os.listdir": ("file", "os.listdir", lambda: os.listdir(".")),
    "socket": ("network", "socket.socket.__init__", lambda: socket.socket()),
    "create_connection": ("network", "socket.create_connection",
                          lambda: socket.create_connection(("127.0.0.1", 9))),
    "subprocess.run": ("subprocess", "subprocess.run", lambda: subprocess.run(["true"])),
    "os.system": ("subprocess", "os.system", lambda: os.system("true")),
    "time.sleep": ("sleep", "time.sleep", lambda: time.sleep(0)),
}

VALID: dict[str, Callable[[], Any]] = {
    "seeded Random": lambda: random.Random(42).randint(1, 6),
    "seeded Random methods": lambda: random.Random("seed").choice("abc"),
    "uuid5": lambda: uuid.uuid5(uuid.NAMESPACE_URL, "order-1"),
    "uuid3": lambda: uuid.uuid3(uuid.NAMESPACE_URL, "order-1"),
    "logging": lambda: logging.getLogger("dc.guard.test").info("fine"),
    "pure code": lambda: sorted({"b": 1, "a": 2}.items()),
    "datetime arithmetic": lambda: datetime.datetime(2026, 1, 1) + datetime.timedelta(days=1),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_strict_mode_stops_the_call_and_names_it(name: str) -> None:
    kind, shown, call = INVALID[name]
    with pytest.raises(DeterminismViolation) as caught, guard.orchestrating("strict"):
        call()
    assert (caught.value.kind, caught.value.call) == (kind, shown)
    assert caught.value.path == __file__ and caught.value.line > 0


@pytest.mark.parametrize("name", sorted(VALID))
def test_deterministic_calls_run(name: str) -> None:
    with guard.orchestrating("strict"):
        VALID[name]()


@pytest.mark.parametrize("name", ["time.time", "uuid4", "os.getenv", "open"])
def test_nothing_is_watched_outside_orchestration_or_inside_suspended_blocks(name: str) -> None:
    INVALID[name][2]()
    with guard.orchestrating("strict"), guard.suspended(("flow.py", 3)):
        INVALID[name][2]()
        assert guard.current_location() == ("flow.py", 3)


def test_warn_mode_logs_each_call_site_once_and_runs_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "durable_runtime.guard"), guard.orchestrating("warn"):
        stamps = [time.time() for _ in range(3)]
    assert len(stamps) == 3
    (record,) = caplog.records
    assert "time.time() in orchestration code" in record.getMessage()


def test_off_mode_watches_nothing() -> None:
    with guard.orchestrating("off"):
        time.time()
        uuid.uuid4()


def test_a_helper_is_reported_at_the_orchestration_line_with_the_chain(tmp_path: Path) -> None:
    helper = tmp_path / "third_party_helper.py"
    helper.write_text("import datetime\n\ndef stamp():\n    return datetime.datetime.now().isoformat()\n")
    namespace: dict[str, Any] = {}
    exec(compile(helper.read_text(), str(helper), "exec"), namespace)
    with pytest.raises(DeterminismViolation) as caught, guard.orchestrating("strict"):
        namespace["stamp"]()  # the orchestration line
    assert caught.value.call == "datetime.datetime.now"
    assert caught.value.line == caught.traceback[0].lineno + 1  # reported where the orchestration called it
    assert caught.value.via == f"stamp at {helper}:4"


class FakeContext:
    """Stands in for a DurableContext: runs step bodies and child functions in place."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def step(self, func: Callable[[Any], Any], name: str | None = None) -> Any:
        self.calls.append(f"step {name}")
        return func(None)

    def run_in_child_context(self, func: Callable[[Any], Any], name: str | None = None) -> Any:
        self.calls.append(f"child {name}")
        return func(self)


def test_generated_instrumentation_frees_step_bodies_and_watches_child_contexts() -> None:
    inst = Instrumentation("dc_guard_fake", "flow.py")
    inst.map_lines((1, 100, 50))

    @inst.orchestration
    def handler(context: FakeContext) -> Any:
        stamp = inst.at(7, context).step(lambda _: time.time(), name="stamp")  # a step may read the clock
        inst.at(8, context).run_in_child_context(lambda child: uuid.uuid4(), name="child")
        return stamp

    with pytest.raises(DeterminismViolation) as caught:
        handler(FakeContext())
    assert caught.value.call == "uuid.uuid4" and caught.value.path == __file__


def test_generated_modules_report_original_lines_through_the_source_map() -> None:
    inst = Instrumentation(__name__, "flow.py")
    here = test_generated_modules_report_original_lines_through_the_source_map.__code__.co_firstlineno
    inst.map_lines((here, 500, 40))

    @inst.orchestration
    def handler() -> None:
        time.time()  # the decorator is the first line of the code object, this is the third

    try:
        with pytest.raises(DeterminismViolation) as caught:
            handler()
    finally:
        guard._REGISTRY.pop(__name__, None)
    body_line = handler.__wrapped__.__code__.co_firstlineno + 2  # the first line is the decorator's
    assert (caught.value.path, caught.value.line) == ("flow.py", 500 + body_line - here)


def test_unknown_modes_are_refused() -> None:
    with pytest.raises(ValueError, match="strict, warn, off"):
        guard.orchestrating("loud")


def test_garbage_collector_callbacks_are_not_orchestration_code() -> None:
    import gc

    stamps: list[float] = []

    def timer(phase: str, info: dict[str, int]) -> None:
        stamps.append(time.perf_counter())  # what profilers and hypothesis do on every collection

    gc.callbacks.append(timer)
    automatic = gc.isenabled()
    gc.disable()  # only the explicit collection below runs (an automatic one would add its own stamps)
    try:
        with guard.orchestrating("strict"):
            gc.collect()
            with pytest.raises(DeterminismViolation):
                time.time()
    finally:
        gc.callbacks.remove(timer)
        if automatic:
            gc.enable()
    assert len(stamps) == 2
