"""The front end: parsing to diagnostics, name resolution through aliases, handler discovery."""

from __future__ import annotations

import libcst as cst
import pytest

from durable_compile.diagnostics import Diagnostic
from durable_compile.discover import Role, discover
from durable_compile.imports import canonical, collect_imports
from durable_compile.parse import parse
from durable_compile.source import SourceFile


def _info(code: str):  # type: ignore[no-untyped-def]
    module = parse(SourceFile("t.py", code))
    assert isinstance(module, cst.Module)
    return discover(module)


@pytest.mark.parametrize(
    ("imports", "expr", "expected"),
    [
        ("import time as t", "t.time", "time.time"),
        ("from datetime import datetime as dt", "dt.now", "datetime.datetime.now"),
        ("from uuid import uuid4", "uuid4", "uuid.uuid4"),
        ("import aws_durable_execution_sdk_python as sdk", "sdk.durable_execution", "sdk:durable_execution"),
        ("from aws_durable_execution_sdk_python.config import Duration", "Duration.from_minutes",
         "sdk:Duration.from_minutes"),
        ("from durable_runtime.context import DurableContext", "DurableContext", "sdk:DurableContext"),
        ("", "open", "builtins.open"),
        ("", "undefined_name", None),
    ],
)
def test_names_resolve_through_imports_and_aliases(imports: str, expr: str, expected: str | None) -> None:
    imap = collect_imports(cst.parse_module(imports + "\n"))
    assert imap.qualify(cst.parse_expression(expr)) == expected


def test_sdk_submodules_fold_onto_one_spelling() -> None:
    assert canonical("aws_durable_execution_sdk_python.execution.durable_execution") == "sdk:durable_execution"
    assert canonical("aws_durable_execution_sdk_python.concurrency.models.BatchResult") == "sdk:BatchResult"
    assert canonical("aws_durable_execution_sdk_python.plugin.OperationType") == "sdk:OperationType"
    assert canonical("durable_runtime.plugin.DurableInstrumentationPlugin") == "sdk:DurableInstrumentationPlugin"
    assert canonical("os.path.join") == "os.path.join"


HANDLERS = '''
import aws_durable_execution_sdk_python as sdk
from aws_durable_execution_sdk_python.execution import durable_execution as de
from aws_durable_execution_sdk_python import durable_step, durable_with_child_context, DurableContext

@durable_step
def validate(step_ctx, order_id):
    return order_id

@durable_with_child_context
def child(c, n):
    return c.step(validate(n))

@de(boundary=1)
def called(event, ctx):
    def inner(x: DurableContext):
        return x
    return ctx.step(validate(1))

@sdk.durable_execution
def bare(e, c):
    return None

def plain(event, context):
    return None

aliased = de(plain)
'''


def test_handlers_are_found_bare_called_aliased_and_by_assignment() -> None:
    info = _info(HANDLERS)
    assert sorted(h.qualname for h in info.handlers) == ["bare", "called", "plain"]
    assert info.functions["called"].context_param == "ctx"
    assert info.functions["bare"].context_param == "c"


def test_roles_and_context_bindings_come_from_decorators_and_annotations() -> None:
    info = _info(HANDLERS)
    assert info.functions["validate"].role is Role.STEP
    assert info.functions["validate"].context_param is None
    assert info.functions["child"].role is Role.CHILD
    assert info.functions["child"].context_param == "c"
    assert info.functions["called.inner"].context_param == "x"
    assert info.resolve("inner", "called") is info.functions["called.inner"]
    assert info.resolve("validate", "called") is info.functions["validate"]


def test_syntax_error_is_a_diagnostic_with_position() -> None:
    result = parse(SourceFile("bad.py", "def f(:\n    pass\n"))
    assert isinstance(result, Diagnostic)
    assert (result.code, result.span.line) == ("DUR999", 1)
    assert result.span.column >= 1
