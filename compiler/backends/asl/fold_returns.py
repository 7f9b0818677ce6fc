"""Fold, last rule of a scope: the Succeed states of one scope become a single one.

Takes a scope's graph after the other fold rules (a Succeed that only states able to end the execution
enter is gone already: those states end with its Output); gives the scope with every remaining
Succeed that has an `Output` and one way in replaced by one shared Succeed whose Output reads a
variable, which each way in assigns the Output it had (a Choice rule or Default, a Pass, a Task...).

Guards: the Output is evaluated on the transition with the values it read in the Succeed (bound to
the expressions the same transition assigns, as fold.py's Pass rule does), so it must read no
`$states` field. Where it may fail (an undefined value fails an Assign as it fails an Output: both are
a States.QueryEvaluationError), it fails there as in the Succeed, uncaught: the transition is a Choice's,
a Pass's, or a call's whose catchers do not match the failure (its retriers are shielded from it,
fold_guards.shield); never a catcher's or a Wait's. A Choice never gets a Default and a rule that both
enter the shared state (moto applies the state's own Assign then, see fold_graph.choice_conflict).
The shared state's name and variable are used nowhere else in the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from durable_compile.backends.asl.fold_graph import Graph, Ref, reads_states, rebased
from durable_compile.backends.asl.fold_guards import Facts, may_fail_leaving, safe, shield
from durable_compile.backends.asl.fold_sources import Sources

#: transitions whose Assign a may-fail Output may join (a call's also, when no catcher matches)
MAY_FAIL_ON = frozenset({"rule", "default"})
CALLS = frozenset({"Task", "Map", "Parallel"})


@dataclass
class Names:
    """The state and variable names the machine uses (in every scope), to make new ones from."""

    states: set[str] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)

    def new_state(self, base: str) -> str:
        return self._new(base, self.states, "-")

    def new_variable(self, base: str) -> str:
        return self._new(base, self.variables, "")

    @staticmethod
    def _new(base: str, taken: set[str], sep: str) -> str:
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{sep}{n}"
        taken.add(name)
        return name


@dataclass(frozen=True)
class _Way:
    ref: Ref
    holder: dict[str, Any]  #: the object whose Assign takes effect on the transition
    value: object  #: the Output, rebased on what the same transition assigns


def merge_returns(graph: Graph, sources: Sources, names: Names, facts: Facts) -> None:
    """Replace the scope's Succeed states that qualify by one, when there are at least two."""
    ways = {name: way for name in _succeeds(graph) if (way := _way_in(graph, name, facts)) is not None}
    ways = _without_shared_defaults(graph, ways)
    if len(ways) < 2:
        return
    file = sources.map.get(next(iter(ways)), {}).get("file")
    parts = [part for name in ways for part in sources.take(name)]
    returns = all(part["what"].startswith("return") for part in parts)
    shared = names.new_state("Return" if returns else "Succeed")
    var = names.new_variable("_return" if returns else "_output")
    graph.states[shared] = {"Type": "Succeed", "Comment": "return", "Output": "{% $" + var + " %}"}
    graph.preds[shared] = []
    for name, way in ways.items():
        _shield(graph, way)
        way.holder["Assign"] = {**way.holder.get("Assign", {}), var: way.value}
        graph.retarget(way.ref, shared)
        graph.remove(name)
    if file is not None:
        sources.new(shared, file, parts)


def _succeeds(graph: Graph) -> list[str]:
    return [name for name, state in graph.states.items()
            if state["Type"] == "Succeed" and "Output" in state and not reads_states(state["Output"])]


def _way_in(graph: Graph, name: str, facts: Facts) -> _Way | None:
    """The one transition into Succeed `name`, when its Output may be assigned there."""
    refs = graph.preds[name]
    if len(refs) != 1 or refs[0].source == "":
        return None
    ref = refs[0]
    holder = graph.assign_holder(ref)
    output = graph.states[name]["Output"]
    if holder is None:
        return None
    moved = rebased({"": output}, holder.get("Assign", {}))
    if moved is None or not _may_fail_there(graph, ref, moved, facts):
        return None
    return _Way(ref, holder, moved[""])


def _may_fail_there(graph: Graph, ref: Ref, moved: dict[str, Any], facts: Facts) -> bool:
    if safe(moved, facts) or ref.kind in MAY_FAIL_ON:
        return True
    source = graph.states[ref.source]
    return ref.kind == "next" and (source["Type"] == "Pass" or
                                   (source["Type"] in CALLS and may_fail_leaving(source)))


def _shield(graph: Graph, way: _Way) -> None:
    if way.ref.kind == "next" and graph.states[way.ref.source]["Type"] in CALLS:
        shield(graph.states[way.ref.source])


def _without_shared_defaults(graph: Graph, ways: dict[str, _Way]) -> dict[str, _Way]:
    """Drop the Succeed a Choice's Default enters where a rule of the same Choice enters another one."""
    by_rule = {way.ref.source for way in ways.values() if way.ref.kind == "rule"}
    return {name: way for name, way in ways.items() if not (way.ref.kind == "default" and way.ref.source in by_rule)}
