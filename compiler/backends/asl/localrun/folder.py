"""run-asl: execute a folder written by to-asl, locally.

Takes the folder (statemachine.asl.json, steps_handler.py and the user's module), the execution input,
callback answers by callback name and Lambda functions for `context.invoke` targets; gives the
`Outcome`. The steps function runs in-process: this imports and runs the user's code, as Lambda would.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from durable_compile.backends.asl.emit_support import STEPS_ARN
from durable_compile.backends.asl.localrun.model import Answer, Engine, Outcome, Services, run_definition

DEFINITION = "statemachine.asl.json"


def load_steps(folder: Path) -> ModuleType:
    """Import the folder's steps_handler (and, through it, the user's module) under unique names."""
    sys.path.insert(0, str(folder))
    try:
        for name in [m for m in sys.modules if m == "steps_handler"]:
            del sys.modules[name]
        spec = importlib.util.spec_from_file_location("steps_handler", folder / "steps_handler.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(folder))


def run_folder(folder: str | Path, execution_input: Any, answers: Mapping[str, Answer] | None = None,
               functions: Mapping[str, Callable[[Any], Any]] | None = None, engine: Engine = "moto",
               substitutions: Mapping[str, str] | None = None) -> Outcome:
    """`substitutions` are the DefinitionSubstitutions a deployment gives (placeholder key -> value);
    `${StepsFunctionArn}` always names the folder's steps function."""
    root = Path(folder)
    definition = json.loads(substitute((root / DEFINITION).read_text(encoding="utf-8"), substitutions or {}))
    steps = load_steps(root)
    known = dict(answers or {})

    def answer(payload: Any) -> Answer | None:
        name = payload.get("callback") if isinstance(payload, Mapping) else None
        found = known.get(str(name))
        if found is None or found.error is not None or not payload.get("raw"):
            return found
        return Answer(json.dumps(found.output))  # a callback without a JSON serdes receives the text

    handlers: dict[str, Callable[[Any], Any]] = {STEPS_ARN: lambda event: steps.handler(event, None)}
    handlers.update(functions or {})
    return run_definition(definition, execution_input, Services(handlers, answer), engine)


def substitute(text: str, substitutions: Mapping[str, str]) -> str:
    """The definition text with each `${KEY}` placeholder replaced (as JSON string content)."""
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", json.dumps(value)[1:-1])
    return text
