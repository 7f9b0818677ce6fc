"""Hypothesis-generated handlers: the generated module behaves exactly like the original.

Handlers nest steps (factory and lambda, some failing with no retry), waits, an invoke, child contexts,
parallel, map, comprehensions and match statements inside if/for/while/try; no leaf lowers `x`, so every
`while x < n: x += 1 ...` loop ends. The original on our
runtime and the generated module on our runtime (strict guard) must produce the same history; the
original on AWS's local runner must agree on status, result, error type, each operation's events and
the final operation statuses.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.handlers import _compound, indent
from tests.python_backend.support import OURS, compile_source, load_original, load_text, run_on
from tests.runtime.sdk import AWS

HEADER = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, MapConfig, StepConfig
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.retries import RetryPresets

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def work(step_ctx, n):
    return n + 1


def plain(event, context):
    return event["x"] * 2


@durable_execution
def handler(event, context):
    x = event["start"]
'''

small = st.integers(min_value=1, max_value=4)
LEAVES = [
    small.map(lambda n: [f'x = context.step(work(x), name="s{n}")']),
    small.map(lambda n: [f'context.step(lambda _: {n}, name="l{n}")']),
    small.map(lambda n: [f'x = context.step(lambda _: x // (x - x), name="boom{n}", config=NO_RETRY)']),
    small.map(lambda n: [f'context.wait(Duration.from_seconds({n}), name="w{n}")']),
    small.map(lambda n: ['x = context.invoke("plain", {"x": x}, name="inv") % 97']),
    small.map(lambda n: [f"x = x + {n}"]),
    small.map(lambda n: [f'x = context.run_in_child_context(lambda c: c.step(work(x + {n})), name="child{n}")']),
    small.map(lambda n: [f'b = context.parallel([lambda c: c.step(work({n})), lambda c: {n}], name="p{n}")',
                         "x = x + sum(b.get_results())"]),
    small.map(lambda n: [f"m = context.map([1, {n}], lambda c, item, i, items: c.step(work(item)), "
                         f"config=MapConfig(max_concurrency={n}))", "x = x + sum(m.get_results())"]),
    small.map(lambda n: [f'ys = [context.step(work(i), name=f"c{{i}}") for i in range({n}) if i != 1]',
                         "x = x + len(ys)"]),
    small.map(lambda n: ["match x % 3:", f"    case {n % 3}:", f'        x = context.step(work(x), name="m{n}")',
                         "    case _:", "        x = x + 1"]),
    st.just(["return x"]),
    st.just(['raise ValueError("stop")']),
]
statements = st.recursive(st.one_of(*LEAVES), _compound, max_leaves=8)
handlers = st.tuples(st.lists(statements, min_size=1, max_size=4), st.integers(0, 6)).map(
    lambda t: (HEADER + "\n".join(indent([ln for p in t[0] for ln in p])) + "\n    return x\n", t[1]))
_count = itertools.count()


def comparable(summary: dict) -> dict:
    """What AWS's runner is compared on: its history sometimes lacks the ContextSucceeded event of a map
    whose operation it records as SUCCEEDED (a map in a nested loop), so per-operation events are not."""
    return {k: v for k, v in summary.items() if k not in ("events", "per_operation")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(handlers)
def test_generated_handlers_run_like_their_originals(case: tuple[str, int]) -> None:
    code, start = case
    folder = Path(tempfile.mkdtemp(prefix="dc_prop_"))
    generated = load_text(compile_source(code, "gen.py").text, folder, f"gen{next(_count)}")
    original = load_original(code, folder, f"orig{next(_count)}")
    event = {"start": start}
    ours = run_on(OURS, generated.handler, event, functions={"plain": (generated.plain, False)})
    assert ours == run_on(OURS, original.handler, event, functions={"plain": (original.plain, False)}), code
    pytest.importorskip("aws_durable_execution_sdk_python_testing")
    aws = load_text(code, folder, f"aws{next(_count)}")
    theirs = run_on(AWS, aws.handler, event, functions={"plain": (aws.plain, False)})
    assert comparable(theirs) == comparable(ours), code
