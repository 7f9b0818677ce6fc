"""`match` -> one Choice: a rule per `case`, in order, whose Condition is the pattern (and guard) and whose
`Assign` binds the pattern's names; the first irrefutable case (`_`, a bare name) is the Default.

Takes a `Match` statement; gives the Choice state's name. Patterns are read from their text with `ast`
and checked against the subject's JSON value (handler values are JSON: dict, list, str, number, bool,
None):

- literals and constants (`"refund"`, `3`, `Kind.REFUND`): Python's `==`, as the translator writes it;
- `None`, `True`, `False`: identity (`True` matches only a boolean, not 1);
- `{"kind": "refund", "amount": amount}`: a dict with those keys whose values match (other keys allowed);
- `[first, second]`: a list of exactly that length whose items match;
- `str()`, `dict()`, `list()`, `bool()` with no sub-patterns, or one that matches the value itself
  (`str(name)`): the JSON type;
- `p | q` (without names), `p as name`, `name`, `_`; a guard `if ...` sees the pattern's names.

The subject is re-read by every rule, so it must be an expression with a JSONata translation (reading it
has no effect). Anything else is DUR820 naming the pattern: `*rest`, `**rest`, class patterns of other
classes (`int()` cannot tell 1 from 1.0 in JSON), names inside `|`. Unlike Python, a case whose guard is
false leaves its names unbound.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, NoReturn

from durable_compile.backends.asl.emit_support import Unsupported, describe, jsonata_name
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: class patterns that test a JSON type: class name -> JSONata $type()
JSON_TYPES = {"str": "string", "dict": "object", "list": "array", "bool": "boolean"}
ALWAYS = "true"
_SIMPLE = re.compile(r"\$?[A-Za-z0-9_.]+(\[[0-9]+\])*")  #: a variable or path: needs no parentheses


def match_(em: Emitter, stmt: n.Match, nxt: str) -> str:
    rules: list[dict[str, Any]] = []
    default = nxt
    for case in stmt.cases:
        body = em.block(case.body, nxt)
        pattern = parse_pattern(case.pattern, case.span)
        reader = _Reader(em, case.span)
        condition = reader.test(pattern, stmt.subject.code)
        if case.guard is not None:
            condition = reader.both(condition, reader.guard(case.guard))
        if condition == ALWAYS and not reader.names:
            default = body  # irrefutable: later cases can never run
            break
        rule: dict[str, Any] = {"Condition": "{% " + condition + " %}", "Next": body}
        if reader.names:
            rule["Assign"] = {jsonata_name(k): "{% " + v + " %}" for k, v in reader.names.items()}
        rules.append(rule)
        if condition == ALWAYS:
            break
    name = em.namer.name("Match-" + (describe(stmt.subject.code) or f"line-{stmt.span.line}"))
    if not rules:  # only `case _:` (or nothing matches ever): a Pass keeps the statement's place
        return em.put(name, {"Type": "Pass", "Next": default}, stmt.span, f"match {stmt.subject.code}"[:120])
    choice = {"Type": "Choice", "Choices": rules, "Default": default}
    return em.put(name, choice, stmt.span, f"match {stmt.subject.code}"[:120])


def parse_pattern(text: str, span: Span) -> ast.pattern:
    try:
        tree = ast.parse(f"match _:\n    case {text}:\n        pass\n")
    except SyntaxError as err:
        raise Unsupported(span, f"the case pattern {text!r} could not be read") from err
    statement = tree.body[0]
    assert isinstance(statement, ast.Match)
    return statement.cases[0].pattern


def capture_names(stmt: n.Match) -> list[str]:
    """The names the cases' patterns bind (locals of the handler)."""
    found: list[str] = []
    for case in stmt.cases:
        try:
            pattern = parse_pattern(case.pattern, case.span)
        except Unsupported:
            continue
        found += [node.name for node in ast.walk(pattern)
                  if isinstance(node, ast.MatchAs | ast.MatchStar) and node.name]
        found += [node.rest for node in ast.walk(pattern) if isinstance(node, ast.MatchMapping) and node.rest]
    return found


