"""The lowering's positions (compiler/ir/lower/positions.py) are libcst's `PositionProvider` positions.

Compared node by node on every sample, golden input and module of the compiler, and on texts with the
awkward parts of Python's layout: CRLF and CR newlines, continuations, tabs, comments, semicolons,
decorators, an empty file and a file without a final newline.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from durable_compile.ir.lower.positions import _from_provider, node_offsets, positions

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in [*(ROOT / "samples").glob("*.py"), *(ROOT / "tests" / "golden" / "inputs").glob("*.py"),
                            *(ROOT / "compiler").rglob("*.py")] if p.name != "syntax_error.py")
AWKWARD = [
    "",
    "x = 1",
    "x = 1\r\ny = (2 +\r\n     3)\r\n",
    "if a:\r    b = 1\r",
    "def f(a,\n      b):  # comment\n\treturn a \\\n  + b\n",
    "@dec\n@other(1)\nasync def g():\n    await h(); return [i for i in x if i]\n",
    "class C:\n    '''doc\n    string'''\n    x: int = 1\n\n\n# trailing comment",
    "s = f'{a!r:>{w}}' + '''multi\nline''' + rb'\\x'\n",
]


def libcst_positions(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int, int, int]]:
    found = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in found.items()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_of_every_node_are_libcsts(path: Path) -> None:
    module = cst.parse_module(path.read_text())
    assert positions(module) == libcst_positions(module)


@pytest.mark.parametrize("text", AWKWARD)
def test_positions_in_awkward_layouts_are_libcsts(text: str) -> None:
    module = cst.parse_module(text)
    found = positions(module)
    assert found == libcst_positions(module) == _from_provider(module)
    assert len(found) > 0


@pytest.mark.parametrize("text", ["\ufeffx = f(1)\n", "\x0cx = f('a')\ny = 2\n", "x = f(1)", "x = f(1)\r\n"])
def test_offsets_index_the_text_libcsts_nodes_are_in(text: str) -> None:
    """A byte-order mark or a leading form feed is dropped by libcst: the offsets then index its own code;
    a file without a final newline still gets the one its last statement ends with."""
    module = cst.parse_module(text)
    found, layout = node_offsets(module, text)
    assert layout.startswith(module.code)
    leaves = [node for node in found_nodes(module) if isinstance(node, cst.Name | cst.Integer | cst.SimpleString)]
    assert leaves and all(layout[slice(*found[id(leaf)])] == leaf.value for leaf in leaves)


def found_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    return [node, *(n for child in node.children for n in found_nodes(child))]
