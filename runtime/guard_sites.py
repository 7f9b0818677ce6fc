"""The guard's side of a generated module: `Instrumentation` (`_dc`) and its tagged durable calls (`Site`).

`@_dc.orchestration` runs a handler watched; `_dc.at(LINE, ctx).step(...)` runs one durable call unwatched
with its source location set (and watches the orchestration callables it hands over: child-context
functions, map item functions, parallel branches); `_dc.map_lines(...)` records the generated -> source
line map that violations are reported through. Watching stops while completed history replays (that
code ran watched when it first ran live) and starts again at the first live operation.
Import `durable_runtime.guard` (which loads this module at its end), not this module directly.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from durable_runtime.guard import (
    _REGISTRY,
    ORCHESTRATION_ARGS,
    _checked,
    _enter,
    _getprofile,
    _profile,
    _replaying,
    _restore,
    _setprofile,
    _state,
    switches_off,
)

F = TypeVar("F", bound=Callable[..., Any])


class Instrumentation:
    """The guard set-up of one generated module."""

    def __init__(self, module: str, source: str, mode: str = "strict") -> None:
        self.module, self.source, self.mode = module, source, _checked(mode)
        self._starts: list[int] = []
        self._runs: list[tuple[int, int, int]] = []
        _REGISTRY[module] = self
        #: `_dc.at(LINE, ctx)`: the durable call on `ctx` written at LINE of the source (a `Site`).
        self.at: Callable[[int, Any], Site] = functools.partial(Site, _run_site, self)

    def map_lines(self, *runs: tuple[int, int, int]) -> None:
        """Record the source map: runs of (first generated line, first source line, count)."""
        self._runs = sorted(runs)
        self._starts = [r[0] for r in self._runs]

    def original_line(self, generated: int) -> int:
        """The source line a generated line came from (0 when it was generated only)."""
        index = bisect.bisect_right(self._starts, generated) - 1
        if index < 0:
            return 0
        first, source, count = self._runs[index]
        return source + min(generated - first, count - 1)

    def orchestration(self, fn: F) -> F:
        """Run `fn` as orchestration code: watched by the guard in this module's mode."""
        mode = self.mode

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            saved, hook = _enter(mode, sys._getframe(), _replaying(args))
            _setprofile(hook)  # last: from here on only the orchestration's own calls raise events
            try:
                return fn(*args, **kwargs)
            finally:
                _restore(saved)

        return run  # type: ignore[return-value]


class Site(functools.partial[Any]):
    """One tagged durable call, `_dc.at(LINE, ctx)`: `_run_site` applied to (instrumentation, LINE, ctx), so
    that `.step(...)` and the other operation methods run `self("step", args, kwargs)`.

    A partial because partials are built in C: making a Site raises no profile event, where a class with
    an `__init__` (and an `at` method) would run the guard's hook four times for every durable call.
    """

    __slots__ = ()


def _run_site(
    inst: Instrumentation, line: int, target: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Run `target.<method>(*args, **kwargs)` unwatched, with the source location set around it."""
    if _getprofile() is _profile:
        _setprofile(None)
    state = _state
    active, location = state.active, state.location
    state.active, state.location = False, (inst.source, line)
    try:
        if method in ORCHESTRATION_ARGS:
            args, kwargs = _wrap_callables(inst, method, args, kwargs)
        return getattr(target, method)(*args, **kwargs)
    finally:
        state.active, state.location = active, location


def _site_method(method: str) -> Callable[..., Any]:
    """`Site.<method>`: the durable call; the guard's hook switches itself off as this frame starts (see
    `switches_off` below) and is switched on again on the way out, unless the context is replaying."""

    def call(self: Site, *args: Any, **kwargs: Any) -> Any:
        if not _state.active:  # not watching: guard off, or called outside orchestration code
            return self(method, args, kwargs)
        try:
            return self(method, args, kwargs)
        finally:  # watch again, unless the context still replays completed history
            if getattr(self.args[2], "_replaying", False) is not True:
                _setprofile(_profile)

    call.__name__ = call.__qualname__ = method
    return call


for _method in ("step", "wait", "create_callback", "wait_for_callback", "wait_for_condition", "parallel", "map",
                "invoke", "run_in_child_context", "result"):
    setattr(Site, _method, _site_method(_method))
    switches_off(getattr(Site, _method))


def _wrap_callables(
    inst: Instrumentation, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Watch the orchestration callables handed to a child context, a map or a parallel."""
    position, keyword = ORCHESTRATION_ARGS[method]
    wrap = _branches if method == "parallel" else _watched
    if len(args) > position:
        args = (*args[:position], wrap(inst, args[position]), *args[position + 1 :])
    elif keyword in kwargs:
        kwargs = {**kwargs, keyword: wrap(inst, kwargs[keyword])}
    return args, kwargs


def _watched(inst: Instrumentation, fn: Any) -> Any:
    if not callable(fn):
        return fn
    func = getattr(fn, "func", None)
    if callable(func) and hasattr(fn, "name") and dataclasses.is_dataclass(fn):  # a ParallelBranch
        return dataclasses.replace(fn, func=inst.orchestration(func))  # type: ignore[type-var]
    return inst.orchestration(fn)


def _branches(inst: Instrumentation, functions: Any) -> Any:
    try:
        return [_watched(inst, f) for f in functions]
    except TypeError:
        return functions
