"""The machine's start: the event's assignment and the locals that start as null.

Takes the emitter's states once the handler's body is emitted; `fold_input` puts the event's assignment
into the first state when that is a Pass nothing jumps back to (one state less), `initialize_unassigned`
assigns null, in the first state, to each variable that some path reads before any assignment (reported
as DUR826 where it is a handler local: unbound_reads.py).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import unbound_reads
from durable_compile.backends.asl.module_facts import _targets
from durable_compile.backends.asl.variables import check_variables

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter


def fold_input(states: dict[str, dict[str, Any]], entry: str, param: str) -> bool:
    """Assign the event in the first state itself when it is a Pass (its Assign always applies) that
    nothing jumps back to: there `$states.input` is the execution input, so its own expressions read
    that instead of the not yet assigned variable."""
    state = states.get(entry)
    if state is None or state["Type"] != "Pass" or any(entry in _targets(other) for other in states.values()):
        return False
    pattern = re.compile(r"\$" + re.escape(param) + r"(?![A-Za-z0-9_])")
    rewritten = json.loads(pattern.sub(lambda m: "$states.input", json.dumps(state)))
    rewritten.setdefault("Assign", {})[param] = "{% $states.input %}"
    states[entry] = rewritten
    return True


def initialize_unassigned(em: Emitter, start: str) -> None:
    """Python allows reading a local that only some paths assign (when the others never read it);
    ASL needs it assigned on every path, so such variables start as null."""
    problems = [p for p in check_variables(em.out.definition) if p.code == "DUR811"]
    unbound_reads.report(em, problems)
    missing = sorted({p.message.split()[0][1:] for p in problems})
    if missing:
        assign = em.states[start].setdefault("Assign", {})
        assign.update({var: None for var in missing if var not in assign})
