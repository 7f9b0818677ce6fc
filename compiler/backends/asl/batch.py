"""`BatchResult` in JSONata: the completion policy of `parallel`/`map` and the value the handler reads.

Takes the evaluated config of a batch operation; gives the JSONata expression that turns the branch
outcomes of a Parallel/Map state (`{"status", "result", "error"}` in branch order, every branch run)
into the `BatchResult.to_dict()` shape of the durable runtime: `{"all": [{"index", "status", "result",
"error"}], "completionReason"}`. The fold replays the runtime's scheduler: branches are counted in
index order, and once the completion policy says done (all completed, `min_successful` reached,
failure tolerance exceeded) the remaining branches do not appear, as on the runtime, where they never
start. This equals the runtime's result whenever no branch suspends (waits, callbacks, invokes, step
retries) while the batch could end early; the emitter warns (DUR824) otherwise.

`BatchTranslator` adds the handler's reads of a batch: `get_results()`, the count and truth of
`get_errors()`/`succeeded()`/`failed()`/`started()` (lists of objects: batch_lists.py), `success_count`,
`failure_count`, `started_count`, `total_count`, `has_failure`, `status.value` and
`completion_reason.value`. `throw_if_error()` is a statement (emit_batch); anything else is not
translated (the code runs in the steps function, where the value is a BatchResult again).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable_compile.backends.asl.batch_lists import KIND
from durable_compile.backends.asl.jsonata import Binary, Expr, Lit, call, render
from durable_compile.backends.asl.translate import NotTranslatable, Translator, Typed

BATCH = "batch"  #: the static type of a variable holding a BatchResult
ENUMS = frozenset({"batch_reason", "batch_status"})  #: `.completion_reason`, `.status` (read with `.value`)
DEFAULTS = {"parallel": "CompletionConfig.all_successful", "map": "CompletionConfig"}
PRESETS: dict[str, dict[str, float]] = {
    "CompletionConfig": {},
    "CompletionConfig.all_successful": {"tolerated_failure_count": 0, "tolerated_failure_percentage": 0},
    "CompletionConfig.first_successful": {"min_successful": 1},
    "CompletionConfig.all_completed": {"tolerated_failure_percentage": 100},
}
CRITERIA = ("min_successful", "tolerated_failure_count", "tolerated_failure_percentage")


@dataclass(frozen=True)
class Raw(Expr):
    """JSONata text built here; parenthesized where it is an operand unless it is one call or variable."""

    code: str  #: the expression text
    atomic: bool = False  #: a single call or variable, safe in any position

    def text(self) -> str:
        return self.code if self.atomic else f"({self.code})"


class PolicyError(Exception):
    """The config has no static form the state machine can apply."""


@dataclass(frozen=True)
class Policy:
    """The completion config of one batch, as constants."""

    min_successful: float | None = None
    tolerated_count: float | None = None
    tolerated_percentage: float | None = None
    max_concurrency: int | None = None

    @property
    def has_criteria(self) -> bool:
        return any(v is not None for v in (self.min_successful, self.tolerated_count, self.tolerated_percentage))

    @property
    def can_end_early(self) -> bool:
        """False when every branch always runs to the end (`all_completed`)."""
        return self.min_successful is not None or self.tolerated_percentage != 100 or \
            self.tolerated_count is not None

    def exceeded(self, failed: str, total: str) -> str:
        if not self.has_criteria:
            return f"{failed} > 0"
        tests = []
        if self.tolerated_count is not None:
            tests.append(f"{failed} > {num(self.tolerated_count)}")
        if self.tolerated_percentage is not None:
            tests.append(f"({total} > 0 and {failed} / {total} * 100 > {num(self.tolerated_percentage)})")
        return " or ".join(tests) or "false"

    def complete(self, succeeded: str, failed: str, total: str) -> str:
        test = f"{succeeded} + {failed} >= {total}"
        if self.min_successful is not None:
            test += f" or {succeeded} >= {num(self.min_successful)}"
        return test

    def reason(self, succeeded: str, failed: str, total: str) -> str:
        text = f"{self.exceeded(failed, total)} ? 'FAILURE_TOLERANCE_EXCEEDED' : "
        if self.min_successful is None:
            return text + "'ALL_COMPLETED'"
        return text + (f"{succeeded} + {failed} >= {total} ? 'ALL_COMPLETED' : "
                       f"{succeeded} >= {num(self.min_successful)} ? 'MIN_SUCCESSFUL_REACHED' : 'ALL_COMPLETED'")


def num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


#: serdes that change no JSON value
JSON_SERDES = ("JsonSerDes", "ExtendedTypeSerDes")


def policy(kind: str, settings: dict[str, Any]) -> Policy:
    """The policy of a `parallel`/`map` config (`ParallelConfig`/`MapConfig` evaluated statically)."""
    if settings and settings.get("type") not in ("ParallelConfig", "MapConfig"):
        raise PolicyError(f"the config {settings.get('expr', settings)!r} is not a literal ParallelConfig/MapConfig")
    serdes = settings.get("serdes")
    if serdes is not None and not (isinstance(serdes, dict) and serdes.get("type") in JSON_SERDES):
        raise PolicyError("a custom serdes is not compiled: the SDK passes the BatchResult object itself through "
                          "it (and each branch's result when there is no item_serdes), the state machine holds the "
                          "BatchResult as JSON; give the branches' serdes as item_serdes")
    completion = settings.get("completion_config", {"type": DEFAULTS[kind]})
    if not isinstance(completion, dict) or completion.get("type") not in PRESETS:
        raise PolicyError(f"the completion config {completion!r} is not a literal CompletionConfig")
    if "should_complete" in completion:
        raise PolicyError("should_complete is Python code the state machine cannot call between branches")
    values = {**PRESETS[completion["type"]], **{k: v for k, v in completion.items() if k in CRITERIA}}
    concurrency = settings.get("max_concurrency")
    for name, value in [*values.items(), ("max_concurrency", concurrency)]:
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            raise PolicyError(f"{name}={value!r} is not a number literal")
    return Policy(values.get("min_successful"), values.get("tolerated_failure_count"),
                  values.get("tolerated_failure_percentage"), int(concurrency) if concurrency else None)


def fold(p: Policy, outcomes: str = "$states.result") -> str:
    """JSONata: branch outcomes -> the BatchResult dict, counted in index order until the policy stops."""
    stop = f"function($__s, $__f) {{ {p.complete('$__s', '$__f', '$__n')} or {p.exceeded('$__f', '$__n')} }}"
    step = ("function($__a, $__e, $__i) { $__a.stop ? $__a : ("
            "$__s := $__a.s + ($__e.status = 'SUCCEEDED' ? 1 : 0); "
            "$__f := $__a.f + ($__e.status = 'FAILED' ? 1 : 0); "
            "{'all': $append($__a.all, [$merge([{'index': $__i}, $__e])]), 's': $__s, 'f': $__f, "
            "'stop': $__stop($__s, $__f)}) }")
    return (f"($__r := {outcomes}; $__n := $count($__r); $__stop := {stop}; "
            f"$__acc := $reduce($__r, {step}, {{'all': [], 's': 0, 'f': 0, 'stop': $__stop(0, 0)}}); "
            f"{{'all': $__acc.all, 'completionReason': {p.reason('$__acc.s', '$__acc.f', '$__n')}}})")


#: the BatchResult of a batch every branch of which succeeded (the state fails otherwise: emit_batch.direct),
#: from the branch results, in branch order
ALL_SUCCEEDED = ("{'all': [$map($states.result, function($v, $i) { {'index': $i, 'status': 'SUCCEEDED', "
                 "'result': $v, 'error': null} })], 'completionReason': 'ALL_COMPLETED'}")
_FOLD_HEAD = "($__r := $states.result; $__n := $count($__r); $__stop := "


def is_fold(text: str) -> bool:
    """Whether `text` is the JSONata of `fold` (which cannot fail on the outcomes of a Parallel or Map)."""
    return text.startswith(_FOLD_HEAD)


SUCCEEDED_ENTRY = "{% {'status': 'SUCCEEDED', 'result': $states.result[0], 'error': null} %}"


def failed_entry(message: str, error_type: str = "$states.errorOutput.Error") -> str:
    """The outcome of a branch that failed; `message` and `error_type` are JSONata."""
    return ("{% {'status': 'FAILED', 'result': null, 'error': "
            f"{{'ErrorType': {error_type}, 'ErrorMessage': {message}}}}} %}}")


def _count(base: str, status: str) -> str:
    return f"$count($filter({base}.all, function($__v) {{ $__v.status = '{status}' }}))"


def _select(base: str, status: str, field: str | None) -> str:
    """The items (or one field of them) with `status`, as a list that never flattens or unwraps."""
    value = f"$__v.{field}" if field else "$__v"
    item = f"($type({value}) = 'array' ? [[{value}]] : [{value}])"
    keep = f"$__v.status = '{status}' ? $append($__a, {item}) : $__a"
    return f"$reduce({base}.all, function($__a, $__v) {{ {keep} }}, [])"


#: the BatchResult methods that give a list of its objects -> (status, the field of each entry)
LISTS = {"get_errors": ("FAILED", "error"), "failed": ("FAILED", None), "succeeded": ("SUCCEEDED", None),
         "started": ("STARTED", None)}


def entries(base: str, method: str) -> str:
    """The JSON a BatchResult's list of objects is held as (batch_lists.py): its `all` entries, or their
    errors, with the method's status."""
    return _select(base, *LISTS[method])


