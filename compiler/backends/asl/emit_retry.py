"""Retry strategies of the durable SDK -> ASL `Retry`.

The SDK counts attempts including the first; ASL's MaxAttempts counts retries. Exponential strategies
map field by field; the error-type filter becomes ErrorEquals (type names, as the steps function
reports them). What ASL cannot express is reported (DUR823): message filters (retry decided on the
error text), linear back-off and HALF jitter (only the delays differ).

A step whose failures no `except` catches raises them itself, as the handler would fail with them
(`step_retry`, emit_try.escape): with the body's own type while the Retry retries it, then as StepError.
There the steps function also applies message filters: it raises StepError for what the strategy does
not retry, and the Retry retries every other error (`{"ErrorEquals": ["StepError"], "MaxAttempts": 0}`
first, then `States.ALL`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durable_compile.backends.asl.emit_support import Escape


def _short(written: str) -> str:
    """The class's own name (what Lambda reports for an exception the steps function does not rename)."""
    return written.rsplit(".", 1)[-1]


#: preset -> (attempts, initial delay, max delay, backoff rate, jitter)
PRESETS: dict[str, tuple[int, int, int, float, str]] = {
    "RetryPresets.none": (1, 5, 300, 2.0, "FULL"),
    "RetryPresets.default": (6, 5, 60, 2.0, "FULL"),
    "RetryPresets.transient": (3, 5, 300, 2.0, "HALF"),
    "RetryPresets.resource_availability": (5, 5, 300, 2.0, "FULL"),
    "RetryPresets.critical": (10, 1, 60, 1.5, "NONE"),
    "RetryPresets.linear": (6, 1, 300, 1.0, "LINEAR"),
}
DEFAULT = "RetryPresets.default"
#: what ASL assumes for a retrier field that is not written
ASL_DEFAULTS: dict[str, object] = {"IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0, "JitterStrategy": "NONE"}


def step_retry(settings: dict[str, Any], error: str | None, readable: Callable[[str], bool],
               names: Callable[[str], str] = _short) -> tuple[list[dict[str, Any]], list[str], Escape | None]:
    """(the Retry field, what could not be expressed, how uncaught failures leave the task) for a step whose
    uncaught failures leave the handler as `error` (None: an `except` catches them, so the task keeps the
    body's error types). The steps function applies message filters whose patterns are `readable` there
    (they read no handler local). `names` gives the error type the task reports for a class as written."""
    filters = _message_filters(settings, names) if error is not None else None
    decided = filters is not None and all(readable(p) for p in filters[0])
    retry, notes = retry_for(settings, decided, names)
    if error is None or not retry:
        return retry, notes, None if error is None else Escape(error)
    matched = retry[0]["ErrorEquals"]
    attempts = int(retry[0].get("MaxAttempts", 3)) + 1  # 3: ASL's default
    if filters is not None and decided:
        excluded = [{"ErrorEquals": [error], "MaxAttempts": 0}, *retry]
        return excluded, notes, Escape(error, attempts, tuple(filters[1]), tuple(filters[0]))
    if error in matched:  # the Retry would retry the error the task raises: a Catch raises it instead
        return retry, notes, None
    return retry, notes, Escape(error, attempts, None if matched == ["States.ALL"] else tuple(matched))


def retried_types(settings: dict[str, Any], names: Callable[[str], str],
                  readable: Callable[[str], bool]) -> tuple[int, tuple[tuple[str, str], ...]]:
    """(the attempts the strategy allows, (the ErrorEquals name, the class's Python or "None") of each of
    its `retryable_error_types`): while attempts remain, the steps function reports a failure that is an
    instance of one of the classes (a subclass too, as the SDK's isinstance test) under its name, so the
    Retry matches it even where the compiler's name differs from the recorded type (a re-exported class).
    A class the steps function cannot evaluate (it reads a handler local) is matched by name only."""
    strategy = settings.get("retry_strategy") if settings else None
    if not isinstance(strategy, dict) or strategy.get("type") != "create_retry_strategy" or not strategy.get("args"):
        return 1, ()
    config = strategy["args"][0]
    if not isinstance(config, dict) or int(config.get("max_attempts", 3)) <= 1:
        return 1, ()
    written = [_written(t) for t in config.get("retryable_error_types") or []]
    return int(config.get("max_attempts", 3)), tuple((names(w), w if readable(w) else "None") for w in written)


def _message_filters(settings: dict[str, Any], names: Callable[[str], str]) -> tuple[list[str], list[str]] | None:
    """(the Python of each message pattern, the error type names) of a strategy that filters messages."""
    strategy = settings.get("retry_strategy") if settings else None
    if not isinstance(strategy, dict) or strategy.get("type") != "create_retry_strategy" or not strategy.get("args"):
        return None
    config = strategy["args"][0]
    if not isinstance(config, dict) or not config.get("retryable_errors"):
        return None
    patterns = [p["expr"] if isinstance(p, dict) and "expr" in p else repr(p) for p in config["retryable_errors"]]
    return patterns, [names(_written(t)) for t in config.get("retryable_error_types") or []]


def retry_for(settings: dict[str, Any], by_message: bool = False,
              names: Callable[[str], str] = _short) -> tuple[list[dict[str, Any]], list[str]]:
    """(the Retry field, what could not be expressed) for an operation's evaluated config; `by_message`:
    the steps function applies the message filter, so the Retry matches every error; `names`: the error
    type the task reports for a class as written."""
    if settings and "expr" in settings and "type" not in settings:  # a config the compiler cannot read
        retrier, notes = retry_for({})
        return retrier, [f"the step config {settings['expr']!r} is not known when compiling; the default retry "
                         "strategy is assumed", *notes]
    strategy = settings.get("retry_strategy", {"type": DEFAULT}) if settings else {"type": DEFAULT}
    if not isinstance(strategy, dict) or "type" not in strategy:
        return [], [f"the retry strategy {strategy!r} is not a preset or create_retry_strategy(...)"]
    kind = strategy["type"]
    if kind == "RetryPresets.fixed":
        delay = _seconds((strategy.get("args") or [{"seconds": 5}])[0], 5)
        return _retrier(5, delay, delay, 1.0, "NONE", ["States.ALL"]), []
    if kind in PRESETS:
        attempts, initial, cap, rate, jitter = PRESETS[kind]
        return _retrier(attempts, initial, cap, rate, jitter, ["States.ALL"]), _timing_notes(jitter)
    if kind == "create_retry_strategy" and strategy.get("args"):
        return _configured(strategy["args"][0], by_message, names)
    return [], [f"the retry strategy {kind} has no ASL form; the step is not retried"]


def _configured(config: Any, by_message: bool, names: Callable[[str], str]) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(config, dict):
        return [], ["the RetryStrategyConfig is not written literally; the step is not retried"]
    notes: list[str] = []
    types = [names(_written(t)) for t in config.get("retryable_error_types") or []]
    if config.get("retryable_errors") and by_message:
        types = []
    elif config.get("retryable_errors"):
        notes.append("retryable_errors (matched on the error message) cannot be expressed in ASL; "
                     + ("only retryable_error_types are retried" if types else "every error is retried"))
    errors = types or ["States.ALL"]
    jitter = str(config.get("jitter_strategy", "JitterStrategy.FULL")).rsplit(".", 1)[-1]
    notes += _timing_notes(jitter)
    retrier = _retrier(int(config.get("max_attempts", 3)), _seconds(config.get("initial_delay"), 5),
                       _seconds(config.get("max_delay"), 300), float(config.get("backoff_rate", 2.0)), jitter, errors)
    return retrier, notes


def _retrier(attempts: int, initial: int, cap: int, rate: float, jitter: str,
             errors: list[str]) -> list[dict[str, Any]]:
    """One retrier; fields equal to ASL's defaults are left out, as a hand-written machine would."""
    if attempts <= 1:
        return []
    fields = {"ErrorEquals": errors, "IntervalSeconds": max(1, initial), "MaxAttempts": attempts - 1,
              "BackoffRate": max(1.0, rate), "MaxDelaySeconds": max(1, cap),
              "JitterStrategy": "NONE" if jitter in ("NONE", "LINEAR") else "FULL"}
    return [{k: v for k, v in fields.items() if k not in ASL_DEFAULTS or ASL_DEFAULTS[k] != v}]


def _timing_notes(jitter: str) -> list[str]:
    if jitter == "HALF":
        return ["HALF jitter has no ASL form; FULL jitter is used (only the delays differ)"]
    if jitter == "LINEAR":
        return ["linear back-off has no ASL form; a fixed interval is used (only the delays differ)"]
    return []


def _seconds(value: Any, default: int) -> int:
    if isinstance(value, dict) and isinstance(value.get("seconds"), int | float):
        return int(value["seconds"])
    return default


def _written(value: Any) -> str:
    """An error class of the config as written in the module."""
    return str(value.get("expr", "") if isinstance(value, dict) else value)
