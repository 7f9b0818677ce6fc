"""Fold: fewer, fuller states. Runs on a finished state machine, before validation.

Takes a definition and its source map (both edited in place); gives the same machine with plain
statements folded into the `Assign`/`Output` of neighbouring states. Every scope is simplified on its
own (Parallel branches and Map processors recursively), so any state type passes through. Rules:

- empty Pass: a Pass with nothing to assign disappears; whatever entered it goes to its Next.
- Pass into its predecessors: a Pass's `Assign` joins the `Assign` of every transition that enters it
  (a state's own on its Next, a Choice rule's, a Choice's Default, a catcher's). ASL evaluates all of
  a state's Assign expressions with the values from before the state, so where the Pass reads a
  variable that transition assigns, it reads the assigned expression instead (a JSONata block binds it,
  or fold_graph.bound writes a variable or `$states` field in place).
- Pass into its successor: a Pass that is the only way into a Choice, Pass, Wait, Task, Parallel or Map
  gives that state its assignments on every way out, and the state's own expressions bind the new
  values (a Pass passes its input on, so `$states.input` reads the same there). A Parallel whose
  branches read the Pass's variables takes its safe assignments when they read them in their first
  states only (bound there too: nothing runs in between, and a branch's input is the Parallel's).
- Succeed into its predecessors: `End` plus the Succeed's `Output` on the states that go there.

Guards (fold_guards.py): the same expressions are evaluated, once per path, with the same variable
values, under the same retriers and catchers. An expression that may fail or come out undefined
(totality.py) moves only where it fails at the same point with the same error: never after a call
whose retrier or catcher matches that failure, and into a call only when the call evaluates it first,
in its `Arguments` (`Items`), and does not catch it. Nothing that reads `$states` moves to a state where
`$states` means something else; no volatile function ($random, $now...) is duplicated; a Parallel's
branches or a Map's iterations never read a variable assigned only as the state leaves. Comments and
the source map keep every source line of every folded state (fold_sources.py).
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from durable_compile.backends.asl.branch_outcome import first_state, index_reads
from durable_compile.backends.asl.fold_graph import (
    Graph,
    Ref,
    as_jsonata,
    bind,
    binding_order,
    bound,
    reads,
    reads_states,
    rebased,
    strings,
    too_long,
)
from durable_compile.backends.asl.fold_guards import (
    Facts,
    forward_into_call,
    may_fail_leaving,
    safe,
    scope_inputs,
    shield,
)
from durable_compile.backends.asl.fold_returns import Names, merge_returns
from durable_compile.backends.asl.fold_sources import SourceMap, Sources
from durable_compile.backends.asl.totality import never_undefined, numeric_variables
from durable_compile.backends.asl.walk import is_jsonata, jsonata_body

#: a Pass entered from more places than this is left alone (its expressions would be copied to each)
MAX_COPIES = 4
#: states a Pass may fold forward into
FORWARD_INTO = frozenset({"Choice", "Pass", "Wait", "Task", "Parallel", "Map"})
#: of those, the ones that call a function or run branches (fold_guards.forward_into_call)
CALLS = frozenset({"Task", "Parallel", "Map"})
#: states that may end the execution with an Output of their own
ENDS = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})
START = Ref("", "start")
#: the variables the lowering makes up for values it hoists out of an expression (ir/lower/env.py)
TEMPORARY = re.compile(r"_dc_t\d+")


def fold(definition: dict[str, Any], source_map: SourceMap) -> None:
    """Simplify every scope of `definition`; merge the source map entries of folded states."""
    sources = Sources(source_map)
    values = assignments(definition)
    names = Names(set(source_map) | set(state_names(definition)), set(values))
    numbers = numeric_variables(values)
    _fold_scope(definition, sources, names, Facts(numbers))
    drop_dead_temporaries(definition, Facts(numbers))
    sources.comment(definition)


def _fold_scope(scope: dict[str, Any], sources: Sources, names: Names, facts: Facts) -> None:
    """Inner scopes first (their input fields known from the state that runs them), then this one."""
    graph = Graph(scope)
    for name, state in scope["States"].items():
        inner = Facts(facts.numbers, scope_inputs(state, facts.inputs, graph.preds[name] == [START]))
        for branch in state.get("Branches", ()):
            _fold_scope(branch, sources, names, inner)
        if "ItemProcessor" in state:
            _fold_scope(state["ItemProcessor"], sources, names, inner)
    Folder(graph, sources, facts).run()
    merge_returns(graph, sources, names, Facts(facts.numbers))


class Folder:
    def __init__(self, graph: Graph, sources: Sources, facts: Facts) -> None:
        self.graph = graph
        self.sources = sources
        self.facts = Facts(facts.numbers)  #: what holds anywhere in the scope
        self.start_facts = facts  #: what holds in the scope's first state (its input's known fields)

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

    def facts_at(self, name: str) -> Facts:
        """The facts for the expressions of state `name`: the input's fields are known in the scope's
        first state only (and only when nothing jumps back to it)."""
        return self.start_facts if self.graph.preds[name] == [START] else self.facts

    def may_leave(self, ref: Ref, moved: dict[str, Any]) -> bool:
        """Whether `moved` may be evaluated on transition `ref`: it cannot fail, or no catcher of the
        state it leaves would catch its failure (retriers are shielded from it as it moves there)."""
        return not self.graph.handled(ref) or safe(moved, self.facts) or may_fail_leaving(self.graph.states[ref.source])

    def shield(self, ref: Ref, moved: dict[str, Any]) -> None:
        if self.graph.handled(ref) and not safe(moved, self.facts):
            shield(self.graph.states[ref.source])

    # --- rules -------------------------------------------------------------------------------------
    def drop_empty(self, name: str, state: dict[str, Any]) -> list[str]:
        refs = list(self.graph.preds[name])
        nxt = state["Next"]
        if any(self.graph.choice_conflict(ref, name, nxt, False) for ref in refs):
            return []
        for ref in refs:
            self.graph.retarget(ref, nxt)
        self.sources.take(name)  # nothing of it runs any more
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
            if not safe({k: v for k, v in earlier.items() if k in assign}, self.facts):
                return []  # the Pass overwrites it: its expression would no longer be evaluated
            moved = rebased(assign, earlier)
            if moved is None or not self.may_leave(ref, moved):
                return []
            if self.graph.choice_conflict(ref, name, nxt, True):
                return []
            plans.append((ref, holder, moved))
        lines = self.sources.take(name)
        for ref, holder, moved in plans:
            self.shield(ref, moved)
            holder["Assign"] = {**holder.get("Assign", {}), **moved}
            self.graph.retarget(ref, nxt)
            self.sources.add(ref.source, lines, after=True)
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
        if target["Type"] not in FORWARD_INTO or "End" in target or _shares_default(target):
            return []
        order = _bindings(assign)
        if order is None or not self.may_precede(name, assign, target):
            return []
        rewritten = {key: value if key in ("Type", "Comment") else bind(value, order)
                     for key, value in target.items()}
        if too_long(rewritten, target):
            return []
        for holder in _exits(rewritten):
            holder["Assign"] = {**{k: v for k, v in assign.items() if k not in holder.get("Assign", {})},
                                **holder.get("Assign", {})}
        target.clear()
        target.update(rewritten)
        if target["Type"] in CALLS and not safe(assign, self.facts_at(name)):
            shield(target)  # its Arguments (Items) now fail as the Pass did: at once, never retried
        for ref in list(self.graph.preds[name]):
            self.graph.retarget(ref, nxt)
        self.sources.add(nxt, self.sources.take(name), after=False)
        self.graph.remove(name)
        return [nxt]

    def may_precede(self, name: str, assign: dict[str, Any], target: dict[str, Any]) -> bool:
        """Whether `target` may evaluate the Pass `name`'s assignments as it leaves (and bind them in its
        own expressions). A state that calls nothing evaluates its expressions before it leaves; where
        it assigns the same variable itself, the Pass's expression would not be evaluated: it must be
        one whose evaluation nobody could notice."""
        facts = self.facts_at(name)
        if reads(target.get("Output")) & set(assign):
            return False  # interpreters differ on the values an Output reads (see _rebased)
        if target["Type"] in CALLS:
            return forward_into_call(target, assign, facts)
        overwritten = {k: assign[k] for holder in _exits(target) for k in holder.get("Assign", {}) if k in assign}
        return safe(overwritten, facts)

    def into_result(self, name: str, state: dict[str, Any], nxt: str, target: dict[str, Any]) -> list[str]:
        """A Pass right before the Succeed it alone enters: its assignments are never read again, so
        they become bindings of the Output (all of them, so that the same expressions run)."""
        output = target.get("Output")
        order = _bindings(state["Assign"])
        if not isinstance(output, str) or not is_jsonata(output) or order is None:
            return []
        texts = [text for value in state["Assign"].values() for text in strings(value)]
        if not all(never_undefined(text, self.facts.numbers) for text in texts):
            return []  # an undefined value fails an Assign, but not a binding
        result = "{% " + bound(jsonata_body(output), order) + " %}"
        if too_long(result):
            return []
        target["Output"] = result
        for ref in list(self.graph.preds[name]):
            self.graph.retarget(ref, nxt)
        self.sources.add(nxt, self.sources.take(name), after=False)
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
            moved = None if output is None else rebased({"": output}, source.get("Assign", {}), output=True)
            if output is not None and moved is None:
                return []
            if moved is not None and not self.may_leave(ref, moved):
                return []
            plans.append((ref, source, moved))
        lines = self.sources.take(name)
        for ref, source, moved in plans:
            if moved is not None:
                self.shield(ref, moved)
            del source["Next"]
            source["End"] = True
            if moved is not None:
                source["Output"] = moved[""]
            self.graph.preds[name].remove(ref)
            self.sources.add(ref.source, lines, after=True)
        self.graph.remove(name)
        return [r.source for r in refs]


def drop_dead_temporaries(definition: dict[str, Any], facts: Facts) -> None:
    """Assignments of the lowering's temporaries that nothing reads any more (the folds bound every read
    to the expression), where their evaluation cannot fail: nobody could notice they are gone."""
    while True:
        read = reads(definition)
        dead = [(holder, var) for holder in _holders(definition) for var, value in holder.get("Assign", {}).items()
                if TEMPORARY.fullmatch(var) and var not in read and safe({var: value}, facts)]
        if not dead:
            return
        for holder, var in dead:
            del holder["Assign"][var]
            if not holder["Assign"]:
                del holder["Assign"]


def _holders(scope: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object with an Assign of its own, in every scope."""
    found: list[dict[str, Any]] = []
    for state in scope["States"].values():
        found += _exits(state)
        for inner in (*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])):
            found += _holders(inner)
    return found


