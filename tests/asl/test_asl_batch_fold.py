"""The JSONata BatchResult (batch.py) against the runtime's own completion policy and BatchResult.

Hypothesis draws branch outcomes (successes with any JSON result, failures) and a completion config;
the fold, evaluated by jsonata-python, must give the `BatchResult.to_dict()` that the runtime's
`CompletionPolicy` and `BatchResult` give when branches finish in index order, and every translated read
(`get_results()`, counts, `status.value`, `completion_reason.value`, ...) must equal the runtime's.
"""

from __future__ import annotations

import ast
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata import Jsonata

from durable_compile.backends.asl import batch
from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import Typed
from durable_runtime.concurrency.models import BatchItem, BatchResult, CompletionPolicy
from durable_runtime.config import BatchItemStatus, CompletionConfig
from durable_runtime.lambda_service import ErrorObject

results = st.recursive(st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
                       lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner,
                                                                                    max_size=2), max_leaves=4)
outcomes = st.lists(st.one_of(results.map(lambda r: ("ok", r)), st.text(max_size=4).map(lambda m: ("bad", m))),
                    max_size=6)
configs = st.one_of(
    st.just({}),
    st.fixed_dictionaries({}, optional={"min_successful": st.integers(1, 3),
                                        "tolerated_failure_count": st.integers(0, 3),
                                        "tolerated_failure_percentage": st.sampled_from([0, 10, 33.5, 50, 100])}))


def runtime_result(items: list[tuple[str, Any]], config: dict[str, Any]) -> BatchResult[Any]:
    """The runtime's result when every branch finishes before the next one starts (no suspension)."""
    policy = CompletionPolicy(len(items), CompletionConfig(**config) if config else None)
    done: list[BatchItem[Any]] = []
    succeeded = failed = 0
    for index, (kind, value) in enumerate(items):
        if policy.is_complete(succeeded, failed, None) or policy.tolerance_exceeded(failed):
            break
        if kind == "ok":
            done.append(BatchItem(index, BatchItemStatus.SUCCEEDED, value))
            succeeded += 1
        else:
            done.append(BatchItem(index, BatchItemStatus.FAILED, None, ErrorObject(value, "StepError", None, None)))
            failed += 1
    return BatchResult(done, policy.reason(succeeded, failed, None))


def entries(items: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"status": "SUCCEEDED", "result": v, "error": None} if k == "ok" else
            {"status": "FAILED", "result": None, "error": {"ErrorType": "StepError", "ErrorMessage": v}}
            for k, v in items]


def evaluate(expression: str, bindings: dict[str, Any]) -> Any:
    return Jsonata(expression).evaluate(None, bindings)


READS = {
    "batch.get_results()": lambda b: b.get_results(),
    "batch.success_count": lambda b: b.success_count,
    "batch.failure_count": lambda b: b.failure_count,
    "batch.started_count": lambda b: b.started_count,
    "batch.total_count": lambda b: b.total_count,
    "batch.has_failure": lambda b: b.has_failure,
    "batch.status.value": lambda b: b.status.value,
    "batch.completion_reason.value": lambda b: b.completion_reason.value,
    "len(batch.succeeded())": lambda b: len(b.succeeded()),
    "len(batch.failed()) + 1": lambda b: len(b.failed()) + 1,
}


@settings(max_examples=150, deadline=None)
@given(items=outcomes, config=configs)
def test_fold_and_reads_match_the_runtime(items: list[tuple[str, Any]], config: dict[str, Any]) -> None:
    rules = batch.policy("map", {"type": "MapConfig", "completion_config": {"type": "CompletionConfig", **config}})
    value = evaluate(batch.fold(rules, "$outcomes"), {"outcomes": entries(items)})
    expected = runtime_result(items, config)
    assert value == _jsonable(expected.to_dict())
    translator = batch.BatchTranslator({"batch": Typed(Var("batch"), batch.BATCH)})
    for code, read in READS.items():
        text = render(translator.translate(ast.parse(code, mode="eval").body).expr)
        assert evaluate(text, {"batch": value}) == read(expected), code


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    for item in data["all"]:
        if item["error"] is not None:
            item["error"] = {"ErrorType": item["error"]["ErrorType"], "ErrorMessage": item["error"]["ErrorMessage"]}
    return data


def test_parallel_default_is_all_successful_and_map_default_stops_at_the_first_failure() -> None:
    assert batch.policy("parallel", {}) == batch.Policy(None, 0, 0)
    assert batch.policy("map", {}) == batch.Policy()
    assert not batch.policy("map", {"type": "MapConfig", "completion_config": {
        "type": "CompletionConfig.all_completed"}}).can_end_early
