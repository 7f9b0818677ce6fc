"""A caught error is the same exception on the durable runtime and in a compiled state machine: its class,
and the error types recorded for it, whatever failed and however deep.

- Lifted code that receives an `except ... as err` variable (a step body, a computation) holds an
  instance of the class the handler holds: the SDK's StepError, InvokeError, CallbackExternalError,
  WaitForConditionError, ChildContextError with their `error_type` and `message`, or the handler's own
  exception (a builtin, a class of the handler's module) with its message as argument, so that
  `type(err)`, `isinstance`, `repr`, `str` and `err.args` agree.
- A ChildContextError's `error_type` names what failed in the child, as the SDK records it: the SDK's
  class qualified by its module for a failed step, invoke, callback, wait_for_condition or nested child,
  the exception's own type for a `raise` or failing code in the child body.
- A BatchResult's items record errors the same way (`get_errors()`, `item.error.type`), and
  `throw_if_error()` raises a ChildContextError whose `error_type` is the failed item's.

The runtime records its own module (`durable_runtime.exceptions.StepError`) where AWS, and the machine,
write `aws_durable_execution_sdk_python.exceptions.StepError` (docs/aws-differences.md, "Error type
names"): the comparison reads the runtime's names under AWS's module. Each row runs on the runtime and,
compiled by to-asl, on sfnx and moto, with the module loaded under its import name on both sides.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from durable_runtime import compat
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl import diff_harness
from tests.asl.diff_grammar import HEAD, answers_for

SOURCE_HEAD = "from typing import Any\n" + HEAD[:HEAD.index("@durable_execution")] + '''
from aws_durable_execution_sdk_python.exceptions import SerDesError
from aws_durable_execution_sdk_python.serdes import SerDes


class Picky(SerDes):
    """Serializes strings only."""

    def serialize(self, value, serdes_context):
        if not isinstance(value, str):
            raise TypeError(f"cannot store {type(value).__name__}")
        return value

    def deserialize(self, data, serdes_context):
        return data


class Declined(Exception):
    """An exception class of the handler's module."""


def declined(event: dict, lambda_context: object) -> dict:
    raise Declined("card declined")


def body_of(err: BaseException) -> list:
    """What a step body reads of a caught exception."""
    return [type(err).__name__, isinstance(err, StepError), isinstance(err, ChildContextError), repr(err),
            str(err), list(err.args), getattr(err, "error_type", "-"), getattr(err, "message", "-")]


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''
RUNTIME, AWS = "durable_runtime.", "aws_durable_execution_sdk_python."
SDK = "aws_durable_execution_sdk_python.exceptions."
COUNTER = itertools.count()

