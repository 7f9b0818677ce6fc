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
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
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


def _our_error_factory() -> Callable[[dict[str, Any]], Any]:
    candidates = ("durable_runtime.lambda_service", "durable_runtime.errors", "durable_runtime.testing")
    for module_name in candidates:
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


@dataclass
class Loaded:
    """The handlers of one runtime, and the suite modules that failed to import there."""

    handlers: dict[str, Callable[..., Any]] = field(default_factory=dict)  #: requirement id -> handler
    targets: dict[str, Target] = field(default_factory=dict)  #: invoke-target name -> Target
    broken: dict[str, str] = field(default_factory=dict)  #: suite number -> import error

    def problem(self, rid: str) -> str | None:
        return self.broken.get(rid.split("-")[0])


_LOADED: dict[str, Loaded] = {}
_LOAD_LOCK = threading.Lock()


def load_handlers(runtime: str) -> Loaded:
    """Import every handler module with the SDK imports of `runtime` (once per process)."""
    with _LOAD_LOCK:
        if runtime not in _LOADED:
            _LOADED[runtime] = _load_all(runtime)
        return _LOADED[runtime]


def _load_all(runtime: str) -> Loaded:
    package = f"_conformance_handlers_{runtime}"
    alias = None if runtime == "aws" else "durable_runtime"
    loaded = Loaded()
    try:
        _load(package, "_support", alias)
    except Exception as exc:
        loaded.broken = {str(n): _why(exc) for n in range(1, len(SUITE_MODULES) + 1)}
        return loaded
    for number, name in enumerate(SUITE_MODULES, start=1):
        try:
            module = _load(package, name, alias)
        except Exception as exc:
            loaded.broken[str(number)] = _why(exc)
            continue
        _collect(module, loaded)
    return loaded


def _why(exc: BaseException) -> str:
    return f"handler module failed to import: {type(exc).__name__}: {exc}"


def _collect(module: types.ModuleType, loaded: Loaded) -> None:
    for attr, value in vars(module).items():
        match = _HANDLER_NAME.match(attr)
        if match:
            loaded.handlers[f"{match.group(1)}-{match.group(2)}"] = value
    for name, (fn, durable) in getattr(module, "TARGETS", {}).items():
        loaded.targets[name] = Target(name, fn, durable)


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
