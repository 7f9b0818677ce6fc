"""A wide grammar of durable handlers for the differential tests (test_asl_diff_wide.py).

Beyond the grammar of test_asl_differential.py it writes `match` statements, `while` loops with
`break`/`continue`, `for` loops that return early, `try`/`except`/`else`/`finally` with every durable
error type, callbacks (`create_callback` + `.result()` and `wait_for_callback`) answered with success
or failure, `invoke` of functions that may fail, `wait_for_condition`, child contexts running a nested
def written from the same grammar, `parallel`/`map` with completion configs followed by reads of the
BatchResult, and steps with retry strategies (presets, backoff, error types, messages).

A callback's name says how it is answered: `yes-*` with `{"v": 5}`, `no-*` with a failure. Branches of
a batch that may end early never suspend (which branches count would depend on resume order: DUR824).
Every name a handler defines is unique within it, so loops nested in loops never share a counter.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import strategies as st

Lines = list[str]
COUNTER = itertools.count(1)

HEAD = '''from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, StepError, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import (
    CallbackConfig, CompletionConfig, Duration, JitterStrategy, MapConfig, ParallelConfig, StepConfig,
    WaitForCallbackConfig,
)
from aws_durable_execution_sdk_python.exceptions import (
    CallbackError, ChildContextError, InvokeError, WaitForConditionError,
)
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.serdes import JsonSerDes
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitStrategyConfig, create_wait_strategy

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())
ON_VALUE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=2, retryable_error_types=[ValueError])))
ON_ODD = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=3, retryable_errors=["odd"])))
BACKOFF = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(2), backoff_rate=3, jitter_strategy=JitterStrategy.NONE)))
PRESET = StepConfig(retry_strategy=RetryPresets.default())
JSON_CB = CallbackConfig(timeout=Duration.from_minutes(5), serdes=JsonSerDes())


def double(event: dict, lambda_context: object) -> dict:
    return {"x": event["x"] * 2}


def picky(event: dict, lambda_context: object) -> dict:
    if event["x"] % 3 == 0:
        raise ValueError(f"picky about {event['x']}")
    return {"x": event["x"] + 1}


@durable_step
def wobble(step_ctx: StepContext, value: int) -> int:
    if step_ctx.attempt <= 2 and value % 2:
        raise ValueError(f"odd {value}")
    return value + step_ctx.attempt


@durable_step
def check(step_ctx: StepContext, value: int, modulus: int) -> int:
    if value % modulus == 0:
        raise ValueError(f"bad {value}")
    return value + 1


@durable_step
def notify(step_ctx: StepContext, value: int, callback_id: str) -> int:
    if value % 7 == 6:
        raise RuntimeError(f"cannot notify {value}")
    return value


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
TAIL = '    return {"x": x, "y": y, "items": items}\n'
#: the functions `context.invoke` names, by the name a deployment gives them (module functions of HEAD)
FUNCTIONS = {"double": "double", "picky": "picky"}
RETRIED = ["ON_VALUE", "ON_ODD", "BACKOFF", "PRESET"]
ERRORS = ["StepError", "InvokeError", "CallbackError", "ChildContextError", "WaitForConditionError",
          "RuntimeError", "Exception", "(StepError, InvokeError)"]


def fresh(prefix: str) -> str:
    return f"{prefix}{next(COUNTER)}"


def indent(block: Lines) -> Lines:
    return ["    " + line for line in block]


def flat(parts: list[Lines]) -> Lines:
    return [line for part in parts for line in part]


def simple(suspend: bool) -> st.SearchStrategy[Lines]:
    """One statement (or a few that belong together) with no nested block of the grammar."""
    plain = [
        st.integers(1, 9).map(lambda n: [f"x = context.step(lambda _: x + {n}, name='add-{n}')"]),
        st.integers(2, 5).map(lambda m: [f"x = context.step(check(x, {m}), name='check-{m}', config=NO_RETRY)"]),
        st.integers(2, 7).map(lambda m: [f"y = y + x % {m}"]),
        st.just(["items.append(x)"]),
        st.integers(20, 60).map(lambda n: [f"if y > {n}:", "    raise RuntimeError(f'y is {y}')"]),
    ]
    if suspend:  # an invoke suspends the invocation too, and a retried step during its retry delay
        plain += [
            st.sampled_from(["double", "picky"]).map(lambda f: [
                f"got = context.invoke('{f}', {{'x': x}}, name='call-{f}')", "x = got['x']"]),
            st.sampled_from([1, 30]).map(lambda s: [f"context.wait(Duration.from_seconds({s}), name='nap')"]),
            st.tuples(st.sampled_from(["check(x, 3)", "wobble(x)"]), st.sampled_from(RETRIED))
            .map(lambda p: [f"x = context.step({p[0]}, name='retried', config={p[1]})"]),
            st.tuples(st.sampled_from(["yes", "no"]), st.booleans()).map(lambda p: callback(*p)),
            st.tuples(st.integers(1, 3), st.integers(1, 12)).map(lambda p: [
                f"x = context.wait_for_condition(lambda s, c: s + {p[0]}, config=WaitForConditionConfig("
                f"wait_strategy=up_to(x + {p[1]}), initial_state=x), name='poll')"]),
        ]
    return st.one_of(*plain)


def callback(answer: str, created: bool) -> Lines:
    """A callback answered as its name says, created then waited for, or by wait_for_callback."""
    name = fresh(f"{answer}-")
    if not created:
        return [f"got = context.wait_for_callback(lambda callback_id, ctx: None, name='{name}',",
                "                              config=WaitForCallbackConfig(serdes=JsonSerDes()))",
                "x = x + got['v']"]
    var = fresh("cb")
    return [f"{var} = context.create_callback(name='{name}', config=JSON_CB)",
            f"context.step(notify(x, {var}.callback_id), name='send-{name}', config=NO_RETRY)",
            f"x = x + {var}.result()['v']"]


def statements(depth: int, suspend: bool, in_loop: bool = False) -> st.SearchStrategy[Lines]:
    """A statement of the grammar; `in_loop`: break and continue may appear."""
    leaf = simple(suspend)
    if in_loop:
        leaf = st.one_of(leaf, st.tuples(st.integers(2, 4), st.sampled_from(["break", "continue"])).map(
            lambda p: [f"if x % {p[0]} == 1:", f"    {p[1]}"]))
    if depth == 0:
        return leaf
    body = block(depth - 1, suspend, in_loop)
    loop_body = block(depth - 1, suspend, True)
    return st.one_of(
        leaf,
        st.tuples(st.integers(2, 3), body, body).map(
            lambda p: [f"if x % {p[0]} == 0:", *indent(p[1]), "else:", *indent(p[2])]),
        st.tuples(st.integers(1, 3), loop_body, st.integers(15, 60)).map(for_loop),
        st.tuples(st.integers(1, 3), loop_body).map(while_loop),
        st.tuples(body, body, body).map(match),
        tries(depth - 1, suspend, in_loop),
        batches(depth, suspend),
        st.tuples(block(depth - 1, suspend), st.booleans()).map(lambda p: child(*p)),
    )


def block(depth: int, suspend: bool, in_loop: bool = False) -> st.SearchStrategy[Lines]:
    return st.lists(statements(depth, suspend, in_loop), min_size=1, max_size=3).map(flat)


def for_loop(parts: tuple[int, Lines, int]) -> Lines:
    times, body, limit = parts
    index = fresh("i")
    return [f"for {index} in range({times}):", f"    x = x + {index}",
            f"    if x > {limit}:", "        return {'early': x, 'items': items}", *indent(body)]


def while_loop(parts: tuple[int, Lines]) -> Lines:
    times, body = parts
    count = fresh("w")
    return [f"{count} = 0", f"while {count} < {times}:", f"    {count} = {count} + 1", *indent(body)]


def match(parts: tuple[Lines, Lines, Lines]) -> Lines:
    first, second, third = parts
    return ["match x % 4:", "    case 0:", *indent(indent(first)), "    case 1 | 2:", *indent(indent(second)),
            "    case n if n > 2:", "        y = y + n", *indent(indent(third))]


def tries(depth: int, suspend: bool, in_loop: bool) -> st.SearchStrategy[Lines]:
    """try with one or two except clauses, and maybe else and finally. Nothing suspends where a finally
    block with operations would run early (DUR702: the handler itself is non-deterministic then)."""
    clause = st.sampled_from(ERRORS).map(lambda e: [f"except {e} as err:", "    items.append(str(err))",
                                                    "    y = y + 100"])
    closing = st.one_of(st.none(), st.just(["items.append(y)"]), block(depth, suspend, False))

    def with_finally(final: Lines | None) -> st.SearchStrategy[Lines]:
        body = block(depth, suspend and not final, in_loop)
        return st.tuples(body, st.lists(clause, min_size=0 if final else 1, max_size=2),
                         st.one_of(st.none(), body)).map(lambda p: [
                             "try:", *indent(p[0]), *flat(p[1]),
                             *(["else:", *indent(p[2])] if p[2] is not None and p[1] else []),
                             *(["finally:", *indent(final)] if final is not None else [])])
    return closing.flatmap(with_finally)


def child(body: Lines, as_lambda: bool) -> Lines:
    """A nested def run as a child context (by a lambda passing x, or by name reading x as a closure)."""
    name = fresh("child")
    if as_lambda:
        head = [f"def {name}(context: DurableContext, x: int) -> dict:"]
        run = f"got = context.run_in_child_context(lambda c: {name}(c, x), name='{name}')"
    else:
        head = [f"def {name}(context: DurableContext) -> dict:", "    x = event['start']"]
        run = f"got = context.run_in_child_context({name}, name='{name}')"
    return [*head, "    y = 1", "    items = []", *indent(body), '    return {"x": x, "y": y, "items": items}',
            run, "x = got['x'] + x", "items.append(got['items'])"]


#: completion configs of batches whose branches may not suspend
CONFIGS = ["", "max_concurrency=2", "completion_config=CompletionConfig(tolerated_failure_count=1)",
           "completion_config=CompletionConfig(min_successful=2)",
           "completion_config=CompletionConfig(tolerated_failure_percentage=50)",
           "completion_config=CompletionConfig(min_successful=1, tolerated_failure_count=0)",
           "completion_config=CompletionConfig.first_successful()",
           "completion_config=CompletionConfig.all_successful()"]
ALL_COMPLETED = "max_concurrency=1, completion_config=CompletionConfig.all_completed()"
READS = ["y = y + batch.success_count + 10 * batch.failure_count", "items.append(batch.completion_reason.value)",
         "x = x + len(batch.get_results())", "items.append(batch.get_results())", "batch.throw_if_error()",
         "items.append([batch.total_count, batch.started_count, batch.has_failure, batch.status.value])",
         "items.append(len(batch.get_errors()))", "items.append([b.index for b in batch.succeeded()])"]


def batches(depth: int, suspend: bool) -> st.SearchStrategy[Lines]:
    def of(config: str) -> st.SearchStrategy[Lines]:
        body = block(depth - 1, suspend and config == ALL_COMPLETED)
        return st.tuples(body, st.booleans(), st.lists(st.sampled_from(READS), min_size=1, max_size=3)).map(
            lambda p: batch_lines(p[0], config, p[1], p[2]))
    return st.sampled_from([*CONFIGS, ALL_COMPLETED]).flatmap(of)


def batch_lines(body: Lines, config: str, as_map: bool, reads: list[str]) -> Lines:
    name = fresh("part")
    head = [f"def {name}(context: DurableContext, x: int, index: int, values: list) -> dict:", "    y = index",
            "    items = []"]
    tail = ['    return {"x": x, "y": y, "items": items}']
    if as_map:
        run = [f"batch = context.map([x, x + 1, x + 2], {name}, config=MapConfig({config}))"]
    else:
        run = [f"batch = context.parallel([lambda c: {name}(c, x, 0, []),",
               "                          lambda c: c.step(check(x, 4), name='side', config=NO_RETRY)],",
               f"                         config=ParallelConfig({config}))"]
    return [*head, *indent(body), *tail, *run, *reads]


def handler_source(parts: list[Lines]) -> str:
    return HEAD + "".join(f"    {line}\n" for part in parts for line in part) + TAIL


def handlers(depth: int = 2) -> st.SearchStrategy[str]:
    return st.lists(statements(depth, True), min_size=1, max_size=4).map(handler_source)


def answers_for(source: str) -> dict[str, bool]:
    """Every callback name in `source` -> whether it is answered with success (others are never answered:
    they time out)."""
    names = {part.split("'")[0] for part in source.split("name='")[1:]}
    return {name: name.startswith("yes-") for name in names if name.startswith(("yes-", "no-"))}


YES: Callable[[], dict[str, int]] = lambda: {"v": 5}  # noqa: E731 - the success answer of every callback
