"""Engine: one parse and one traversal of a file for all rules; findings as data.

Takes a file's path and text; gives its findings (diagnostics with optional fixes) and the project modules
it followed (for the cache). A syntax error, or a crash inside a rule, becomes DUR999 for that file: the
crashing rule is switched off for the rest of the file, the other rules' findings are kept.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BANNED_GROUP, BannedCallRule, BannedCalls
from durable_compile.analyze.index import annotated_contexts
from durable_compile.analyze.project import Project, module_from_tree
from durable_compile.analyze.regions import Kind, Region, compute_regions, contains_operations
from durable_compile.analyze.rule import FileContext, Finding, Frame, Rule
from durable_compile.analyze.summaries import Settings, Summaries
from durable_compile.source import Span

Visitor = Callable[[ast.AST, FileContext], None]
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class FileResult:
    findings: tuple[Finding, ...]
    deps: tuple[tuple[str, str], ...]  #: (path, sha256) of other project modules followed


def analyze_text(path: str, text: str, rules: Sequence[Rule], settings: Settings | None = None,
                 project: Project | None = None) -> FileResult:
    """Analyze one file with fresh `rules` instances."""
    project = project or Project()
    project.deps.clear()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        return FileResult((_syntax_error(path, err),), ())
    except (ValueError, RecursionError, MemoryError) as err:
        return FileResult((Finding(dx.make("DUR999", path, Span(1, 1, 1, 2), f"cannot parse: {err}")),), ())
    module = module_from_tree(path, text, tree)
    project.modules[path] = module
    ctx = FileContext(module, text, compute_regions(module.index), Summaries(project, settings or Settings()))
    _Traversal(ctx, rules).run()
    project.modules.pop(path, None)  # keep memory flat over a batch; an importer re-reads it from disk
    deps = tuple(sorted((p, d) for p, d in project.deps.items() if p != path))
    return FileResult(tuple(ctx.findings), deps)


def _syntax_error(path: str, err: SyntaxError) -> Finding:
    line, col = err.lineno or 1, err.offset or 1
    return Finding(dx.make("DUR999", path, Span(line, col, line, col + 1), f"syntax error: {err.msg}"))


class _Traversal:
    def __init__(self, ctx: FileContext, rules: Sequence[Rule]) -> None:
        self.ctx = ctx
        self.rules = list(rules)
        self.dispatch: dict[type, list[tuple[Rule, Visitor]]] = {}
        banned = {r.code.code: r for r in self.rules if isinstance(r, BannedCallRule)}
        if banned:  # the banned-API rules share one classification per call
            self.dispatch[ast.Call] = [(BANNED_GROUP, BannedCalls(banned).visit_Call)]
        for rule in self.rules:
            for name in dir(rule):
                if name.startswith("visit_") and not (name == "visit_Call" and isinstance(rule, BannedCallRule)):
                    node_type = getattr(ast, name.removeprefix("visit_"))
                    self.dispatch.setdefault(node_type, []).append((rule, getattr(rule, name)))
        self.disabled: set[int] = set()
        self.kids = ctx.module.index.kids

    def run(self) -> None:
        try:
            self.walk(self.ctx.module.index.tree)
        except RecursionError:
            self.crash(None, "the file nests too deeply to analyze")
        for rule in self.rules:
            if id(rule) not in self.disabled:
                try:
                    rule.end(self.ctx)
                except Exception as err:  # a rule bug must not stop the run: DUR999 for this file
                    self.fail(rule, err)

    def walk(self, node: ast.AST) -> None:
        entered = isinstance(node, SCOPES) and self.enter(node)
        for rule, visitor in self.dispatch.get(type(node), ()):
            if id(rule) in self.disabled:
                continue
            try:
                visitor(node, self.ctx)
            except RecursionError:
                raise
            except Exception as err:  # a rule bug must not stop the run: DUR999 for this file
                self.fail(rule, err)
        kids = self.kids.get(id(node))
        if kids:
            self.ctx.ancestors.append(node)
            for child in kids:
                self.walk(child)
            self.ctx.ancestors.pop()
        if entered:
            self.ctx.pop()

    def fail(self, rule: Rule, err: Exception) -> None:
        self.disabled.add(id(rule))
        self.crash(rule, f"{type(err).__name__}: {err}")

    def crash(self, rule: Rule | None, detail: str) -> None:
        code = getattr(rule, "code", None)
        who = f"rule {code.code} " if code is not None else "the banned-API rules " if rule is not None else ""
        node = self.ctx.ancestors[-1] if self.ctx.ancestors else self.ctx.module.index.tree
        span = self.ctx.span(node) if hasattr(node, "lineno") else Span(1, 1, 1, 2)
        self.ctx.findings.append(Finding(dx.make("DUR999", self.ctx.path, span,
                                                 f"the analyzer failed here ({who}{detail}); other rules ran")))

    def enter(self, node: ast.AST) -> bool:
        ctx = self.ctx
        parent = ctx.frame
        region = ctx.regions.get(node)
        fn = ctx.index.by_node.get(id(node))
        scope = fn.qualname if fn is not None else (parent.scope if parent else None)
        outer = parent.contexts if parent is not None else frozenset()
        if fn is not None and region is not None and region.context is not None:
            # a child given its parent's context too: child(c: DurableContext, parent: DurableContext)
            outer |= frozenset(annotated_contexts(fn.node.args, ctx.index.imports)) - {region.context}
        if region is not None:
            ctx.push(Frame(node, region.kind, region.context, outer, scope, _replays(node, region)))
        elif isinstance(node, ast.Lambda) and parent is not None:  # an inline lambda runs where it is written
            ctx.push(Frame(node, parent.kind, parent.context, parent.outer, scope, parent.replays))
        else:
            ctx.push(Frame(node, None, None, outer, scope))
        return True


def _replays(node: ast.AST, region: Region) -> bool:
    if region.kind is not Kind.ORCHESTRATION or region.origin != "handler" or region.context is None:
        return True
    return contains_operations(getattr(node, "body", []), {region.context})
