"""Lowering to the IR: operations, hoisting order, callables, configs, nested regions."""

from __future__ import annotations

from durable_compile import api
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile

HEAD = '''
from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python import durable_with_child_context, ParallelBranch
from aws_durable_execution_sdk_python.config import Duration, StepConfig, MapConfig, StepSemantics
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy

@durable_step
def work(step_ctx, n):
    return n

@durable_with_child_context
def child(ctx, n):
    return ctx.step(work(n))
'''


def lower(body: str) -> n.Handler:
    code = HEAD + "\n@durable_execution\ndef handler(event, context):\n" + "\n".join(
        "    " + line for line in body.strip("\n").splitlines()) + "\n"
    lowered = api.lower_source(SourceFile("t.py", code))
    assert not lowered.diagnostics, lowered.diagnostics
    return lowered.handlers[0]


def ops(handler: n.Handler) -> list[n.Operation]:
    return [s for s in n.walk(handler.function.body) if isinstance(s, n.Operation)]


def test_assignment_of_a_durable_call_is_one_operation_with_that_target() -> None:
    (op,) = ops(lower('x = context.step(work(1), name="w")'))
    assert (op.kind, op.label, op.target.code if op.target else None) == (n.OpKind.STEP, "w", "x")
    assert op.callee is not None and op.callee.form is n.CallableForm.FACTORY
    assert op.callee.function == "work" and [a.code for a in op.callee.args] == ["1"]


def test_nested_durable_calls_are_hoisted_innermost_first() -> None:
    handler = lower("return context.step(work(context.step(work(1))))")
    first, second = ops(handler)
    assert first.target is not None and isinstance(first.target, ir.Name)
    assert second.callee is not None and second.callee.args[0].code == first.target.code
    assert isinstance(handler.function.body[-1], n.Return)


def test_unnamed_factory_steps_take_the_function_name_like_the_sdk() -> None:
    (op,) = ops(lower("context.step(work(1))"))
    assert op.label == "work" and op.name is None and op.target is None


def test_config_is_evaluated_statically() -> None:
    (op,) = ops(lower(
        "context.step(lambda _: 1, name='c', config=StepConfig(retry_strategy=create_retry_strategy("
        "RetryStrategyConfig(max_attempts=4, initial_delay=Duration.from_seconds(2))), "
        "step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY))"))
    assert op.settings == {
        "type": "StepConfig",
        "retry_strategy": {"type": "create_retry_strategy",
                           "args": [{"type": "RetryStrategyConfig", "max_attempts": 4,
                                     "initial_delay": {"seconds": 2}}]},
        "step_semantics": "StepSemantics.AT_MOST_ONCE_PER_RETRY",
    }


def test_wait_duration_is_in_seconds() -> None:
    (op,) = ops(lower("context.wait(Duration.from_minutes(10), name='cool')"))
    assert op.settings == {"duration": {"seconds": 600}}


def test_child_context_parallel_and_map_carry_lowered_regions() -> None:
    handler = lower('''
a = context.run_in_child_context(child(1))
b = context.parallel([lambda c: c.step(work(2)), ParallelBranch(lambda c: c.step(work(3)), "three")])
m = context.map([1, 2], lambda c, item, i, items: c.step(work(item)), name="each")
''')
    child_op, par, mapped = [o for o in ops(handler) if o.kind is not n.OpKind.STEP]
    assert child_op.callee is not None and child_op.callee.region is not None
    assert child_op.callee.region.context == "ctx"
    assert [b.name for b in par.branches] == [None, "three"]
    assert all(b.region is not None for b in par.branches)
    assert mapped.callee is not None and mapped.callee.region is not None
    assert handler.operations == 7


def test_callback_result_is_an_operation_on_the_callback_variable() -> None:
    handler = lower('cb = context.create_callback(name="approve")\nanswer = cb.result()')
    create, result = ops(handler)
    assert create.kind is n.OpKind.CREATE_CALLBACK and result.kind is n.OpKind.CALLBACK_RESULT


def test_while_with_a_durable_test_still_checks_it_every_iteration() -> None:
    handler = lower("while context.step(lambda _: False, name='poll'):\n    context.wait(Duration(5))")
    (loop,) = handler.function.body
    assert isinstance(loop, n.While) and isinstance(loop.test, ir.Const) and loop.test.value is True
    assert isinstance(loop.body[0], n.Operation) and isinstance(loop.body[1], n.If)


def test_the_context_is_found_by_binding_not_spelling() -> None:
    code = HEAD + "\n@durable_execution\ndef handler(evt, weird_name):\n    weird_name.wait(Duration(1))\n"
    (handler,) = api.lower_source(SourceFile("t.py", code)).handlers
    assert [o.kind for o in ops(handler)] == [n.OpKind.WAIT]


