"""The replay-aware logger: records made while the context replays completed work are dropped.

Each record names the line that logged it in the original source (`record.sourceLocation`, `file:line`,
through the line map of a generated module), and its `pathname`/`lineno` are the caller's, not this
module's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from durable_runtime.sources import caller, show

_USER_LOGGER = logging.getLogger("durable_runtime.user")
SOURCE_FIELD = "sourceLocation"  #: the record attribute naming `file:line` of the logging call
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR,
           "exception": logging.ERROR}


class Logger:
    """Wraps a standard logger; adds execution/operation fields as `extra`; silent while replaying."""

    def __init__(
        self, logger: Any, extra: Mapping[str, object], is_replaying: Callable[[], bool] = lambda: False
    ) -> None:
        self._logger = logger
        self._extra = dict(extra)
        self._is_replaying = is_replaying

    @classmethod
    def create(cls, extra: Mapping[str, object], is_replaying: Callable[[], bool]) -> Logger:
        return cls(_USER_LOGGER, extra, is_replaying)

    def derive(self, extra: Mapping[str, object], is_replaying: Callable[[], bool]) -> Logger:
        """More fields and another replay source, in one step (child contexts)."""
        return Logger(self._logger, {**self._extra, **extra}, is_replaying)

    def with_extra(self, extra: Mapping[str, object]) -> Logger:
        return Logger(self._logger, {**self._extra, **extra}, self._is_replaying)

    def with_is_replaying(self, is_replaying: Callable[[], bool]) -> Logger:
        return Logger(self._logger, self._extra, is_replaying)

    def _emit(self, level: str, msg: object, args: tuple[object, ...], extra: Mapping[str, object] | None) -> None:
        if self._is_replaying():
            return
        target = self._logger
        standard = isinstance(target, logging.Logger)
        if standard and not target.isEnabledFor(_LEVELS[level]):
            return  # dropped anyway: do not look for the caller
        merged = {**self._extra, **(extra or {})}
        location = caller()  # the logging call, in the original source
        if location is not None:
            merged.setdefault(SOURCE_FIELD, show(location))
        if standard:  # the record's own pathname/lineno: the caller, not this module
            getattr(target, level)(msg, *args, extra=merged, stacklevel=3)
        else:
            getattr(target, level)(msg, *args, extra=merged)

    def debug(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        self._emit("debug", msg, args, extra)

    def info(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        self._emit("info", msg, args, extra)

    def warning(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        self._emit("warning", msg, args, extra)

    def error(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        self._emit("error", msg, args, extra)

    def exception(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None:
        self._emit("exception", msg, args, extra)
