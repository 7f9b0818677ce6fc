"""Module layout: where the defs, their bodies and the imports of the original module are.

Takes the source text; gives, from the standard library's `ast` (parsing only, nothing runs), the line
ranges of every function (keyed by the same dotted qualname the front end uses, class bodies skipped),
the line after which the guard set-up can go, and the edits that point the AWS SDK's imports at
`durable_runtime`. Every edit keeps the number of lines, so line numbers of the original and of the
verbatim parts of the generated module stay in step.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from durable_compile.backends.python.text import Edit, SourceText

AWS_ROOT = "aws_durable_execution_sdk_python"
RUNTIME_ROOT = "durable_runtime"
FROM_MODULE = re.compile(r"from\s+(" + AWS_ROOT + r")\b")


@dataclass(frozen=True)
class DefLayout:
    """One `def` of the original module."""

    qualname: str  #: dotted like the front end's ("outer.inner")
    first_line: int  #: its first decorator, or the def line
    def_line: int  #: the line of `def`
    header_end: int  #: the last line of the signature (comments before the body excluded)
    end_line: int  #: its last line
    column: int  #: indentation of the def (0-based)


@dataclass
class ModuleLayout:
    defs: dict[str, DefLayout] = field(default_factory=dict)
    setup_after: int = 0  #: the guard set-up goes after this line (the end of the leading imports)
    edits: list[Edit] = field(default_factory=list)  #: SDK imports -> durable_runtime


def module_layout(st: SourceText) -> ModuleLayout:
    tree = ast.parse(st.text)
    layout = ModuleLayout(setup_after=_setup_line(tree))
    _collect_defs(tree.body, "", st, layout)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            edit = _import_edit(node, st)
            if edit is not None:
                layout.edits.append(edit)
    return layout


def _setup_line(tree: ast.Module) -> int:
    body = list(tree.body)
    last = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        last = body.pop(0).end_lineno or 0
    for node in body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            break
        last = node.end_lineno or last
    return last


def _collect_defs(body: list[ast.stmt], prefix: str, st: SourceText, layout: ModuleLayout) -> None:
    """Every def, nested ones included (inside if/try/with/for blocks too), class bodies skipped."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            qualname = f"{prefix}{node.name}"
            layout.defs[qualname] = _def_layout(node, qualname, st)
            _collect_defs(node.body, qualname + ".", st, layout)
        elif not isinstance(node, ast.ClassDef):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ExceptHandler | ast.match_case):
                    _collect_defs(child.body, prefix, st, layout)
                elif isinstance(child, ast.stmt):
                    _collect_defs([child], prefix, st, layout)


def _def_layout(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, st: SourceText) -> DefLayout:
    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
    body_line = node.body[0].lineno
    header_end = node.lineno
    for number in range(node.lineno, body_line):
        stripped = st.line(number).strip()
        if stripped and not stripped.startswith("#"):
            header_end = number
    return DefLayout(qualname, first, node.lineno, header_end, node.end_lineno or body_line, node.col_offset)


def _char_offset(st: SourceText, line: int, byte_col: int) -> int:
    """The absolute character offset of an `ast` (line, UTF-8 byte column) position."""
    text = st.line(line).encode()[:byte_col].decode(errors="replace")
    return st.offset(line, len(text) + 1)


def _import_edit(node: ast.Import | ast.ImportFrom, st: SourceText) -> Edit | None:
    start = _char_offset(st, node.lineno, node.col_offset)
    if isinstance(node, ast.ImportFrom):
        if node.level or not node.module or node.module.split(".")[0] != AWS_ROOT:
            return None
        found = FROM_MODULE.match(st.text, start)
        if found is None:
            return None
        return Edit(found.start(1), found.end(1), RUNTIME_ROOT)
    if not any(a.name.split(".")[0] == AWS_ROOT for a in node.names):
        return None
    end = _char_offset(st, node.end_lineno or node.lineno, node.end_col_offset or 0)
    padding = "\n" * ((node.end_lineno or node.lineno) - node.lineno)  # keep the line count
    return Edit(start, end, "; ".join(_import_parts(node)) + padding)


def _import_parts(node: ast.Import) -> list[str]:
    parts: list[str] = []
    for alias in node.names:
        root, _, rest = alias.name.partition(".")
        if root != AWS_ROOT:
            parts.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
            continue
        target = RUNTIME_ROOT + (f".{rest}" if rest else "")
        if alias.asname:
            parts.append(f"import {target} as {alias.asname}")
            continue
        if rest:  # `import pkg.sub` binds `pkg` and loads `pkg.sub`
            parts.append(f"import {target}")
        parts.append(f"import {RUNTIME_ROOT} as {AWS_ROOT}")
    return parts
