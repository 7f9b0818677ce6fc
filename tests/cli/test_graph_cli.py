"""`durable-compile graph`: formats, handler selection, and clean failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from durable_compile.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "grammars" / "ir.schema.json").read_text())

TWO = '''
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration

@durable_execution
def first(event, context):
    context.wait(Duration(2), name="pause")
    return 1

@durable_execution
def second(event, ctx):
    if event["go"]:
        return ctx.step(lambda _: 2, name="go")
    return 0
'''


@pytest.fixture
def two(tmp_path: Path) -> Path:
    path = tmp_path / "two.py"
    path.write_text(TWO)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_default_is_mermaid_with_every_handler(two: Path) -> None:
    code, out, _ = run("graph", str(two))
    assert code == 0 and out.startswith("%% first") and "flowchart TD" in out
    assert 'subgraph h0_handler["handler first"]' in out and 'subgraph h1_handler["handler second"]' in out


def test_handler_option_picks_one(two: Path) -> None:
    code, out, _ = run("graph", str(two), "--handler", "second", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["handler"] == "second" and doc["operations"] == 1
    jsonschema.validate(doc, SCHEMA)
    kinds = [node["kind"] for node in doc["nodes"]]
    assert kinds.count("step") == 1 and "if" in kinds


def test_json_of_several_handlers_is_an_array_valid_against_the_schema(two: Path) -> None:
    code, out, _ = run("graph", str(two), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and [d["handler"] for d in doc] == ["first", "second"]
    jsonschema.validate(doc, SCHEMA)


def test_unknown_handler_names_the_ones_there_are(two: Path) -> None:
    code, _, err = run("graph", str(two), "--handler", "nope")
    assert code == 1 and "DUR997" in err and "first, second" in err


def test_file_without_handler_says_what_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text("def f(event, context):\n    return 1\n")
    code, _, err = run("graph", str(path))
    assert code == 1 and f"{path}:1:1: DUR998" in err and "@durable_execution" in err


def test_syntax_error_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text("from aws_durable_execution_sdk_python import durable_execution\n\ndef f(:\n")
    code, out, err = run("graph", str(path))
    assert code == 2 and f"{path}:3:7: DUR999" in err and "Traceback" not in err + out


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("graph", str(tmp_path / "absent.py"))
    assert code == 2 and "cannot read" in err


def test_output_file(two: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "g.dot"
    code, out, _ = run("graph", str(two), "--format", "dot", "-o", str(target))
    assert code == 0 and out == "" and target.read_text().startswith('digraph "')


def test_svg_renders_through_graphviz(two: Path) -> None:
    code, out, _ = run("graph", str(two), "--format", "svg")
    assert code == 0 and "<svg" in out and "pause" in out


def test_missing_graphviz_suggests_dot(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, _, err = run("graph", str(two), "--format", "png")
    assert code == 2 and "--format dot" in err


def test_a_compiler_bug_is_a_diagnostic_not_a_traceback(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from durable_compile import api

    def explode(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(api, "lower_module", explode)
    code, out, err = run("graph", str(two))
    assert code == 2 and "DUR999 internal error" in err and "Traceback" not in err + out