#: row -> (handler body, the runtime's result with AWS's module names; `{module}`: the import name)
STEP_BODIES: dict[str, tuple[str, Any]] = {
    "a failed step is a StepError": ('''
    try:
        context.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
    except StepError as err:
        return context.step(lambda _: body_of(err), name="read")
''', ["StepError", True, False, "StepError('division by zero')", "division by zero", ["division by zero"],
      "ZeroDivisionError", "division by zero"]),
    "a failed invoke is an InvokeError": ('''
    try:
        context.invoke("picky", {"x": 3}, name="inv")
    except InvokeError as err:
        return context.step(lambda _: body_of(err)[:6] + [type(err).__name__], name="read")
''', ["InvokeError", False, False, "InvokeError('picky about 3')", "picky about 3", ["picky about 3"],
      "InvokeError"]),
    "a failed callback is a CallbackExternalError": ('''
    cb = context.create_callback(name='no-cb', config=JSON_CB)
    try:
        cb.result()
    except CallbackError as err:
        return context.step(lambda _: [type(err).__name__, isinstance(err, CallbackError), str(err)], name="read")
''', ["CallbackExternalError", True, "declined"]),
    "a failed wait_for_condition is a WaitForConditionError": ('''
    try:
        context.wait_for_condition(lambda s, ctx: s // 0, config=WaitForConditionConfig(
            wait_strategy=up_to(3), initial_state=1), name="poll")
    except WaitForConditionError as err:
        return context.step(lambda _: body_of(err)[:6], name="read")
    return None
''', ["WaitForConditionError", False, False, "WaitForConditionError('integer division or modulo by zero')",
      "integer division or modulo by zero", ["integer division or modulo by zero"]]),
    "an except chain in a step body sees the class": ('''
    try:
        context.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
    except StepError as err:
        def relay(_):
            try:
                raise err
            except InvokeError:
                return "invoke"
            except StepError as again:
                return ["step", again.error_type]
        return context.step(relay, name="relay")
''', ["step", "ZeroDivisionError"]),
    "a failed child context is a ChildContextError": ('''
    def kid(c):
        return c.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
    try:
        context.run_in_child_context(kid, name="kid")
    except ChildContextError as err:
        return context.step(lambda _: body_of(err), name="read")
''', ["ChildContextError", False, True, "ChildContextError('division by zero')", "division by zero",
      ["division by zero"], SDK + "StepError", "division by zero"]),
    "through a finally, a step's StepError": ('''
    try:
        try:
            context.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
        finally:
            context.step(lambda _: 0, name="cleanup")
    except StepError as err:
        return context.step(lambda _: body_of(err)[:3], name="read")
    return None
''', ["StepError", True, False]),
    "a raised builtin is that builtin": ('''
    try:
        if event["x"] > 1:
            raise ValueError(f"too big: {event['x']}")
    except ValueError as err:
        return context.step(lambda _: body_of(err)[:6], name="read")
    return None
''', ["ValueError", False, False, "ValueError('too big: 5')", "too big: 5", ["too big: 5"]]),
    "a raised SDK class records its qualified name": ('''
    try:
        if event["x"] > 1:
            raise StepError("by hand")
    except StepError as err:
        return [err.error_type, context.step(lambda _: [type(err).__name__, err.error_type], name="read")]
    return None
''', [SDK + "StepError", ["StepError", SDK + "StepError"]]),
    "a raised class of the module is that class": ('''
    try:
        if event["x"] > 1:
            raise Declined("no")
    except Declined as err:
        return context.step(lambda _: [type(err).__name__, isinstance(err, Declined), repr(err)], name="read")
    return None
''', ["Declined", True, "Declined('no')"]),
    "lifted code's KeyError is a KeyError with its key": ('''
    try:
        v = context.step(lambda _: 1, name="one") + event["missing"]
    except KeyError as err:
        return context.step(lambda _: body_of(err)[:6], name="read")
    return v
''', ["KeyError", False, False, "KeyError('missing')", "'missing'", ["missing"]]),
    "a failing serdes is a SerDesError": ('''
    try:
        context.step(lambda _: 5, name="s", config=StepConfig(serdes=Picky()))
    except SerDesError as err:
        seen = context.step(lambda _: [type(err).__name__, isinstance(err, SerDesError), err.error_type,
                                       str(err).split(" for id")[0]], name="read")
        return seen + [err.error_type]
    return None
''', ["SerDesError", True, SDK + "SerDesError", "Serialization failed", SDK + "SerDesError"]),
    "a catch-all keeps the class: a step's StepError": ('''
    try:
        context.step(lambda _: int("x"), name="boom", config=NO_RETRY)
    except Exception as err:
        return context.step(lambda _: [type(err).__name__, err.error_type], name="read")
''', ["StepError", "ValueError"]),
}

#: row -> (the child's body, the runtime's [error_type, message] of the ChildContextError around it)
CHILDREN: dict[str, tuple[str, Any]] = {
    "step": ('''
        return c.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
''', [SDK + "StepError", "division by zero"]),
    "step, through a finally": ('''
        try:
            return c.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
        finally:
            c.step(lambda _: 0, name="cleanup")
''', [SDK + "StepError", "division by zero"]),
    "invoke": ('''
        return c.invoke("picky", {"x": 3}, name="inv")
''', [SDK + "InvokeError", "picky about 3"]),
    "callback": ('''
        cb = c.create_callback(name='no-cb', config=JSON_CB)
        return cb.result()
''', [SDK + "CallbackExternalError", "declined"]),
    "wait_for_condition": ('''
        return c.wait_for_condition(lambda s, ctx: s // 0, config=WaitForConditionConfig(
            wait_strategy=up_to(3), initial_state=1), name="poll")
''', [SDK + "WaitForConditionError", "integer division or modulo by zero"]),
    "nested child": ('''
        def inner(c2):
            return c2.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
        return c.run_in_child_context(inner, name="inner")
''', [SDK + "ChildContextError", "division by zero"]),
    "failing code": ('''
        return c.step(lambda _: 1, name="one") + event["missing"]
''', ["KeyError", "'missing'"]),
    "raise builtin": ('''
        if event["x"] > 1:
            raise ValueError("too big")
        return 1
''', ["ValueError", "too big"]),
    "raise class of the module": ('''
        if event["x"] > 1:
            raise Declined("no")
        return 1
''', ["{module}.Declined", "no"]),
}

