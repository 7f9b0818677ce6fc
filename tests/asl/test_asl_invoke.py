"""`context.invoke` under to-asl: the function a handler names becomes its Task's FunctionName, and the
SAM template grants exactly what the definition calls.

- a literal or a module constant bound to one: the name as written, granted by name;
- an expression of no handler value (an environment variable): a `${Placeholder}` the template takes as
  a parameter and substitutes, granted by that parameter;
- an expression of the handler's values: JSONata evaluated when the task runs (DUR825 info), granted by
  pattern.

Each form runs: our runtime and both local interpreters end the same way with the invoked functions
answered by the same Python functions.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_compile.cli import main
from durable_runtime import compat
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler, outcome

HANDLER = '''import os

from aws_durable_execution_sdk_python import DurableContext, durable_execution

TAX_FN = "tax-calculator"
FRAUD_FN = os.environ.get("FRAUD_FUNCTION", "fraud-screen")


def calculate_tax(event: dict, lambda_context: object) -> dict:
    return {"tax": event["net"] // 5}


def screen(event: dict, lambda_context: object) -> dict:
    if event["email"].endswith("@spam.example"):
        raise PermissionError("blocked sender")
    return {"verdict": "pass"}


def audit(event: dict, lambda_context: object) -> str:
    return "audited " + event["order"]


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    direct = context.invoke("tax-calculator", {"net": event["net"]}, name="direct-tax")
    constant = context.invoke(TAX_FN, {"net": event["net"] * 2}, name="constant-tax")
    fraud = context.invoke(FRAUD_FN, {"email": event["email"]}, name="screen")
    trail = context.invoke(f"{event['region']}-audit", {"order": event["order"]}, name="audit")
    return {"tax": direct["tax"] + constant["tax"], "verdict": fraud["verdict"], "trail": trail}
'''
EVENT = {"net": 100, "email": "a@shop.example", "region": "eu", "order": "o-1"}
#: the functions a deployment would name, and what answers them
NAMES = {"tax-calculator": "calculate_tax", "fraud-screen": "screen", "eu-audit": "audit"}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("invoke")
    path = root / "invoking.py"
    path.write_text(HANDLER)
    result = compile_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    write(result, root / "out")
    return path, result


def arguments(result: Any) -> dict[str, Any]:
    states = json.loads(result.files["statemachine.asl.json"])["States"]
    return {name: s["Arguments"]["FunctionName"] for name, s in states.items() if s["Type"] == "Task"}


def test_each_form_of_function_name_becomes_its_function_name_field(compiled: tuple[Path, Any]) -> None:
    names = arguments(compiled[1])
    assert names["direct-tax"] == "tax-calculator"
    assert names["constant-tax"] == "tax-calculator"  # a module constant bound to a literal
    assert names["screen"] == "${FraudFn}"  # from the environment: the deployer names it
    assert names["audit"].startswith("{% ") and names["audit"].endswith(" & '-audit' %}")  # str() of the value


def test_a_name_computed_at_run_time_is_reported(compiled: tuple[Path, Any]) -> None:
    notes = [(d.code, d.span.line) for d in compiled[1].diagnostics if d.code == "DUR825"]
    line = HANDLER.splitlines().index(next(t for t in HANDLER.splitlines() if "-audit" in t)) + 1
    assert notes == [("DUR825", line)]


def test_the_template_grants_what_the_definition_calls(compiled: tuple[Path, Any]) -> None:
    template = compiled[1].files["template.yaml"]
    assert "  FraudFn:\n    Type: String\n" in template  # a parameter
    assert "        FraudFn: !Ref FraudFn\n" in template  # substituted into the definition
    assert "            FunctionName: !Ref FraudFn\n" in template  # and granted
    assert '            FunctionName: "tax-calculator"\n' in template
    assert '            FunctionName: "*"\n' in template  # the run-time name
    assert template.count('"tax-calculator"') == 1


def test_the_template_passes_cfn_lint(compiled: tuple[Path, Any]) -> None:
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    assert cfn_lint is not None, "cfn-lint comes with requirements-test.txt (make test)"
    template = compiled[0].parent / "out" / "template.yaml"
    done = subprocess.run([cfn_lint, str(template)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def functions_of(path: Path) -> dict[str, Any]:
    """The module's invoked functions by the names a deployment gives them."""
    spec = importlib.util.spec_from_file_location(f"fn_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with compat.aliased():
        spec.loader.exec_module(module)
    return {name: getattr(module, function) for name, function in NAMES.items()}


def runtime_outcome(path: Path, event: dict[str, Any]) -> tuple[Any, ...]:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        for name, function in functions_of(path).items():
            runner.register_function(name, function)
        return outcome(runner.run(input=json.dumps(event), execution_timeout=60))


def call(function: Any, event: Any) -> Any:
    return function(event, None)  # a Lambda handler(event, context)


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
@pytest.mark.parametrize("email", ["a@shop.example", "b@spam.example"])
def test_runtime_and_interpreters_agree(compiled: tuple[Path, Any], engine: str, email: str) -> None:
    path, _ = compiled
    event = {**EVENT, "email": email}
    expected = runtime_outcome(path, event)
    assert expected[0] == ("SUCCEEDED" if email.startswith("a@") else "FAILED")
    functions = {name: functools.partial(call, function) for name, function in functions_of(path).items()}
    ran = run_folder(path.parent / "out", event, functions=functions, engine=engine,  # type: ignore[arg-type]
                     substitutions={"FraudFn": "fraud-screen"})
    assert (ran.status, ran.result, ran.error) == expected


def test_run_asl_answers_invokes_with_functions_and_substitutions(compiled: tuple[Path, Any]) -> None:
    path, _ = compiled
    folder = path.parent / "out"
    options = [opt for name, fn in NAMES.items() for opt in ("--function", f"{name}={path}:{fn}")]
    ran = CliRunner().invoke(main, ["run-asl", str(folder), "--input", json.dumps(EVENT), "--json",
                                    "--substitute", "FraudFn=fraud-screen", *options])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)["result"] == {"tax": 60, "verdict": "pass", "trail": "audited o-1"}


def test_a_missing_function_file_is_a_usage_error(compiled: tuple[Path, Any]) -> None:
    folder = compiled[0].parent / "out"
    ran = CliRunner().invoke(main, ["run-asl", str(folder), "--function", "x=/nonexistent.py:f"])
    assert ran.exit_code == 2 and "NAME=FILE:FUNCTION" in ran.output
