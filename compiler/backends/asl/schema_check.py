"""A compiled validity test for a JSON Schema: the schema -> one Python predicate, built once.

Takes a JSON Schema (draft 2020-12) that uses only the keywords listed in `KEYWORDS`; gives a function
`value -> bool` that is true exactly when `jsonschema` finds no error. It only says yes or no: a document
it rejects is validated again by `jsonschema`, which finds and words the errors. A schema with any other
keyword (or a `$ref` outside the document) raises `UnsupportedSchema`, and the caller uses `jsonschema`
alone. Why: `jsonschema` re-walks the schema for every value (about 1 ms per state); the predicate runs
the same rules in a few microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

#: keywords that only annotate: they never make a value invalid
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"})
#: keywords the predicate implements
KEYWORDS = frozenset({"type", "const", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum",
                      "minItems", "minProperties", "required", "properties", "additionalProperties",
                      "propertyNames", "items", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref"})


class UnsupportedSchema(Exception):
    """The schema uses a keyword or reference the predicate does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or float(v).is_integer()),
}


def equal(a: Any, b: Any) -> bool:
    """JSON equality as JSON Schema defines it: `true` is not `1`, `1` is `1.0`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


class Compiler:
    """Compiles the schemas of one document; `$ref`s to `#/...` are compiled once and shared."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"not a schema: {schema!r}")
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise UnsupportedSchema(f"keywords {sorted(unknown)}")
        checks = [check for key in sorted(set(schema) & KEYWORDS) if (check := self.keyword(key, schema))]
        return checks[0] if len(checks) == 1 else _every(checks)

    def keyword(self, key: str, schema: Mapping[str, Any]) -> Check | None:
        value = schema[key]
        build: Callable[[Any, Mapping[str, Any]], Check | None] = getattr(self, "kw_" + key.lstrip("$"))
        return build(value, schema)

    def ref(self, target: str) -> Check:
        if not target.startswith("#"):
            raise UnsupportedSchema(f"$ref {target!r} leaves the document")
        if target not in self.refs:
            self.refs[target] = lambda v: True  # placeholder while compiling a recursive definition
            node: Any = self.root
            for part in filter(None, target[1:].split("/")):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            compiled = self.compile(node)
            self.refs[target] = compiled
        refs = self.refs
        return lambda v: refs[target](v)

    # --- keywords ----------------------------------------------------------------------------------
    def kw_type(self, value: Any, _: Mapping[str, Any]) -> Check:
        if isinstance(value, str):
            return TYPES[value]
        tests = [TYPES[t] for t in value]
        return lambda v: any(test(v) for test in tests)

    def kw_const(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return self.kw_enum([value], schema)

    def kw_enum(self, value: list[Any], _: Mapping[str, Any]) -> Check:
        if all(isinstance(option, str) for option in value):
            options = frozenset(value)
            return lambda v: isinstance(v, str) and v in options
        return lambda v: any(equal(v, option) for option in value)

    def kw_pattern(self, value: str, _: Mapping[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def kw_minLength(self, value: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def kw_maxLength(self, value: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= value

    def kw_minimum(self, value: float, _: Mapping[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v >= value

    def kw_maximum(self, value: float, _: Mapping[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v <= value

    def kw_minItems(self, value: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def kw_minProperties(self, value: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def kw_required(self, value: list[str], _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or all(k in v for k in value)

    def kw_properties(self, value: Mapping[str, Any], schema: Mapping[str, Any]) -> Check:
        """`properties` and `additionalProperties` together: one pass over the object's members."""
        checks = {k: self.compile(s) for k, s in value.items()}
        other = self.compile(schema.get("additionalProperties", True))

        def run(v: Any) -> bool:
            if isinstance(v, dict):
                for k, x in v.items():
                    if not checks.get(k, other)(x):
                        return False
            return True
        return run

    def kw_additionalProperties(self, value: Any, schema: Mapping[str, Any]) -> Check | None:
        if "properties" in schema:
            return None  # checked by `properties`
        check = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(check(x) for x in v.values())

    def kw_propertyNames(self, value: Any, _: Mapping[str, Any]) -> Check:
        check = self.compile(value)
        return lambda v: not isinstance(v, dict) or all(check(k) for k in v)

    def kw_items(self, value: Any, _: Mapping[str, Any]) -> Check:
        check = self.compile(value)
        return lambda v: not isinstance(v, list) or all(check(x) for x in v)

    def kw_allOf(self, value: list[Any], _: Mapping[str, Any]) -> Check:
        checks = [self.compile(s) for s in value]
        every = _every(checks)
        key, cases = _discriminator(value)
        if key is None:
            return every
        table = {const: self.compile(then) for const, then in cases}

        def dispatch(v: Any) -> bool:
            """`allOf: [{if: {properties: {K: {const: c}}}, then: S}, ...]`: on an object with a string K only
            the case of that value can apply; anything else (no K, not an object) takes the general path."""
            if not isinstance(v, dict) or key not in v or not isinstance(v[key], str):
                return every(v)
            case = table.get(v[key])
            return case is None or case(v)
        return dispatch

    def kw_anyOf(self, value: list[Any], _: Mapping[str, Any]) -> Check:
        checks = [self.compile(s) for s in value]
        return lambda v: any(check(v) for check in checks)

    def kw_oneOf(self, value: list[Any], _: Mapping[str, Any]) -> Check:
        checks = [self.compile(s) for s in value]
        return lambda v: sum(1 for check in checks if check(v)) == 1

    def kw_not(self, value: Any, _: Mapping[str, Any]) -> Check:
        check = self.compile(value)
        return lambda v: not check(v)

    def kw_if(self, value: Any, schema: Mapping[str, Any]) -> Check:
        test = self.compile(value)
        then = self.compile(schema.get("then", True))
        orelse = self.compile(schema.get("else", True))
        return lambda v: then(v) if test(v) else orelse(v)

    def kw_then(self, value: Any, _: Mapping[str, Any]) -> None:
        return None  # applied by `if`; without `if` it has no effect

    def kw_else(self, value: Any, _: Mapping[str, Any]) -> None:
        return None

    def kw_ref(self, value: str, _: Mapping[str, Any]) -> Check:
        return self.ref(value)


def _discriminator(schemas: list[Any]) -> tuple[str | None, list[tuple[str, Any]]]:
    """(K, [(c, S)]) when every schema is exactly `{if: {properties: {K: {const: c}}}, then: S}` with one K
    and distinct string constants c; else (None, [])."""
    cases: list[tuple[str, Any]] = []
    keys = set()
    for schema in schemas:
        test = schema.get("if") if isinstance(schema, Mapping) and set(schema) == {"if", "then"} else None
        if not isinstance(test, Mapping) or set(test) != {"properties"} or len(test["properties"]) != 1:
            return None, []
        ((key, rule),) = test["properties"].items()
        if not isinstance(rule, Mapping) or set(rule) != {"const"} or not isinstance(rule["const"], str):
            return None, []
        keys.add(key)
        cases.append((rule["const"], schema["then"]))
    if len(keys) != 1 or len({c for c, _ in cases}) != len(cases):
        return None, []
    return keys.pop(), cases


def _every(checks: list[Check]) -> Check:
    def run(v: Any) -> bool:
        for check in checks:
            if not check(v):
                return False
        return True
    return run


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """The predicate of a whole schema document (raises `UnsupportedSchema`)."""
    return Compiler(schema).compile(schema)
