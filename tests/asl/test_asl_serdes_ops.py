"""Custom serdes on callbacks and invokes, and serdes failures an `except` or a `finally` catches.

The SDK hands the handler what a callback's serdes reads from the answer (`CallbackConfig.serdes`,
`WaitForCallbackConfig.serdes`, which also round-trips the submitter's result), sends an invoked
function the JSON its payload serdes writes and reads its answer through its result serdes
(`InvokeConfig.serdes_payload`/`serdes_result`). A serdes that fails raises SerDesError, which
`except StepError`/`InvokeError`/`CallbackError`/`ChildContextError` let through and `except Exception`,
`except SerDesError` and `finally` catch. Each handler below ends with the same status, result and error
type on our durable runtime and, compiled by to-asl, on sfnx.testing and moto (tests/asl/diff_harness.py:
callbacks named `yes-*` are answered with `{"v": 5}`, `no-*` with a failure); the pinned outcomes show
that the serdes ran, where the SDK runs it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl import diff_harness

HEAD = '''import json
from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import (
    CallbackConfig, ChildConfig, CompletionConfig, Duration, InvokeConfig, MapConfig, ParallelConfig, StepConfig,
    WaitForCallbackConfig,
)
from aws_durable_execution_sdk_python.exceptions import (
    CallbackError, ChildContextError, InvokeError, SerDesError, StepError,
)
from aws_durable_execution_sdk_python.serdes import ExtendedTypeSerDes, JsonSerDes, PassThroughSerDes, SerDes


class Boxed(SerDes):
    """Deserializes into a box around the value."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return {"boxed": json.loads(data)}


class Shifted(SerDes):
    """Writes `x` ten higher, reads it back as it is."""

    def serialize(self, value, serdes_context):
        return json.dumps({**value, "x": value["x"] + 10})

    def deserialize(self, data, serdes_context):
        return json.loads(data)


class Picky(SerDes):
    """Serializes strings only, as they are (not as JSON)."""

    def serialize(self, value, serdes_context):
        if not isinstance(value, str):
            raise TypeError(f"cannot store {type(value).__name__}")
        return value

    def deserialize(self, data, serdes_context):
        return data


