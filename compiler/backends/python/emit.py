"""Emit: a source file and its lowered handlers -> a Python module that runs on `durable_runtime`.

Takes the `SourceFile` and the IR `Handler`s of the front end; gives the module text and its source
map. The module is the original one with: a header naming the source and the compiler version; the
SDK's imports pointed at `durable_runtime`; the determinism guard set up after the imports; every
orchestration function (handlers, child-context functions, parallel branches, map item functions)
rebuilt from the IR so that durable calls are hoisted in evaluation order and each one carries its
source line; and, at the end, the map from generated to original lines that the guard reads. Step
bodies and all other code are kept as written. Guarantees: the same input and options give the same
bytes; the output parses (checked here) and compiles.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from durable_compile import __version__
from durable_compile import diagnostics as dx
from durable_compile.backends.python.jinja import render
from durable_compile.backends.python.layout import module_layout
from durable_compile.backends.python.statements import EmitError, Statements
from durable_compile.backends.python.text import Edit, SourceText
from durable_compile.backends.python.writer import Writer
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile, Span

GUARD_MODES = ("strict", "warn", "off")
MAP_ROW = 6  #: source-map runs per line

EMIT_ERROR = dx.register(dx.Code(
    "DUR890", "python-emit", dx.Severity.ERROR,
    "the Python backend cannot reproduce a construct of the handler exactly",
    "rewrite the construct named in the message (usually a durable call written in an unusual form)",
))


@dataclass(frozen=True)
class Options:
    mode: str = "strict"  #: the guard mode baked into the module
    handler: str | None = None  #: the handler asked for, if one was
    flags: tuple[str, ...] = ()  #: the command-line flags that reproduce the module (for the header)


@dataclass
class Emitted:
    text: str = ""  #: the module
    runs: list[tuple[int, int, int]] = field(default_factory=list)  #: (generated line, source line, count)
    diagnostics: list[dx.Diagnostic] = field(default_factory=list)  #: why there is no module


def def_regions(handlers: list[n.Handler]) -> dict[str, n.Function]:
    """Every orchestration def to regenerate, by qualname: the handlers, the defs their operations run and
    the helpers they hand the context to."""
    regions = {h.function.qualname: h.function for h in handlers}
    for handler in handlers:
        for stmt in n.walk(handler.function.body):
            if isinstance(stmt, n.HelperCall) and stmt.region is not None:
                regions.setdefault(stmt.function, stmt.region)
            if not isinstance(stmt, n.Operation):
                continue
            for c in ([stmt.callee] if stmt.callee else []) + list(stmt.branches):
                if c.region is not None and c.function and c.form is not n.CallableForm.LAMBDA:
                    regions.setdefault(c.function, c.region)
    return regions


def emit_module(source: SourceFile, handlers: list[n.Handler], options: Options = Options()) -> Emitted:
    """The generated module, or diagnostics saying which construct stopped it."""
    try:
        emitted = _emit(source, handlers, options)
        ast.parse(emitted.text)
    except EmitError as err:
        return Emitted(diagnostics=[dx.make("DUR890", source.path, err.span, str(err))])
    except SyntaxError as err:
        span = Span(err.lineno or 1, err.offset or 1, err.lineno or 1, (err.offset or 1) + 1)
        message = f"the generated module does not parse ({err.msg}); please report this with the handler"
        return Emitted(diagnostics=[dx.make("DUR890", source.path, span, message)])
    return emitted


def _emit(source: SourceFile, handlers: list[n.Handler], options: Options) -> Emitted:
    st = SourceText(source.text)
    layout = module_layout(st)
    regions = def_regions(handlers)
    w = Writer()
    w.raw(render("header.py.j2", version=__version__, source=source.path, handler=options.handler,
                 mode=options.mode, flags=options.flags))
    setup = render("setup.py.j2", source=source.path, mode=options.mode)
    statements = Statements(st, layout, regions, w)
    handler_names = {h.function.qualname for h in handlers}
    top = sorted((layout.defs[q] for q in regions if "." not in q and q in layout.defs), key=lambda d: d.def_line)
    chunks = _Chunks(w, st, layout.edits, layout.setup_after, setup)
    for d in top:
        chunks.upto(d.def_line - 1)
        if d.qualname in handler_names:
            w.raw(render("orchestration.py.j2"))
        w.raw(st.lines_text(d.def_line, d.header_end), d.def_line)
        statements.body(regions[d.qualname])
        chunks.cursor = d.end_line + 1
    chunks.upto(len(st.lines))
    runs = w.runs()
    rows = [", ".join(str(r) for r in runs[i:i + MAP_ROW]) + "," for i in range(0, len(runs), MAP_ROW)]
    return Emitted(w.text() + render("source_map.py.j2", source=source.path, rows=rows) + "\n", runs)


@dataclass
class _Chunks:
    """The verbatim parts of the module, in order, with the guard set-up after the leading imports."""

    w: Writer
    st: SourceText
    edits: list[Edit]
    setup_after: int  #: the set-up goes after this line
    setup: str  #: the set-up text
    cursor: int = 1  #: the next source line to copy
    placed: bool = False  #: the set-up is written

    def upto(self, last: int) -> None:
        """Copy source lines [cursor, last], placing the set-up where it belongs."""
        if not self.placed and self.setup_after <= last:
            self._copy(self.setup_after)
            self.w.raw(self.setup)
            self.placed = True
        self._copy(last)

    def _copy(self, last: int) -> None:
        if self.cursor <= last:
            self.w.raw(self.st.lines_text(self.cursor, last, self.edits), self.cursor)
            self.cursor = last + 1
