"""Differential execution: generated handlers end the same way on our durable runtime and, compiled by
to-asl, on the local Step Functions interpreters (sfnx.testing for every example, moto for some).

Hypothesis writes handlers from a small grammar: steps (lambda and decorated; failing ones with no retry,
retried on every error, on some types or on some messages only, flaky ones that recover on a retry),
waits, plain and lifted assignments, if/else, for loops, try/except StepError around failing steps,
raise, child contexts (a decorated child that may fail, a nested one, a lambda closure),
wait_for_condition (a strategy that may run out of attempts), and `context.map` / `context.parallel` of
nested functions written from the same grammar (every completion config) followed by reads of the
BatchResult. Status, result and error type must agree. test_asl_diff_wide.py runs a wider grammar;
`ASL_DIFF_SCALE=N` multiplies the examples of both for a deep local run.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime import compat
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.diff_harness import examples

HEAD = '''from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, StepError, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import (
    CompletionConfig, Duration, JitterStrategy, MapConfig, ParallelConfig, StepConfig,
)
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitStrategyConfig, create_wait_strategy

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())
ON_VALUE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=2,
                                                                               retryable_error_types=[ValueError])))
ON_KEY = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=2,
                                                                             retryable_error_types=[KeyError])))
TWICE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=2)))
ON_ODD = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=2, retryable_errors=["odd"])))


@durable_step
def wobble(step_ctx: StepContext, value: int) -> int:
    if step_ctx.attempt == 1 and value % 2:
        raise ValueError(f"odd {value}")
    return value + step_ctx.attempt


@durable_step
def check(step_ctx: StepContext, value: int, modulus: int) -> int:
    if value % modulus == 0:
        raise ValueError(f"bad {value}")
    return value + 1


@durable_with_child_context
def grow(ctx: DurableContext, x: int, n: int) -> int:
    x = ctx.step(lambda _: x + n, name="grow")
    if x % 5 == 0:
        raise RuntimeError(f"{x} is a multiple of 5")
    return x


@durable_with_child_context
def nest(ctx: DurableContext, x: int) -> int:
    inner = ctx.run_in_child_context(grow(x, 2))
    return inner + ctx.step(lambda _: 1, name="one")


def up_to(limit: int):
    return create_wait_strategy(WaitStrategyConfig(
        should_continue_polling=lambda s: s < limit, max_attempts=4, initial_delay=Duration.from_seconds(3),
        jitter_strategy=JitterStrategy.NONE))


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    x = event["start"]
    y = 0
    items = []
'''
COUNTER = itertools.count(1)
RETRIED = ["ON_VALUE", "ON_KEY", "TWICE", "ON_ODD"]  #: the retried step configs of HEAD


def statements(depth: int, waits: bool = True) -> st.SearchStrategy[list[str]]:
    nap = [f"context.wait(Duration.from_seconds({s}), name='nap')" for s in (1, 30, 90)] if waits else ["y = y + 1"]
    simple = st.one_of(
        st.integers(1, 9).map(lambda n: [f"x = context.step(lambda _: x + {n}, name='add-{n}')"]),
        st.integers(2, 5).map(lambda m: [f"x = context.step(check(x, {m}), name='check-{m}', config=NO_RETRY)"]),
        st.integers(2, 7).map(lambda m: [f"y = y + x % {m}"]),
        st.just(["items.append(x)"]),
        st.sampled_from(nap).map(lambda line: [line]),
        *([st.tuples(st.sampled_from(["check(x, 3)", "wobble(x)"]), st.sampled_from(RETRIED))
           .map(lambda p: [f"x = context.step({p[0]}, name='retried', config={p[1]})"])] if waits else []),
        st.integers(20, 60).map(lambda n: [f"if y > {n}:", "    raise RuntimeError(f'y is {y}')"]),
        st.integers(1, 4).map(lambda n: [f"x = context.run_in_child_context(grow(x, {n}))"]),
        st.just(["x = context.run_in_child_context(nest(x), name='nest')"]),
        st.integers(1, 3).map(lambda n: [f"y = context.run_in_child_context(lambda c: c.step(lambda _: x * {n} + y,"
                                         " name='mix'), name='mix-block')"]),
        *([st.tuples(st.integers(1, 3), st.integers(1, 12)).map(lambda p: [
            f"x = context.wait_for_condition(lambda s, c: s + {p[0]}, config=WaitForConditionConfig("
            f"wait_strategy=up_to(x + {p[1]}), initial_state=x), name='poll')"])] if waits else []),
    )
    if depth == 0:
        return simple
    inner = st.lists(statements(depth - 1, waits), min_size=1, max_size=3).map(
        lambda b: [s for part in b for s in part])
    indent = lambda block: ["    " + line for line in block]  # noqa: E731
    return st.one_of(
        simple,
        batches(depth, waits),
        st.tuples(st.integers(2, 3), inner, inner).map(
            lambda p: [f"if x % {p[0]} == 0:", *indent(p[1]), "else:", *indent(p[2])]),
        st.tuples(st.integers(1, 3), inner).map(
            lambda p: [f"for i in range({p[0]}):", "    x = x + i", *indent(p[1])]),
        inner.map(lambda b: ["try:", *indent(b), "except StepError as err:",
                             "    items.append(err.message)", "    y = y + 100"]),
    )


#: completion configs; branches may wait only under all_completed (otherwise which branches count depends
#: on when they resume: DUR824)
CONFIGS = ["", "max_concurrency=2", "completion_config=CompletionConfig(tolerated_failure_count=1)",
           "completion_config=CompletionConfig(min_successful=2)",
           "completion_config=CompletionConfig(tolerated_failure_percentage=50)",
           "completion_config=CompletionConfig.first_successful()"]
ALL_COMPLETED = "max_concurrency=1, completion_config=CompletionConfig.all_completed()"
READS = ["y = y + batch.success_count + 10 * batch.failure_count", "items.append(batch.completion_reason.value)",
         "x = x + len(batch.get_results())", "items.append(batch.get_results())", "batch.throw_if_error()"]


def batches(depth: int, waits: bool) -> st.SearchStrategy[list[str]]:
    """A nested def (its own steps, waits, branches, loops, batches) run by `context.map` over three values
    or as one branch of `context.parallel` beside a failing-or-not step, then reads of the BatchResult."""
    def block(config: str) -> st.SearchStrategy[list[str]]:
        body = st.lists(statements(depth - 1, waits and config == ALL_COMPLETED), min_size=1, max_size=3)
        return st.tuples(body, st.booleans(), st.lists(st.sampled_from(READS), min_size=1, max_size=3)).map(
            lambda p: _batch_lines([s for part in p[0] for s in part], config, p[1], p[2]))
    return st.sampled_from([*CONFIGS, ALL_COMPLETED]).flatmap(block)


def _batch_lines(body: list[str], config: str, as_map: bool, reads: list[str]) -> list[str]:
    name = f"part{next(COUNTER)}"
    head = [f"def {name}(context, x, index, values):", "    y = index", "    items = []"]
    tail = ['    return {"x": x, "y": y, "items": items}']
    if as_map:
        run = [f"batch = context.map([x, x + 1, x + 2], {name}, config=MapConfig({config}))"]
    else:
        run = [f"batch = context.parallel([lambda c: {name}(c, x, 0, []),",
               "                          lambda c: c.step(check(x, 4), name='side', config=NO_RETRY)],",
               f"                         config=ParallelConfig({config}))"]
    return [*head, *("    " + line for line in body), *tail, *run, *reads]


def with_finally() -> st.SearchStrategy[list[str]]:
    # No wait inside: a suspension runs the finally block early, which makes the handler itself
    # non-deterministic on the durable SDK (NonDeterministicExecutionError on replay).
    block = st.lists(statements(1, waits=False), min_size=1, max_size=3).map(
        lambda b: ["    " + s for part in b for s in part])
    return st.tuples(block, st.booleans()).map(lambda p: [
        "try:", *p[0], *(["    if x > 20:", "        return {'early': x}"] if p[1] else []),
        "except StepError as err:", "    y = y + 100",
        "finally:", "    items.append(y)", "    x = context.step(lambda _: x + 1, name='cleanup')"])


handlers = st.lists(st.one_of(statements(2), with_finally(), batches(2, True)), min_size=1, max_size=4).map(
    lambda parts: HEAD + "".join(f"    {line}\n" for part in parts for line in part)
    + '    return {"x": x, "y": y, "items": items}\n')


def load_handler(path: Path) -> Any:
    """The handler of a generated file, imported with the AWS SDK's names mapped onto durable_runtime."""
    spec = importlib.util.spec_from_file_location(f"rt_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with compat.aliased():
        spec.loader.exec_module(module)
    return module.handler


def outcome(result: Any) -> tuple[str, Any, str | None]:
    """(status, result, short error type) of a test-runner result, the shape run-asl is compared in."""
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error.type.rsplit(".", 1)[-1] if result.error is not None and result.error.type else None
    return status, json.loads(result.result) if result.result else None, error


def on_runtime(path: Path, event: dict[str, Any]) -> tuple[str, Any, str | None]:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        return outcome(runner.run(input=json.dumps(event), execution_timeout=60))


def on_asl(path: Path, event: dict[str, Any], engine: str) -> tuple[str, Any, str | None]:
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics if d.severity.value == "error"]
    folder = path.parent / f"{path.stem}_asl"
    write(compiled, folder)
    outcome = run_folder(folder, event, engine=engine)  # type: ignore[arg-type]
    return outcome.status, outcome.result, outcome.error


