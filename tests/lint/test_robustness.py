"""The analyzer never crashes: generated sources mixing lambdas, nested defs, decorators, comprehensions,
walrus, match, async defs and annotations give no DUR999; a crash inside a rule becomes DUR999 for that
file while the other rules' findings are kept."""

from __future__ import annotations

import ast
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.analyze.engine import analyze_text
from durable_compile.analyze.rule import FileContext, Rule
from durable_compile.analyze.rules import instantiate
from durable_compile.analyze.rules.wall_clock import WallClock

HEAD = """import time, random, uuid, os, asyncio, itertools, contextlib
from datetime import datetime as dt
from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration
"""

STATEMENTS = [
    "x = context.step(lambda _: time.time(), name='t')",
    "y = [context.step(lambda _: i, name=f's{i}') for i in range(3) if (n := i)]",
    "z = {k: v for k, v in event.items()} if dt.now() else None",
    "context.wait(Duration.from_seconds(1))",
    "f = lambda a, *b, c=1, **d: (a, b, c, d, random.random())",
    "seen = set(event)\nfor s in seen:\n    context.step(lambda _: s, name=s)",
    "match event:\n    case {'k': v}:\n        context.step(lambda _: v, name='m')\n"
    "    case [a, *rest]:\n        pass\n    case _:\n        pass",
    "def inner(c: DurableContext, *args, **kwargs) -> int:\n    return c.step(lambda _: 1)",
    "context.run_in_child_context(inner, name='child')",
    "@staticmethod\ndef deco(x):\n    return x",
    "async def coro():\n    await asyncio.sleep(1)\n    async with contextlib.AsyncExitStack() as s:\n        pass",
    "class Local:\n    attr: int = 0\n"
    "    def method(self, ctx: 'DurableContext'):\n        return ctx.step(lambda _: 1)",
    "try:\n    context.step(lambda _: 1)\nexcept* ValueError:\n    pass",
    "while (w := random.random()) < 0.5:\n    context.step(lambda _: w)",
    "g = (yield_ for yield_ in itertools.count())",
    "global G\nG = 1",
    "context.parallel([lambda c: c.step(lambda _: 1), inner, lambda: None, 3], name='p')",
    "context.map(event, lambda c, *a: context.step(lambda _: a), name='m')",
    "context.step(step_fn(1)(2), name='weird')",
    "del event['k']",
    "with open('f') as fh, contextlib.suppress(BaseException):\n    context.wait(Duration.from_seconds(1))",
    "print(*[x for x in {1, 2}], sep=str(uuid.uuid4()))",
    "t: 'dt | None' = None",
    "lambda: (yield)",
]


def _indent(text: str, depth: int) -> str:
    return textwrap.indent(text, "    " * depth)


@st.composite
def sources(draw: st.DrawFn) -> str:
    body = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=8))
    wrap = draw(st.sampled_from(["plain", "if", "for", "nested_def", "try"]))
    text = "\n".join(body)
    if wrap == "if":
        text = "if event:\n" + _indent(text, 1)
    elif wrap == "for":
        text = "for item in event:\n" + _indent(text, 1)
    elif wrap == "nested_def":
        text = "def helper(context=context):\n" + _indent(text, 1) + "\nhelper()"
    elif wrap == "try":
        text = "try:\n" + _indent(text, 1) + "\nfinally:\n    pass"
    deco = draw(st.sampled_from(["@durable_execution", "@durable_execution()", "@durable_step", ""]))
    return HEAD + f"{deco}\ndef handler(event, context: DurableContext):\n" + _indent(text, 1) + "\n"


@settings(max_examples=150, deadline=None)
@given(sources())
def test_generated_sources_never_crash_the_analyzer(source: str) -> None:
    ast.parse(source)  # the generator only builds valid Python
    result = analyze_text("gen.py", source, instantiate())
    crashes = [f.diagnostic.message for f in result.findings if f.diagnostic.code == "DUR999"]
    assert crashes == []


class Exploding(Rule):
    """A broken rule, to prove the engine contains it."""

    code = WallClock.code

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        raise RuntimeError("boom")


def test_a_crashing_rule_becomes_dur999_and_other_rules_still_report() -> None:
    source = HEAD + "@durable_execution\ndef handler(event, context):\n    return uuid.uuid4()\n"
    result = analyze_text("gen.py", source, [Exploding(), *instantiate(frozenset({"DUR103"}))])
    codes = sorted(f.diagnostic.code for f in result.findings)
    assert codes == ["DUR103", "DUR999"]
    assert "RuntimeError: boom" in next(f.diagnostic.message for f in result.findings if f.diagnostic.code == "DUR999")


def test_syntax_errors_point_at_the_offending_token() -> None:
    [finding] = analyze_text("bad.py", "x = (1,\ny = 2\n", instantiate()).findings
    assert finding.diagnostic.code == "DUR999" and finding.diagnostic.span.line == 1
