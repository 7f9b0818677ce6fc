"""Loads the requirement handlers for one runtime, and names the runtimes that can run them.

Takes a runtime name ("aws" or "ours"). Gives the handlers by requirement id, the invoke targets
by function name, and the `RunnerKind` to drive. For "ours" the handler modules' imports of
`aws_durable_execution_sdk_python[.x]` resolve to `durable_runtime[.x]`; the mapping is scoped
to those modules (their own `__import__`), so AWS's SDK stays usable in the same process.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .adapters import RunnerKind, Target

HANDLERS_DIR = Path(__file__).resolve().parent / "handlers"
SUITE_MODULES = (
    "step",
    "wait",
    "child",
    "callback",
    "invoke",
    "wait_for_condition",
    "wait_for_callback",
    "parallel",
    "map",
    "plugin",
)
AWS_SDK = "aws_durable_execution_sdk_python"
_HANDLER_NAME = re.compile(r"^r(\d+)_(\d+)$")


def runner_kind(name: str) -> RunnerKind:
    if name == "aws":
        from aws_durable_execution_sdk_python.lambda_service import ErrorObject
        from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

        return RunnerKind("aws", DurableFunctionTestRunner, ErrorObject.from_dict)
    if name == "ours":
        testing = importlib.import_module("durable_runtime.testing")
        return RunnerKind("ours", testing.DurableFunctionTestRunner, _our_error_factory())
    raise ValueError(f"unknown runner {name!r} (expected aws or ours)")


def _our_error_factory() -> Callable[[Any], Any]:
    for module_name in ("durable_runtime.lambda_service", "durable_runtime.errors", "durable_runtime.testing"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        error_object = getattr(module, "ErrorObject", None)
        if error_object is not None:
            return error_object.from_dict
    raise ImportError("durable_runtime has no ErrorObject (looked in lambda_service, errors, testing)")


def _aliased_builtins(alias: str) -> dict[str, Any]:
    def aliased_import(name: str, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
        if level == 0 and (name == AWS_SDK or name.startswith(AWS_SDK + ".")):
            name = alias + name[len(AWS_SDK) :]
        return builtins.__import__(name, globals, locals, fromlist, level)

    table = dict(vars(builtins))
    table["__import__"] = aliased_import
    return table


def load_handlers(runtime: str) -> tuple[dict[str, Callable[..., Any]], dict[str, Target]]:
    """Requirement id -> handler, and invoke-target name -> Target, with imports for `runtime`."""
    package = f"_conformance_handlers_{runtime}"
    alias = None if runtime == "aws" else "durable_runtime"
    modules = [_load(package, name, alias) for name in ("_support", *SUITE_MODULES)]
    handlers: dict[str, Callable[..., Any]] = {}
    targets: dict[str, Target] = {}
    for module in modules:
        for attr, value in vars(module).items():
            match = _HANDLER_NAME.match(attr)
            if match:
                handlers[f"{match.group(1)}-{match.group(2)}"] = value
        for name, (fn, durable) in getattr(module, "TARGETS", {}).items():
            targets[name] = Target(name, fn, durable)
    return handlers, targets


def _load(package: str, name: str, alias: str | None) -> types.ModuleType:
    if package not in sys.modules:
        root = types.ModuleType(package)
        root.__path__ = [str(HANDLERS_DIR)]
        sys.modules[package] = root
    qualified = f"{package}.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, HANDLERS_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if alias is not None:
        module.__dict__["__builtins__"] = _aliased_builtins(alias)
    sys.modules[qualified] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[qualified]
        raise
    return module
