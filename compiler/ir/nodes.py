"""Statement IR: durable operations and the control constructs around them.

A handler lowers to a `Function` whose `body` is a tuple of statements. Durable calls are hoisted out of
expressions into `Operation` statements (in Python's evaluation order), so every operation is a statement
with an optional assignment `target`. Child contexts, parallel branches and map item functions that the
front end can resolve carry their own lowered `Function` (a nested region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from durable_compile.ir.exprs import Expr, Keyword, Lambda, Name
from durable_compile.source import Span


class OpKind(StrEnum):
    STEP = "step"
    WAIT = "wait"
    CREATE_CALLBACK = "create_callback"
    CALLBACK_RESULT = "callback_result"  #: `callback.result()` of a `create_callback`
    WAIT_FOR_CALLBACK = "wait_for_callback"
    WAIT_FOR_CONDITION = "wait_for_condition"
    PARALLEL = "parallel"
    MAP = "map"
    INVOKE = "invoke"
    CHILD_CONTEXT = "child_context"


class CallableForm(StrEnum):
    FACTORY = "factory"  #: a decorated function called with its arguments: `validate(order_id)`
    LAMBDA = "lambda"  #: `lambda ctx: ...`
    FUNCTION = "function"  #: a def passed by name (module-level or nested)
    UNRESOLVED = "unresolved"  #: any other expression (a variable, an attribute, a call)


@dataclass(frozen=True)
class Callable:
    """What a durable operation runs: a step body, a branch, a map item function, a submitter, a check."""

    form: CallableForm  #: how it was written
    code: str  #: the expression as written
    span: Span  #: where
    function: str | None = None  #: qualname of the def it refers to (factory, function)
    args: tuple[Expr, ...] = ()  #: factory call arguments
    kwargs: tuple[Keyword, ...] = ()  #: factory keyword arguments
    lam: Lambda | None = None  #: the lambda, for the lambda form
    decorator: str | None = None  #: the durable decorator of the def (durable_step, ...), if any
    name: str | None = None  #: a name it carries (`@durable_parallel_branch(name=...)`, `ParallelBranch`)
    region: Function | None = None  #: its lowered body, when it is orchestration (child, branch, item)


@dataclass(frozen=True)
class Stmt:
    span: Span  #: the source statement


@dataclass(frozen=True)
class Operation(Stmt):
    """One durable operation."""

    id: str  #: stable within the handler: "op1", "op2", ... in source order
    kind: OpKind  #: what it is
    context: str  #: the context variable it was called on
    name: Expr | None  #: the `name=` argument, if given
    label: str  #: what a reader calls it: the literal name, the step function's name, or the kind
    target: Expr | None  #: where the result is stored, if anywhere
    callee: Callable | None = None  #: step body / child function / map function / submitter / check
    branches: tuple[Callable, ...] = ()  #: parallel branches, in order
    operands: tuple[Keyword, ...] = ()  #: other arguments: duration, inputs, function_name, payload, callback
    config: Expr | None = None  #: the config expression as written
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  #: config, evaluated


@dataclass(frozen=True)
class HelperCall(Stmt):
    """A call of a project function that receives the context: its operations run in the caller's context."""

    function: str  #: qualname of the helper
    call: Expr  #: the call as written (arguments evaluated by the caller)
    target: Expr | None  #: where the result is stored, if anywhere
    region: Function | None  #: the helper's body, its context parameter bound (None: recursive)


@dataclass(frozen=True)
class Desugared(Stmt):
    """Statements the lowering wrote in place of an expression (a comprehension of durable calls): they
    have no source text of their own, and their result lands in `target`, which replaces `code`."""

    construct: str  #: what was rewritten ("comprehension")
    target: Name  #: the temporary holding the value
    code: str  #: the original expression
    body: tuple[Stmt, ...]  #: the statements that compute it (their `code` fields are generated)
    refusal: str | None = None  #: why a backend that runs the body as it stands would change the meaning
    form: str = ""  #: for a comprehension: "list", "set", "dict" or "generator"


@dataclass(frozen=True)
class Assign(Stmt):
    targets: tuple[Expr, ...]  #: `a = b = value` has two targets
    value: Expr


@dataclass(frozen=True)
class AugAssign(Stmt):
    target: Expr
    op: str  #: "+", "-", ...
    value: Expr


@dataclass(frozen=True)
class ExprStmt(Stmt):
    value: Expr


@dataclass(frozen=True)
class If(Stmt):
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    elif_: bool = False  #: written as `elif` in the source


@dataclass(frozen=True)
class For(Stmt):
    target: Expr
    iter: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]


@dataclass(frozen=True)
class While(Stmt):
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]


