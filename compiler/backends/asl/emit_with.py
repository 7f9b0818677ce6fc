"""`with` blocks in handler code -> states, a lifted computation, or a DUR820 naming the block.

Takes an IR `With`; gives the name of its first state. A context manager the compiler knows is compiled
as what it means: `contextlib.suppress(E1, E2)` is `try: ... except (E1, E2): pass` (its body may run
durable operations), `contextlib.nullcontext()` is its body. Any other block runs whole in the steps
function, as one lifted computation (DUR821), when it holds no durable operation: the manager is entered
and exited around the body there, as in the handler, and the block's assignments come back as workflow
variables. Refused (DUR820, naming the line): a block of an unknown manager that holds durable operations
(a manager cannot stay open across the states of the machine), and a lifted block that leaves it other
than by its end (`return`, `break`, `continue`), binds names the handler reads elsewhere that cannot
travel as workflow variables (its `as` targets, defs, imports), or assigns a variable a value that is
certainly not JSON (the object its manager gives, an instance of a class of the module, a set, a lambda:
that task would fail; a value that may not be JSON still fails the task at run time).
"""

from __future__ import annotations

import ast
import functools
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from durable_compile.backends.asl import emit_compute
from durable_compile.backends.asl.emit_support import Unsupported
from durable_compile.backends.asl.module_facts import module_top
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

KNOWN = {"contextlib.suppress": "suppress", "contextlib.nullcontext": "nullcontext"}
#: builtin classes whose instances are never JSON values
OPAQUE_BUILTINS = frozenset({"set", "frozenset", "bytes", "bytearray", "object", "complex", "range", "memoryview"})
#: bases that keep a class's instances from being JSON values (a class with any other base may be a dict,
#: a str or an int Enum...: not certain)
OPAQUE_BASES = frozenset({"object", "Enum", "Flag", "Exception", "BaseException", "ABC", "Generic", "Protocol"})
LEAVES = (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal)


def with_block(em: Emitter, stmt: n.With, nxt: str) -> str:
    known = _known(em, stmt)
    if known == "nullcontext":
        return em.block(stmt.body, nxt)
    if known == "suppress":
        call = stmt.items[0]
        assert isinstance(call, ir.Call)
        if not call.args:  # suppresses nothing
            return em.block(stmt.body, nxt)
        types = ir.TupleExpr(f"({', '.join(a.code for a in call.args)},)", call.span, call.args)
        handler = n.ExceptHandler(stmt.span, types, None, (n.Pass(stmt.span),))
        return em.stmt(n.Try(stmt.span, stmt.body, (handler,), (), ()), nxt)
    durable = next((s for s in n.walk(stmt.body) if isinstance(s, n.Operation | n.HelperCall)), None)
    header = stmt.code.strip().rstrip(":")
    if durable is not None:
        raise Unsupported(stmt.span, f"{header!r} holds a durable operation (line {durable.span.line}): a context "
                          "manager cannot stay open across the states of the state machine; close it before the "
                          "operation, or move the block's work into a step")
    block, text = _block(em, stmt)
    why = _leaves(block, em.locals)
    if why is not None:
        raise Unsupported(stmt.span, f"{header!r} runs in the steps function, and {why}: end the block normally")
    bound = set(_stored(block))
    private = sorted(bound - em.locals)
    read = _read_elsewhere(em, stmt, private)
    if read is not None:
        raise Unsupported(stmt.span, f"{header!r} runs in the steps function, and {read[0]!r}, which it binds, is "
                          f"read at line {read[1]}: only workflow variables come back from it; assign what you "
                          "need to a variable inside the block")
    objects = sorted(bound & (em.errors | em.batches))
    if objects:
        raise Unsupported(stmt.span, f"{header!r} runs in the steps function, and assigns {objects[0]!r}, which holds "
                          "a caught error or a BatchResult the state machine keeps as data: use another name")
    writes = sorted(bound & em.locals)
    opaque = _opaque_assignment(em, block, set(writes))
    if opaque is not None:
        name, line, what = opaque
        at = stmt.span.line + line - 1
        raise Unsupported(Span(at, 1, at, 1), f"{header!r} runs in the steps function, and assigns {name!r} {what} "
                          f"at line {at}, which cannot come back from it as a workflow variable (only JSON values "
                          "can): keep the object inside the block, or assign what you need from it")
    lines = text.splitlines()
    return emit_compute.compute(em, lines, stmt.span, nxt, writes, "with", also_read=writes)


