"""Fold: fewer, fuller states. Runs on a finished state machine, before validation.

Takes a definition and its source map (both edited in place); gives the same machine with plain
statements folded into the `Assign`/`Output` of neighbouring states. Every scope is simplified on its
own (Parallel branches and Map processors recursively), so any state type passes through. Rules:

- empty Pass: a Pass with nothing to assign disappears; whatever entered it goes to its Next.
- Pass into its predecessors: a Pass's `Assign` joins the `Assign` of every transition that enters it
  (a state's own on its Next, a Choice rule's, a Choice's Default, a catcher's). ASL evaluates all of
  a state's Assign expressions with the values from before the state, so where the Pass reads a
  variable that transition assigns, it reads the assigned expression instead (a JSONata block binds it).
- Pass into its successor: a Pass that is the only way into a Choice, Pass, Wait or Task gives that
  state its assignments on every way out, and the state's own expressions bind the new values.
- Succeed into its predecessors: `End` plus the Succeed's `Output` on the states that go there.

Guards: the same expressions are evaluated, once per path, with the same variable values, under the
same retriers and catchers. An expression that would move under a `Retry`/`Catch` must be one that can
neither fail nor come out undefined (totality.py); nothing that reads `$states` moves to a state where
`$states` means something else; no volatile function ($random, $now...) is duplicated. Comments and the
source map keep every source line of every folded state.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from durable_compile.backends.asl.fold_graph import (
    Graph,
    Ref,
    as_jsonata,
    bind,
    binding_order,
    bound,
    reads,
    reads_states,
    strings,
    too_long,
)
from durable_compile.backends.asl.totality import never_undefined, numeric_variables, outer_reads, total_and_defined
from durable_compile.backends.asl.walk import is_jsonata, jsonata_body

#: a Pass entered from more places than this is left alone (its expressions would be copied to each)
MAX_COPIES = 4
#: states a Pass may fold forward into
FORWARD_INTO = frozenset({"Choice", "Pass", "Wait", "Task"})
#: states that may end the execution with an Output of their own
ENDS = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})

SourceMap = dict[str, dict[str, Any]]


def fold(definition: dict[str, Any], source_map: SourceMap) -> None:
    """Simplify every scope of `definition`; merge the source map entries of folded states."""
    _fold_scope(definition, source_map, numeric_variables(assignments(definition)))
    for name, entry in source_map.items():
        _comment(definition, name, entry)


def _fold_scope(scope: dict[str, Any], source_map: SourceMap, numbers: frozenset[str]) -> None:
    for state in scope["States"].values():
        for branch in state.get("Branches", ()):
            _fold_scope(branch, source_map, numbers)
        if "ItemProcessor" in state:
            _fold_scope(state["ItemProcessor"], source_map, numbers)
    Folder(Graph(scope), source_map, numbers).run()


class Folder:
    def __init__(self, graph: Graph, source_map: SourceMap, numbers: frozenset[str] = frozenset()) -> None:
        self.graph = graph
        self.source_map = source_map
        self.numbers = numbers  #: variables that always hold a number (arithmetic on them cannot fail)

    def run(self) -> None:
        todo = deque(self.graph.states)
        while todo:
            name = todo.popleft()
            state = self.graph.states.get(name)
            if state is None:
                continue
            touched = self.try_rules(name, state)
            if touched:
                todo.extend(t for t in touched if t in self.graph.states)

    def try_rules(self, name: str, state: dict[str, Any]) -> list[str]:
        if state["Type"] == "Succeed":
            return self.succeed_into_predecessors(name, state)
        if not _plain_pass(state) or state["Next"] == name:
            return []
        if not state.get("Assign"):
            return self.drop_empty(name, state)
        return self.into_predecessors(name, state) or self.into_successor(name, state)

    # --- rules -------------------------------------------------------------------------------------
    def drop_empty(self, name: str, state: dict[str, Any]) -> list[str]:
        refs = list(self.graph.preds[name])
        nxt = state["Next"]
        if any(self.graph.choice_conflict(ref, name, nxt, False) for ref in refs):
            return []
        for ref in refs:
            self.graph.retarget(ref, nxt)
        self.source_map.pop(name, None)  # nothing of it runs any more
        self.graph.remove(name)
        return [nxt, *(r.source for r in refs if r.source)]

    def into_predecessors(self, name: str, state: dict[str, Any]) -> list[str]:
        refs = list(self.graph.preds[name])
        assign: dict[str, Any] = state["Assign"]
        nxt = state["Next"]
        if not refs or len(refs) > MAX_COPIES or reads_states(assign):
            return []
        plans = []
        for ref in refs:
            holder = self.graph.assign_holder(ref)
            if holder is None or ref.source == name:
                return []
            earlier = holder.get("Assign", {})
            if not _safe({k: v for k, v in earlier.items() if k in assign}, self.numbers):
                return []  # the Pass overwrites it: its expression would no longer be evaluated
            moved = _rebased(assign, earlier)
            if moved is None or (self.graph.handled(ref) and not _safe(moved, self.numbers)):
                return []
            if self.graph.choice_conflict(ref, name, nxt, True):
                return []
            plans.append((ref, holder, moved))
        lines = self._take_sources(name)
        for ref, holder, moved in plans:
            holder["Assign"] = {**holder.get("Assign", {}), **moved}
            self.graph.retarget(ref, nxt)
            self._add_sources(ref.source, lines, after=True)
        self.graph.remove(name)
        return [nxt, *(r.source for r in refs)]

    def into_successor(self, name: str, state: dict[str, Any]) -> list[str]:
        nxt = state["Next"]
        target = self.graph.states.get(nxt)
        assign: dict[str, Any] = state["Assign"]
        if target is None or len(self.graph.preds[nxt]) != 1:
            return []
        if target["Type"] == "Succeed":
            return self.into_result(name, state, nxt, target)
        if target["Type"] not in FORWARD_INTO:
            return []
        if reads_states(assign, allow_input=True) or "End" in target or _shares_default(target):
            return []
        order = _bindings(assign)
        # before a task, the assignments must not be able to fail: the task would run (and its retriers
        # and catchers apply) where the Pass had already failed
        if order is None or (target["Type"] == "Task" and not _safe(assign, self.numbers)):
            return []
        overwritten = {k for holder in _exits(target) for k in holder.get("Assign", {}) if k in assign}
        if not _safe({k: assign[k] for k in overwritten}, self.numbers):
            return []  # where the state assigns the same variable, the Pass's expression would be dropped
        rewritten = {key: value if key in ("Type", "Comment") else bind(value, order)
                     for key, value in target.items()}
        if too_long(rewritten):
            return []
        for holder in _exits(rewritten):
            holder["Assign"] = {**{k: v for k, v in assign.items() if k not in holder.get("Assign", {})},
                                **holder.get("Assign", {})}
        target.clear()
        target.update(rewritten)
        for ref in list(self.graph.preds[name]):
            self.graph.retarget(ref, nxt)
        self._add_sources(nxt, self._take_sources(name), after=False)
        self.graph.remove(name)
        return [nxt]

    def into_result(self, name: str, state: dict[str, Any], nxt: str, target: dict[str, Any]) -> list[str]:
        """A Pass right before the Succeed it alone enters: its assignments are never read again, so
        they become bindings of the Output (all of them, so that the same expressions run)."""
        output = target.get("Output")
        order = _bindings(state["Assign"])
        if not isinstance(output, str) or not is_jsonata(output) or order is None:
            return []
        texts = [text for value in state["Assign"].values() for text in strings(value)]
        if not all(never_undefined(text, self.numbers) for text in texts):
            return []  # an undefined value fails an Assign, but not a binding
        result = "{% " + bound(jsonata_body(output), order) + " %}"
        if too_long(result):
            return []
        target["Output"] = result
        for ref in list(self.graph.preds[name]):
            self.graph.retarget(ref, nxt)
        self._add_sources(nxt, self._take_sources(name), after=False)
        self.graph.remove(name)
        return [nxt]

    def succeed_into_predecessors(self, name: str, state: dict[str, Any]) -> list[str]:
        refs = list(self.graph.preds[name])
        if not refs or len(refs) > MAX_COPIES:
            return []
        output = state.get("Output")
        if output is not None and reads_states(output):
            return []
        plans = []
        for ref in refs:
            source = self.graph.states.get(ref.source)
            if ref.kind != "next" or source is None or source["Type"] not in ENDS:
                return []
            moved = None if output is None else _rebased({"": output}, source.get("Assign", {}), output=True)
            if output is not None and moved is None:
                return []
            if moved is not None and self.graph.handled(ref) and not _safe(moved, self.numbers):
                return []
            plans.append((ref, source, moved))
        lines = self._take_sources(name)
        for ref, source, moved in plans:
            del source["Next"]
            source["End"] = True
            if moved is not None:
                source["Output"] = moved[""]
            self.graph.preds[name].remove(ref)
            self._add_sources(ref.source, lines, after=True)
        self.graph.remove(name)
        return [r.source for r in refs]

    # --- bookkeeping -------------------------------------------------------------------------------
    def _take_sources(self, folded: str) -> list[dict[str, Any]]:
        return _parts(self.source_map.pop(folded, None))

    def _add_sources(self, into: str, theirs: list[dict[str, Any]], after: bool) -> None:
        entry = self.source_map.get(into)
        if entry is None or not theirs:
            return
        mine = _parts(entry)
        parts = [*mine, *theirs] if after else [*theirs, *mine]
        entry["line"] = min(p["line"] for p in parts)
        entry["end_line"] = max(p["end_line"] for p in parts)
        entry["what"] = "; ".join(p["what"] for p in parts)
        entry["sources"] = parts


def assignments(scope: dict[str, Any], found: dict[str, list[object]] | None = None) -> dict[str, list[object]]:
    """Every value each variable is assigned, in every scope of the machine."""
    found = {} if found is None else found
    for state in scope["States"].values():
        for holder in (state, *state.get("Choices", ()), *state.get("Catch", ())):
            for var, value in holder.get("Assign", {}).items():
                found.setdefault(var, []).append(value)
        for inner in (*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])):
            assignments(inner, found)
    return found


def _plain_pass(state: dict[str, Any]) -> bool:
    return state["Type"] == "Pass" and "Next" in state and not (set(state) - {"Type", "Comment", "Assign", "Next"})


def _rebased(assign: dict[str, Any], earlier: dict[str, Any], output: bool = False) -> dict[str, Any] | None:
    """`assign` as it must read when evaluated together with `earlier` (the same state's other
    assignments, which it would otherwise see the new values of): bound to their expressions.
    For an `output`, the bound expressions may not read what `earlier` assigns either: interpreters
    differ on whether a state's Output sees the values its own Assign sets (moto: new, AWS: old)."""
    needed = sorted(reads(assign) & set(earlier))
    if not needed:
        return dict(assign)
    bindings = {var: as_jsonata(earlier[var]) for var in needed}
    if any(expr is None for expr in bindings.values()):
        return None
    if output and any(_reads_any(str(expr), set(earlier)) for expr in bindings.values()):
        return None
    order = binding_order({v: e for v, e in bindings.items() if e is not None})
    if order is None:
        return None
    rebased = {var: bind(value, order) for var, value in assign.items()}
    return None if too_long(rebased) else rebased


