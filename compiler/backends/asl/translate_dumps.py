"""`json.dumps(value)` in handler code -> a JSONata function that writes JSON as Python's json module does.

Takes the value's `Typed` translation; gives the call of a recursive JSONata function (bound in a block
under a name the expression does not read) that writes, for the default options, exactly Python's text:
`", "` between items and `": "` after keys, keys in their order, `true`/`false`/`null`, strings escaped
as Python escapes them (`\\"`, `\\\\`, `\\n` and the other short escapes, `\\u00XX` for control
characters, and `\\uXXXX` for everything outside printable ASCII, an astral character as its two
surrogates: the code point is read from the UTF-8 bytes `$encodeUrlComponent` gives, since JSONata has no
function that gives it). `separators=(item, key)` with literal strings is translated too; other options
(`indent`, `sort_keys`, `ensure_ascii=False`, `default`) stay lifted.
Known deviations: a number is written with JSONata's `$string`, exact for integers under 10**15 and for
other numbers from 0.0001 up whose shortest form has at most 15 significant digits; any other number
fails loudly (`$error`; Python writes it). A float with a whole value (`5.0`, written `5.0` by Python)
is written `5`: the state machine's numbers do not keep that difference (a value the compiler knows is a
float is written as Python writes it instead: translate_json.py, float_exprs.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from durable_compile.backends.asl.jsonata import Bind, Block, Expr, call, string_literal
from durable_compile.backends.asl.translate import NotTranslatable, Typed

_SELF = "$DUMPS"
#: the writer; `$DUMPS` is its own name, ITEM and KEY the separators (JSONata string literals). It holds no
#: `/` but its one regex and no `$` inside it: moto's scan for variable references takes a division's `/`
#: for the start of a regex literal, and a lone `$` it then finds fails the state (two writers in one
#: expression did)
_WRITER = r"""
function($v) { (
  $hex := '0123456789ABCDEF';
  $u4 := function($n) { '\\u' & $pad($formatBase($n, 16), -4, '0') };
  $char := function($c) { (
    $e := $string([$c]);
    $e := $substring($e, 2, $length($e) - 4);
    $contains($e, /[^ -~]/) ? (
      $b := $map($split($substring($encodeUrlComponent($c), 1), '%'), function($h) {
        $length($substringBefore($hex, $substring($h, 0, 1))) * 16
        + $length($substringBefore($hex, $substring($h, 1, 1))) });
      $cp := $reduce($b, function($acc, $x, $i) {
        $i = 0 ? $x % [128, 32, 16, 8][$count($b) - 1] : $acc * 64 + $x % 64 }, 0);
      $cp < 65536 ? $u4($cp) : $u4(55296 + $floor(($cp - 65536) * 0.0009765625)) & $u4(56320 + ($cp - 65536) % 1024)
    ) : $e
  ) };
  $quote := function($s) { '"' & ($contains($s, /[^ -~]/)
    ? $join($map([0..$length($s) - 1], function($i) { $char($substring($s, $i, 1)) }), '')
    : $substring($string([$s]), 2, $length($string([$s])) - 4)) & '"' };
  $type($v) = 'string' ? $quote($v)
  : $type($v) = 'number' ? ($number($string($v)) = $v
      and ($v = $floor($v) ? $abs($v) < 1e15 : $abs($v) >= 0.0001 and $abs($v) < 1e15)
    ? $string($v) : $error('json.dumps() of ' & $string($v) & ' has no exact JSONata form'))
  : $type($v) = 'boolean' ? ($v ? 'true' : 'false')
  : $type($v) = 'null' ? 'null'
  : $type($v) = 'array' ? '[' & $join($map($v, function($x) { $DUMPS($x) }), ITEM) & ']'
  : '{' & $join($map($keys($v), function($k) { $quote($k) & KEY & $DUMPS($lookup($v, $k)) }), ITEM) & '}'
) }
"""
_COMPACT = re.sub(r"\s*\n\s*", " ", _WRITER.strip())
_PLACEHOLDER = re.compile(r"\$DUMPS|\bITEM\b|\bKEY\b")


@dataclass(frozen=True)
class Function(Expr):
    """A JSONata function literal written as text."""

    code: str  #: `function(...) { ... }`

    def text(self) -> str:
        return self.code


def writer(name: str, item: str = ", ", key: str = ": ") -> Function:
    """The JSON writer bound as `$name` (it calls itself by that name)."""
    parts = {_SELF: "$" + name, "ITEM": string_literal(item), "KEY": string_literal(key)}
    return Function(_PLACEHOLDER.sub(lambda found: parts[found.group(0)], _COMPACT))


def separators(node: ast.Call) -> tuple[str, str]:
    """The item and key separators of `json.dumps(value, separators=(...))`; other options stay lifted."""
    found = (", ", ": ")
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg == "separators" and isinstance(value, ast.Tuple) and len(value.elts) == 2 \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            found = (value.elts[0].value, value.elts[1].value)  # type: ignore[attr-defined]
            continue
        raise NotTranslatable(node, "json.dumps() is translated with no options but literal separators")
    return found


def dumped(name: str, value: Typed, item: str, key: str) -> Typed:
    """`($name := <writer>; $name(value))`."""
    return Typed(Block((Bind(name, writer(name, item, key)), call(name, value.expr))), "str")
