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
doubles. `json.dumps` becomes a JSONata writer that gives Python's text (translate_dumps.py).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from durable_compile.backends.asl.jsonata import Cond, Expr, call
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_dumps import dumped, separators
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
            value = self.translate(node.args[0])
            if value.type == "float":  # Python writes its repr: `5.0`, which the writer would write `5`
                return Typed(self.let(value.expr, lambda v: float_text(v, "json.dumps()")), "str")
            return dumped(fresh("dumps", self._used(node)), value, item, key)
        return super().visit_Call(node)

    def loads(self, node: ast.Call, text: Typed) -> Typed:
        if text.type not in ("str", "any"):
            raise NotTranslatable(node, f"json.loads() of a {text.type} value always fails")
        self.guard(node, "TypeError", "")  # $contains and $parse fail on anything but a string, as Python
        invalid = self.guard(node, "JSONDecodeError", "a single-quoted string is not JSON")
        return Typed(self.let(text.expr, lambda t: Cond(
            call("contains", t, Regex(_QUOTE_OUTSIDE_STRINGS)), invalid, call("parse", t))), "any")


def _dotted(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return None