class _Reader:
    """The JSONata test of one case's pattern; `names` collects what it binds (name -> JSONata)."""

    def __init__(self, em: Emitter, span: Span) -> None:
        self.em = em
        self.span = span
        self.names: dict[str, str] = {}
        self.sources: dict[str, str] = {}  #: name -> the Python expression it stands for

    def test(self, pattern: ast.pattern, subject: str) -> str:
        visit = getattr(self, "pattern_" + type(pattern).__name__, None)
        if visit is None:
            self._unsupported(pattern)
        result: str = visit(pattern, subject)
        return result

    def pattern_MatchValue(self, pattern: ast.MatchValue, subject: str) -> str:
        return self._condition(f"({subject}) == ({ast.unparse(pattern.value)})")

    def pattern_MatchSingleton(self, pattern: ast.MatchSingleton, subject: str) -> str:
        if pattern.value is None:
            return self._condition(f"({subject}) is None")
        value = self._value(subject)
        return f"($type({value}) = 'boolean' and {value} = {'true' if pattern.value else 'false'})"

    def pattern_MatchAs(self, pattern: ast.MatchAs, subject: str) -> str:
        test = ALWAYS if pattern.pattern is None else self.test(pattern.pattern, subject)
        if pattern.name:
            self.names[pattern.name] = self._value(subject)
            self.sources[pattern.name] = subject
        return test

    def pattern_MatchOr(self, pattern: ast.MatchOr, subject: str) -> str:
        if any(isinstance(node, ast.MatchAs) and node.name for node in ast.walk(pattern)):
            self._unsupported(pattern, "names inside '|'")
        tests = [self.test(p, subject) for p in pattern.patterns]
        return ALWAYS if ALWAYS in tests else "(" + " or ".join(tests) + ")"

    def pattern_MatchMapping(self, pattern: ast.MatchMapping, subject: str) -> str:
        if pattern.rest:
            self._unsupported(pattern, "'**rest'")
        tests = [f"$type({self._value(subject)}) = 'object'"]
        for key, sub in zip(pattern.keys, pattern.patterns, strict=True):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                self._unsupported(pattern, "a key that is not a string literal")
            tests.append(f"{string_literal(key.value)} in $keys({self._value(subject)})")
            tests.append(self.test(sub, f"({subject})[{key.value!r}]"))
        return self._all(tests)

    def pattern_MatchSequence(self, pattern: ast.MatchSequence, subject: str) -> str:
        if any(isinstance(p, ast.MatchStar) for p in pattern.patterns):
            self._unsupported(pattern, "'*rest'")
        value = self._value(subject)
        tests = [f"$type({value}) = 'array'", f"$count({value}) = {len(pattern.patterns)}"]
        tests += [self.test(p, f"({subject})[{i}]") for i, p in enumerate(pattern.patterns)]
        return self._all(tests)

    def pattern_MatchClass(self, pattern: ast.MatchClass, subject: str) -> str:
        cls = pattern.cls.id if isinstance(pattern.cls, ast.Name) else None
        if cls not in JSON_TYPES or pattern.kwd_patterns or len(pattern.patterns) > 1:
            self._unsupported(pattern)
        tests = [f"$type({self._value(subject)}) = '{JSON_TYPES[str(cls)]}'"]
        tests += [self.test(p, subject) for p in pattern.patterns]  # str(x) matches the value itself
        return self._all(tests)

    def guard(self, guard: ir.Expr) -> str:
        """The guard, reading the pattern's names as the parts of the subject they stand for."""
        node = _Substitute(self.sources).visit(ast.parse(guard.code.strip(), mode="eval").body)
        return self._condition(ast.unparse(node))

    @staticmethod
    def both(a: str, b: str) -> str:
        return b if a == ALWAYS else f"({a}) and ({b})"

    # --- helpers ---------------------------------------------------------------------------------------
    def _all(self, tests: list[str]) -> str:
        real = [t for t in tests if t != ALWAYS]
        return ALWAYS if not real else "(" + " and ".join(real) + ")"

    def _condition(self, code: str) -> str:
        found = self.em.condition(ir.Expr(code, self.span))
        if found is None:
            raise Unsupported(self.span, f"the case test {code!r} has no JSONata translation")
        return "(" + found[3:-3] + ")"

    def _value(self, code: str) -> str:
        found = self.em.value(ir.Expr(code, self.span))
        if found is None:
            raise Unsupported(self.span, f"the match subject {code!r} has no JSONata translation")
        body = found[3:-3]
        return body if _SIMPLE.fullmatch(body) else "(" + body + ")"

    def _unsupported(self, pattern: ast.pattern, what: str = "") -> NoReturn:
        detail = f" ({what})" if what else ""
        raise Unsupported(self.span, f"the case pattern {ast.unparse(pattern)!r}{detail} is not supported by to-asl")


class _Substitute(ast.NodeTransformer):
    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.sources:
            return ast.parse(self.sources[node.id], mode="eval").body
        return node
