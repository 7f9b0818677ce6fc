"""`children(node)` (compiler/ir/lower/children.py) is libcst's `node.children`, and `expression_children`
is it without the tokens: the same nodes in the same order, on every node of every sample, golden input
and module of the compiler, and of texts with the constructs whose fields libcst visits out of
declaration order (keyword arguments, conditional expressions, decorators, except clauses, f-string
format specs, match statements)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import libcst as cst
import pytest

from durable_compile.ir.lower.children import TOKENS, children, expression_children

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in [*(ROOT / "samples").glob("*.py"), *(ROOT / "tests" / "golden" / "inputs").glob("*.py"),
                            *(ROOT / "compiler").rglob("*.py")] if p.name != "syntax_error.py")
TEXTS = [
    "f(a, key=g(b), *rest, **more)\n",
    "x = a() if b() else c()\n",
    "@dec(1)\n@other\ndef f(a, /, b=1, *c, d, e=2, **f) -> int:\n    return lambda x, *y, z=3: x\n",
    "try:\n    pass\nexcept (A, B) as err:\n    raise C() from err\nelse:\n    pass\nfinally:\n    pass\n",
    "try:\n    pass\nexcept* D as e:\n    pass\n",
    "s = f'{a!r:>{w}} {b=} {c:{d}.{e}}' f'{x}'\n",
    "match p:\n    case {'k': [1, *rest]} if rest:\n        pass\n"
    "    case Point(x=0, y=y) | None as q:\n        pass\n",
    "class C(B, metaclass=M):\n    x: int = 1\n    async def g(self):\n        async with a() as b, c():\n"
    "            await d[1:2, ::3]\n",
    "print(*[i async for i in x if i], {k: v for k, v in y}, {*z}, (w := 1), not a, -b, a < b <= c)\n",
]


def same(module: cst.Module) -> bool:
    """`children` is libcst's `children`, and `expression_children` is it without the tokens."""
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        expected = node.children
        inner = [child for child in expected if type(child) not in TOKENS]
        if not (identical(children(node), expected) and identical(expression_children(node), inner)):
            return False
        pending.extend(expected)
    return True


def identical(found: list[cst.CSTNode], expected: Sequence[cst.CSTNode]) -> bool:
    return len(found) == len(expected) and all(a is b for a, b in zip(found, expected, strict=True))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_children_of_every_node_are_libcsts(path: Path) -> None:
    assert same(cst.parse_module(path.read_text()))


@pytest.mark.parametrize("text", TEXTS)
def test_children_in_out_of_order_constructs_are_libcsts(text: str) -> None:
    assert same(cst.parse_module(text))


def test_tokens_hold_no_expression() -> None:
    """The walk for durable calls skips these classes: none of their nodes has an expression inside."""
    module = cst.parse_module("".join(TEXTS) + "".join(p.read_text() for p in FILES[:20]))
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        if type(node) in TOKENS:
            inner = [c for c in node.children if isinstance(c, cst.BaseExpression) and type(c) not in TOKENS]
            assert not inner, (type(node).__name__, inner)
        pending.extend(node.children)
