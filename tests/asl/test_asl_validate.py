"""The built-in ASL validator: VALID documents have no problem, each INVALID one has its expected code.

Each file under tests/asl/invalid*/ states its expected code in its Comment: "INVALID DUR8xx: why".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from durable_compile.backends.asl import CODES, is_valid, validate_definition, validate_text
from durable_compile.backends.asl.expressions import free_variables, syntax_error

HERE = Path(__file__).parent
VALID = sorted((HERE / "valid").glob("*.json"))
INVALID = sorted((HERE / "invalid").glob("*.json")) + sorted((HERE / "invalid_gaps").glob("*.json"))


def expected_code(path: Path) -> str:
    match = re.match(r"INVALID (DUR8\d\d): ", json.loads(path.read_text())["Comment"])
    assert match, f"{path.name}: Comment must start with 'INVALID DUR8xx: '"
    return match.group(1)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_document_has_no_problem(path: Path) -> None:
    assert validate_text(path.read_text()) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_document_reports_its_code(path: Path) -> None:
    problems = validate_text(path.read_text())
    assert not is_valid(problems)
    assert expected_code(path) in {p.code for p in problems}


def test_every_code_is_exercised_by_an_invalid_document() -> None:
    exercised = {expected_code(p) for p in INVALID}
    unexercised = set(CODES) - exercised - {"DUR812", "DUR814"}  # size and the warning: tested below
    assert unexercised == set()


def test_problems_point_at_the_offending_value() -> None:
    problems = validate_text((HERE / "invalid" / "catch_unknown.json").read_text())
    assert [(p.code, p.pointer) for p in problems] == [("DUR802", "/States/First/Catch/0/Next")]
    assert problems[0].hint == CODES["DUR802"].hint


def test_pointer_escapes_slashes_in_state_names() -> None:
    doc = {"QueryLanguage": "JSONata", "StartAt": "a/b", "States": {"a/b": {"Type": "Pass", "Next": "x~y"}}}
    assert [p.pointer for p in validate_definition(doc) if p.code == "DUR802"] == ["/States/a~1b/Next"]


def test_definition_over_one_megabyte() -> None:
    doc = json.loads((HERE / "valid" / "waits.json").read_text())
    doc["Comment"] = "x" * (1024 * 1024)
    assert [p.code for p in validate_definition(doc)] == ["DUR812"]


def test_choice_without_default_is_a_warning_only() -> None:
    doc = {"QueryLanguage": "JSONata", "StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}
    problems = validate_definition(doc)
    assert [(p.code, p.severity.value) for p in problems] == [("DUR814", "warning")]
    assert is_valid(problems)


def test_not_json_and_not_an_object() -> None:
    assert [p.code for p in validate_text("{")] == ["DUR801"]
    assert [p.code for p in validate_definition([1, 2])] == ["DUR801"]


def test_branch_reads_outer_variable_but_outer_state_does_not_see_branch_assign() -> None:
    doc = json.loads((HERE / "valid" / "parallel_branches.json").read_text())
    assert validate_definition(doc) == []
    branch = doc["States"]["Fanout"]["Branches"][1]["States"]["Audit"]
    branch["Assign"] = {"inner": 1}
    doc["States"]["Fanout"]["Output"] = "{% $inner %}"
    assert [p.code for p in validate_definition(doc)] == ["DUR811"]


def test_output_of_a_state_does_not_see_its_own_assign() -> None:
    doc = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Assign": {"x": 1}, "Output": "{% $x %}", "End": True}}}
    assert [p.code for p in validate_definition(doc)] == ["DUR811"]


def test_loop_back_edge_keeps_loop_variables_assigned() -> None:
    doc = json.loads((HERE / "valid" / "choice_loop.json").read_text())
    del doc["States"]["Init"]["Assign"]["total"]
    assert {(p.code, p.message.split()[0]) for p in validate_definition(doc)} == {("DUR811", "$total")}


def test_validation_is_deterministic() -> None:
    texts = [p.read_text() for p in INVALID]
    assert [validate_text(t) for t in texts] == [validate_text(t) for t in texts]


@pytest.mark.parametrize(("expr", "reads"), [
    ("$a + $b.c", {"a", "b"}),
    ("$states.input.x", set()),
    ("($y := $x + 1; $y * 2)", {"x"}),
    ("$map($xs, function($v) { $v + $k })", {"xs", "k"}),
    ("$count($items) > 0 and $string($n) = 'a'", {"items", "n"}),
    ("items@$o#$i.{'o': $o, 'i': $i, 'z': $z}", {"z"}),
    ("$ & $$ & 'x'", set()),
    ("$f($q)", {"f", "q"}),
    ("$map($xs, function($x) { $x + 1 }) & $x", {"xs", "x"}),  # a parameter binds only in its body
    ("($v := 1; $v) + $v", {"v"}),  # a block's binding ends with the block
    ("($f := function($n) { $n > 0 ? $f($n - 1) : $m }; $f($n))", {"n", "m"}),  # a function calls itself
    ("($x := $x + 1; $x)", {"x"}),  # the value is read before the name is bound
    ("$y := $z", {"z"}),
])
def test_free_variables(expr: str, reads: set[str]) -> None:
    assert free_variables(expr) == frozenset(reads)


@pytest.mark.parametrize("expr", ["1 +", "$a(", "{'a': }", "[1, 2"])
def test_syntax_errors(expr: str) -> None:
    assert syntax_error(expr)
