"""Argument binders: call the decorated function with its other arguments to get what an operation takes.

The bound callable carries `_original_name`, the only source of automatic operation names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from durable_runtime.config import ParallelBranch

if TYPE_CHECKING:
    from durable_runtime.context import DurableContext
    from durable_runtime.types import StepContext, WaitForCallbackContext

T = TypeVar("T")


def _bind(func: Callable[..., Any]) -> Callable[..., Callable[..., Any]]:
    def binder(*args: Any, **kwargs: Any) -> Callable[..., Any]:
        def bound(first: Any, *rest: Any) -> Any:
            return func(first, *rest, *args, **kwargs)

        bound._original_name = func.__name__  # type: ignore[attr-defined]
        return bound

    binder.__name__ = getattr(func, "__name__", "bound")
    binder.__doc__ = func.__doc__
    return binder


def durable_step(func: Callable[..., T]) -> Callable[..., Callable[[StepContext], T]]:
    """`fn(step_ctx, *args)` -> `fn(*args)` gives the callable `context.step` takes."""
    return _bind(func)


def durable_with_child_context(func: Callable[..., T]) -> Callable[..., Callable[[DurableContext], T]]:
    """`fn(child_ctx, *args)` -> `fn(*args)` gives the callable `run_in_child_context` takes."""
    return _bind(func)


def durable_wait_for_callback(
    func: Callable[..., T],
) -> Callable[..., Callable[[str, WaitForCallbackContext], T]]:
    """`fn(callback_id, ctx, *args)` -> `fn(*args)` gives the submitter `wait_for_callback` takes."""
    return _bind(func)


def durable_parallel_branch(
    name: str | None = None,
) -> Callable[[Callable[..., T]], Callable[..., ParallelBranch[T]]]:
    """`@durable_parallel_branch(name=...)`: calling the function with its arguments gives a named branch."""

    def decorator(func: Callable[..., T]) -> Callable[..., ParallelBranch[T]]:
        def binder(*args: Any, **kwargs: Any) -> ParallelBranch[T]:
            return ParallelBranch(func=lambda ctx: func(ctx, *args, **kwargs), name=name)

        return binder

    return decorator
