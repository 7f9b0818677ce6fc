"""Locals the state machine may read before the handler binds them (DUR826, a warning).

Python raises UnboundLocalError when a path reads a local no earlier statement on it bound (`if c: x =
step()` then `return x` when `c` is false). A workflow variable has no unbound state: the emitter starts
every variable that some path reads before assigning as null (ASL requires it assigned), so the machine
reads null where the handler fails. The variables check finds those reads (DUR811 on the definition
before the nulls are added); each one of a handler local is reported at the source line of the state that
reads it. The same flow may be one Python never takes (a second `if c:` around the read): that is why it
is a warning, as type checkers report "possibly unbound".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from durable_compile.backends.asl.emit_support import jsonata_name
from durable_compile.backends.asl.problems import AslProblem
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

#: `$var is read in state 'Name' but ...` (variables.py's DUR811 message)
READ = re.compile(r"^\$(?P<var>\S+) is read in state (?P<state>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


def report(em: Emitter, problems: Iterable[AslProblem]) -> None:
    """A DUR826 warning per handler local and reading state, at the state's first source line."""
    locals_ = {jsonata_name(name): name for name in em.locals if not name.startswith("_")}
    seen: set[tuple[str, int]] = set()
    for problem in problems:
        found = READ.match(problem.message)
        if found is None or found["var"] not in locals_:
            continue
        where = em.out.source_map.get(found["state"][1:-1])
        if where is None or (found["var"], where["line"]) in seen:
            continue
        seen.add((found["var"], where["line"]))
        name = locals_[found["var"]]
        em.report("DUR826", Span(where["line"], 1, where["end_line"], 1),
                  f"{name!r} may be read here before the handler binds it: the state machine reads null "
                  "where Python raises UnboundLocalError")
