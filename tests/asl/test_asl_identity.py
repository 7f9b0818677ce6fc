"""`is` between two values the handler holds is refused: the state machine cannot keep identity.

In Python `b = a` makes two names of one list, and `a is b` is True; the state machine's variables (and
the values the steps function receives) are JSON copies, so the same test gave False there, silently.
Such a test is refused (DUR820) at its line and column, in the handler's body, its lambdas, its nested
defs and the functions receiving the context that it calls. Tests against a literal, a call, a module
name or an attribute keep their meaning: those compile, and run as on the durable runtime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge

MODULE = "\nMISSING = object()\n\n\n@durable_execution\ndef handler(event: dict, context: DurableContext):\n"

#: handler body -> (events, the runtime's result for each)
VALID: dict[str, tuple[list[dict[str, Any]], list[Any]]] = {'''
    v = event.get("v")
    context.step(lambda _: 1, name="s")
    return [v is None, v is not None, type(v) is bool, v is True, v is MISSING, isinstance(v, int)]
''': ([{"v": True}, {"v": 1}, {}], [[False, True, True, True, False, True], [False, True, False, False, False, True],
                                     [True, False, False, False, False, False]]),
    '''
    r = context.map(event["xs"], lambda c, x, i, xs: x, name="m")
    return [item.status is BatchItemStatus.SUCCEEDED for item in r.all]
''': ([{"xs": [1, 2]}], [[True, True]]),
}

#: handler body -> (the refused test as written, its line in the body (1-based), its column)
INVALID: dict[str, tuple[str, int, int]] = {
    "two names of one list": ('''
    a = event["xs"]
    b = a
    context.step(lambda _: 1, name="s")
    return a is b
''', "a is b", 4, 12),
    "an item and a subscript, in a step's lambda": ('''
    items = event["xs"]
    return context.step(lambda _: [x for x in items if x is not items[0]], name="t")
''', "x is not items[0]", 2, 56),
    "a nested def's parameters": ('''
    def same(p, q):
        return p is q
    return context.step(lambda _: same(event, event), name="t")
''', "p is q", 2, 16),
}

IMPORTS = "from aws_durable_execution_sdk_python.config import BatchItemStatus\n"


@pytest.mark.parametrize("body", list(VALID))
def test_identity_tests_that_keep_their_meaning_compile_and_run_as_on_the_runtime(body: str, tmp_path: Path) -> None:
    events, results = VALID[body]
    for index, event in enumerate(events):
        verdict = judge(HEAD + IMPORTS + MODULE + body.strip("\n") + "\n", event, tmp_path, f"same_{index}",
                        ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == ("SUCCEEDED", results[index], None)


@pytest.mark.parametrize("name", list(INVALID))
def test_identity_between_copied_values_is_refused_at_its_line(name: str, tmp_path: Path) -> None:
    body, written, line, column = INVALID[name]
    source = HEAD + IMPORTS + MODULE + body.strip("\n") + "\n"
    path = tmp_path / "identity_case.py"
    path.write_text(source)
    first = source.splitlines().index("def handler(event: dict, context: DurableContext):") + 2  # the body's first
    found = [d for d in compile_file(path).diagnostics if d.code == "DUR820" and "tests identity" in d.message]
    assert [(d.span.line, d.span.column) for d in found] == [(first + line - 1, column)]
    assert found[0].message.startswith(repr(written)) and "==" in found[0].message