def check(source: str, start: int, tmp: Path, engine: str, extra: dict[str, Any] | None = None) -> None:
    path = tmp / f"gen_handler_{next(COUNTER)}.py"
    path.write_text(source)
    event = {"start": start, **(extra or {})}
    try:
        expected = on_runtime(path, event)
        actual = on_asl(path, event, engine)
    finally:
        sys.modules.pop(path.stem, None)
    assert actual == expected, source


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=handlers, start=st.integers(0, 12))
def test_runtime_and_sfnx_agree(source: str, start: int, tmp_path: Path) -> None:
    check(source, start, tmp_path, "sfnx")


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=handlers, start=st.integers(0, 12))
def test_runtime_and_moto_agree(source: str, start: int, tmp_path: Path) -> None:
    check(source, start, tmp_path, "moto")


#: a for loop over a dict the event carries (its keys, in order), after a step whose result it reads
DICT_LOOP = HEAD + """    tags = context.step(lambda _: event["tags"], name='tags')
    for key in tags:
        items.append(key)
        x = x + len(key)
    return {"x": x, "y": y, "items": items}
"""


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("tags", [{}, {"a": 1}, {"b": 2, "a": 1, "cc": None}, ["p", "q"]])
def test_a_for_loop_over_a_dict_reads_its_keys(engine: str, tags: Any, tmp_path: Path) -> None:
    check(DICT_LOOP, 1, tmp_path, engine, {"tags": tags})