def test_calls_on_other_objects_are_not_operations() -> None:
    assert ops(lower("context2 = event\ncontext2.step(1)\nx = [1].copy()")) == []


def test_source_text_of_an_expression_shows_the_temporary_not_the_durable_call_again() -> None:
    handler = lower("done = []\ndone.append(context.step(work(1)))\nreturn {'n': len(done)}")
    stmt = handler.function.body[2]
    op = handler.function.body[1]
    assert isinstance(op, n.Operation) and op.target is not None
    assert isinstance(stmt, n.ExprStmt) and stmt.value.code == f"done.append({op.target.code})"


def test_helpers_that_take_the_context_run_their_operations_in_the_callers_graph() -> None:
    code = HEAD + '''
def charge(ctx, amount):
    return ctx.step(work(amount), name="charge")

def twice(c, n):
    return charge(c, n) + charge(c, n + 1)

@durable_execution
def handler(event, context):
    total = twice(context, 1)
    return total
'''
    (handler,) = api.lower_source(SourceFile("t.py", code)).handlers
    call = handler.function.body[0]
    assert isinstance(call, n.HelperCall) and call.function == "twice" and call.region is not None
    assert call.target is not None and call.target.code == "total"
    assert [o.label for o in ops(handler)] == ["charge", "charge"]
    assert handler.operations == 2


def test_recursive_helpers_are_not_unrolled() -> None:
    code = HEAD + '''
def again(ctx, n):
    if n:
        again(ctx, n - 1)
    ctx.wait(Duration(1))

@durable_execution
def handler(event, context):
    again(context, 3)
'''
    (handler,) = api.lower_source(SourceFile("t.py", code)).handlers
    assert [o.kind for o in ops(handler)] == [n.OpKind.WAIT]


def test_a_comprehension_of_durable_calls_is_the_loop_it_means() -> None:
    handler = lower('results = [context.step(work(i), name=f"w-{i}") for i in event["items"] if i]\nreturn results')
    desugared, assign, ret = handler.function.body
    assert isinstance(desugared, n.Desugared) and desugared.construct == "comprehension"
    init, loop = desugared.body
    assert isinstance(init, n.Assign) and init.value.code == "[]"
    assert isinstance(loop, n.For) and loop.iter.code == 'event["items"]'
    (cond,) = loop.body
    assert isinstance(cond, n.If) and cond.test.code == "i"
    op, append = cond.body
    assert isinstance(op, n.Operation) and op.label == 'f"w-{i}"'
    assert isinstance(append, n.ExprStmt) and op.target is not None
    assert append.value.code == f"{init.targets[0].code}.append({op.target.code})"
    assert isinstance(assign, n.Assign) and assign.value.code == init.targets[0].code


def test_comprehensions_without_durable_calls_stay_expressions() -> None:
    (stmt, _) = lower("xs = [i * 2 for i in event['items']]\nreturn xs").function.body
    assert isinstance(stmt, n.Assign) and isinstance(stmt.value, ir.Opaque)


def test_match_cases_keep_their_operations() -> None:
    (match, _) = lower('''
match event["kind"]:
    case "refund":
        context.step(work(1), name="refund")
    case {"amount": amount} if amount > 10:
        context.wait(Duration(2))
    case _:
        pass
return None
''').function.body
    assert isinstance(match, n.Match)
    assert [c.pattern for c in match.cases] == ['"refund"', '{"amount": amount}', "_"]
    assert [type(c.body[0]).__name__ for c in match.cases] == ["Operation", "Operation", "Pass"]


def test_a_function_lowered_twice_hoists_its_durable_calls_both_times() -> None:
    """Two child contexts of one def: each region has its own operations and temporaries (found by the
    ASL differential hypothesis test: the second region had lost a hoisted step)."""
    handler = lower("def plus_one(ctx):\n    return 1 + ctx.step(work(2))\n"
                    "a = context.run_in_child_context(plus_one)\nb = context.run_in_child_context(plus_one)")
    children = [op for op in ops(handler) if op.kind is n.OpKind.CHILD_CONTEXT]
    returns = []
    for op in children:
        assert op.callee is not None and op.callee.region is not None
        (step,) = [s for s in op.callee.region.body if isinstance(s, n.Operation)]
        (ret,) = [s for s in op.callee.region.body if isinstance(s, n.Return)]
        assert ret.value is not None and step.target is not None and ret.value.code == f"1 + {step.target.code}"
        returns.append(ret.value.code)
    assert len(set(returns)) == 2