def _opaque_assignment(em: Emitter, block: ast.With, writes: set[str]) -> tuple[str, int, str] | None:
    """The first assignment in the block of a variable that comes back from it to a value that is certainly
    not JSON: the object a manager of the block gives (`as` target), an instance of a class of the module
    (or of `set`, `bytes`...), a lambda, a set, a generator. (name, line in the block's text, what)."""
    given = {item.optional_vars.id for node in [block, *(node for node, _ in _own(block))]
             if isinstance(node, ast.With) for item in node.items if isinstance(item.optional_vars, ast.Name)}
    classes = _opaque_classes(em.source_text) | (OPAQUE_BUILTINS - em.locals)
    for node, _ in _own(block):
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = node.value
        what = "the object its manager gives" if isinstance(value, ast.Name) and value.id in given else \
            f"an instance of {value.func.id}" if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id in classes else _OPAQUE_NODES.get(type(value))
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        name = next((t.id for t in targets if isinstance(t, ast.Name) and t.id in writes), None)
        if what is not None and name is not None:
            return name, node.lineno, what
    return None


_OPAQUE_NODES: dict[type[ast.AST], str] = {ast.Lambda: "a function", ast.Set: "a set", ast.SetComp: "a set",
                                           ast.GeneratorExp: "a generator"}


@functools.lru_cache(maxsize=8)
def _opaque_classes(source_text: str) -> frozenset[str]:
    """The module's classes whose instances are never JSON values: every base is one of OPAQUE_BASES or
    such a class of the module (in the order they are defined)."""
    found: set[str] = set()
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return frozenset()
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef) and not stmt.keywords and all(
                (b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "")
                in OPAQUE_BASES | found for b in stmt.bases):
            found.add(stmt.name)
    return frozenset(found)


def _known(em: Emitter, stmt: n.With) -> str | None:
    """"suppress" or "nullcontext" when the block's one manager is that, without an `as` target."""
    if len(stmt.items) != 1 or " as " in stmt.code or not isinstance(stmt.items[0], ir.Call):
        return None
    call = stmt.items[0]
    if call.kwargs or (isinstance(call.func, ir.Name) and call.func.id in em.locals):
        return None
    origins = module_top(em.top_text).origins
    func = call.func
    if isinstance(func, ir.Name):
        origin = origins.get(func.id)
    elif isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id not in em.locals:
        base = origins.get(func.value.id)
        origin = f"{base}.{func.attr}" if base else None
    else:
        return None
    found = KNOWN.get(origin or "")
    if found == "nullcontext" and call.args:
        return None  # its argument is only the `as` value, which is not bound here; evaluated though
    return found


def _block(em: Emitter, stmt: n.With) -> tuple[ast.With, str]:
    span = stmt.span
    lines = em.source_lines[span.line - 1:span.end_line]
    text = textwrap.dedent("\n".join(lines))
    try:
        node = ast.parse(text).body[0]
    except (SyntaxError, IndexError) as err:
        raise Unsupported(span, "the with block could not be read to run it in the steps function") from err
    if not isinstance(node, ast.With):
        raise Unsupported(span, "the with block could not be read to run it in the steps function")
    return node, text


def _own(node: ast.AST, loops: int = 0) -> Iterator[tuple[ast.AST, int]]:
    """The nodes of the block's own code with the number of loops around each (nested defs excluded)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            yield child, loops  # its name is bound here, its body runs elsewhere
            continue
        yield child, loops
        inner = loops + 1 if isinstance(child, ast.For | ast.AsyncFor | ast.While) else loops
        yield from _own(child, inner)


def _leaves(block: ast.With, local_names: set[str]) -> str | None:
    for node, loops in _own(block):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del) and node.id in local_names:
            return f"its `del {node.id}` at line {node.lineno} would unbind a workflow variable"
        if isinstance(node, LEAVES):
            return f"its {type(node).__name__.lower()} at line {node.lineno} would leave the steps function only"
        if isinstance(node, ast.Break | ast.Continue) and loops == 0:
            return f"its {type(node).__name__.lower()} at line {node.lineno} would leave a loop outside it"
    return None


def _stored(block: ast.With) -> Iterator[str]:
    for node, _ in _own(block):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            yield node.id
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield from ((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield node.name


def _read_elsewhere(em: Emitter, stmt: n.With, names: list[str]) -> tuple[str, int] | None:
    """The first of `names` the function that holds the block reads outside it, with the line."""
    if not names:
        return None
    first, last = stmt.span.line, stmt.span.end_line
    holders = [f for fs in em.module_functions.values() for f in fs
               if f.lineno <= first and last <= (f.end_lineno or f.lineno)]
    scope = max(holders, key=lambda f: f.lineno) if holders else ast.parse(em.source_text)  # the innermost
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and node.id in names and not first <= node.lineno <= last:
            return node.id, node.lineno
    return None
