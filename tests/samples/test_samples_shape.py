"""Every sample has its event and its expected outcome, and the expected files have the documented shape.

The shape is grammars/sample-expected.schema.json; the cross-checks below read the sample sources
with `ast` (never importing them): the named handlers exist and are durable, invoke targets exist with
the durability the file claims, and samples/README.md lists every sample.
"""

from __future__ import annotations

import ast
import json

import jsonschema
import pytest
from sample_catalogue import SAMPLES, SCHEMA, all_runs, load_expected, load_input, runs_of, sample_names

REQUIRED = (
    "order_saga",
    "human_approval",
    "poll_job",
    "fanout_map",
    "parallel_enrich",
    "invoke_chain",
    "child_contexts",
    "retry_payment",
    "batch_loop",
    "error_handling",
)
SDK = "aws_durable_execution_sdk_python"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def _functions(sample: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse((SAMPLES / f"{sample}.py").read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _durable_spellings(sample: str) -> set[str]:
    """How this module spells the SDK's durable_execution decorator, from its imports."""
    spellings = set()
    for node in ast.parse((SAMPLES / f"{sample}.py").read_text()).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(SDK):
            spellings |= {alias.asname or alias.name for alias in node.names if alias.name == "durable_execution"}
        elif isinstance(node, ast.Import):
            modules = [alias for alias in node.names if alias.name in (SDK, f"{SDK}.execution")]
            spellings |= {f"{alias.asname or alias.name}.durable_execution" for alias in modules}
    return spellings


def _is_durable(sample: str, func: ast.FunctionDef) -> bool:
    """Decorated with durable_execution, bare or called, in any spelling the module imports."""
    spellings = _durable_spellings(sample)
    targets = [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list]
    return any(target in spellings for target in targets)


def test_catalogue_has_the_required_samples_and_enough_of_them() -> None:
    names = sample_names()
    assert set(REQUIRED) <= set(names)
    assert len(names) >= 14


@pytest.mark.parametrize("sample", sample_names())
def test_sample_has_input_and_expected_files(sample: str) -> None:
    load_input(sample)
    load_expected(sample)


@pytest.mark.parametrize("sample", sample_names())
def test_expected_file_matches_the_schema(sample: str) -> None:
    errors = [error.message for error in VALIDATOR.iter_errors(load_expected(sample))]
    assert errors == []


@pytest.mark.parametrize("sample", sample_names())
def test_expected_handlers_exist_and_are_durable(sample: str) -> None:
    functions = _functions(sample)
    handlers = [run.handler for run in runs_of(sample)]
    assert len(set(handlers)) == len(handlers), "one run per handler"
    for handler in handlers:
        assert handler in functions and _is_durable(sample, functions[handler])


@pytest.mark.parametrize("run", all_runs(), ids=lambda run: run.id)
def test_invoke_targets_exist_with_the_stated_durability(run) -> None:
    source = (SAMPLES / f"{run.sample}.py").read_text()
    for name, spec in run.invoke_functions.items():
        assert f'"{name}"' in source, f"{run.sample} never invokes {name}"
        module, function = spec["target"].split(":")
        functions = _functions(module)
        assert function in functions
        assert _is_durable(module, functions[function]) is spec["durable"]


@pytest.mark.parametrize("run", all_runs(), ids=lambda run: run.id)
def test_callback_names_come_from_the_sample(run) -> None:
    source = (SAMPLES / f"{run.sample}.py").read_text()
    for callback in run.callbacks:
        base = callback.name.removesuffix(" create callback id")
        assert f'name="{base}"' in source


def test_readme_lists_every_sample() -> None:
    readme = (SAMPLES / "README.md").read_text()
    missing = [name for name in sample_names() if f"`{name}.py`" not in readme]
    assert missing == []


def test_schema_rejects_malformed_expectations() -> None:
    good = {
        "handler": "handler",
        "status": "SUCCEEDED",
        "result": {"ok": True},
        "error_type": None,
        "callbacks": [],
        "invoke_functions": {},
    }
    assert VALIDATOR.is_valid(good)
    bad = [
        {**good, "status": "PENDING"},
        {**good, "error_type": "ValueError"},
        {**good, "status": "FAILED", "error_type": None, "result": None},
        {**good, "callbacks": [{"name": "x", "action": "fail", "payload": {"reason": "no"}}]},
        {**good, "invoke_functions": {"f": {"target": "no-colon", "durable": False}}},
        {key: value for key, value in good.items() if key != "callbacks"},
        {"runs": [good]},
    ]
    assert [VALIDATOR.is_valid(case) for case in bad] == [False] * len(bad)


# Samples compute locally: the SDK and pure standard-library modules only, so nothing reaches a network.
ALLOWED_IMPORTS = {SDK, "json", "re"}


@pytest.mark.parametrize("sample", sample_names())
def test_sample_imports_only_the_sdk_and_pure_stdlib(sample: str) -> None:
    tree = ast.parse((SAMPLES / f"{sample}.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= ALLOWED_IMPORTS
