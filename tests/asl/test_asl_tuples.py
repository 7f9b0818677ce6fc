"""Tuples in to-asl: JSON has no tuples, so a tuple is a list in the state machine and in the steps
function's payload, while the handler keeps it a tuple. A local that always holds a tuple display is
made a tuple again in the steps function, and `==`/`!=`/`in` that may compare a tuple with a list is
computed there rather than in JSONata (where it would say equal). Each case runs on the runtime and under
run-asl (moto and sfnx) and must give Python's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.api import lower_source
from durable_compile.backends.asl.emit import Emitter
from durable_compile.source import SourceFile
from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge

EVENT = {"a": 1, "pair": [1, 2], "one": [1]}

#: name -> (handler body, what Python returns: the run-asl result must be the same)
CASES: dict[str, tuple[str, list[Any]]] = {
    "a callback submitter gets the tuple back": ('''
t = (event["a"], 2)
def submit(callback_id, ctx):
    if not isinstance(t, tuple):
        raise ValueError("the submitter got a list")
answer = context.wait_for_callback(submit, name='yes-t', config=WaitForCallbackConfig(timeout=Duration.from_minutes(1)))
return [answer, t == [1, 2]]
''', ['{"v": 5}', False]),
    "a tuple local against lists": ('''
t = (event["a"], 2)
return [t == (1, 2), t == [1, 2], t != [1, 2], t == event["pair"], t != event["pair"], [t] == [[1, 2]],
        t == (1, 3), [1, 2] in [t], t in [[1, 2]], t in [(1, 2)], t[0], len(t), list(t) == [1, 2]]
''', [True, False, True, False, True, False, False, False, False, True, 1, 2, True]),
    "tuple displays against lists": ('''
x = event["a"]
return [(x, 2) == [1, 2], (x,) == event["one"], [x, 2] != (1, 2), (x, 2) == (1, 2),
        [(x, 2), 3] == [[1, 2], 3], {"k": (x, 2)} == {"k": [1, 2]}, (x, 2) in [[1, 2]]]
''', [False, False, True, True, False, False, False]),
    "the steps function gets the tuple back": ('''
t = (event["a"], 2)
context.step(lambda _: 1, name="first")
inside = context.step(lambda _: t == (1, 2), name="inside")
kind = context.step(lambda _: type(t).__name__, name="kind")
checked = isinstance(t, tuple)
return [inside, kind, checked, type(t).__name__]
''', [True, "tuple", True, "tuple"]),
    "every binding a tuple display": ('''
t = (event["a"],)
if event["a"] == 1:
    t = (event["a"], 2)
context.step(lambda _: 1, name="first")
return [context.step(lambda _: t == (1, 2), name="inside"), t == [1, 2]]
''', [True, False]),
}


def _handler(body: str) -> str:
    lines = "\n".join("    " + line if line else line for line in body.strip().splitlines())
    return HEAD + f"\n\n@durable_execution\ndef handler(event, context: DurableContext):\n{lines}\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_tuples_behave_as_in_python(name: str, tmp_path: Path) -> None:
    body, expected = CASES[name]
    verdict = judge(_handler(body), EVENT, tmp_path, "tuples", ("sfnx", "moto"))
    assert verdict.kind == "compared"
    assert verdict.runtime == ("SUCCEEDED", expected, None)


#: name -> (handler body, whether `t` always holds a tuple)
LOCALS = {
    "a tuple display": ("t = (event['a'], 2)", True),
    "two tuple displays": ("t = (1,)\nt = (event['a'], 2)", True),
    "a tuple, then a list": ("t = (1,)\nt = [1]", False),
    "a step result": ("t = context.step(lambda _: (1, 2))", False),
    "a loop target": ("for t in [(1, 2)]:\n    pass", False),
    "augmented": ("t = (1,)\nt += (2,)", False),
    "unpacked": ("t, u = (1, 2), 3", False),
}


@pytest.mark.parametrize("name", sorted(LOCALS))
def test_which_locals_hold_a_tuple(name: str) -> None:
    body, typed = LOCALS[name]
    text = _handler(body + "\nreturn None")
    handler = lower_source(SourceFile("h.py", text)).handlers[0]
    assert ("t" in Emitter(handler, text).tuples[1]) is typed
