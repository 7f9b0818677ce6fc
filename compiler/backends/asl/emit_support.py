"""Small pieces the ASL emitter shares: state names, lifted code records, expression translation.

State names come from operation labels, and for statements from what they test or raise (`If-not-order_id`,
`While-attempt-lt-MAX_TRIES`, `For-each-invoice`, `Raise-ClaimRejected`), sanitized to `[A-Za-z0-9_-]`, made
unique across the whole machine and cut to 80 characters. Code the state machine cannot run in JSONata is
recorded as a `Lifted` function that the generated steps handler runs.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType

from durable_compile.backends.asl.jsonata import Var
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_format import FormatTranslator
from durable_compile.backends.asl.translate_json import JsonTranslator
from durable_compile.ir import exprs as ir
from durable_compile.source import Span

MAX_NAME = 80
STEPS_ARN = "${StepsFunctionArn}"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_DASHES = re.compile(r"--+")
#: operators spelled in words inside state names
_OPERATORS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "+": "plus", "-": "minus",
              "*": "times", "/": "div", "//": "div", "%": "mod"}
#: longest description of an expression inside a state name
MAX_WORDS = 40


class Namer:
    """Unique, readable state names (`prefix` names the states of an inlined child context)."""

    def __init__(self, used: set[str] | None = None, prefix: str = "") -> None:
        self.used: set[str] = set() if used is None else used
        self.prefix = prefix
        self.tried: dict[str, int] = {}  #: base -> the last suffix found taken (names are only ever added)

    def name(self, label: str) -> str:
        base = _DASHES.sub("-", _UNSAFE.sub("-", self.prefix + label)).strip("-")[:MAX_NAME - 4] or "State"
        candidate, n = base, self.tried.get(base, 1)
        if n > 1:
            candidate = f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.tried[base] = n
        self.used.add(candidate)
        return candidate


def describe(code: str, limit: int = MAX_WORDS) -> str:
    """The words of a Python expression for a state name: names, numbers, string contents and operators
    in words (`invoice["status"] == "void"` -> `invoice-status-eq-void`), cut at a word boundary; empty
    when nothing readable is left."""
    words: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code.strip()).readline):
            if token.type in (tokenize.NAME, tokenize.NUMBER):
                words.append(token.string)
            elif token.type == tokenize.STRING:
                words.extend(_UNSAFE.sub(" ", _string_text(token.string)).split())
            elif token.type == tokenize.OP and token.string in _OPERATORS:
                words.append(_OPERATORS[token.string])
    except (tokenize.TokenError, SyntaxError):
        pass
    text = ""
    for word in ("-".join(filter(None, _UNSAFE.sub("", w).split("-"))) for w in words):  # no stray `-`
        if word and len(text) + len(word) + 1 > limit:
            break
        text = f"{text}-{word}" if text and word else text or word
    return text


def _string_text(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return ""
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Escape:
    """How an error that no `except` catches leaves a task the steps function runs: as the error class
    the handler would fail with, once the task's Retry is done with it (see emit_try.escape)."""

    error: str  #: the class name the task raises (StepError, ChildContextError, WaitForConditionError)
    attempts: int = 1  #: the attempts the task's Retry allows, the first included
    retryable: tuple[str, ...] | None = None  #: the error types the Retry matches (None: every type)
    messages: tuple[str, ...] = ()  #: Python of the message patterns that make an error retryable too


@dataclass(frozen=True)
class Lifted:
    """A Python function of the generated steps handler: a step body, an argument, a lifted statement."""

    key: str  #: the `op` the payload names
    kind: str  #: "step", "compute" or "submit"
    reads: tuple[str, ...]  #: handler locals it receives in the payload's `vars`
    body: tuple[str, ...]  #: Python source lines of the function body (without the vars prologue)
    line: int  #: the source line it comes from
    errors: tuple[str, ...] = ()  #: which of `reads` hold a caught durable error (rebuilt as objects)
    batches: tuple[str, ...] = ()  #: which of `reads` hold a BatchResult or its list of objects (rebuilt as
    #: objects: batch_lists.py)
    escape: Escape | None = None  #: what an uncaught error leaves the task as (None: its own type)
    #: (attempts, (ErrorEquals name, Python of the class)) of a step's type-filtered retrier (retried_types)
    retried_as: tuple[int, tuple[tuple[str, str], ...]] = (1, ())
    serdes: bool = False  #: its code round-trips a value through a custom serdes (emit_serdes)
    #: which of `reads` always hold a float (float_scope.py): JSON gives a whole one as an int, made a float again
    floats: tuple[str, ...] = ()
    #: which of `reads` always hold a tuple (tuple_shapes.py): JSON gives it as a list, made a tuple again
    tuples: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvokeTarget:
    """The function one `context.invoke` calls."""

    name: str  #: its Task's FunctionName: the name, a `${Placeholder}`, or a JSONata `{% ... %}`
    source: str = ""  #: the handler's expression, when the name is not written literally
    line: int = 0  #: the invoke's line, when the name is not written literally

    @property
    def placeholder(self) -> str | None:
        """The DefinitionSubstitutions key, for a name the deployer gives."""
        return self.name[2:-1] if self.name.startswith("${") else None

    @property
    def dynamic(self) -> bool:
        """Whether the name is computed when the task runs."""
        return self.name.startswith("{%")


