"""Iteration in handler code -> JSONata: comprehensions, `sum`/`any`/`all`/`list`/`min`/`max`/`sorted`
over them or over a list, `sep.join(...)`, `**` in dict displays and unpacking a list into names.

Takes what the list translator takes; gives `Typed` JSONata or `NotTranslatable`. A comprehension is a
`$reduce` over its iterable whose function appends each element (`[[v]]` for a list, so nothing
flattens, and the result stays an array when it has one element or none); `sum` adds from 0 in the
same order (so floats round the same way), counting True as 1 and False as 0 (an element of unknown type
is converted: `$v = true ? 1 : $v = false ? 0 : $v`), `any`/`all` stop evaluating once the answer is
known, as Python does; `min`/`max` keep the first element no later one beats. Iterating a dict gives its keys,
iterating a string its characters (code points, as Python: `$substring`, not `$split`, which cuts
astral characters in two in JavaScript JSONata); `sep.join(x)` joins what iterating x gives.
Where Python raises for some values (unpacking a list of another length, `**` of a non-dict,
iterating None, `min` of nothing, `len` of a number, a `range` bound read from a missing key), the
JSONata fails too (`$error`, a States.QueryEvaluationError naming the Python error). Such a guarded
translation is refused where an enclosing `except`, `finally` or child-context boundary would catch the
Python error (`caught`): the state machine could not catch it there.
Known deviations, all loud (JSONata fails where Python gives a value, never another value): unpacking
a dict or a string held in an untyped value; `min`/`max`/`sorted` of booleans or lists (Step Functions'
`<` and `$sort` take numbers or strings; jsonata-python's `$sort`, used by run-asl, also sorts the others
as Python does).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from durable_compile.backends.asl.dict_proofs import proved
from durable_compile.backends.asl.jsonata import Array, Binary, Cond, Expr, Index, Lambda, Lit, Var, call, render
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_lists import ListTranslator, Range
from durable_compile.backends.asl.typed import NUMBERS, type_test

#: Python exception -> the names an `except` clause may use to catch it (catch-alls are handled apart)
FAMILIES = {"ValueError": frozenset({"ValueError"}), "TypeError": frozenset({"TypeError"}),
            "JSONDecodeError": frozenset({"JSONDecodeError", "ValueError"}),
            "KeyError": frozenset({"KeyError", "LookupError"}),
            "IndexError": frozenset({"IndexError", "LookupError"}), "AttributeError": frozenset({"AttributeError"})}
_CATCH_ALL = frozenset({None, "Exception", "BaseException"})
_UNTYPED = Typed(Lit(None), "none")
_REDUCERS = frozenset({"sum", "any", "all", "list", "min", "max", "sorted"})
#: JSONata operators whose value is a number, a string or a boolean (`+` may be a list append: not here)
_NEVER_ARRAY = frozenset({"-", "*", "/", "%", "&", "=", "!=", "<", "<=", ">", ">=", "in", "and", "or"})


class _Handler(Protocol):
    types: list[str | None]


class _Frame(Protocol):
    handlers: list[_Handler]
    finally_error: str | None


def caught(frames: Iterable[_Frame]) -> frozenset[str] | None:
    """The exception names that enclosing try frames catch; None when one catches everything (a bare
    or `Exception` clause, a child-context boundary) or runs a `finally` block on the way out."""
    names: set[str] = set()
    for frame in frames:
        if frame.finally_error:
            return None
        for handler in frame.handlers:
            if set(handler.types) & _CATCH_ALL:
                return None
            names.update(t for t in handler.types if t is not None)
    return frozenset(names)


class IterTranslator(ListTranslator):
    """The list translator plus comprehensions, their reductions, `**` and unpacking."""

    #: exceptions an enclosing handler catches (None: every one): guarded translations are refused then
    caught: frozenset[str] | None = frozenset()

    def guard(self, node: ast.AST, error: str, message: str) -> Expr:
        """`$error(...)` standing for Python's `error`, unless an enclosing handler would catch it."""
        if self.caught is None or FAMILIES[error] & self.caught:
            raise NotTranslatable(node, f"a {error} here would be caught by an enclosing handler")
        return call("error", Lit(f"{error}: {message}"))

    def _singleton(self, item: Typed) -> Expr:
        """`[item]` as one array element (an untyped value that may be an array is wrapped once more);
        arithmetic, comparisons and string joins never give an array, so they need no type test."""
        if item.type == "any" and isinstance(item.expr, Binary) and item.expr.op in _NEVER_ARRAY:
            return Array((item.expr,))
        return super()._singleton(item)

    def call_len(self, node: ast.Call, args: list[Typed]) -> Typed:
        """`len` of an untyped value fails, as in Python, unless it is a string, a list or a dict."""
        if len(args) != 1 or args[0].type != "any":
            return super().call_len(node, args)
        error = self.guard(node, "TypeError", "len() needs a string, a list or a dict")
        return Typed(self.let(args[0].expr, lambda v: Cond(type_test(v, "string"), call("length", v), Cond(
            type_test(v, "object"), call("count", call("keys", v)), Cond(
                type_test(v, "array"), call("count", v), error)))), "int")

    # --- comprehensions ----------------------------------------------------------------------------------
    def visit_ListComp(self, node: ast.ListComp) -> Typed:
        def element(acc: Expr) -> Expr:
            return call("append", acc, self._singleton(self.translate(node.elt)))
        return Typed(self._thread(node, 0, Array(()), element, self._used(node)), "list")

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> Typed:
        raise NotTranslatable(node, "a generator is translated only as the argument of sum, any, all or list")

    def method_join(self, node: ast.Call, base: Typed, args: list[Typed]) -> Typed:
        """`sep.join(x)` joins what a `for` over x visits (a string's characters, a dict's keys); an item
        that is not a string fails, as in Python (TypeError: `$join` takes strings only)."""
        if base.type != "str" or len(args) != 1:
            raise NotTranslatable(node, "str.join() needs a separator string and one iterable")
        self.guard(node, "TypeError", "")
        return Typed(call("join", self.items_of(args[0], node), base.expr), "str")

    def visit_Call(self, node: ast.Call) -> Typed:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1 \
                and isinstance(node.args[0], ast.GeneratorExp) and not node.keywords:  # sep.join(x for x in xs)
            gen = node.args[0]
            node = ast.Call(func, [ast.ListComp(gen.elt, gen.generators)], [])
        if isinstance(func, ast.Name) and func.id in _REDUCERS and func.id not in self.names \
                and len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            comp = arg if isinstance(arg, ast.GeneratorExp | ast.ListComp) else None
            return getattr(self, "reduce_" + func.id)(arg, comp)
        return super().visit_Call(node)

    def reduce_list(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        if comp is None:
            return self.call_list(ast.Call(ast.Name("list"), [arg], []), [self.translate(arg)])
        return self.visit_ListComp(ast.ListComp(comp.elt, comp.generators))

    def reduce_sum(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        """Python adds from 0, element by element, counting True as 1 and False as 0 (JSONata's `+` and
        `$sum` take numbers only: an element that may be a boolean is converted first)."""
        if comp is None:
            return self._sum_of(arg)
        kinds: list[str] = []

        def add(acc: Expr) -> Expr:
            item = self.translate(comp.elt)
            kinds.append(item.type)
            if item.type == "bool":
                return Binary("+", acc, Cond(item.expr, Lit(1), Lit(0)))
            self._numbers(comp.elt, item)
            return Binary("+", acc, item.expr if item.type != "any" else self.let(item.expr, counted))
        total = self._thread(comp, 0, Lit(0), add, self._used(comp))
        kind = "int" if kinds[0] in ("int", "bool") else "number" if kinds[0] in NUMBERS else kinds[0]  # none: 0
        return Typed(total, kind)

    def _sum_of(self, arg: ast.expr) -> Typed:
        """`sum(xs)`: `$sum` of a display of numbers, else a `$reduce` that counts booleans."""
        value = self.translate(arg)
        if isinstance(arg, ast.List | ast.Tuple) and not any(isinstance(e, ast.Starred) for e in arg.elts):
            kinds = {self.translate(e).type for e in arg.elts}
            if kinds <= NUMBERS:  # Python adds from the int 0: one float makes the sum a float
                return Typed(call("sum", value.expr), "int" if kinds <= {"int"} else
                             "float" if "float" in kinds else "number")
        used = self._used(arg)
        acc = fresh("acc", used)
        item = fresh("v", used | {acc})
        add = Lambda((acc, item), Binary("+", Var(acc), counted(Var(item))))
        return Typed(call("reduce", self.items_of(value, arg), add, Lit(0)), "any")

    def reduce_any(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        return self._short(arg, comp, is_any=True)

    def reduce_all(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        return self._short(arg, comp, is_any=False)

    def _short(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None, is_any: bool) -> Typed:
        if comp is None:  # any(xs) is any(v for v in xs)
            comp = ast.GeneratorExp(ast.Name("v"), [ast.comprehension(ast.Name("v"), arg, [], 0)])
        return Typed(self._until(comp, 0, is_any, self._used(comp)), "bool")

    def reduce_min(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        return self._extreme_of(arg, comp, "min", "<")

    def reduce_max(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        return self._extreme_of(arg, comp, "max", ">")

    def _extreme_of(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None, name: str, op: str) -> Typed:
        """min/max of an iterable: the first element that no later one beats (compared with `<`/`>`,
        which JSONata allows between two numbers or two strings, as Python; other mixes fail loudly)."""
        items = self._listed(arg, comp)
        self.guard(arg, "TypeError", "")
        empty = self.guard(arg, "ValueError", f"{name}() of an empty sequence")
        best = Lambda(("m", "x"), Cond(Binary(op, Var("x"), Var("m")), Var("x"), Var("m")))
        return Typed(self.let(items, lambda v: Cond(Binary(">", call("count", v), Lit(0)),
                                                     call("reduce", v, best), empty)), "any")

    def reduce_sorted(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Typed:
        """`$sort` orders numbers and strings as Python does, and fails on other mixes."""
        self.guard(arg, "TypeError", "")
        return Typed(call("sort", self._listed(arg, comp)), "list")

    def _listed(self, arg: ast.expr, comp: ast.GeneratorExp | ast.ListComp | None) -> Expr:
        if comp is not None:
            return self.visit_ListComp(ast.ListComp(comp.elt, comp.generators)).expr
        return self.items_of(self.translate(arg), arg)

    def _thread(self, comp: ast.GeneratorExp | ast.ListComp, i: int, acc: Expr, leaf: Callable[[Expr], Expr],
                used: set[str]) -> Expr:
        """The accumulator after the generators from `i` on: `$reduce(items, function($acc, $x) {...}, acc)`,
        where each element that passes the filters gives `leaf($acc)`."""
        gen = comp.generators[i]
        with self._generator(gen, used) as (items, name, var):
            inner = Var(name)
            tests = [self.truthy(test) for test in gen.ifs]
            with self.proven(gen.ifs):
                body = leaf(inner) if i + 1 == len(comp.generators) else self._thread(comp, i + 1, inner, leaf, used)
            for test in reversed(tests):
                body = Cond(test, body, inner)
        return call("reduce", items, Lambda((name, var), body), acc)

    def _until(self, comp: ast.GeneratorExp | ast.ListComp, i: int, is_any: bool, used: set[str]) -> Expr:
        """any/all of the generators from `i` on: once the accumulator decides, nothing more is evaluated."""
        gen = comp.generators[i]
        with self._generator(gen, used) as (items, name, var):
            tests = [self.truthy(test) for test in gen.ifs]
            with self.proven(gen.ifs):
                last = i + 1 == len(comp.generators)
                body = self.truthy(comp.elt) if last else self._until(comp, i + 1, is_any, used)
            for test in reversed(tests):  # a filtered-out element counts as False for any, True for all
                body = Binary("and", test, body) if is_any else Binary("or", call("not", test), body)
        step = Binary("or" if is_any else "and", Var(name), body)
        return call("reduce", items, Lambda((name, var), step), Lit(not is_any))

    @contextmanager
    def proven(self, tests: list[ast.expr]) -> Iterator[None]:
        """While the element of a comprehension is translated, the names its filters read a key of are
        dicts (a filter that passed did not fail; dict_proofs.py says why that proves it)."""
        saved = {name: self.names[name] for name in proved(tests) if self.names.get(name, _UNTYPED).type == "any"}
        self.names.update({name: Typed(known.expr, "dict") for name, known in saved.items()})
        try:
            yield
        finally:
            self.names.update(saved)

    @contextmanager
    def _generator(self, gen: ast.comprehension, used: set[str]) -> Iterator[tuple[Expr, str, str]]:
        """One `for` clause of a comprehension: (the items it visits, a fresh accumulator name, the
        element's variable, bound to the clause's target while the block runs)."""
        iterable = self.translate(gen.iter)
        items = self.items_of(iterable, gen.iter)
        name = fresh("acc", used)
        used.add(name)
        with self._target(gen, used, _element_type(iterable)) as var:
            yield items, name, var

    def items_of(self, value: Typed, node: ast.AST) -> Expr:
        """An array of what Python's `for` over the value visits (a dict's keys, a string's characters)."""
        if value.type == "list":
            return value.expr
        if value.type == "dict":
            return call("append", Array(()), call("keys", value.expr))
        if value.type == "str":
            return self.let(value.expr, characters)
        if value.type != "any":
            raise NotTranslatable(node, f"iterating a {value.type} value has no JSONata translation")
        error = self.guard(node, "TypeError", "only strings, lists and dicts are iterated in the state machine")
        return self.let(value.expr, lambda v: Cond(type_test(v, "array"), v, Cond(
            type_test(v, "object"), call("append", Array(()), call("keys", v)), Cond(
                type_test(v, "string"), characters(v), error))))

    @contextmanager
    def _target(self, gen: ast.comprehension, used: set[str], kind: str) -> Iterator[str]:
        """Bind the loop variable to a JSONata function parameter while its body is translated."""
        if not isinstance(gen.target, ast.Name) or gen.is_async:
            raise NotTranslatable(gen.target, "only a plain name is supported as a comprehension target")
        python = gen.target.id
        others = {k.expr.name for name, k in self.names.items() if name != python and isinstance(k.expr, Var)}
        var = fresh(python if python != "states" else "states_", (used - {python}) | (others & used))
        used.add(var)
        saved = self.names.get(python)
        self.names[python] = Typed(Var(var), kind)
        try:
            yield var
        finally:
            if saved is None:
                del self.names[python]
            else:
                self.names[python] = saved

    def _used(self, node: ast.AST) -> set[str]:
        """JSONata variable names the translation of `node` may read (new parameters must differ)."""
        found: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                found.add(sub.id)
                known = self.names.get(sub.id)
                if known is not None and isinstance(known.expr, Var):
                    found.add(known.expr.name)
        return found

    # --- dict displays with ** -----------------------------------------------------------------------------
    def visit_Dict(self, node: ast.Dict) -> Typed:
        if all(k is not None for k in node.keys):
            return super().visit_Dict(node)
        parts: list[Expr] = []
        pending: list[tuple[ast.expr, ast.expr]] = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is not None:
                pending.append((key, value))
                continue
            if pending:
                parts.append(super().visit_Dict(ast.Dict([k for k, _ in pending], [v for _, v in pending])).expr)
                pending = []
            parts.append(self._mapping(self.translate(value), value))
        if pending:
            parts.append(super().visit_Dict(ast.Dict([k for k, _ in pending], [v for _, v in pending])).expr)
        return Typed(call("merge", Array(tuple(parts))), "dict")

    def _mapping(self, value: Typed, node: ast.AST) -> Expr:
        if value.type == "dict":
            return value.expr
        if value.type != "any":
            raise NotTranslatable(node, f"** of a {value.type} value always fails")
        error = self.guard(node, "TypeError", "** needs a dict")
        return self.let(value.expr, lambda v: Cond(type_test(v, "object"), v, error))

    # --- unpacking -------------------------------------------------------------------------------------------
    def unpack(self, count: int, node: ast.expr) -> list[Expr]:
        """The values of `a, b, ... = node` (`count` names), in order; a display of that many items is
        taken item by item, anything else must be a list of exactly that length."""
        if isinstance(node, ast.Tuple | ast.List) and not any(isinstance(e, ast.Starred) for e in node.elts):
            if len(node.elts) != count:
                raise NotTranslatable(node, "unpacking a display of another length always fails")
            return [self.translate(e).expr for e in node.elts]
        value = self.translate(node)
        if value.type not in ("list", "any"):
            raise NotTranslatable(node, f"unpacking a {value.type} value has no JSONata translation")
        error = self.guard(node, "ValueError", f"unpacking needs exactly {count} values")

        def pick(v: Expr, i: int) -> Expr:
            test: Expr = Binary("=", call("count", v), Lit(count))
            if value.type == "any":
                test = Binary("and", type_test(v, "array"), test)
            return Cond(test, Index(v, Lit(i)), error)
        return [self.let(value.expr, lambda v, i=i: pick(v, i)) for i in range(count)]  # type: ignore[misc]


def counted(v: Expr) -> Expr:
    """A number as Python's `sum` adds it: True as 1, False as 0 (JSONata's `=` never equates a boolean
    with a number, so numbers pass unchanged; anything else fails at the `+`, as it does in Python)."""
    return Cond(Binary("=", v, Lit(True)), Lit(1), Cond(Binary("=", v, Lit(False)), Lit(0), v))


def _element_type(iterable: Typed) -> str:
    """What iterating the value visits: a dict's keys and a string's characters are strings."""
    return "str" if iterable.type in ("dict", "str") else "any"


def characters(text: Expr) -> Expr:
    """The characters of a string, as Python iterates them (code points): `$substring` and `$length`
    count code points in JSONata, where `$split(s, '')` would cut an astral character in two."""
    index = fresh("i", set(re.findall(r"\$(\w+)", render(text))))
    each = Lambda((index,), call("substring", text, Var(index), Lit(1)))
    return call("append", Array(()), call("map", Range(Lit(0), Binary("-", call("length", text), Lit(1))), each))


def fresh(base: str, used: set[str]) -> str:
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}{n}"
    return name
