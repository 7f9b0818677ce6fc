"""`match` under to-asl: one Choice whose rules are the cases in order.

VALID: each handler below ends the same way (status, result, error type) on our durable runtime and,
compiled, on both local interpreters, for every event listed (each event picks a different case).
INVALID: patterns with no faithful JSONata test are DUR820 naming the pattern and line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_source
from durable_compile.source import SourceFile
from tests.asl.test_asl_differential import on_asl, on_runtime

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step


@durable_step
def refund(step_ctx: StepContext, amount: int) -> str:
    return f"refunded {amount}"


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

VALID: dict[str, tuple[str, list[Any]]] = {
    "literals, or-patterns and the wildcard": ('''
    match event["kind"]:
        case "refund":
            out = context.step(refund(event["amount"]), name="refund")
        case "void" | "cancel":
            out = "nothing to do"
        case 3:
            out = "three"
        case _:
            out = "unknown"
    return out
''', [{"kind": "refund", "amount": 5}, {"kind": "cancel"}, {"kind": "void"}, {"kind": 3}, {"kind": 3.0},
      {"kind": True}, {"kind": "other"}, {"kind": None}]),
    "mapping patterns bind names; guards read them": ('''
    match event:
        case {"kind": "refund", "amount": amount} if amount > 100:
            return {"big": context.step(refund(amount), name="refund")}
        case {"kind": "refund", "amount": amount}:
            return {"small": amount}
        case {"items": [first, second]}:
            return {"pair": [first, second]}
        case {"note": str(note)}:
            return {"note": note}
        case {"flag": True}:
            return "flagged"
        case {"flag": None}:
            return "no flag"
    return "no case"
''', [{"kind": "refund", "amount": 500}, {"kind": "refund", "amount": 7}, {"items": ["a", {"b": 1}]},
      {"items": ["a"]}, {"items": "ab"}, {"note": "hi"}, {"note": 3}, {"flag": True}, {"flag": 1},
      {"flag": None}, {"kind": "refund"}]),
    "a capture and class patterns": ('''
    value = event.get("value")
    match value:
        case list():
            kind = "list"
        case dict():
            kind = "dict"
        case bool():
            kind = "bool"
        case str() as text:
            kind = "str " + text
        case other:
            kind = "other"
    return kind
''', [{"value": [1]}, {"value": {}}, {"value": False}, {"value": "x"}, {"value": 4}, {}]),
}

INVALID = {
    "a star pattern": ("    match event['items']:\n        case [first, *rest]:\n            return first\n"
                       "    return None\n", "'*rest'"),
    "a rest of a mapping": ("    match event:\n        case {'a': 1, **rest}:\n            return rest\n"
                            "    return None\n", "'**rest'"),
    "an int class pattern": ("    match event['n']:\n        case int():\n            return 1\n    return 0\n",
                             "int()"),
    "names inside an or-pattern": ("    match event['n']:\n        case [x] | {'x': x}:\n            return x\n"
                                   "    return 0\n", "names inside '|'"),
}


@pytest.mark.parametrize("name", list(VALID))
def test_runtime_and_both_interpreters_agree(name: str, tmp_path: Path) -> None:
    body, events = VALID[name]
    path = tmp_path / f"match_{abs(hash(name)) % 10**8}.py"
    path.write_text(HEAD + body)
    compiled = compile_source(SourceFile(str(path), path.read_text()))
    assert compiled.ok and not [d for d in compiled.diagnostics if d.code == "DUR820"], compiled.diagnostics
    try:
        for event in events:
            expected = on_runtime(path, event)
            for engine in ("sfnx", "moto"):
                assert on_asl(path, event, engine) == expected, (engine, json.dumps(event))
    finally:
        sys.modules.pop(path.stem, None)


def test_a_match_is_one_choice_with_a_rule_per_case() -> None:
    compiled = compile_source(SourceFile("m.py", HEAD + VALID["literals, or-patterns and the wildcard"][0]))
    assert compiled.output is not None
    states = compiled.output.definition["States"]
    choices = [s for s in states.values() if s["Type"] == "Choice"]
    assert len(choices) == 1 and len(choices[0]["Choices"]) == 3  # refund, void|cancel, 3; `_` is Default


@pytest.mark.parametrize("name", list(INVALID))
def test_patterns_without_a_faithful_test_are_dur820(name: str) -> None:
    body, detail = INVALID[name]
    compiled = compile_source(SourceFile("bad.py", HEAD + body))
    found = [d for d in compiled.diagnostics if d.code == "DUR820"]
    assert found and detail in found[0].message and found[0].span.line == HEAD.count("\n") + 2, found
