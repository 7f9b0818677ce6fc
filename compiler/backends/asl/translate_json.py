"""`json.loads` in handler code -> Step Functions' `$parse`, and `json.dumps` -> a JSON writer.

Takes the module's imports (`json_calls`: `json.loads`, `j.loads` after `import json as j`, `loads`
after `from json import loads`, and the same for `dumps`) and gives `Typed` JSONata or `NotTranslatable`,
as the other translators.
`$parse` reads JSON text as Python's `json.loads` does, with two differences that the translation
guards: Step Functions also reads single-quoted strings (which Python rejects), so a text with a `'`
outside its double-quoted strings fails before it is parsed; and it rejects non-strings, as Python does
(TypeError; `$contains` fails first). Invalid JSON fails in both (Python's JSONDecodeError, the state machine's
States.QueryEvaluationError), so the translation is refused where an enclosing handler would catch it.
Known deviations: `NaN` and `Infinity`, which Python reads, fail in Step Functions; numbers are
doubles. `json.dumps` becomes a JSONata writer that gives Python's text (translate_dumps.py); a known
float (float_exprs.py), alone or in a list or dict display of the call, is written as Python writes it
(`5.0`, which the writer would write `5`).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from durable_compile.backends.asl.jsonata import Binary, Bind, Block, Cond, Expr, Lit, call
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_dumps import dumped, separators, writer
from durable_compile.backends.asl.translate_iter import fresh
from durable_compile.backends.asl.translate_keys import KeyTranslator
from durable_compile.backends.asl.translate_values import float_text

#: a `'` after any run of characters and whole double-quoted strings: outside every JSON string (the
#: backslash is written `\x5c` inside brackets: JSONata's lexer takes `\]` for an escaped bracket)
_QUOTE_OUTSIDE_STRINGS = r"""^(?:[^"']|"(?:[^"\x5c]|\\.)*")*'"""


@dataclass(frozen=True)
class Regex(Expr):
    """A JSONata regular expression literal `/pattern/`."""

    pattern: str  #: the pattern, without slashes (a `/` inside must be escaped)

    def text(self) -> str:
        return f"/{self.pattern}/"


@lru_cache(maxsize=64)
def json_imports(source_text: str) -> Mapping[str, str]:
    """Dotted call names -> the `json` function they name, from the module's top-level imports."""
    try:
        module = ast.parse(source_text)
    except SyntaxError:
        return MappingProxyType({})
    found: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "json":
                    found.update({f"{alias.asname or 'json'}.{name}": name for name in ("loads", "dumps")})
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "json" and not stmt.level:
            for alias in stmt.names:
                if alias.name in ("loads", "dumps"):
                    found[alias.asname or alias.name] = alias.name
    return MappingProxyType(found)


class JsonTranslator(KeyTranslator):
    """The iteration translator (with key functions) plus `json.loads`."""

    #: dotted call names -> the json function (set by the emitter from the module's imports)
    json_calls: Mapping[str, str] = MappingProxyType({})

    def visit_Call(self, node: ast.Call) -> Typed:
        dotted = _dotted(node.func)
        which = self.json_calls.get(dotted) if dotted is not None and dotted.split(".")[0] not in self.names else None
        if which == "loads":
            if len(node.args) != 1 or node.keywords:
                raise NotTranslatable(node, "json.loads() is translated with one argument and no options")
            return self.loads(node, self.translate(node.args[0]))
        if which == "dumps":
            if len(node.args) != 1 or any(isinstance(a, ast.Starred) for a in node.args):
                raise NotTranslatable(node, "json.dumps() is translated with one argument")
            item, key = separators(node)
            name = fresh("dumps", self._used(node))
            built = self._with_floats(node.args[0], name, item, key)
            if built is not None:
                return built
            return dumped(name, self.translate(node.args[0]), item, key)
        return super().visit_Call(node)

    def _with_floats(self, node: ast.expr, name: str, item: str, key: str) -> Typed | None:
        """`json.dumps(node)` where `node` is a known float, or a display (string literal keys) that holds
        one: written member by member, the floats as Python writes them (`5.0`, which the writer, bound
        as `$name`, would write `5`); None where nothing is a known float (the writer alone then)."""
        temps = self.temporaries()
        uses = [False, False]  # [a known float, the writer]
        text = self._json_text(node, name, item, key, uses)
        if text is None or not uses[0]:
            self.temporaries(temps)
            return None
        return Typed(Block((Bind(name, writer(name, item, key)), text)) if uses[1] else text, "str")

    def _json_text(self, node: ast.expr, name: str, item: str, key: str, uses: list[bool]) -> Expr | None:
        parts: list[Expr] = []
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)] \
            if isinstance(node, ast.Dict) else []
        if isinstance(node, ast.Dict) and len(set(keys)) == len(node.keys):  # distinct literal keys: Python
            for i, (k, v) in enumerate(zip(keys, node.values, strict=True)):  # keeps a repeated key's last value
                parts += [Lit(("{" if i == 0 else item) + json.dumps(k) + key), self._member(v, name, item, key, uses)]
            return _joined([*parts, Lit("}")]) if parts else None
        if isinstance(node, ast.List | ast.Tuple) and not any(isinstance(e, ast.Starred) for e in node.elts):
            for i, e in enumerate(node.elts):
                parts += [Lit("[" if i == 0 else item), self._member(e, name, item, key, uses)]
            return _joined([*parts, Lit("]")]) if parts else None
        value = self.translate(node)
        if value.type != "float":
            return None
        uses[0] = True
        return self.let(value.expr, lambda v: float_text(v, "json.dumps()"))

    def _member(self, node: ast.expr, name: str, item: str, key: str, uses: list[bool]) -> Expr:
        text = self._json_text(node, name, item, key, uses)
        if text is not None:
            return text
        uses[1] = True
        return call(name, self.translate(node).expr)

    def loads(self, node: ast.Call, text: Typed) -> Typed:
        if text.type not in ("str", "any"):
            raise NotTranslatable(node, f"json.loads() of a {text.type} value always fails")
        self.guard(node, "TypeError", "")  # $contains and $parse fail on anything but a string, as Python
        invalid = self.guard(node, "JSONDecodeError", "a single-quoted string is not JSON")
        return Typed(self.let(text.expr, lambda t: Cond(
            call("contains", t, Regex(_QUOTE_OUTSIDE_STRINGS)), invalid, call("parse", t))), "any")


def _joined(parts: list[Expr]) -> Expr:
    """`a & b & ...`, adjacent literals written as one."""
    merged: list[Expr] = []
    for part in parts:
        last = merged[-1] if merged else None
        if isinstance(part, Lit) and isinstance(last, Lit):
            merged[-1] = Lit(str(last.value) + str(part.value))
        else:
            merged.append(part)
    result = merged[0]
    for part in merged[1:]:
        result = Binary("&", result, part)
    return result


def _dotted(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return None