#: row -> (handler body, the runtime's result) for the errors a BatchResult records
BATCHES: dict[str, tuple[str, Any]] = {
    "items: a step's StepError, a raise's own type": ('''
    def item(c, x, i, xs):
        if x == 2:
            raise ValueError("two")
        return c.step(lambda _: 10 // (x - 1), name="div", config=NO_RETRY)
    r = context.map([1, 2, 3], item, name="m", config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [[e.type for e in r.get_errors()], [it.error.type if it.error else None for it in r.all],
            [e.message for e in r.get_errors()]]
''', [[SDK + "StepError", "ValueError"], [SDK + "StepError", "ValueError", None],
      ["integer division or modulo by zero", "two"]]),
    "items: a raised class of the module is qualified by its module": ('''
    def item(c, x, i, xs):
        if x == 2:
            raise Declined("two")
        return x
    r = context.map([1, 2], item, name="m", config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [e.type for e in r.get_errors()]
''', ["{module}.Declined"]),
    "branches: an invoke's InvokeError, a child's ChildContextError": ('''
    def inner(c):
        return c.step(lambda _: 1 / 0, name="boom", config=NO_RETRY)
    r = context.parallel([lambda c: c.invoke("picky", {"x": 3}, name="inv"),
                          lambda c: c.run_in_child_context(inner, name="kid"), lambda c: 1],
                         name="p", config=ParallelConfig(completion_config=CompletionConfig.all_completed()))
    return [e.type for e in r.get_errors()]
''', [SDK + "InvokeError", SDK + "ChildContextError"]),
    "throw_if_error: the ChildContextError names the item's error type": ('''
    def item(c, x, i, xs):
        return c.step(lambda _: 10 // (x - 1), name="div", config=NO_RETRY)
    r = context.map([1, 2], item, name="m", config=MapConfig(completion_config=CompletionConfig.all_completed()))
    try:
        r.throw_if_error()
    except ChildContextError as err:
        return [err.error_type, err.message]
    return None
''', [SDK + "StepError", "integer division or modulo by zero"]),
    "in a step body: the rebuilt BatchResult's errors and throw_if_error": ('''
    def item(c, x, i, xs):
        if x == 1:
            raise ValueError("one")
        return x
    r = context.map([1, 2], item, name="m", config=MapConfig(completion_config=CompletionConfig.all_completed()))

    def look(_):
        try:
            r.throw_if_error()
        except ChildContextError as err:
            return [[e.type for e in r.get_errors()], type(err).__name__, err.error_type, err.message]
        return None
    return context.step(look, name="look")
''', [["ValueError"], "ChildContextError", "ValueError", "one"]),
}


def _child_source(body: str) -> str:
    return '''
    def kid(c):''' + body + '''
    try:
        return context.run_in_child_context(kid, name="kid")
    except ChildContextError as err:
        return [err.error_type, err.message]
'''


def _as_aws(value: Any) -> Any:
    """The runtime's result with its module's error names read as AWS's."""
    if isinstance(value, str):
        return AWS + value.removeprefix(RUNTIME) if value.startswith(RUNTIME + "exceptions.") else value
    if isinstance(value, list | tuple):
        return type(value)(_as_aws(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_aws(v) for k, v in value.items()}
    return value


def _on_runtime(path: Path, event: dict[str, Any]) -> diff_harness.Result:
    """The runtime's outcome, the module loaded under its import name (the name its classes record)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with compat.aliased():
        spec.loader.exec_module(module)
    answers = answers_for(path.read_text())
    with DurableFunctionTestRunner(handler=module.handler, poll_interval=0.005) as runner:
        runner.register_function("picky", module.picky)
        arn = runner.run_async(input=json.dumps(event), execution_timeout=60)
        for _ in range(4):
            try:
                return diff_harness.outcome(runner.wait_for_result(arn, timeout=0))
            except TimeoutError:
                diff_harness._answer_open(runner, arn, answers)
        return diff_harness.outcome(runner.wait_for_result(arn, timeout=60))


def _judge(body: str, expected: Any, tmp: Path) -> None:
    stem = f"errclass_{next(COUNTER)}"
    path = tmp / f"{stem}.py"
    source = SOURCE_HEAD + body.strip("\n") + "\n"
    path.write_text(source)
    event = {"x": 5}
    try:
        runtime = _on_runtime(path, event)
        pinned = json.loads(json.dumps(expected).replace("{module}", stem))
        assert _as_aws(runtime) == ("SUCCEEDED", pinned, None)
        compiled = compile_file(path)
        assert compiled.ok, [(d.code, d.message) for d in compiled.diagnostics]
        for engine in ("sfnx", "moto"):
            actual = diff_harness.on_asl(path, event, answers_for(source), engine, compiled)
            assert actual == ("SUCCEEDED", pinned, None), engine
    finally:
        sys.modules.pop(stem, None)


@pytest.mark.parametrize("row", list(STEP_BODIES))
def test_lifted_code_holds_the_class_the_handler_holds(row: str, tmp_path: Path) -> None:
    body, expected = STEP_BODIES[row]
    _judge(body, expected, tmp_path)


@pytest.mark.parametrize("row", list(CHILDREN))
def test_a_child_contexts_error_names_what_failed_in_it(row: str, tmp_path: Path) -> None:
    body, expected = CHILDREN[row]
    _judge(_child_source(body), expected, tmp_path)


@pytest.mark.parametrize("row", list(BATCHES))
def test_a_batch_records_the_error_types_the_sdk_records(row: str, tmp_path: Path) -> None:
    body, expected = BATCHES[row]
    _judge(body, expected, tmp_path)