@dataclass
class Output:
    """Everything the emitter produces for one handler."""

    definition: dict[str, object]  #: the state machine
    lifted: list[Lifted] = field(default_factory=list)  #: functions of the steps handler
    source_map: dict[str, dict[str, object]] = field(default_factory=dict)  #: state -> source location
    invoked: list[InvokeTarget] = field(default_factory=list)  #: the functions context.invoke calls
    imports: list[str] = field(default_factory=list)  #: import statements of the handler's body, as written


def parse_expr(expr: ir.Expr) -> ast.expr:
    try:
        return ast.parse(expr.code.strip(), mode="eval").body
    except SyntaxError as err:
        raise NotTranslatable(ast.Constant(None), f"cannot read {expr.code!r}") from err


def translator(locals_: set[str], errors: set[str], batches: AbstractSet[str] = frozenset(),
               lists: AbstractSet[str] = frozenset(), ints: AbstractSet[str] = frozenset(),
               floats: AbstractSet[str] = frozenset(), dicts: AbstractSet[str] = frozenset(),
               batch_lists: AbstractSet[str] = frozenset()) -> JsonTranslator:
    from durable_compile.backends.asl.batch import BATCH
    from durable_compile.backends.asl.batch_lists import KIND
    kinds = {**{n: "dict" for n in dicts}, **{n: "float" for n in floats}, **{n: "int" for n in ints},
             **{n: "list" for n in lists},
             **{n: BATCH for n in batches}, **{n: KIND for n in batch_lists},
             **{n: "error" for n in errors}}
    names = {n: Typed(Var(jsonata_name(n)), kinds.get(n, "any")) for n in locals_}
    return FormatTranslator(names)


#: Python local -> workflow variable, for the locals of the inlined child context being emitted
_RENAMES: ContextVar[Mapping[str, str]] = ContextVar("renames", default=MappingProxyType({}))


def jsonata_name(name: str) -> str:
    """The workflow variable of a Python local (`states` is reserved; a child context's own locals are
    renamed, because an inlined child shares the machine's variables with its parent)."""
    renamed = _RENAMES.get().get(name)
    if renamed is not None:
        return renamed
    return name + "_" if name == "states" else name


def current_renames() -> Mapping[str, str]:
    return _RENAMES.get()


def fresh_variable(prefix: str, local: str, taken: set[str]) -> str:
    """A workflow variable for `local` of an inlined function (a child context, a helper): `prefix_local`,
    numbered `prefix2_local`, ... past the names in `taken`, at most 80 characters; added to `taken`."""
    candidate, k = f"{prefix}_{local}"[:80], 1
    while candidate in taken:
        k += 1
        candidate = f"{prefix}{k}_{local}"[:80]
    taken.add(candidate)
    return candidate


@contextmanager
def renamed(names: Mapping[str, str]) -> Iterator[None]:
    """Map `names` (Python locals) to other workflow variables while a child context is emitted."""
    token = _RENAMES.set(names)
    try:
        yield
    finally:
        _RENAMES.reset(token)


def target_names(target: ir.Expr) -> list[str] | None:
    """The names a simple target binds (`x`, `a, b`), or None for attributes/subscripts."""
    if isinstance(target, ir.Name):
        return [target.id]
    if isinstance(target, ir.TupleExpr | ir.ListExpr):
        found: list[str] = []
        for elt in target.elts:
            inner = target_names(elt)
            if inner is None or not isinstance(elt, ir.Name):
                return None
            found.extend(inner)
        return found
    return None


class Unsupported(Exception):
    """A construct this backend cannot express."""

    def __init__(self, span: Span, message: str) -> None:
        super().__init__(message)
        self.span = span


@dataclass
class Loop:
    exit: str  #: where `break` goes
    again: str  #: where `continue` goes
