"""A BatchResult's objects kept in a local (`errors = r.get_errors()`, `failed = r.failed()`, a `for` over
them) read as in the handler: the machine holds the list as JSON, the steps function rebuilds the
ErrorObjects and BatchItems wherever lifted code reads them (`e.type`, `e.message`, `item.error.message`,
`item.status.value`), and `len()` of the list stays JSONata. A change to such a list, or a local that holds
one in some places and another value elsewhere, is refused (DUR820 at the line). The objects are no JSON
value anywhere else: `return r.failed()` runs in the steps function, and fails there as in the handler.

Each case runs on the durable runtime and, compiled by to-asl, on sfnx and moto, with items that fail and
without; the runtime's outcome is pinned. An item's error type is compared by its last dotted part (the
runtime records the SDK's module path of a durable error class, the machine its bare name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl import diff_harness

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CompletionConfig, MapConfig


def double(event: dict, lambda_context: object) -> dict:  # the harness's invoke targets
    return event


def picky(event: dict, lambda_context: object) -> dict:
    return event


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
    def item(ctx: DurableContext, x: int, index: int, items: list) -> Any:
        if x > 1:
            raise ValueError(f"bad {x}")
        return ctx.step(lambda _: x * 10, name="times")
    r = context.map(event["xs"], item, name="items",
                    config=MapConfig(completion_config=CompletionConfig.all_completed()))
'''
SOME_FAIL = {"xs": [1, 2, 3]}
NONE_FAIL = {"xs": [1]}
#: case -> (handler body after the map, the runtime's outcome for SOME_FAIL and NONE_FAIL)
CASES: dict[str, tuple[str, list[tuple[str, Any, str | None]]]] = {
    "errors in a local: types, messages, count, the first one": ('''
    errors = r.get_errors()
    return [[e.type.rsplit(".", 1)[-1] for e in errors], [e.message for e in errors], len(errors),
            errors[0].message if errors else None]
''', [("SUCCEEDED", [["ValueError", "ValueError"], ["bad 2", "bad 3"], 2, "bad 2"], None),
      ("SUCCEEDED", [[], [], 0, None], None)]),
    "a for loop over the errors": ('''
    errors = r.get_errors()
    messages = []
    for e in errors:
        messages.append(e.message)
    return messages
''', [("SUCCEEDED", ["bad 2", "bad 3"], None), ("SUCCEEDED", [], None)]),
    "a for loop over get_errors() itself": ('''
    messages = []
    for e in r.get_errors():
        messages.append(e.message)
    return messages
''', [("SUCCEEDED", ["bad 2", "bad 3"], None), ("SUCCEEDED", [], None)]),
    "returning the errors fails as in the handler": ('''
    errors = r.get_errors()
    return errors if len(errors) > 5 else r.failed()
''', [("FAILED", None, "TypeError"), ("SUCCEEDED", [], None)]),
    "failed items in a local: index, error, count": ('''
    failed = r.failed()
    return [[i.index for i in failed], [i.error.message for i in failed], len(failed)]
''', [("SUCCEEDED", [[1, 2], ["bad 2", "bad 3"], 2], None), ("SUCCEEDED", [[], [], 0], None)]),
    "succeeded items in a local: result and status": ('''
    done = r.succeeded()
    return [[i.result for i in done], [i.status.value for i in done]]
''', [("SUCCEEDED", [[10], ["SUCCEEDED"]], None), ("SUCCEEDED", [[10], ["SUCCEEDED"]], None)]),
}
INPUTS = (SOME_FAIL, NONE_FAIL)


@pytest.mark.parametrize("case", list(CASES))
def test_the_objects_read_as_in_the_handler(case: str, tmp_path: Path) -> None:
    body, pinned = CASES[case]
    for event, expected in zip(INPUTS, pinned, strict=True):
        verdict = diff_harness.judge(HEAD + body.strip("\n") + "\n", event, tmp_path, "batch_lists", ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == expected, event


def _diagnostics(body: str, tmp_path: Path) -> list[tuple[str, int]]:
    path = tmp_path / "lists.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    return [(d.code, d.span.line) for d in compile_file(path).diagnostics]


FIRST = HEAD.count("\n") + 1  #: the line of the body's first statement


@pytest.mark.parametrize(("body", "line"), [
    pytest.param('''
    errors = r.get_errors()
    errors.append("more")
    return len(errors)
''', FIRST + 1, id="append"),
    pytest.param('''
    failed = r.failed()
    failed[0] = None
    return len(failed)
''', FIRST + 1, id="subscript assignment"),
    pytest.param('''
    errors = r.get_errors()
    if event["xs"]:
        errors = []
    return len(errors)
''', FIRST, id="another value elsewhere"),
])
def test_a_change_the_machine_cannot_follow_is_refused(body: str, line: int, tmp_path: Path) -> None:
    assert ("DUR820", line) in _diagnostics(body, tmp_path)


def test_the_list_its_count_and_truth_stay_jsonata(tmp_path: Path) -> None:
    found = _diagnostics('''
    errors = r.get_errors()
    count = len(errors)
    return [count, len(r.failed()), bool(r.succeeded()), "some" if errors else "none"]
''', tmp_path)
    assert [code for code, _ in found] == []


@pytest.mark.parametrize("body", [
    pytest.param("    return r.failed()\n", id="returned"),
    pytest.param("    return [r.get_errors(), 1]\n", id="in a display"),
    pytest.param("    return f\"{r.succeeded()}\"\n", id="in an f-string"),
])
def test_the_objects_are_no_json_value_elsewhere(body: str, tmp_path: Path) -> None:
    """The handler cannot return them (the runtime fails to serialize them): the machine computes them in
    the steps function, which fails too, instead of returning their JSON."""
    assert ("DUR821", FIRST) in _diagnostics(body, tmp_path)
