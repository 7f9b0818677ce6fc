"""A step call's arguments evaluated by its own task, before the body, where every failure is caught.

Takes a decorated step call whose arguments may fail (step_args) at a point where every failure is
caught anyway: a map item, a parallel branch, a child context, a catch-all `except`, a `finally`. The
handler evaluates the arguments before the step starts, so their failure reaches that catcher with its
own type (`KeyError`), at once, never retried and never a StepError. A Pass before the task could not
carry that type (a failing `Assign` is States.QueryEvaluationError), and a computation task would add a
state: the step's task evaluates the call (`charge(event["currency"])`: the arguments and the factory)
in the steps function before it runs the body, and fails with `Check.error` when that raises:
- where a child context's boundary takes the error and nothing catches it (lifted code raises the
  boundary's error itself there, emit_try.escape), with that error (ChildContextError), as lifted code;
- elsewhere with step_args.ARGUMENT_ERROR, whose message carries the Python error's recorded type and
  Lambda's error JSON of its message; its Catch entry is the one lifted code's error would take here,
  reading that error (step_args.ARGUMENT_OUTPUT) wherever it reads `$states.errorOutput`.
The step's first retrier never retries `Check.error`: the body raises it only on its last attempt or
for an error its strategy does not retry (emit_retry), so that retrier changes nothing for the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import emit_try, step_args
from durable_compile.backends.asl.translate_iter import caught
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: the Python that evaluates a step's call before the body runs (`{error}`: the class raised instead)
CHECK = """try:
    _step = {call}
except Exception as _failure:
    raise {error} from _failure"""


@dataclass(frozen=True)
class Check:
    """How a step's task evaluates its call first, and where that failure goes."""

    error: str  #: the error the task fails with when the call raises
    catch: list[dict[str, Any]] = field(default_factory=list)  #: its Catch entries (first in the Catch)

    def body(self, lines: list[str]) -> list[str]:
        """The step function's lines (`return CALL(step_ctx)` last) with the call evaluated first."""
        call = lines[-1].removeprefix("return ").removesuffix("(step_ctx)")
        raised = "StepArgumentError(_failure)" if self.error == step_args.ARGUMENT_ERROR else \
            f"_named({self.error!r}, _failure)"
        return [*lines[:-1], *CHECK.format(call=call, error=raised).splitlines(), "return _step(step_ctx)"]

    def retry(self, retry: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not retry or retry[0] == {"ErrorEquals": [self.error], "MaxAttempts": 0}:
            return retry
        return [{"ErrorEquals": [self.error], "MaxAttempts": 0}, *retry]

    def add_catch(self, state: dict[str, Any]) -> None:
        if self.catch:
            state["Catch"] = [*self.catch, *state.get("Catch", [])]


def check(em: Emitter, op: n.Operation) -> Check | None:
    """The check of a step's call whose arguments may fail, at a point where every failure is caught;
    None when they cannot fail, or when the innermost catcher names types (the call then stays in the
    body, docs/aws-differences.md)."""
    if op.callee is None or op.callee.form != n.CallableForm.FACTORY or not step_args.checked_in_task(op, em.locals):
        return None
    escape = emit_try.escape(em, "compute")
    if escape is not None:
        return Check(escape)
    entries = emit_try.catchers(em, "compute")
    if not entries and em.branch is not None:  # the branch's error entry (added to lifted code's tasks later)
        entries = [em.branch.catcher("compute")]
    if not entries or entries[0]["ErrorEquals"] != [emit_try.ALL]:
        return None
    entry = _reading_argument_error(entries[0])
    assert isinstance(entry, dict)
    return Check(step_args.ARGUMENT_ERROR, [{**entry, "ErrorEquals": [step_args.ARGUMENT_ERROR]}])


def computed_first(em: Emitter, op: n.Operation) -> bool:
    """Whether, where every failure is caught outside a batch branch, the operation's arguments that may
    fail are computed in the steps function before its task (a computation task, one state), whose Catch
    entries route their failure by its type: where an `except` that names types catches first (`except
    KeyError: ... except Exception: ...`), and for an invoke's payload (whose task runs no Python)."""
    if em.branch is not None or op.id in em.callbacks.by_submit or caught(em.tries) is not None:
        return False
    if op.kind == n.OpKind.INVOKE:
        return True
    for frame in reversed(em.tries):  # as emit_try.catchers orders its entries (without making their states)
        for handler in frame.handlers:
            errors = emit_try.matches(handler.types, "compute")
            if errors is not None:
                return errors != [emit_try.ALL] and handler.raises is None
        if frame.finally_error:
            return False
    return False


def _reading_argument_error(value: object) -> object:
    """`value` with each JSONata read of `$states.errorOutput` reading the error it carries instead."""
    if isinstance(value, str):
        return value.replace("$states.errorOutput", step_args.ARGUMENT_OUTPUT)
    if isinstance(value, dict):
        return {k: _reading_argument_error(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reading_argument_error(v) for v in value]
    return value
