"""Emit: a lowered handler (IR) -> a JSONata state machine, plus the Python the steps function runs.

Takes a `Handler`; gives an `Output` (definition, lifted functions, source map) and diagnostics.
Statements are emitted back to front: each one gets the name of the state that follows it and returns
the name of its own first state, so loops, `break`/`continue` and `except` handlers are plain jumps.
Plain assignments whose expressions translate to JSONata become `Assign`s of Pass states (several per
state when they do not depend on each other); other orchestration code is lifted into the steps
function (DUR821, or DUR822 under --strict); constructs the backend cannot express are DUR820.
Guarantee: the machine passes our validator (a construct that fails becomes a Fail state).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping
from functools import cached_property, partial
from typing import Any

from durable_compile import diagnostics as dx
from durable_compile.backends.asl import (
    batch_lists,
    emit_batch,
    emit_branch,
    emit_callback,
    emit_compute,
    emit_condition,
    emit_finally,
    emit_loops,
    emit_match,
    emit_opaque,
    emit_ops,
    emit_return,
    emit_start,
    emit_try,
    float_scope,
    local_imports,
    tuple_shapes,
)
from durable_compile.backends.asl.aliasing import shared_changes
from durable_compile.backends.asl.dict_proofs import Placement
from durable_compile.backends.asl.emit_support import (
    Loop,
    Namer,
    Output,
    Unsupported,
    describe,
    jsonata_name,
    parse_expr,
    target_names,
    translator,
)
from durable_compile.backends.asl.expressions import free_variables
from durable_compile.backends.asl.fold import fold
from durable_compile.backends.asl.identity import identity_tests
from durable_compile.backends.asl.jsonata import wrap
from durable_compile.backends.asl.known_keys import keyed_reads, known_keys
from durable_compile.backends.asl.local_types import int_locals, list_locals, tuple_locals
from durable_compile.backends.asl.module_facts import (  # noqa: F401 - task_state is imported from here
    Functions,
    _targets,
    collect_locals,
    function_defs,
    loaded_names,
    module_constants,
    ordered,
    task_state,
    typed_constants,
)
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.backends.asl.translate_iter import caught
from durable_compile.backends.asl.translate_json import JsonTranslator
from durable_compile.backends.asl.translate_lists import appended
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span


class Emitter:
    def __init__(self, handler: n.Handler, source_text: str = "", strict: bool = False,
                 literals: Mapping[str, object] | None = None,
                 def_sources: Callable[[str], list[str]] | None = None, skeleton: str | None = None) -> None:
        """`literals` (the module's `NAME = <literal>` values), `def_sources` (the text of each def of
        a name) and `skeleton` (the module's top level without def and class bodies) come from the front
        end when it has them; without them the source is parsed again."""
        self.handler = handler
        self.source_text = source_text
        self.source_lines = source_text.splitlines()
        self.strict = strict
        self.namer = Namer()
        self.states: dict[str, dict[str, Any]] = {}
        self.problems: list[dx.Diagnostic] = []
        self.out = Output({})
        self.locals = collect_locals(handler.function)
        self.typed_function = handler.function  #: typed locals hold in this function's own scope only
        self.functions = Functions(source_text, def_sources)
        self.constants = module_constants(source_text, self.locals) if literals is None \
            else typed_constants(literals, self.locals)
        self.errors = {h.name for s in n.walk(handler.function.body) if isinstance(s, n.Try)
                       for h in s.handlers if h.name}
        self.batches = emit_batch.batch_variables(handler.function)
        self.top_text = source_text if skeleton is None else skeleton  #: what module_top reads
        self.batch_lists = batch_lists.held(handler.function, self.batches, partial(self.report, "DUR820"))
        self.json_calls = local_imports.json_calls(self.top_text, handler.function)  #: json.loads/dumps names
        self.lists = frozenset(list_locals(handler.function, self.locals, self.batches))
        self.ints = frozenset(int_locals(handler.function, self.locals))
        self.floats = float_scope.floats_of(self, handler.function, self.locals, self.ints)
        #: the handler's tuple locals (tuple_shapes.py), known only while its own scope is emitted
        self.tuples = (handler.function, frozenset(tuple_locals(handler.function, self.locals)))
        self.loops: list[Loop] = []
        self.place = Placement(self.functions.defs)  #: the statement being emitted, its proven dicts
        self.tries: list[emit_try.TryFrame] = []
        self.counter = itertools.count(1)
        self._translator: tuple[tuple[Any, ...], tuple[int, ...], JsonTranslator] | None = None
        self.returns: list[Callable[[n.Return], str]] = []  #: what `return` means inside inlined children
        self.branch: emit_branch.BranchExit | None = None  #: where failures go in a batch branch's scope
        self.variables = {jsonata_name(name) for name in self.locals}  #: workflow variables in use
        self.scope = emit_branch.own_names(handler.function)  #: the variables this ASL scope's own code assigns
        self.deferred = emit_condition.deferred_locals(handler)  #: wait strategies built where they are used
        self.callbacks = emit_callback.plan(handler, self.source_lines)  #: create_callback -> its task
        shared = shared_changes(handler.function, source_text, self.functions.defs)  # Python shares, JSON copies
        for span, message in shared + identity_tests(handler.function, self.source_lines, self.top_text):
            self.report("DUR820", span, message)

    # --- the whole handler ---------------------------------------------------------------------------
    def emit(self) -> Output:
        fn = self.handler.function
        done = self.put(self.namer.name("Done"), {"Type": "Succeed", "Output": "{% null %}"}, fn.span, "end")
        entry = self.block(fn.body, done)
        param = jsonata_name(fn.params[0]) if fn.params and fn.params[0] in self.locals else None
        if param is not None and emit_start.fold_input(self.states, entry, param):
            name = entry
        else:
            start: dict[str, Any] = {"Type": "Pass", "Next": entry}
            if param is not None:
                start["Assign"] = {param: "{% $states.input %}"}
            name = self.put(self.namer.name("Start"), start, fn.span, "start")
        self.out.definition = {"Comment": f"{self.handler.path}: durable handler {fn.qualname}",
                               "QueryLanguage": "JSONata", "StartAt": name, "States": ordered(self.states, name)}
        emit_start.initialize_unassigned(self, name)
        fold(self.out.definition, self.out.source_map)
        first = str(self.out.definition["StartAt"])
        self.out.definition["States"] = ordered(self.out.definition["States"], first)  # type: ignore[arg-type]
        return self.out

    def put(self, name: str, state: dict[str, Any], span: Span, what: str) -> str:
        lines = f"line {span.line}" if span.end_line <= span.line else f"lines {span.line}-{span.end_line}"
        state["Comment"] = f"{what} ({lines})"
        self.states[name] = {"Type": state.pop("Type"), "Comment": state.pop("Comment"), **state}
        self.out.source_map[name] = {"file": self.handler.path, "line": span.line, "end_line": span.end_line,
                                     "what": what}
        return name

    def report(self, code: str, span: Span, message: str) -> None:
        self.problems.append(dx.make(code, self.handler.path, span, message))

    # --- blocks ----------------------------------------------------------------------------------------
    def block(self, body: tuple[n.Stmt, ...], nxt: str) -> str:
        entry = nxt
        for segment in reversed(self.segments(body)):
            entry = self.assigns(segment, entry) if isinstance(segment, list) else self.stmt(segment, entry)
        return entry

    def segments(self, body: tuple[n.Stmt, ...]) -> list[list[tuple[n.Stmt, dict[str, str]]] | n.Stmt]:
        out: list[list[tuple[n.Stmt, dict[str, str]]] | n.Stmt] = []
        for stmt in body:
            with self.place.at(stmt):
                plain = self.plain(stmt)
            if plain is None:
                out.append(stmt)
            elif isinstance(last := (out[-1] if out else None), list):
                last.append((stmt, plain))
            else:
                out.append([(stmt, plain)])
        return out

    def plain(self, stmt: n.Stmt) -> dict[str, str] | None:
        """The Assign entries of a statement JSONata can run, or None."""
        if isinstance(stmt, n.Pass | n.LocalDef) or self.is_logging(stmt) or emit_condition.is_deferred(self, stmt):
            return {}
        if isinstance(stmt, n.Assign) and all(isinstance(t, ir.Name) for t in stmt.targets):
            value = self.value(stmt.value, True, None, all(t.id in self.batch_lists for t in stmt.targets))
            return None if value is None else {jsonata_name(t.id): value for t in stmt.targets
                                               if isinstance(t, ir.Name)}
        if isinstance(stmt, n.Assign) and len(stmt.targets) == 1 and not isinstance(stmt.targets[0], ir.Name) \
                and (names := target_names(stmt.targets[0])):
            return self.unpacked(names, stmt.value)
        if (append := appended(stmt, self.typed()[0])) is not None:
            value = self.expression(append[1])
            return None if value is None else {jsonata_name(append[0]): value}
        if isinstance(stmt, n.AugAssign) and isinstance(stmt.target, ir.Name):
            code = f"{stmt.target.code} {stmt.op} ({stmt.value.code})"
            value = self.value(ir.Expr(code, stmt.span))
            return None if value is None else {jsonata_name(stmt.target.id): value}
        return None

    def is_logging(self, stmt: n.Stmt) -> bool:
        context = self.handler.function.context
        return isinstance(stmt, n.ExprStmt) and bool(context) and stmt.value.code.startswith(f"{context}.logger.")

    def assigns(self, segment: list[tuple[n.Stmt, dict[str, str]]], nxt: str) -> str:
        groups: list[list[tuple[n.Stmt, dict[str, str]]]] = [[]]
        written: set[str] = set()
        for stmt, entries in segment:
            reads = set().union(*(free_variables(v[3:-3]) for v in entries.values())) if entries else set()
            if (reads | set(entries)) & written:
                groups.append([])
                written = set()
            groups[-1].append((stmt, entries))
            written |= set(entries)
        entry = nxt
        for group in reversed([g for g in groups if any(e for _, e in g)]):
            merged = {k: v for _, entries in group for k, v in entries.items()}
            span = Span(group[0][0].span.line, 1, group[-1][0].span.end_line, 1)
            entry = self.put(self.namer.name("Set-" + "-".join(merged)[:40]),
                             {"Type": "Pass", "Assign": merged, "Next": entry}, span, "assignments")
        return entry

    # --- expressions -----------------------------------------------------------------------------------
    def value(self, expr: ir.Expr, whole: bool = False, output: n.Return | None = None,
              held: bool = False) -> str | None:
        """`expr` in JSONata; `whole`: it is the whole value of an Assign, `output`: of that return's
        Output (where an undefined value fails by itself, and the keys known there need no check:
        translate.py; `held`: of a batch_lists local)."""
        try:
            translator, node = self.translator(), parse_expr(expr)
            translator.objects_held = held
            if output is not None:
                known = self.known_keys.get(id(output), frozenset()) if keyed_reads(node) else frozenset()
                return wrap(translator.value(node, True, known).expr)
            return wrap((translator.value(node) if whole else translator.translate(node)).expr)
        except NotTranslatable:
            return None

    @cached_property
    def known_keys(self) -> dict[int, frozenset[tuple[str, str]]]:
        return known_keys(self.handler.function, self.functions.defs, self.lists)  # at each return

    def expression(self, node: ast.expr) -> str | None:
        try:
            return wrap(self.translator().translate(node).expr)
        except NotTranslatable:
            return None

    def unpacked(self, names: list[str], value: ir.Expr) -> dict[str, str] | None:
        """The Assign entries of `a, b = value` (a later repeated name wins, as in Python)."""
        try:
            values = self.translator().unpack(len(names), parse_expr(value))
        except NotTranslatable:
            return None
        return {jsonata_name(name): wrap(expr) for name, expr in zip(names, values, strict=True)}

    def is_list(self, expr: ir.Expr) -> bool:
        try:
            return self.translator().translate(parse_expr(expr)).type == "list"
        except NotTranslatable:
            return False

    def condition(self, expr: ir.Expr) -> str | None:
        try:
            return wrap(self.translator().truthy(parse_expr(expr)))
        except NotTranslatable:
            return None

    def translator(self) -> JsonTranslator:
        """A translator over the handler's locals and the module's constants (its names are built once,
        then copied: rebuilding them for every expression made emitting quadratic in the locals). In a
        batch branch, whose error entry catches every failure, an expression that may raise runs in the
        steps function, so that the entry records Python's error type (`caught` None)."""
        dicts = self.place.dicts(self.handler.function)
        sources = (self.locals, self.errors, self.batches, self.constants, *self.typed(), dicts, self.batch_lists)
        sizes = tuple(map(len, sources))
        cached = self._translator
        if cached is None or cached[1] != sizes or any(a is not b for a, b in zip(cached[0], sources, strict=True)):
            found = translator(self.locals, self.errors, self.batches, *self.typed(), dicts, self.batch_lists)
            found.names.update(self.constants)
            cached = self._translator = (sources, sizes, found)
        fresh = type(cached[2])(cached[2].names)
        fresh.caught, fresh.json_calls = None if self.branch is not None else caught(self.tries), self.json_calls
        fresh.tuples = tuple_shapes.locals_here(self)
        return fresh

    @cached_property
    def module_functions(self) -> dict[str, list[ast.FunctionDef]]:
        """Every `def` of the module by name, nested ones too (the module is parsed on first use)."""
        return function_defs(self.source_text)

    @cached_property
    def local_defs(self) -> dict[str, n.LocalDef]:
        """The handler's nested defs by qualname (the first one of each name, as written)."""
        found: dict[str, n.LocalDef] = {}
        for stmt in n.walk(self.handler.function.body):
            if isinstance(stmt, n.LocalDef):
                found.setdefault(stmt.qualname, stmt)
        return found

    def typed(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The list, int and float locals of the scope being emitted (a closure has only floats: float_scope)."""
        own = self.handler.function is self.typed_function
        return (self.lists, self.ints, self.floats) if own else (frozenset(), frozenset(), self.floats)

    def fresh(self, prefix: str) -> str:
        return f"_{prefix}{next(self.counter)}"

    def lifted_value(self, expr: ir.Expr, span: Span, nxt: str, target: str) -> str:
        """Compute `expr` in the steps function into the variable `target`; the state's name is returned."""
        return self.compute([f"{target} = {expr.code}"], span, nxt, writes=[target])

    def compute(self, lines: list[str], span: Span, nxt: str, writes: list[str],
                what: str = "computation") -> str:
        """Run `lines` in the steps function (a lifted computation, DUR821/DUR822); the state's name."""
        return emit_compute.compute(self, lines, span, nxt, writes, what)

    # --- statements ------------------------------------------------------------------------------------
    def stmt(self, stmt: n.Stmt, nxt: str) -> str:
        visit: Callable[[Any, str], str] | None = getattr(self, "stmt_" + type(stmt).__name__, None)
        try:
            with self.place.at(stmt):
                return emit_opaque.statement(self, stmt, nxt) if visit is None else visit(stmt, nxt)
        except Unsupported as err:
            self.report("DUR820", err.span, str(err))
            return self.put(self.namer.name(f"Unsupported-line-{err.span.line}"),
                            {"Type": "Fail", "Error": "Unsupported", "Cause": str(err)[:200]}, err.span, "unsupported")

    def stmt_Assign(self, stmt: n.Assign, nxt: str) -> str:
        names = [name for t in stmt.targets for name in target_names(t) or []]  # `a, b = ...` writes both
        lines = [" = ".join([*(t.code for t in stmt.targets), stmt.value.code])]
        return self.compute(lines, stmt.span, nxt, names)

    def stmt_AugAssign(self, stmt: n.AugAssign, nxt: str) -> str:
        names = [stmt.target.id] if isinstance(stmt.target, ir.Name) else []
        lines = [f"{stmt.target.code} {stmt.op}= {stmt.value.code}"]
        return self.compute(lines, stmt.span, nxt, names)

    def stmt_ExprStmt(self, stmt: n.ExprStmt, nxt: str) -> str:
        thrown = emit_batch.throw_if_error(self, stmt, nxt)
        if thrown is not None:
            return thrown
        return self.compute([stmt.value.code], stmt.span, nxt, [])

    def stmt_If(self, stmt: n.If, nxt: str) -> str:
        then, orelse = self.block(stmt.body, nxt), self.block(stmt.orelse, nxt)
        test = self.condition(stmt.test)
        name = self.namer.name("If-" + (describe(stmt.test.code) or f"line-{stmt.span.line}"))
        if test is None:
            flag = self.fresh("test")
            choice = {"Type": "Choice", "Choices": [{"Condition": f"{{% $boolean(${flag}) %}}", "Next": then}],
                      "Default": orelse}
            self.put(name, choice, stmt.span, f"if {stmt.test.code}"[:120])
            return self.lifted_value(ir.Expr(f"bool({stmt.test.code})", stmt.test.span), stmt.span, name, flag)
        choice = {"Type": "Choice", "Choices": [{"Condition": test, "Next": then}], "Default": orelse}
        return self.put(name, choice, stmt.span, f"if {stmt.test.code}"[:120])

    def stmt_Match(self, stmt: n.Match, nxt: str) -> str:
        return emit_match.match_(self, stmt, nxt)

    def stmt_While(self, stmt: n.While, nxt: str) -> str:
        return emit_loops.while_(self, stmt, nxt)

    def stmt_For(self, stmt: n.For, nxt: str) -> str:
        return emit_loops.for_(self, stmt, nxt)

    def stmt_Break(self, stmt: n.Break, nxt: str) -> str:
        return emit_finally.jump(self, self.loops[-1].exit)

    def stmt_Continue(self, stmt: n.Continue, nxt: str) -> str:
        return emit_finally.jump(self, self.loops[-1].again)

    def stmt_Return(self, stmt: n.Return, nxt: str) -> str:
        return emit_return.return_(self, stmt)

    def stmt_Raise(self, stmt: n.Raise, nxt: str) -> str:
        return emit_try.raise_(self, stmt)

    def stmt_Try(self, stmt: n.Try, nxt: str) -> str:
        return emit_try.try_(self, stmt, nxt)

    def stmt_Desugared(self, stmt: n.Desugared, nxt: str) -> str:
        if stmt.refusal is not None:
            raise Unsupported(stmt.span, stmt.refusal)
        return self.block(stmt.body, nxt)

    def stmt_Operation(self, stmt: n.Operation, nxt: str) -> str:
        return emit_ops.operation(self, stmt, nxt)