@dataclass(frozen=True)
class ExceptHandler:
    span: Span
    type: Expr | None  #: None for a bare `except:`
    name: str | None  #: `as err`
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Try(Stmt):
    body: tuple[Stmt, ...]
    handlers: tuple[ExceptHandler, ...]
    orelse: tuple[Stmt, ...]
    finalbody: tuple[Stmt, ...]


@dataclass(frozen=True)
class With(Stmt):
    items: tuple[Expr, ...]  #: the context managers (`as` targets are kept in `code`)
    code: str  #: the `with ...:` header as written
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class MatchCase:
    span: Span
    pattern: str  #: the pattern as written (`{"kind": "refund", **rest}`, `_`)
    guard: Expr | None  #: the `if` guard
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Match(Stmt):
    subject: Expr
    cases: tuple[MatchCase, ...]


@dataclass(frozen=True)
class Return(Stmt):
    value: Expr | None


@dataclass(frozen=True)
class Raise(Stmt):
    exc: Expr | None
    cause: Expr | None


@dataclass(frozen=True)
class Break(Stmt):
    pass


@dataclass(frozen=True)
class Continue(Stmt):
    pass


@dataclass(frozen=True)
class Pass(Stmt):
    pass


@dataclass(frozen=True)
class LocalDef(Stmt):
    """A nested `def` inside orchestration code (its body is lowered only where an operation runs it)."""

    qualname: str


@dataclass(frozen=True)
class OpaqueStmt(Stmt):
    """A statement with no structured form (with, match, global, del, assert, import, ...)."""

    code: str
    reason: str


@dataclass(frozen=True)
class Function:
    """A lowered orchestration region: a handler, a child-context function, a branch or a map item function."""

    name: str  #: the def's name, or "<lambda>"
    qualname: str  #: dotted path in the module
    params: tuple[str, ...]  #: positional parameters
    context: str | None  #: the parameter bound to the DurableContext
    body: tuple[Stmt, ...]  #: the statements
    span: Span  #: the whole def


@dataclass(frozen=True)
class Handler:
    """A durable handler of one source file, lowered."""

    path: str  #: the source file
    function: Function  #: its body
    operations: int  #: number of durable operations, nested regions included

    @property
    def name(self) -> str:
        return self.function.name


BLOCK_FIELDS = ("body", "orelse", "finalbody")


def blocks(stmt: Stmt) -> list[tuple[Stmt, ...]]:
    """The nested statement blocks of a compound statement (except-handler bodies included)."""
    fields = _BLOCK_FIELDS_OF.get(type(stmt))
    if fields is None:
        fields = _BLOCK_FIELDS_OF[type(stmt)] = tuple(f for f in BLOCK_FIELDS if hasattr(stmt, f))
    found = [getattr(stmt, f) for f in fields]
    if isinstance(stmt, Try):
        found[1:1] = [h.body for h in stmt.handlers]
    if isinstance(stmt, Match):
        found = [c.body for c in stmt.cases]
    return found


_BLOCK_FIELDS_OF: dict[type, tuple[str, ...]] = {}  #: statement class -> its fields of `BLOCK_FIELDS`
_SIMPLE: dict[type, bool] = {}  #: statement class -> whether it holds no statements at all


#: the last large bodies walked (by id, with the body itself to check): the back end's passes walk the
#: same handler body one after another, and a lowered body never changes (its statements are frozen)
_WALKED: dict[int, tuple[tuple[Stmt, ...], list[Stmt]]] = {}
_LARGE = 256


def walk(body: tuple[Stmt, ...]) -> list[Stmt]:
    """Every statement of a body, depth first, nested regions of operations included (a new list)."""
    if len(body) >= _LARGE:
        hit = _WALKED.get(id(body))
        if hit is not None and hit[0] is body:
            return list(hit[1])
        found = _walk(body)
        if len(_WALKED) >= 4:
            _WALKED.clear()
        _WALKED[id(body)] = (body, found)
        return list(found)
    return _walk(body)


def _walk(body: tuple[Stmt, ...]) -> list[Stmt]:
    out: list[Stmt] = []
    for stmt in body:
        out.append(stmt)
        simple = _SIMPLE.get(type(stmt))
        if simple is None:
            simple = _SIMPLE[type(stmt)] = not blocks(stmt) and not isinstance(stmt, Operation | HelperCall | Try
                                                                                  | Match)
        if simple:
            continue
        for block in blocks(stmt):
            out.extend(walk(block))
        if isinstance(stmt, Operation):
            for region in regions(stmt):
                out.extend(walk(region.body))
        if isinstance(stmt, HelperCall) and stmt.region is not None:
            out.extend(walk(stmt.region.body))
    return out


def regions(op: Operation) -> list[Function]:
    """The lowered nested regions of an operation: its callee's and its branches'."""
    callables = ([op.callee] if op.callee else []) + list(op.branches)
    return [c.region for c in callables if c.region is not None]
