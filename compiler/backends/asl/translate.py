"""Python expressions -> JSONata, keeping Python's meaning.

Takes a Python expression (`ast.expr`) and the JSONata form and static type of each name it may use;
gives a `Typed` JSONata expression, or raises `NotTranslatable` naming the construct (the emitter then
lifts the computation into a task, or reports DUR8xx under --strict). Guarantees, checked by hypothesis
tests against jsonata-python: truthiness as in Python (empty list/dict/string, 0 and None are false),
`and`/`or` return an operand, `//` and `%` floor like Python, `+` concatenates strings and lists, list
displays never flatten nested lists, f-strings print True/None like Python, and a value typed "float"
(certainly a float: float_exprs.py; "number" is an int or a float) with its `.0` when it is whole.
A subscript that reads a missing key or index fails (`$error('KeyError: ...')`, a States.QueryEvaluationError)
instead of giving JSONata's undefined, which comparisons, string joins and displays would take silently
(the members of a returned dict display too); `.get()` stays lenient, and a read whose undefined fails
by itself (`value()`: the whole value of an Assign or an Output) or cannot miss (`value(known=...)`) is
left bare. A read from a value of unknown type checks that type first
(`TypeChecked`): JSONata's path maps over a list, its index of a number or an object is the value
itself and `$lookup` maps too, where Python raises TypeError, KeyError or AttributeError; a name that
dict_proofs.py proves a dict is typed "dict" and needs no such check.
Known deviations: numbers are IEEE doubles (exact up to 2**53); `x == 1` is false while a value of unknown
type holds True (`True == 1` is true)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from durable_compile.backends.asl.jsonata import (
    Array,
    Binary,
    Bind,
    Block,
    Cond,
    Expr,
    Field,
    Index,
    Lambda,
    Lit,
    Var,
    call,
)
from durable_compile.backends.asl.translate_operators import OperatorTranslator
from durable_compile.backends.asl.typed import (  # noqa: F401 - NotTranslatable and Typed are imported from here
    ERROR_FIELDS,
    NUMBERS,
    NotTranslatable,
    Typed,
    join_types,
    type_test,
)


@dataclass(frozen=True)
class Checked(Block):
    """A subscript read that fails where the key or index is missing: `($_n := read; test ? $_n : $error)`."""


@dataclass(frozen=True)
class TypeChecked(Cond):
    """A read from a value of unknown type that fails unless the value has the type the read needs:
    `$type($b) = 'object' ? read : $error('TypeError: ...')`."""


class Translator(OperatorTranslator):
    """Translates expressions over a fixed set of names: values and operators (the base classes), field
    reads, subscripts and the calls of builtins and methods."""

    def visit_Attribute(self, node: ast.Attribute) -> Typed:
        base = self.translate(node.value)
        if base.type == "error" and node.attr in ERROR_FIELDS:
            return Typed(Field(base.expr, node.attr), "str")
        raise NotTranslatable(node, f"attribute .{node.attr} has no JSONata translation")

    # --- subscripts and calls --------------------------------------------------------------------------
    #: exceptions an enclosing handler catches (None: every one); see IterTranslator.guard
    caught: frozenset[str] | None = frozenset()

    def __init__(self, names: Mapping[str, Typed]) -> None:
        super().__init__(names)
        #: subscripts (by id) left without a check of a missing key: a whole value
        self.loose: set[int] = set()
        #: subscripts (by id) whose key is known to be there (`value`): never checked
        self.present: set[int] = set()

    def value(self, node: ast.expr, output: bool = False, known: frozenset[tuple[str, str]] = frozenset()) -> Typed:
        """`node` as the whole value of an Assign or an Output, where an undefined value fails the state
        by itself (States.QueryEvaluationError): a subscript there needs no check of its own. Where an
        enclosing handler, a `finally` or a branch would catch Python's KeyError (`caught`), its check
        still refuses it (`_failure`), so that the statement or the return runs in the steps function
        and raises the real one. The members of a returned dict display are checked like any other read
        (an undefined member would drop its key), except the reads `name["key"]` that `known` holds
        (known_keys.py: the machine's variable is a dict with that key wherever the return runs)."""
        if isinstance(node, ast.Subscript) and (not output or self.caught is not None):
            self.loose.add(id(node))
        if output:
            self._present(node, known)
        return self.translate(node)

    def _present(self, node: ast.expr, known: frozenset[tuple[str, str]]) -> None:
        """Mark the reads of `known` in `node` and in the dict displays it is made of."""
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(
                node.slice, ast.Constant) and (node.value.id, node.slice.value) in known:
            self.present.add(id(node))
        elif isinstance(node, ast.Dict):
            for member in node.values:
                self._present(member, known)

    def visit_Subscript(self, node: ast.Subscript) -> Typed:
        if isinstance(node.slice, ast.Slice):
            raise NotTranslatable(node, "slices are not supported in JSONata")
        base, key = self.translate(node.value), self.translate(node.slice)
        if not (key.type == "str" and base.type in ("dict", "any") or
                key.type == "int" and base.type in ("str", "list", "any")):
            raise NotTranslatable(node, f"subscript of a {base.type} value with a {key.type} key")
        if id(node) in self.present:  # a dict that has the key
            return Typed(self._field(base.expr, key.expr), "any")
        loose = id(node) in self.loose
        if base.type != "any":
            return self._read(node, base, key, loose)
        if key.type == "str":  # a JSONata path maps over a list, and gives undefined for other values
            wrong = self._failure(node, "TypeError", "not a dict", loose)
            return Typed(self.let(base.expr, lambda b: TypeChecked(
                type_test(b, "object"), self._read(node, Typed(b, "dict"), key, loose).expr, wrong)), "any")
        return Typed(self.let(base.expr, lambda b: self.let(key.expr, lambda k: self._indexed(
            node, b, Typed(k, "int"), loose))), "any")

    def _indexed(self, node: ast.Subscript, base: Expr, key: Typed, loose: bool) -> Expr:
        """`base[key]`, an int key on a value of unknown type: JSONata's index of a number or an object
        is the value itself, where Python raises TypeError or KeyError (a dict's keys are strings)."""
        unkeyed = self._failure(node, "KeyError", ast.unparse(node.slice), loose)
        wrong = self._failure(node, "TypeError", "not a list or a string", loose)
        return Cond(type_test(base, "string"), self._read(node, Typed(base, "str"), key, loose).expr,
                    Cond(type_test(base, "array"), self._read(node, Typed(base, "list"), key, loose).expr,
                         Cond(type_test(base, "object"), unkeyed, wrong)))

    def _read(self, node: ast.Subscript, base: Typed, key: Typed, loose: bool) -> Typed:
        """`base[key]` for a base of known type, failing as Python where the key or index is missing. A
        loose read is left bare (its undefined value fails the state by itself), but for a string's
        character: `$substring` past the end is "", which fails nothing."""
        if base.type == "str":
            missing = self._failure(node, "IndexError", "string index out of range", loose)
            found = call("substring", base.expr, key.expr, Lit(1))
            return Typed(self._checked(found, lambda v: Binary("!=", v, Lit("")), missing), "str")
        is_dict = base.type == "dict"
        missing = self._failure(node, "KeyError" if is_dict else "IndexError", repr(node.slice.value) if is_dict and
                                isinstance(node.slice, ast.Constant) else ast.unparse(node.slice) if is_dict
                                else "list index out of range", loose)
        found = self._field(base.expr, key.expr) if is_dict else Index(base.expr, key.expr)
        return Typed(found if loose else self._checked(found, lambda v: call("exists", v), missing), "any")

    def _failure(self, node: ast.Subscript, error: str, message: str, loose: bool) -> Expr:
        """The `$error` of one way the read fails, loose or not: where an `except`, a `finally` or a batch
        branch would catch `error` (a loose read's missing key too), `guard` refuses it, and the statement
        runs in the steps function, whose task's Catch routes Python's error by its type."""
        return self.guard(node, error, message)

    def _checked(self, read: Expr, test: Callable[[Expr], Expr], failure: Expr) -> Expr:
        """`($_n := read; test($_n) ? $_n : failure)`: the read bound once, even when it is a path."""
        self._temps += 1
        v = Var(f"_{self._temps}")
        return Checked((Bind(v.name, read), Cond(test(v), v, failure)))

    def let(self, value: Expr, body: Callable[[Expr], Expr]) -> Expr:
        """A checked read's own variable serves `body` (`($_1 := $e.k; $exists($_1) ? body($_1) : ...)`),
        inside its type check, if any."""
        if isinstance(value, Checked):
            bind, cond = value.body
            assert isinstance(bind, Bind) and isinstance(cond, Cond)
            return Checked((bind, Cond(cond.test, body(cond.then), cond.orelse)))
        if isinstance(value, TypeChecked):
            return TypeChecked(value.test, self.let(value.then, body), value.orelse)
        return super().let(value, body)

    @staticmethod
    def _field(base: Expr, key: Expr) -> Expr:
        if isinstance(key, Lit) and isinstance(key.value, str):
            return Field(base, key.value)
        return call("lookup", base, key)

    def visit_Call(self, node: ast.Call) -> Typed:
        if node.keywords:
            raise NotTranslatable(node, "keyword arguments are not supported in JSONata")
        if isinstance(node.func, ast.Name) and node.func.id not in self.names:
            builtin = getattr(self, "call_" + node.func.id, None)
            if builtin is not None:
                return builtin(node, [self.translate(a) for a in node.args])
        if isinstance(node.func, ast.Attribute):
            method = getattr(self, "method_" + node.func.attr, None)
            if method is not None:
                return method(node, self.translate(node.func.value), [self.translate(a) for a in node.args])
        raise NotTranslatable(node, f"the call {ast.unparse(node.func)}(...) has no JSONata translation")

    def call_len(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        if value.type == "str":
            return Typed(call("length", value.expr), "int")
        if value.type == "list":
            return Typed(call("count", value.expr), "int")
        if value.type == "dict":
            return Typed(call("count", call("keys", value.expr)), "int")
        if value.type != "any":
            raise NotTranslatable(node, f"len() of a {value.type} value")
        return Typed(self.let(value.expr, lambda v: Cond(type_test(v, "string"), call("length", v), Cond(
            type_test(v, "object"), call("count", call("keys", v)), call("count", v)))), "int")

    def call_str(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        return Typed(self.py_str(value, node), "str")

    def call_bool(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        return Typed(self.truth_of(value), "bool")

    def call_abs(self, node: ast.Call, args: list[Typed]) -> Typed:
        (value,) = args
        self._numbers(node, value)
        return Typed(call("abs", value.expr), value.type)

    def call_min(self, node: ast.Call, args: list[Typed]) -> Typed:
        return self._extreme("min", node, args)

    def call_max(self, node: ast.Call, args: list[Typed]) -> Typed:
        return self._extreme("max", node, args)

    def _extreme(self, name: str, node: ast.Call, args: list[Typed]) -> Typed:
        if len(args) < 2:
            raise NotTranslatable(node, f"{name}() of one iterable is not supported; pass the values")
        self._numbers(node, *args)
        result_type = args[0].type
        for a in args[1:]:
            result_type = join_types(result_type, a.type)
        if all(a.type in NUMBERS for a in args):
            return Typed(call(name, Array(tuple(a.expr for a in args))), result_type)
        values = self.visit_List(ast.List(elts=list(node.args), ctx=ast.Load())).expr  # a list stays one item
        # strings compare too: the first value that no later one beats, as Python picks it ($min takes numbers)
        best = Lambda(("m", "x"), Cond(Binary("<" if name == "min" else ">", Var("x"), Var("m")), Var("x"), Var("m")))
        return Typed(call("reduce", values, best), result_type)

    def method_get(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        if base.type not in ("dict", "any") or not 1 <= len(args) <= 2:
            raise NotTranslatable(node, ".get() needs a dict and one or two arguments")
        default = args[1].expr if len(args) == 2 else Lit(None)
        if base.type == "dict":
            return Typed(self.let(self._field(base.expr, args[0].expr), lambda v: Cond(call("exists", v), v, default)),
                         "any")
        wrong = self.guard(node, "AttributeError", "get of a non-dict")  # a path maps over a list
        return Typed(self.let(base.expr, lambda b: TypeChecked(type_test(b, "object"), self.let(
            self._field(b, args[0].expr), lambda v: Cond(call("exists", v), v, default)), wrong)), "any")

    def method_upper(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        return self._string_method(node, base, args, "uppercase")

    def method_lower(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        return self._string_method(node, base, args, "lowercase")

    def _string_method(self, node: ast.Call, base: Typed, args: list[Typed], name: str) -> Typed:
        if base.type not in ("str", "any") or args:
            raise NotTranslatable(node, f"{name} needs a string and no arguments")
        return Typed(call(name, base.expr), "str")

    def method_join(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        if base.type != "str" or len(args) != 1 or args[0].type not in ("list", "any"):
            raise NotTranslatable(node, "str.join() needs a separator string and a list of strings")
        return Typed(call("join", args[0].expr, base.expr), "str")