def assignments(scope: dict[str, Any], found: dict[str, list[object]] | None = None,
                indexes: frozenset[str] = frozenset()) -> dict[str, list[object]]:
    """Every value each variable is assigned, in every scope of the machine; a Map iteration's index
    read in the first state of its processor (`indexes`, branch_outcome.index_reads) counts as 0."""
    found = {} if found is None else found
    first = first_state(scope) if indexes else None
    for name, state in scope["States"].items():
        for holder in (state, *state.get("Choices", ()), *state.get("Catch", ())):
            for var, value in holder.get("Assign", {}).items():
                found.setdefault(var, []).append(0 if name == first and value in indexes else value)
        for inner in state.get("Branches", ()):
            assignments(inner, found)
        if "ItemProcessor" in state:
            assignments(state["ItemProcessor"], found, index_reads(state))
    return found


def state_names(scope: dict[str, Any]) -> list[str]:
    """The names of the states of every scope of the machine."""
    found = list(scope["States"])
    for state in scope["States"].values():
        for inner in (*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])):
            found += state_names(inner)
    return found


def _plain_pass(state: dict[str, Any]) -> bool:
    return state["Type"] == "Pass" and "Next" in state and not (set(state) - {"Type", "Comment", "Assign", "Next"})


def _bindings(assign: dict[str, Any]) -> dict[str, str] | None:
    """All of a Pass's assignments as block bindings, in an order that keeps their meaning."""
    if reads_states(assign, allow_input=True):
        return None
    bindings = {var: as_jsonata(value) for var, value in assign.items()}
    if any(expr is None for expr in bindings.values()):
        return None
    return binding_order({v: e for v, e in bindings.items() if e is not None})


def _shares_default(state: dict[str, Any]) -> bool:
    return state["Type"] == "Choice" and any(r["Next"] == state.get("Default") for r in state["Choices"])


def _exits(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects whose Assign applies on each way out of a state (its own covers Next and Default)."""
    return [state, *state.get("Choices", ()), *state.get("Catch", ())]


__all__ = ["Folder", "Ref", "fold"]
