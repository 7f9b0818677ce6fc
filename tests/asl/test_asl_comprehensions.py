"""Comprehensions and generator expressions that run durable operations, compiled by to-asl.

Each body runs after the head of diff_grammar (x = event["start"], y = 0, items = []) and before its
`return {"x": x, "y": y, "items": items}`: it must end the same way (status, result, error type) on our
durable runtime and, compiled by to-asl, on the local interpreters. `check(v, m)` fails when m divides v,
so a step the handler does not run (after any/all decided, behind a filter) fails the state machine if
the machine runs it; `PINNED` says how some runs end, so agreement cannot come from both sides doing the
same wrong thing. `REFUSED` are the constructs to-asl must refuse with DUR820 naming the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import Result, examples, judge

#: name -> (the handler body, the values of event["start"] it runs with)
CASES: dict[str, tuple[str, list[int]]] = {
    "sum of a generator of steps": ('''
    items.append(sum(context.step(check(i, 5), name='c') for i in [x, x + 1, x + 2]))
''', [1]),
    "sum of a generator of comparisons of steps": ('''
    total = sum(context.step(check(i, 9), name='c') == 3 for i in [x, x + 1, x + 2])
    items.append(total)
''', [1, 4]),
    "sum of not, with a filter": ('''
    items.append(sum(not context.step(check(i, 9), name='c') % 2 for i in range(x, x + 5) if i != 3))
''', [1]),
    "any stops at the first true element": ('''
    found = any(context.step(check(i, 5), name='c', config=NO_RETRY) == 3 for i in [x, x + 1, x + 2, x + 3, x + 4])
    items.append(found)
''', [1, 2]),
    "all stops at the first false element": ('''
    items.append(all(context.step(check(i, 5), name='c', config=NO_RETRY) < 3 for i in [x, x + 1, x + 2, x + 3, x + 4]))
''', [1, 2]),
    "any over nested for clauses stops both loops": ('''
    hit = any(context.step(check(a * 10 + b, 7), name='c', config=NO_RETRY) > 12 for a in [1, 2, 3] for b in [x, x + 1])
    items.append(hit)
''', [1]),
    "all with a filter that runs a step": ('''
    items.append(all(i < 4 for i in range(x, x + 6) if context.step(check(i, 7), name='f', config=NO_RETRY) % 2))
''', [1, 2]),
    "any of a list comprehension runs every element": ('''
    items.append(any([context.step(check(i, 4), name='c', config=NO_RETRY) == 2 for i in [x, x + 1, x + 2, x + 3]]))
''', [1]),
    "list, tuple, sorted, min and max of generators": ('''
    items.append(list(context.step(check(i, 9), name='a') for i in [x, x + 2]))
    items.append(tuple(context.step(check(i, 9), name='b') * 2 for i in [x + 1, x]))
    items.append(sorted(context.step(check(i, 9), name='c') for i in [x + 3, x, x + 1]))
    items.append(min(context.step(check(i, 9), name='d') for i in [x + 3, x, x + 1]))
    items.append(max((context.step(check(i, 9), name='e') for i in [x + 3, x, x + 1]), default=0))
''', [1]),
    "str.join of a generator of steps": ('''
    items.append("-".join(str(context.step(check(i, 9), name='c')) for i in [x, x + 1]))
''', [1]),
    "a filter that runs a step keeps what passes": ('''
    kept = [i * 10 for i in range(x, x + 5) if context.step(check(i, 11), name='f') % 2 == 0]
    items.append(kept)
''', [1]),
    "two filters, the second runs a step only where the first passes": ('''
    kept = [i for i in range(x, x + 6) if i % 3 != 0 if context.step(check(i, 3), name='f', config=NO_RETRY) > 2]
    items.append(kept)
''', [1]),
    "an operation in the iterable runs once": ('''
    items.append([v + 1 for v in context.step(lambda _: [x, x + 1, x + 2], name='all')])
''', [1]),
    "nested for clauses, the inner iterable runs a step per outer element": ('''
    pairs = [[a, b] for a in [x, x + 1] for b in context.step(lambda _: [a, a * 10], name='inner')]
    items.append(pairs)
''', [1]),
    "tuple targets": ('''
    items.append([k + context.step(check(v, 9), name='c') for k, v in [[1, x], [2, x + 1]]])
    items.append({k: context.step(check(v, 9), name='d') for k, v in {"a": x, "b": x + 1}.items()})
''', [1]),
    "several operations in one element, in order": ('''
    items.append([context.step(check(i, 9), name='a') * 100 + context.step(check(i + 1, 9), name='b')
                  for i in [x, x + 2]])
''', [1]),
    "set and dict comprehensions, the key runs a step": ('''
    items.append(sorted({context.step(check(i, 9), name='s') % 3 for i in range(x, x + 4)}))
    items.append(len({context.step(check(i, 9), name='t') // 2 for i in range(x, x + 4)}))
    d = {str(context.step(check(i, 9), name='k')): i for i in [x, x + 1]}
    items.append(d)
''', [1]),
    "a generator inside a comprehension's element": ('''
    items.append([sum(context.step(check(a + b, 9), name='c') for b in [1, 2]) for a in [x, x + 3]])
''', [1]),
    "a comprehension's variable is its own: the function's name is untouched": ('''
    rows = [context.step(check(i, 9), name='c') for i in [x, x + 1]]
    items.append(sum(context.step(check(i, 9), name='d') for i in rows))
    items.append([i for i in rows])
''', [1]),
    "a name of the function used before a comprehension binds it": ('''
    for i in range(2):
        y = y + i
    items.append([context.step(check(i, 9), name='c') for i in [x, x + 1]])
''', [1]),
    "a wait per element": ('''
    items.append(len([context.wait(Duration.from_seconds(1)) for _ in range(2)]))
''', [1]),
}
PINNED: dict[tuple[str, int], Result] = {
    ("sum of a generator of comparisons of steps", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [1]}, None),
    ("any stops at the first true element", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [True]}, None),
    ("all stops at the first false element", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [False]}, None),
    ("any over nested for clauses stops both loops", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [True]}, None),
    ("any of a list comprehension runs every element", 1): ("FAILED", None, "StepError"),
}
#: name -> (the handler body, the line of the construct in `source(body)` counted from the body's start)
REFUSED: dict[str, tuple[str, int]] = {
    "len of a generator": ('''
    n = len(context.step(check(i, 9), name='c') for i in [x])
''', 1),
    "a generator iterated by a for loop": ('''
    for v in (context.step(check(i, 9), name='c') for i in [x, x + 1]):
        items.append(context.step(check(v, 9), name='d'))
''', 1),
    "a generator stored in a variable": ('''
    gen = (context.step(check(i, 9), name='c') for i in [x, x + 1])
    items.append(list(gen))
''', 1),
    "next of a generator": ('''
    items.append(next(context.step(check(i, 9), name='c') for i in [x, x + 1]))
''', 1),
    "a set comprehension kept in a variable": ('''
    s = {context.step(check(i, 9), name='s') % 3 for i in range(x, x + 4)}
''', 1),
    "a comprehension variable the function also uses": ('''
    i = 5
    items.append(sum(context.step(check(i, 9), name='c') for i in [x, x + 1]))
    items.append(i)
''', 2),
    "a comprehension variable read in a loop around it": ('''
    i = 0
    while i < 2:
        items.append(i)
        i = i + sum(context.step(check(i, 9), name='c') for i in [x])
''', 4),
    "a comprehension variable read by a nested function": ('''
    def show() -> int:
        return i
    i = 1
    items.append([context.step(check(i, 9), name='c') for i in [x]])
    items.append(show())
''', 4),
    "a comprehension variable that is a parameter's name": ('''
    items.append([context.step(check(event, 9), name='c') for event in [x, x + 1]])
    items.append(event["start"])
''', 1),
}


#: name -> (the handler body, the line from the body's start): an operation Python may not run at all
CONDITIONAL: dict[str, tuple[str, int]] = {
    "an operation on the right of or": ('''
    y = context.step(check(x, 5), name='a') or context.step(check(x, 1), name='b')
''', 1),
    "an operation on the right of and, in an if test": ('''
    if x > 5 and context.step(check(x, 1), name='b') > 0:
        y = 1
''', 1),
    "an operation in an arm of a conditional expression": ('''
    y = context.step(check(x, 5), name='a') if x > 5 else 0
''', 1),
    "an operation on the right of or, in a comprehension's element": ('''
    items.append([context.step(check(i, 5), name='a') or context.step(check(i, 1), name='b') for i in [x]])
''', 1),
}


def _step(var: str, tag: str) -> st.SearchStrategy[str]:
    return st.integers(2, 9).map(lambda m: f"context.step(check({var}, {m}), name='{tag}', config=NO_RETRY)")


#: element expressions (numbers) and verdicts (for any/all), over the variable `i`
NUMBERS = st.one_of(_step("i", "e"), st.tuples(_step("i", "e"), st.integers(2, 4)).map(lambda p: f"{p[0]} % {p[1]}"),
                    _step("i + 1", "e").map(lambda s: f"i + {s}"), st.just("i * 2"))
VERDICTS = st.one_of(st.tuples(_step("i", "b"), st.integers(2, 3)).map(lambda p: f"{p[0]} % {p[1]} == 0"),
                     st.tuples(_step("i", "b"), st.integers(2, 9)).map(lambda p: f"{p[0]} > {p[1]}"),
                     st.integers(1, 9).map(lambda t: f"i > {t}"))
FILTERS = st.one_of(st.just(""), st.just(" if i % 2"), _step("i", "f").map(lambda s: f" if {s} % 3 != 1"))
ITERABLES = st.one_of(st.just("[x, x + 1, x + 2]"), st.integers(0, 4).map(lambda n: f"range(x, x + {n})"),
                      st.just("context.step(lambda _: [x, x + 2, x + 1], name='it')"),
                      st.just("[x, x + 1] for k in [0, 1]"))  # a second for clause after the first


@st.composite
def comprehensions(draw: st.DrawFn) -> str:
    """One comprehension or generator expression, consumed, with at least one operation inside."""
    gen = f"for i in {draw(ITERABLES)}{draw(FILTERS)}"
    shapes = {
        "sum({n} {g})": NUMBERS, "any({n} {g})": VERDICTS, "all({n} {g})": VERDICTS, "[{n} {g}]": NUMBERS,
        "max(({n} {g}), default=-1)": NUMBERS, "sorted({n} {g})": NUMBERS, "{{str(i): {n} {g}}}": NUMBERS,
        "len({{{n} {g}}})": NUMBERS, "sum({n} {g})  # verdicts": VERDICTS,
    }
    shape = draw(st.sampled_from(sorted(shapes)))
    text = shape.split("  #")[0].format(n=draw(shapes[shape]), g=gen)
    if "context." not in text:
        text = text.replace("i * 2", "context.step(check(i * 2, 7), name='e', config=NO_RETRY)")
        text = text.replace("i > ", "context.step(check(i, 7), name='b', config=NO_RETRY) > ")
    return f"    items.append({text})\n"


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=comprehensions(), start=st.integers(0, 9))
def test_generated_comprehensions_agree_with_the_runtime(body: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(body), {"start": start}, tmp_path, "gen", ("sfnx",))
    assert verdict.kind == "compared", verdict


def source(body: str) -> str:
    return HEAD + body.strip("\n") + "\n" + TAIL


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in CASES.items() for s in starts])
def test_runtime_and_interpreters_agree(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(CASES[name][0]), {"start": start}, tmp_path, "comp", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
    if (name, start) in PINNED:
        assert verdict.runtime == PINNED[name, start]


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_the_construct_and_its_line(name: str, tmp_path: Path) -> None:
    body, line = REFUSED[name]
    path = tmp_path / "refused.py"
    path.write_text(source(body))
    compiled = compile_file(path)
    errors = [d for d in compiled.diagnostics if d.severity.value == "error"]
    assert not compiled.ok and [d.code for d in errors] == ["DUR820"], errors
    assert errors[0].span.line == HEAD.count("\n") + line
    assert "comprehension" in errors[0].message or "generator" in errors[0].message


@pytest.mark.parametrize("name", list(CONDITIONAL))
def test_an_operation_python_may_skip_is_refused(name: str, tmp_path: Path) -> None:
    body, line = CONDITIONAL[name]
    path = tmp_path / "conditional.py"
    path.write_text(source(body))
    errors = [d for d in compile_file(path).diagnostics if d.severity.value == "error"]
    assert [d.code for d in errors] == ["DUR820"] and errors[0].span.line == HEAD.count("\n") + line, errors
    assert "context.step(check(" in errors[0].message and "if statement" in errors[0].message


def test_every_pinned_outcome_names_a_case() -> None:
    assert all(name in CASES and start in CASES[name][1] for name, start in PINNED)
