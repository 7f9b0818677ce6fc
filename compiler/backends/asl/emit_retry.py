"""Retry strategies of the durable SDK -> ASL `Retry`.

The SDK counts attempts including the first; ASL's MaxAttempts counts retries. Exponential strategies
map field by field; the error-type filter becomes ErrorEquals (type names, as the steps function
reports them). What ASL cannot express is reported (DUR823): message filters (retry decided on the
error text), linear back-off and HALF jitter (only the delays differ).
"""

from __future__ import annotations

from typing import Any

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


def retry_for(settings: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """(the Retry field, what could not be expressed) for an operation's evaluated config."""
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
        return _configured(strategy["args"][0])
    return [], [f"the retry strategy {kind} has no ASL form; the step is not retried"]


def _configured(config: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(config, dict):
        return [], ["the RetryStrategyConfig is not written literally; the step is not retried"]
    notes: list[str] = []
    types = [_name(t) for t in config.get("retryable_error_types") or []]
    if config.get("retryable_errors"):
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


def _name(value: Any) -> str:
    text = value.get("expr", "") if isinstance(value, dict) else str(value)
    return str(text).rsplit(".", 1)[-1]