def _reads_any(expr: str, names: set[str]) -> bool:
    """Whether `expr` may read one of `names` from outside itself (yes when it cannot be analysed)."""
    found = outer_reads(expr)
    return found is None or bool(found & names)


def _bindings(assign: dict[str, Any]) -> dict[str, str] | None:
    """All of a Pass's assignments as block bindings, in an order that keeps their meaning."""
    if reads_states(assign, allow_input=True):
        return None
    bindings = {var: as_jsonata(value) for var, value in assign.items()}
    if any(expr is None for expr in bindings.values()):
        return None
    return binding_order({v: e for v, e in bindings.items() if e is not None})


def _safe(assign: dict[str, Any], numbers: frozenset[str]) -> bool:
    """Every value is total and defined (plain JSON values are)."""
    return all(total_and_defined(text, numbers) for value in assign.values() for text in strings(value))


def _shares_default(state: dict[str, Any]) -> bool:
    return state["Type"] == "Choice" and any(r["Next"] == state.get("Default") for r in state["Choices"])


def _exits(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects whose Assign applies on each way out of a state (its own covers Next and Default)."""
    return [state, *state.get("Choices", ()), *state.get("Catch", ())]


def _parts(entry: dict[str, Any] | None) -> list[dict[str, Any]]:
    if entry is None:
        return []
    if "sources" in entry:
        return list(entry["sources"])
    return [{"line": entry["line"], "end_line": entry["end_line"], "what": entry["what"]}]


def _comment(scope: dict[str, Any], name: str, entry: dict[str, Any]) -> None:
    state = _find(scope, name)
    if state is None or "sources" not in entry:
        return
    state["Comment"] = "; ".join(f"{p['what']} ({_lines(p)})" for p in entry["sources"])


def _lines(part: dict[str, Any]) -> str:
    start, end = part["line"], part["end_line"]
    return f"line {start}" if end <= start else f"lines {start}-{end}"


def _find(scope: dict[str, Any], name: str) -> dict[str, Any] | None:
    states = scope["States"]
    if name in states:
        return states[name]  # type: ignore[no-any-return]
    for state in states.values():
        for inner in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            found = _find(inner, name)
            if found is not None:
                return found
    return None


__all__ = ["Folder", "Ref", "fold"]
