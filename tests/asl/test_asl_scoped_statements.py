"""`del` of a local, imports inside the handler and `with` blocks, compiled by to-asl.

Each body runs after the head of diff_grammar (x = event["start"], y = 0, items = []) and before its
`return {"x": x, "y": y, "items": items}`: it must end the same way (status, result, error type) on our
durable runtime and, compiled by to-asl, on sfnx and moto; `PINNED` says how some runs end, so that
agreement cannot come from both sides doing the same wrong thing, and `STATES` what a body compiles to.
`REFUSED` are the forms to-asl cannot compile faithfully: DUR820 naming the line and what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import Result, judge

MODULE = HEAD.replace("\n\n@durable_execution", '''
import contextlib
from contextlib import nullcontext, suppress


class Opened:
    """A context manager of the module: it records its exits, and swallows ZeroDivisionError."""

    exits: list = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        Opened.exits.append(kind.__name__ if kind else None)
        return kind is ZeroDivisionError


def helper(ctx, v):
    tmp = v + 1
    del tmp
    import json
    return ctx.step(check(v, 11), name="h") + len(json.dumps([v]))


def item(ctx, v, i, vs):
    from math import floor
    t = v * 3
    del t
    with Opened():
        w = floor(v / 2)
    return ctx.step(check(v, 7), name="c", config=NO_RETRY) + w


def child(ctx):
    import fractions
    return str(fractions.Fraction(1, 3))

\n@durable_execution''', 1)
#: name -> (the handler body, the values of event["start"])
CASES: dict[str, tuple[str, list[int]]] = {
    "del of a local no later code reads": ('''
    tmp = x * 2
    items.append(tmp)
    del tmp
    y = 3
''', [1]),
    "del in a loop that binds the name again first": ('''
    for i in range(2):
        got = context.step(check(x + i, 7), name="c", config=NO_RETRY)
        items.append(got)
        del got
''', [1, 6]),
    "del of a name bound again before its next read": ('''
    t = x
    del t
    t = x + 10
    items.append(t)
''', [2]),
    "import json in the handler translates json.dumps and json.loads": ('''
    import json
    items.append(json.dumps({"a": x, "b": [1, "two"]}))
    items.append(json.loads("[1, 2]"))
''', [1]),
    "import as and from-import of the standard library, in lifted code": ('''
    import json as j
    from math import floor, gcd
    items.append(j.dumps(x))
    items.append(floor(x / 4))
    y = gcd(x, 12)
''', [9]),
    "suppress around a failing step": ('''
    with suppress(StepError):
        items.append(context.step(check(x, 2), name="c", config=NO_RETRY))
        items.append("after")
    items.append("done")
''', [1, 2]),
    "nullcontext around operations": ('''
    with nullcontext():
        y = context.step(check(x, 9), name="c", config=NO_RETRY)
''', [1]),
    "a block of another manager runs in the steps function": ('''
    with Opened() as handle:
        y = x * 3
        items.append(y)
    items.append(context.step(check(y, 7), name="c", config=NO_RETRY))
''', [1]),
    "the manager swallows an error, the assignment before it stays": ('''
    y = 5
    with Opened():
        y = x * 2
        y = y // (x - x)
    items.append(y)
''', [1]),
    "an error the manager lets through reaches the except": ('''
    try:
        with Opened():
            items.append(int("not a number"))
    except ValueError:
        items.append("caught")
''', [1]),
    "in a helper, around a missing key, and reading a caught error and a batch": ('''
    with suppress(KeyError):
        y = event["missing"]
    with contextlib.suppress(ValueError, StepError):
        items.append(context.step(check(x, 3), name="c", config=NO_RETRY))
    items.append(helper(context, x))
    b = context.parallel([lambda c: c.step(check(x, 5), name="p", config=NO_RETRY), lambda c: 2])
    try:
        context.step(check(x, 2), name="d", config=NO_RETRY)
    except StepError as err:
        with Opened():
            items.append([err.error_type, b.success_count, len(b.get_results())])
''', [1, 6]),
    "in map items and child contexts": ('''
    b = context.map([x, x + 1, x + 2], item, config=MapConfig(completion_config=CompletionConfig.all_completed()))
    items.append(b.get_results())
    items.append(context.run_in_child_context(child, name="kid"))
''', [5]),
}
PINNED: dict[tuple[str, int], Result] = {
    ("in map items and child contexts", 5): ("SUCCEEDED", {"x": 5, "y": 0, "items": [[8, 10], "1/3"]}, None),
    ("in a helper, around a missing key, and reading a caught error and a batch", 6):
        ("SUCCEEDED", {"x": 6, "y": 0, "items": [10, ["ValueError", 2, 2]]}, None),
    ("del in a loop that binds the name again first", 6): ("FAILED", None, "StepError"),
    ("suppress around a failing step", 2): ("SUCCEEDED", {"x": 2, "y": 0, "items": ["done"]}, None),
    ("suppress around a failing step", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [2, "after", "done"]}, None),
    ("the manager swallows an error, the assignment before it stays", 1):
        ("SUCCEEDED", {"x": 1, "y": 2, "items": [2]}, None),
}
#: name -> (the handler body, the line from the body's start, a word of the message)
REFUSED: dict[str, tuple[str, int, str]] = {
    "a read after del": ('''
    t = x
    del t
    items.append(t)
''', 2, "read at line"),
    "del of a name bound on some paths": ('''
    if x > 5:
        t = 1
    del t
''', 3, "unbound"),
    "del of a name the loop reads on its next iteration": ('''
    t = 0
    while y < 2:
        y = y + t
        t = 1
        del t
''', 5, "next iteration"),
    "an import on some paths": ('''
    if x > 1:
        import json
''', 2, "some paths"),
    "an import of a module outside the standard library": ('''
    import requests
''', 1, "standard library"),
    "a name read before its import": ('''
    items.append(str(fractions))
    import fractions
''', 2, "before the import"),
    "an import over a parameter": ('''
    import json as event
''', 1, "parameter"),
    "operations inside an unknown manager": ('''
    with Opened():
        y = context.step(check(x, 9), name="c")
''', 1, "durable operation"),
    "a return inside a lifted block": ('''
    with Opened():
        return {"x": 1, "y": 2, "items": []}
''', 1, "return"),
    "a name of a lifted block read after it": ('''
    with Opened() as handle:
        y = 1
    items.append(str(handle))
''', 1, "'handle'"),
    # a lifted block gives back its variables as JSON: a value that certainly is none would fail its task
    "a variable of a lifted block assigned the object its manager gives": ('''
    with Opened() as handle:
        y = x
        y = handle
''', 3, "manager gives"),
    "a variable of a lifted block assigned an instance of a class of the module": ('''
    with Opened():
        y = Opened()
''', 2, "instance of Opened"),
    "a variable of a lifted block assigned a set": ('''
    with Opened():
        y = {x, 1}
''', 2, "a set"),
}
def source(body: str) -> str:
    return MODULE + body.strip("\n") + "\n" + TAIL


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in CASES.items() for s in starts])
def test_runtime_and_interpreters_agree(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(CASES[name][0]), {"start": start}, tmp_path, "scoped", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
    if (name, start) in PINNED:
        assert verdict.runtime == PINNED[name, start]


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_the_line_and_the_reason(name: str, tmp_path: Path) -> None:
    body, line, word = REFUSED[name]
    path = tmp_path / "refused.py"
    path.write_text(source(body))
    errors = [d for d in compile_file(path).diagnostics if d.severity.value == "error"]
    assert [d.code for d in errors] == ["DUR820"], errors
    assert errors[0].span.line == MODULE.count("\n") + line and word in errors[0].message, errors[0]


def _definition(text: str, tmp_path: Path) -> tuple[str, set[str]]:
    path = tmp_path / "states.py"
    path.write_text(text)
    compiled = compile_file(path)
    assert compiled.ok, compiled.diagnostics
    return compiled.files["statemachine.asl.json"], {d.code for d in compiled.diagnostics}


def _uncommented(states: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {name: {k: v for k, v in state.items() if k != "Comment"} for name, state in states.items()}


def test_del_and_import_compile_to_no_state_and_json_translates(tmp_path: Path) -> None:
    inside, codes = _definition(source('    import json\n    t = json.dumps([x])\n    items.append(t)\n    del t\n'),
                                tmp_path)
    same_lines = source("    # imported above\n    t = json.dumps([x])\n    items.append(t)\n    # nothing to delete\n")
    at_top, _ = _definition("import json; " + same_lines, tmp_path)
    assert "DUR821" not in codes  # json.dumps is JSONata, as with the module's own import
    assert _uncommented(json.loads(inside)["States"]) == _uncommented(json.loads(at_top)["States"])
