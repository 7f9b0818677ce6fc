"""Verify: run a handler in perturbed worlds and find the first point where its runs disagree.

Takes the source, its generated module (guard off, so non-determinism shows as divergence instead of
an error) and an input. A baseline run records the operations and snapshots the store at every
suspension; then, for each of N worlds (another `PYTHONHASHSEED`, the clock shifted by days, a fresh
process), a fresh run and a replay from every suspension point of the baseline. Each trace is compared
with the baseline operation by operation (type, subtype, name, parent, status, checkpointed value) and
then on the outcome; the first difference is reported with the operation, its source line and both
values. Gives data (`Report`); printing is the CLI's job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DAY = 86400.0
KEYS = ("type", "sub_type", "name", "parent", "status", "value")


@dataclass(frozen=True)
class World:
    seed: int  #: PYTHONHASHSEED
    shift: float  #: seconds added to every clock read

    @property
    def label(self) -> str:
        return f"PYTHONHASHSEED={self.seed}, clock {self.shift / DAY:+g} days"


@dataclass(frozen=True)
class Divergence:
    world: str  #: the world of the run that disagreed
    start: str  #: "a fresh run" or "a replay from suspension point N"
    what: str  #: the operation (or "the outcome") and the field that differs
    line: int | None  #: the source line of the operation's durable call, when known
    expected: str  #: the baseline's value
    found: str  #: the diverging run's value


@dataclass
class Report:
    runs: int = 0  #: traces compared with the baseline
    suspensions: int = 0  #: suspension points of the baseline
    baseline: dict[str, Any] = field(default_factory=dict)  #: the baseline trace
    divergence: Divergence | None = None  #: the first difference found, if any


def worlds(count: int) -> list[World]:
    return [World(seed=index + 1, shift=index * 3 * DAY) for index in range(1, count + 1)]


def verify(module: Path, handler: str, payload: str, runs: int, work: Path | None = None) -> Report:
    """Baseline, then `runs` perturbed worlds, each a fresh run and a replay from every suspension."""
    folder = work or Path(tempfile.mkdtemp(prefix="durable-verify-"))
    snapshots = folder / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    request = {"module": str(module), "handler": handler, "input": payload}
    baseline = _run({**request, "snapshots_dir": str(snapshots)}, World(0, 0.0), folder / "baseline.db")
    report = Report(suspensions=len(baseline["snapshots"]), baseline=baseline)
    for number, world in enumerate(worlds(runs), start=1):
        starts: list[tuple[str, str | None]] = [("a fresh run", None)]
        starts += [(f"a replay from suspension point {i}", s) for i, s in enumerate(baseline["snapshots"], 1)]
        for index, (start, snapshot) in enumerate(starts):
            store = folder / f"world{number}-{index}.db"
            trace = _run({**request, "snapshot": snapshot}, world, store)
            report.runs += 1
            found = first_difference(baseline, trace)
            if found is not None:
                what, line, expected, actual = found
                report.divergence = Divergence(world.label, start, what, line, expected, actual)
                return report
    return report


def _run(request: dict[str, Any], world: World, store: Path) -> dict[str, Any]:
    request = {**request, "store": str(store), "shift": world.shift}
    path = store.with_suffix(".json")
    path.write_text(json.dumps(request))
    env = {**os.environ, "PYTHONHASHSEED": str(world.seed)}
    done = subprocess.run([sys.executable, "-m", "durable_compile.backends.python.world", str(path)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the run in world {world.label} crashed:\n{done.stderr.strip()}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def first_difference(baseline: dict[str, Any], trace: dict[str, Any]) -> tuple[str, int | None, str, str] | None:
    """(what, line, baseline value, other value) of the first difference, or None when they agree."""
    ours, theirs = baseline["operations"], trace["operations"]
    for index, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        for key in KEYS:
            if a[key] != b[key]:
                return f"operation {index} ({_describe(a)}): {key}", a["line"] or b["line"], _show(a[key]), \
                    _show(b[key])
    if len(ours) != len(theirs):
        extra = (ours + theirs)[min(len(ours), len(theirs))] if max(len(ours), len(theirs)) else {}
        return (f"operation {min(len(ours), len(theirs)) + 1}: one run has {len(ours)} operations, the other "
                f"{len(theirs)}", extra.get("line"), str(len(ours)), str(len(theirs)))
    for key in ("status", "result", "error"):
        if baseline[key] != trace[key]:
            return f"the outcome: {key}", None, _show(baseline[key]), _show(trace[key])
    return None


def _describe(op: dict[str, Any]) -> str:
    name = f" {op['name']!r}" if op["name"] else ""
    return f"{op['type'].lower()}{name}, id {op['id'][:12]}"


def _show(value: Any) -> str:
    return "none" if value is None else json.dumps(value) if not isinstance(value, str) else value
