"""A hypothesis strategy of durable handlers: random nesting of operations and control constructs."""

from __future__ import annotations

from hypothesis import strategies as st

HEADER = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, MapConfig
from aws_durable_execution_sdk_python.exceptions import StepError


@durable_step
def work(step_ctx, n):
    return n + 1


@durable_execution
def handler(event, context):
    x = 0
'''

small = st.integers(min_value=1, max_value=5)

LEAVES = [
    small.map(lambda n: [f'x = context.step(work(x), name="s{n}")']),
    small.map(lambda n: [f"context.step(lambda _: {n}, name=\"l{n}\")"]),
    small.map(lambda n: [f"context.wait(Duration.from_seconds({n}))"]),
    small.map(lambda n: [f'cb{n} = context.create_callback(name="cb{n}")', f"x = len(str(cb{n}.result()))"]),
    small.map(lambda n: [f'x = context.invoke("fn-{n}", {{"x": x}})']),
    small.map(lambda n: [f"x = x + {n}"]),
    small.map(lambda n: [f'x = context.run_in_child_context(lambda c: c.step(work({n})), name="child{n}")']),
    small.map(lambda n: [f'b = context.parallel([lambda c: c.step(work({n})), lambda c: {n}], name="p{n}")']),
    small.map(lambda n: [f"m = context.map([1, 2], lambda c, item, i, items: c.step(work(item)), "
                         f"config=MapConfig(max_concurrency={n}))"]),
    small.map(lambda n: [f'ys = [context.step(work(i), name=f"c{{i}}") for i in range({n}) if i != 1]',
                         "x = x + len(ys)"]),
    small.map(lambda n: ["match x:", f"    case {n}:", f'        x = context.step(work(x), name="m{n}")',
                         "    case _:", "        x = x - 1"]),
    st.just(["return x"]),
    st.just(['raise ValueError("stop")']),
]


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _compound(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    body = st.lists(children, min_size=1, max_size=3).map(lambda parts: [ln for p in parts for ln in p])
    return st.one_of(
        st.tuples(small, body, body).map(lambda t: [f"if x > {t[0]}:", *indent(t[1]), "else:", *indent(t[2])]),
        st.tuples(small, body).map(lambda t: [f"for i in range({t[0]}):", *indent(t[1] + ["if i > 1:",
                                                                                       "    break"])]),
        st.tuples(small, body).map(lambda t: [f"while x < {t[0]}:", "    x += 1", *indent(t[1] + ["continue"])]),
        st.tuples(body, body).map(lambda t: ["try:", *indent(t[0]), "except StepError as err:", *indent(t[1]),
                                             "finally:", "    x = x * 1"]),
    )


statements = st.recursive(st.one_of(*LEAVES), _compound, max_leaves=12)
handlers = st.lists(statements, min_size=1, max_size=5).map(
    lambda parts: HEADER + "\n".join(indent([ln for p in parts for ln in p])) + "\n    return x\n"
)
