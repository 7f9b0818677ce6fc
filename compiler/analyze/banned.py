"""The shared shape of the banned-API rules (DUR101-106, DUR201-205, DUR301-302).

A call in orchestration code of an API the tables file under the rule's code is reported where it is;
a call of a project helper whose summary reaches such an API is reported at the call site with the chain.
"""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from durable_compile.analyze.apis import Hit
from durable_compile.analyze.rule import Edit, FileContext, Fix, Rule
from durable_compile.analyze.summaries import Effect

REPLAY = "orchestration code, which re-runs on every replay"


class BannedCallRule(Rule):
    """Base for rules driven by `tables.py`; subclasses set `code` and `verb`."""

    verb: ClassVar[str] = "is not replay-safe"
    fixable: ClassVar[bool] = False

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        """Used when the rule runs alone; the engine groups banned rules through `BannedCalls`."""
        BannedCalls({self.code.code: self}).visit_Call(node, ctx)

    def on_hit(self, node: ast.Call, hit: Hit, ctx: FileContext) -> None:
        if self.accept(node, ctx):
            fix = step_fix(node, hit.api, ctx) if self.fixable else None
            ctx.report(node, self.code.code, f"`{display(hit.api)}` {self.verb} in {REPLAY}", fix=fix)

    def on_effect(self, node: ast.Call, effect: Effect, ctx: FileContext) -> None:
        label = effect.chain[0].label
        ctx.report(node, self.code.code, f"`{label}` {self.verb} via {effect.via()}", effect=effect)

    def accept(self, node: ast.Call, ctx: FileContext) -> bool:
        return True


class BannedCalls:
    """All banned-API rules in one visitor: each call in orchestration code is classified once and handed to
    the rule owning the code (directly, or per effect for a helper call)."""

    def __init__(self, rules: dict[str, BannedCallRule]) -> None:
        self.rules = rules

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if not ctx.in_orchestration:
            return
        hit = ctx.classify(node)
        if hit is not None:
            rule = self.rules.get(hit.code)
            if rule is not None:
                rule.on_hit(node, hit, ctx)
            return
        for effect in ctx.effects(node):
            rule = self.rules.get(effect.code)
            if rule is not None:
                rule.on_effect(node, effect, ctx)


class _Group(Rule):
    """Stands for the grouped banned-API rules in the engine's dispatch table (and in its crash reports)."""


BANNED_GROUP = _Group()


def display(api: str) -> str:
    """`builtins.print` -> `print()`, `time.time` -> `time.time()`; client methods stay as they are."""
    api = api.removeprefix("builtins.")
    return api if api.endswith(")") else f"{api}()"


def step_name(api: str, line: int) -> str:
    parts = [p.lower() for p in re.split(r"[^A-Za-z0-9]+", api) if p and p not in ("builtins", "datetime")]
    tail = list(dict.fromkeys(parts[-2:]))
    return "-".join([*tail, str(line)])


def step_fix(node: ast.Call, api: str, ctx: FileContext) -> Fix | None:
    """`time.time()` -> `context.step(lambda _: time.time(), name="time-12")` (a named step returning it)."""
    frame = ctx.frame
    context = frame.context if frame is not None else None
    if context is None and frame is not None and frame.contexts:
        context = sorted(frame.contexts)[0]
    if context is None:
        return None
    start, end = ctx.node_range(node)
    original = ctx.text[start:end]
    if "\n" in original:
        return None
    name = step_name(api, ctx.span(node).line)
    text = f'{context}.step(lambda _: {original}, name="{name}")'
    return Fix(f"move `{api}` into a step named {name!r}", (Edit(start, end, text),), shifts_positions=True)
