"""Retry and wait strategies, presets and batch completion rules decide exactly as AWS's do
(hypothesis properties: same inputs and the same random seed give the same decision)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.runtime.runners import run_case, runner_class, summarize
from tests.runtime.sdk import AWS, OURS, namespace

aws = pytest.importorskip("aws_durable_execution_sdk_python.retries")
OUR_SDK, AWS_SDK = namespace(OURS), namespace(AWS)
PRESETS = ["none", "default", "transient", "resource_availability", "critical", "linear"]


def _decide(sdk: Any, make: Any, error: Exception, attempt: int, seed: int) -> tuple[bool, int]:
    random.seed(seed)
    decision = make(sdk)(error, attempt)
    return decision.should_retry, decision.delay_seconds


@given(st.sampled_from(PRESETS), st.integers(1, 12), st.integers(0, 2**32))
def test_presets_decide_like_awss(preset: str, attempt: int, seed: int) -> None:
    def make(sdk: Any) -> Any:
        return getattr(sdk.RetryPresets, preset)()

    error = RuntimeError("boom")
    assert _decide(OUR_SDK, make, error, attempt, seed) == _decide(AWS_SDK, make, error, attempt, seed)


@given(
    st.integers(1, 8),
    st.integers(1, 30),
    st.integers(1, 400),
    st.floats(1, 3),
    st.sampled_from(["NONE", "FULL", "HALF"]),
    st.integers(1, 9),
    st.integers(0, 2**32),
    st.sampled_from([None, ["boom"], ["nothing"]]),
)
def test_custom_retry_strategies_decide_like_awss(
    attempts: int, initial: int, cap: int, rate: float, jitter: str, attempt: int, seed: int, messages: Any
) -> None:
    def make(sdk: Any) -> Any:
        config = sdk.RetryStrategyConfig(
            max_attempts=attempts,
            initial_delay=sdk.Duration(initial),
            max_delay=sdk.Duration(cap),
            backoff_rate=rate,
            jitter_strategy=sdk.JitterStrategy(jitter),
            retryable_errors=messages,
        )
        return sdk.create_retry_strategy(config)

    error = ValueError("boom")
    assert _decide(OUR_SDK, make, error, attempt, seed) == _decide(AWS_SDK, make, error, attempt, seed)


@given(st.integers(0, 5), st.integers(1, 10), st.integers(1, 70), st.integers(0, 2**32))
def test_wait_strategies_decide_like_awss(state: int, limit: int, attempt: int, seed: int) -> None:
    def decide(sdk: Any) -> Any:
        strategy = sdk.create_wait_strategy(
            sdk.WaitStrategyConfig(should_continue_polling=lambda s: s < limit, initial_delay=sdk.Duration(2))
        )
        random.seed(seed)
        try:
            decision = strategy(state, attempt)
        except sdk.WaitForConditionError as error:
            return ("error", str(error))
        return (decision.should_continue, decision.delay_seconds)

    assert decide(OUR_SDK) == decide(AWS_SDK)


_outcomes = st.lists(st.booleans(), min_size=1, max_size=6)
_configs = st.fixed_dictionaries(
    {},
    optional={
        "min_successful": st.integers(1, 6),
        "tolerated_failure_count": st.integers(0, 3),
        "tolerated_failure_percentage": st.integers(0, 100),
    },
)


def _batch_handler(sdk: Any, outcomes: list[bool], config: dict[str, Any]) -> Any:
    def item(ctx: Any, ok: bool, index: int, items: list) -> int:
        if not ok:
            raise RuntimeError(f"item {index}")
        return index

    @sdk.durable_execution
    def handler(event: dict, context: Any) -> dict:
        completion = sdk.CompletionConfig(**config)
        batch = context.map(
            outcomes, item, name="m", config=sdk.MapConfig(max_concurrency=1, completion_config=completion)
        )
        return {
            "items": [(i.index, i.status.value) for i in batch.all],
            "reason": batch.completion_reason.value,
            "status": batch.status.value,
        }

    return handler


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_outcomes, _configs)
def test_completion_rules_end_batches_like_awss(outcomes: list[bool], config: dict[str, Any]) -> None:
    if config.get("min_successful", 0) > len(outcomes):
        config = {k: v for k, v in config.items() if k != "min_successful"}
    results = []
    for root, sdk in ((OURS, OUR_SDK), (AWS, AWS_SDK)):
        with runner_class(root)(handler=_batch_handler(sdk, outcomes, config), poll_interval=0.005) as runner:
            arn = runner.run_async(input=json.dumps({}), execution_timeout=60)
            result = runner.wait_for_result(arn, timeout=60)
            results.append(summarize(result, runner.get_execution_history(arn).events))
    assert results[0] == results[1]


def test_run_case_helper_is_deterministic_for_us() -> None:
    assert run_case(OURS, "parallel") == run_case(OURS, "parallel")