ATTRIBUTES: dict[str, Callable[[str], Typed]] = {
    "success_count": lambda b: Typed(Raw(_count(b, "SUCCEEDED"), True), "int"),
    "failure_count": lambda b: Typed(Raw(_count(b, "FAILED"), True), "int"),
    "started_count": lambda b: Typed(Raw(_count(b, "STARTED"), True), "int"),
    "total_count": lambda b: Typed(Raw(f"$count({b}.all)", True), "int"),
    "has_failure": lambda b: Typed(Raw(f"{_count(b, 'FAILED')} > 0"), "bool"),
    "completion_reason": lambda b: Typed(Raw(f"{b}.completionReason"), "batch_reason"),
    "status": lambda b: Typed(Raw(f"({_count(b, 'FAILED')} > 0 ? 'FAILED' : 'SUCCEEDED')"), "batch_status"),
}
METHODS: dict[str, Callable[[str], Typed]] = {
    "get_results": lambda b: Typed(Raw(_select(b, "SUCCEEDED", "result"), True), "list"),
}


class BatchTranslator(Translator):
    """The expression translator, with the reads of a BatchResult variable. A BatchResult itself is not a
    JSON value (the runtime fails to return or checkpoint one): only its fields and methods translate.
    Nor are the items and errors its lists hold (LISTS, batch_lists.py): such a list translates only as
    the argument of `len()`, in a truth test, and as the whole value of an assignment to a local that
    holds one (`objects_held`), as the JSON of its entries."""

    objects_held = False  #: the expression is the whole value of an assignment to a batch_lists local

    def objects(self, node: ast.expr) -> Expr | None:
        """The JSON of the BatchResult's list of objects `node` is (a batch_lists local, or a call of one of
        LISTS on a BatchResult local), else None."""
        if isinstance(node, ast.Name) and node.id in self.names and self.names[node.id].type == KIND:
            return self.names[node.id].expr
        func = node.func if isinstance(node, ast.Call) and not node.args and not node.keywords else None
        if isinstance(func, ast.Attribute) and func.attr in LISTS and isinstance(func.value, ast.Name) \
                and func.value.id in self.names and self.names[func.value.id].type == BATCH:
            return Raw(entries(self.atom(self.names[func.value.id]), func.attr), True)
        return None

    def value(self, node: ast.expr, output: bool = False, known: frozenset[tuple[str, str]] = frozenset()) -> Typed:
        found = self.objects(node) if self.objects_held and not output else None
        return Typed(found, KIND) if found is not None else super().value(node, output, known)

    def truthy(self, node: ast.expr) -> Expr:
        found = self.objects(node)
        return Binary(">", call("count", found), Lit(0)) if found is not None else super().truthy(node)

    def visit_Name(self, node: ast.Name) -> Typed:
        found = super().visit_Name(node)
        if found.type == BATCH:
            raise NotTranslatable(node, f"{node.id!r} is a BatchResult, not a JSON value")
        if found.type == KIND:
            raise NotTranslatable(node, f"{node.id!r} holds a BatchResult's objects, not JSON values")
        return found

    def base(self, node: ast.expr) -> Typed:
        """The object of an attribute or method: a BatchResult variable is allowed there."""
        if isinstance(node, ast.Name) and node.id in self.names and self.names[node.id].type == BATCH:
            return self.names[node.id]
        return self.translate(node)

    def visit_Attribute(self, node: ast.Attribute) -> Typed:
        base = self.base(node.value)
        if base.type in ENUMS and node.attr == "value":
            return Typed(base.expr, "str")
        if base.type == BATCH:
            found = ATTRIBUTES.get(node.attr)
            if found is None:
                raise NotTranslatable(node, f"BatchResult.{node.attr} has no JSONata translation")
            return found(self.atom(base))
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call) -> Typed:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("len", "bool") and func.id not in self.names \
                and len(node.args) == 1 and not node.keywords and (found := self.objects(node.args[0])) is not None:
            count = call("count", found)  # the JSON list has the objects' count
            return Typed(count, "int") if func.id == "len" else Typed(Binary(">", count, Lit(0)), "bool")
        if isinstance(func, ast.Attribute) and func.attr in LISTS and self.base(func.value).type == BATCH:
            raise NotTranslatable(node, f"BatchResult.{func.attr}() gives objects, not JSON values")
        if isinstance(func, ast.Attribute) and func.attr in METHODS and not node.args and not node.keywords:
            base = self.base(func.value)
            if base.type == BATCH:
                return METHODS[func.attr](self.atom(base))
        return super().visit_Call(node)

    @staticmethod
    def atom(value: Typed) -> str:
        text = render(value.expr)
        return text if re.fullmatch(r"\$[A-Za-z0-9_]+", text) else f"({text})"