class Scalars(SerDes):
    """Reads numbers and strings only."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        value = json.loads(data)
        if isinstance(value, dict | list):
            raise ValueError("scalars only")
        return value


BOXED_CALLBACK = CallbackConfig(timeout=Duration.from_minutes(5), serdes=Boxed())
PICKY = StepConfig(serdes=Picky())


def double(event: dict, lambda_context: object) -> dict:
    return {"x": event["x"] * 2}


def picky(event: Any, lambda_context: object) -> dict:
    """Answers with what it received."""
    return {"got": event}


@durable_step
def echo(step_ctx: StepContext, what: Any) -> Any:
    return what


@durable_step
def send(step_ctx: StepContext, callback_id: str) -> None:
    return None


def submit(callback_id: str, ctx: Any) -> None:
    return None


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

CASES: dict[str, tuple[str, tuple[str, Any, str | None]]] = {
    # -- callbacks --------------------------------------------------------------------------------------
    "create_callback: the answer through the serdes, in place and in a module constant": ('''
    first = context.create_callback(name='yes-first', config=CallbackConfig(serdes=Boxed()))
    context.step(send(first.callback_id), name="send first")
    a = first.result()
    second = context.create_callback(name='yes-second', config=BOXED_CALLBACK)
    context.step(send(second.callback_id), name="send second")
    return {"a": a, "b": second.result()}
''', ("SUCCEEDED", {"a": {"boxed": {"v": 5}}, "b": {"boxed": {"v": 5}}}, None)),
    "create_callback: no serdes and PassThroughSerDes give the text, JsonSerDes the value": ('''
    plain = context.create_callback(name='yes-plain')
    context.step(send(plain.callback_id), name="send plain")
    a = plain.result()
    passed = context.create_callback(name='yes-passed', config=CallbackConfig(serdes=PassThroughSerDes()))
    context.step(send(passed.callback_id), name="send passed")
    b = passed.result()
    read = context.create_callback(name='yes-read', config=CallbackConfig(serdes=JsonSerDes()))
    context.step(send(read.callback_id), name="send read")
    return [a, b, read.result()]
''', ("SUCCEEDED", ['{"v": 5}', '{"v": 5}', {"v": 5}], None)),
    "create_callback: ExtendedTypeSerDes reads an envelope, so a plain object fails": ('''
    cb = context.create_callback(name='yes-typed', config=CallbackConfig(serdes=ExtendedTypeSerDes()))
    context.step(send(cb.callback_id), name="send")
    return cb.result()
''', ("FAILED", None, "SerDesError")),
    "create_callback: a serdes that cannot read the answer fails the execution": ('''
    cb = context.create_callback(name='yes-scalars', config=CallbackConfig(serdes=Scalars()))
    context.step(send(cb.callback_id), name="send")
    return cb.result()
''', ("FAILED", None, "SerDesError")),
    "create_callback: except CallbackError lets the serdes failure through": ('''
    cb = context.create_callback(name='yes-scalars', config=CallbackConfig(serdes=Scalars()))
    context.step(send(cb.callback_id), name="send")
    try:
        return cb.result()
    except CallbackError:
        return "callback failed"
''', ("FAILED", None, "SerDesError")),
    "create_callback: except Exception catches the serdes failure": ('''
    cb = context.create_callback(name='yes-scalars', config=CallbackConfig(serdes=Scalars()))
    context.step(send(cb.callback_id), name="send")
    try:
        value = cb.result()
    except Exception:
        value = "unreadable"
    return value
''', ("SUCCEEDED", "unreadable", None)),
    "create_callback: a failed answer is a CallbackError, the serdes never runs": ('''
    cb = context.create_callback(name='no-scalars', config=CallbackConfig(serdes=Scalars()))
    context.step(send(cb.callback_id), name="send")
    try:
        return cb.result()
    except CallbackError:
        return "declined"
''', ("SUCCEEDED", "declined", None)),
    "create_callback: the step sending the id fails in its own serdes": ('''
    cb = context.create_callback(name='yes-sent')
    context.step(send(cb.callback_id), name="send", config=PICKY)
    try:
        return cb.result()
    except StepError:
        return "not sent"
''', ("FAILED", None, "SerDesError")),
    "wait_for_callback: the answer through the serdes": ('''
    return context.wait_for_callback(submit, name='yes-wait', config=WaitForCallbackConfig(serdes=Boxed()))
''', ("SUCCEEDED", {"boxed": {"v": 5}}, None)),
    "wait_for_callback: the submitter's result goes through the serdes too, and fails it": ('''
    try:
        return context.wait_for_callback(submit, name='yes-wait', config=WaitForCallbackConfig(serdes=Picky()))
    except CallbackError:
        return "callback failed"
''', ("FAILED", None, "SerDesError")),
    "wait_for_callback: a serdes that cannot read the answer, caught by except SerDesError": ('''
    try:
        value = context.wait_for_callback(submit, name='yes-wait', config=WaitForCallbackConfig(serdes=Scalars()))
    except SerDesError:
        value = "unreadable"
    return value
''', ("SUCCEEDED", "unreadable", None)),
    # -- invoke -----------------------------------------------------------------------------------------
    "invoke: the payload and the result through their serdes": ('''
    a = context.invoke("double", {"x": 1}, name="shifted", config=InvokeConfig(serdes_payload=Shifted()))
    b = context.invoke("double", {"x": 2}, name="boxed", config=InvokeConfig(serdes_result=Boxed()))
    c = context.invoke("double", {"x": 3}, name="both",
                       config=InvokeConfig(serdes_payload=Shifted(), serdes_result=Boxed()))
    return [a, b, c]
''', ("SUCCEEDED", [{"x": 22}, {"boxed": {"x": 4}}, {"boxed": {"x": 26}}], None)),
    "invoke: ExtendedTypeSerDes sends its envelope": ('''
    return context.invoke("picky", {"x": 1}, name="typed", config=InvokeConfig(serdes_payload=ExtendedTypeSerDes()))
''', ("SUCCEEDED", {"got": {"t": "m", "v": {"x": {"t": "i", "v": 1}}}}, None)),
    "invoke: a payload serdes that fails, uncaught by except InvokeError": ('''
    try:
        return context.invoke("double", {"x": 1}, name="picky", config=InvokeConfig(serdes_payload=Picky()))
    except InvokeError:
        return "invoke failed"
''', ("FAILED", None, "SerDesError")),
    "invoke: a payload serdes that writes text that is not JSON fails the invoke": ('''
    try:
        return context.invoke("picky", "plain text", name="text", config=InvokeConfig(serdes_payload=Picky()))
    except InvokeError:
        return "invoke failed"
''', ("SUCCEEDED", "invoke failed", None)),
    "invoke: a result serdes that fails, caught by except Exception, discarded result": ('''
    try:
        context.invoke("double", {"x": 1}, name="scalars", config=InvokeConfig(serdes_result=Scalars()))
        outcome = "read"
    except Exception:
        outcome = "unreadable"
    return outcome
''', ("SUCCEEDED", "unreadable", None)),
    # -- steps and child contexts whose serdes failure something catches ------------------------------------
    "step: except StepError lets its serdes failure through": ('''
    try:
        return context.step(echo(7), name="seven", config=PICKY)
    except StepError:
        return "step failed"
''', ("FAILED", None, "SerDesError")),
    "step: except Exception catches its serdes failure": ('''
    try:
        value = context.step(echo(7), name="seven", config=PICKY)
    except Exception:
        value = context.step(echo("recovered"), name="recover")
    return value
''', ("SUCCEEDED", "recovered", None)),
    "step: a finally block runs, then SerDesError goes on": ('''
    try:
        return context.step(echo(7), name="seven", config=PICKY)
    finally:
        context.step(echo(1), name="cleanup")
''', ("FAILED", None, "SerDesError")),
    "child context: its serdes failure crosses except ChildContextError": ('''
    def block(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five")
    try:
        return context.run_in_child_context(block, name="block", config=ChildConfig(serdes=Picky()))
    except ChildContextError:
        return "child failed"
''', ("FAILED", None, "SerDesError")),
    "child context: a step's serdes failure inside crosses the boundary and except ChildContextError": ('''
    def block(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five", config=PICKY)
    try:
        value = context.run_in_child_context(block, name="block")
    except ChildContextError:
        value = "child failed"
    return value
''', ("FAILED", None, "SerDesError")),
    "child context: a step's serdes failure inside reaches except Exception around it": ("""
    def block(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five", config=PICKY)
    try:
        return context.run_in_child_context(block, name="block")
    except Exception as err:
        return ["caught", str(err).split(" for id")[0]]
""", ("SUCCEEDED", ["caught", "Serialization failed"], None)),
    "child context: its own serdes failure passes except ChildContextError to except SerDesError": ("""
    def block(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five")
    try:
        value = context.run_in_child_context(block, name="block", config=ChildConfig(serdes=Picky()))
    except ChildContextError:
        value = "child failed"
    except SerDesError:
        value = "serdes failed"
    return value
""", ("SUCCEEDED", "serdes failed", None)),
    "child context: a finally around it runs, then SerDesError goes on": ("""
    def block(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five", config=PICKY)
    try:
        return context.run_in_child_context(block, name="block")
    finally:
        context.step(echo(1), name="cleanup")
""", ("FAILED", None, "SerDesError")),
    "child context: SerDesError crosses two child contexts to the except around them": ("""
    def inner(ctx: DurableContext) -> int:
        return ctx.step(echo(5), name="five", config=PICKY)
    def outer(ctx: DurableContext) -> int:
        return ctx.run_in_child_context(inner, name="inner")
    try:
        return context.run_in_child_context(outer, name="outer")
    except SerDesError:
        return "serdes failed"
""", ("SUCCEEDED", "serdes failed", None)),
    # -- batches: item_serdes ---------------------------------------------------------------------------
    "map: item_serdes passes each item's result through it": ("""
    def item(ctx: DurableContext, x: int, index: int, items: list) -> Any:
        return {"x": x}
    return context.map([1, 2], item, name="items", config=MapConfig(item_serdes=Boxed())).get_results()
""", ("SUCCEEDED", [{"boxed": {"x": 1}}, {"boxed": {"x": 2}}], None)),
    "parallel: item_serdes passes each branch's result through it, None included": ("""
    def one(ctx: DurableContext) -> Any:
        return {"x": 1}
    def nothing(ctx: DurableContext) -> Any:
        ctx.step(echo(1), name="one")
    both = context.parallel([one, nothing], name="both", config=ParallelConfig(item_serdes=Boxed()))
    return both.get_results()
""", ("SUCCEEDED", [{"boxed": {"x": 1}}, {"boxed": None}], None)),
    "map: a failing item_serdes fails that item with SerDesError, which the completion config counts": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return x
    done = context.map(["a", 2, "b"], item, name="items", config=MapConfig(
        item_serdes=Picky(), completion_config=CompletionConfig(tolerated_failure_count=1)))
    return [done.get_results(), [e.type.rsplit(".", 1)[-1] for e in done.get_errors()],
            [e.message.split(" for id")[0] for e in done.get_errors()], done.completion_reason.value]
""", ("SUCCEEDED", [["a", "b"], ["SerDesError"], ["Serialization failed"], "ALL_COMPLETED"], None)),
    "map: throw_if_error raises an item's SerDesError, which except SerDesError catches": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return x
    done = context.map(["a", 2], item, name="items", config=MapConfig(item_serdes=Picky()))
    try:
        done.throw_if_error()
    except ChildContextError:
        return "child failed"
    except SerDesError as err:
        return ["serdes failed", str(err).split(" for id")[0]]
    return "ok"
""", ("SUCCEEDED", ["serdes failed", "Serialization failed"], None)),
    "map: throw_if_error right after the batch fails the execution with SerDesError": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return x
    done = context.map(["a", 2], item, name="items", config=MapConfig(item_serdes=Picky()))
    done.throw_if_error()
    return "ok"
""", ("FAILED", None, "SerDesError")),
    "parallel: a branch that fails keeps its own error, throw_if_error raises ChildContextError": ("""
    def one(ctx: DurableContext) -> Any:
        raise ValueError("one failed")
    done = context.parallel([one], name="both", config=ParallelConfig(item_serdes=Boxed()))
    try:
        done.throw_if_error()
    except SerDesError:
        return "serdes failed"
    except ChildContextError as err:
        return ["child failed", err.message]
    return "ok"
""", ("SUCCEEDED", ["child failed", "one failed"], None)),
    # -- batches: a serdes inside a branch -------------------------------------------------------------
    "map: a step's serdes failing in an item is that item's SerDesError": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return ctx.step(echo(x), name="echo", config=PICKY)
    done = context.map(["a", 2], item, name="items",
                       config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [done.get_results(), [e.type.rsplit(".", 1)[-1] for e in done.get_errors()]]
""", ("SUCCEEDED", [["a"], ["SerDesError"]], None)),
    "map: throw_if_error raises an item step's SerDesError": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return ctx.step(echo(x), name="echo", config=PICKY)
    done = context.map(["a", 2], item, name="items")
    try:
        done.throw_if_error()
    except ChildContextError:
        return "child failed"
    except SerDesError:
        return "serdes failed"
    return done.get_results()
""", ("SUCCEEDED", "serdes failed", None)),
    "map: throw_if_error right after it, an item step's SerDesError fails the execution": ("""
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        return ctx.step(echo(x), name="echo", config=PICKY)
    done = context.map(["a", 2], item, name="items")
    done.throw_if_error()
    return done.get_results()
""", ("FAILED", None, "SerDesError")),
    "map: an invoke's result serdes in each item": ("""
    def item(ctx: DurableContext, x: int, index: int, items: list) -> Any:
        return ctx.invoke("double", {"x": x}, name="inner", config=InvokeConfig(serdes_result=Boxed()))
    return context.map([1, 2], item, name="items").get_results()
""", ("SUCCEEDED", [{"boxed": {"x": 2}}, {"boxed": {"x": 4}}], None)),
    "parallel: an except SerDesError inside the branch catches its step's serdes failure": ("""
    def one(ctx: DurableContext) -> Any:
        try:
            return ctx.step(echo(5), name="five", config=PICKY)
        except SerDesError:
            return "caught inside"
    return context.parallel([one], name="both").get_results()
""", ("SUCCEEDED", ["caught inside"], None)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_handler_sees_what_the_serdes_gives_on_every_engine(name: str, tmp_path: Path) -> None:
    body, pinned = CASES[name]
    verdict = diff_harness.judge(HEAD + body.strip("\n") + "\n", {}, tmp_path, "serdes_ops", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
    assert verdict.runtime == pinned


def _states(body: str, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "serdes_states.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    compiled = compile_file(path)
    assert compiled.ok, [(d.code, d.message) for d in compiled.diagnostics]
    states: dict[str, Any] = json.loads(compiled.files["statemachine.asl.json"])["States"]
    return states


def test_a_callback_serdes_reads_the_answer_in_a_task_after_the_waiting_one(tmp_path: Path) -> None:
    states = _states('''
    cb = context.create_callback(name='yes-a', config=CallbackConfig(serdes=Boxed()))
    context.step(send(cb.callback_id), name="send")
    return cb.result()
''', tmp_path)
    waiting, read = states["yes-a"], states["yes-a-read"]
    assert waiting["Resource"].endswith(".waitForTaskToken") and waiting["Next"] == "yes-a-read"
    assert "raw" not in waiting["Arguments"]["Payload"]  # the answer stays JSON until the serdes reads it
    assert waiting["Assign"]["_answer1"] == "{% $states.result %}"
    assert read["Arguments"]["Payload"] == {"op": "op1_read", "vars": {"_answer1": "{% $_answer1 %}"}}
    assert read["Output"] == "{% $states.result.Payload %}" and "Catch" not in read  # nothing catches it


def test_an_invoke_serdes_adds_a_task_on_each_side_of_the_invoke(tmp_path: Path) -> None:
    states = _states('''
    return context.invoke("double", {"x": 1}, name="both",
                          config=InvokeConfig(serdes_payload=Shifted(), serdes_result=Boxed()))
''', tmp_path)
    sent, invoke, read = states["both-payload"], states["both"], states["both-read"]
    assert sent["Arguments"]["Payload"] == {"op": "op1_sent", "vars": {"_dc_payload": "{% {'x': 1} %}"}}
    assert sent["Next"] == "both" and invoke["Next"] == "both-read"
    assert invoke["Arguments"] == {"FunctionName": "double", "Payload": "{% $_sent2 %}"}
    assert invoke["Assign"] == {"_answer1": "{% $states.result.Payload %}"}
    assert read["Arguments"]["Payload"] == {"op": "op1_read", "vars": {"_answer1": "{% $_answer1 %}"}}
    # a serdes failure is no InvokeError: the payload task's SerDesError entry comes first
    assert [c["ErrorEquals"] for c in sent["Catch"]] == [["SerDesError"], ["States.ALL"]]
    assert sent["Catch"][0]["Output"] == "{% {'Error': 'SerDesError', 'Cause': $states.errorOutput.Cause} %}"


def test_json_serdes_needs_no_task(tmp_path: Path) -> None:
    states = _states('''
    a = context.invoke("double", {"x": 1}, name="plain", config=InvokeConfig(serdes_payload=JsonSerDes(),
                                                                              serdes_result=JsonSerDes()))
    return [a, context.wait_for_callback(submit, name='yes-w', config=WaitForCallbackConfig(serdes=JsonSerDes()))]
''', tmp_path)
    assert all(state["Type"] != "Task" or "op" not in str(state["Arguments"]["Payload"]) or
               state["Arguments"]["Payload"]["op"] == "op2" for state in states.values())


REFUSED = {
    "built from handler locals": ('''
    serdes = Boxed() if event else Picky()
    cb = context.create_callback(name='yes-a', config=CallbackConfig(serdes=serdes))
    context.step(send(cb.callback_id), name="send")
    return cb.result()
''', "reads handler locals"),
    "on a parallel's result": ('''
    def one(ctx: DurableContext) -> int:
        return 1
    return context.parallel([one], name="both", config=ParallelConfig(serdes=Boxed())).get_results()
''', "BatchResult"),
    "in a try/finally within a child context": ('''
    def block(ctx: DurableContext) -> int:
        try:
            return ctx.step(echo(5), name="five", config=PICKY)
        finally:
            ctx.step(echo(1), name="cleanup")
    return context.run_in_child_context(block, name="block")
''', "move the finally out of the child"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_serdes_the_machine_cannot_run_faithfully_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    body, hint = REFUSED[name]
    path = tmp_path / "serdes_refused.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    compiled = compile_file(path)
    refused = [d for d in compiled.diagnostics if d.code == "DUR820"]
    assert not compiled.ok and len(refused) == 1 and hint in refused[0].message, \
        [(d.code, d.message) for d in compiled.diagnostics]
    assert refused[0].span.line > HEAD.count("\n")  # the line of the construct, in the handler
