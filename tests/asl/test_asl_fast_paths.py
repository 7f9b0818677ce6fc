"""The fast paths of `to-asl` say what the slow, obvious computations say.

- The compiled schema predicate (schema_check.py) accepts exactly the documents `jsonschema` accepts: every
  VALID/INVALID document and golden output, and random mutations of them.
- The module literals read from the libcst tree (discover.module_literals) are the constants the
  `ast` reading finds.
- State names from the remembering `Namer` are the names the search from suffix 2 gives.
- The definition is written indented while that fits the 1 MB quota, else one state per line; both
  are the same JSON, and the size check reads the text as written.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.emit_support import Namer
from durable_compile.backends.asl.module_facts import module_constants, typed_constants
from durable_compile.backends.asl.package import definition_text, source_map_text
from durable_compile.backends.asl.schema import _schema, check_schema, fast_check, validator
from durable_compile.backends.asl.schema_check import UnsupportedSchema, compile_schema
from durable_compile.backends.asl.validate import MAX_DEFINITION_BYTES, validate_definition
from durable_compile.discover import module_literals

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DOCUMENTS = sorted(HERE.glob("*/*.json")) + sorted((ROOT / "tests" / "golden").glob("*/asl*.json"))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.sampled_from(
    ["", "x", "{% $x %}", "States.ALL", "Task", "Pass", "FULL", "JSONata", "INLINE"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["Type", "Next", "End", "Comment", "Seconds", "ErrorEquals", "States", "StartAt", "X"]), inner, max_size=3),
    max_leaves=6)


def test_there_are_documents_to_compare() -> None:
    assert len(DOCUMENTS) >= 50


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_compiled_schema_agrees_with_jsonschema(path: Path) -> None:
    document = json.loads(path.read_text())
    check = fast_check()
    assert check is not None
    assert check(document) == validator().is_valid(document)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found += _paths(item, (*prefix, key))
    return found


@settings(max_examples=300)
@given(st.sampled_from(DOCUMENTS), st.data())
def test_compiled_schema_agrees_on_mutated_documents(path: Path, data: st.DataObject) -> None:
    document = json.loads(path.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_paths(document)))
        if not where:
            continue
        parent = document
        for key in where[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[where[-1]] = data.draw(JSON)
        elif action == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            key = data.draw(st.sampled_from(["Output", "Assign", "Bogus", "End", "Next", "Default"]))
            parent[key] = data.draw(JSON)
    check = fast_check()
    assert check is not None
    assert check(document) == validator().is_valid(document)


@given(JSON)
def test_compiled_schema_agrees_on_any_json(value: Any) -> None:
    check = fast_check()
    assert check is not None
    assert check(value) == validator().is_valid(value)


@pytest.mark.parametrize("keyword", [{"patternProperties": {"a": True}}, {"$ref": "other.json#/x"},
                                     {"prefixItems": [True]}])
def test_schemas_beyond_the_compiled_keywords_are_refused(keyword: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema({"type": "object", "properties": {"a": keyword}})


def test_a_rejected_document_gets_the_errors_jsonschema_finds() -> None:
    document = json.loads((HERE / "invalid" / "wait_negative.json").read_text())
    errors = list(validator().iter_errors(document))
    assert errors and [p.code for p in check_schema(document)] == ["DUR801"]


def test_compiled_keywords_follow_json_schema_semantics() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1},
                                               "k": {"const": 1}, "e": {"enum": [True, "a"]}},
              "additionalProperties": False}
    check = compile_schema(schema)
    for value in ({"n": 1.0}, {"n": True}, {"k": 1.0}, {"k": True}, {"e": 1}, {"e": "a"}, {"n": 0}, {"z": 1}):
        assert check(value) == jsonschema.Draft202012Validator(schema).is_valid(value), value


def test_the_shipped_schema_compiles() -> None:
    assert compile_schema(_schema())


LITERALS = '''
A = 1
B = "text" "joined"
C = None
D = True
E = -1
F = f"x{A}"
G = b"raw"
H = 2.5
I = 0x1F
J = (7)
K = 1j
L, M = 1, 2
N = O = 3
P: int = 4
Q = 1; R = "two"
A = "later"
S = "kept"
S = b"not JSON"
T = [1]
if True:
    U = 1


def f():
    V = 1
'''


@pytest.mark.parametrize("text", [LITERALS, *(p.read_text() for p in sorted((ROOT / "samples").glob("*.py")))],
                         ids=lambda t: "crafted" if t is LITERALS else t.splitlines()[0][:30])
def test_module_literals_are_the_constants_ast_finds(text: str) -> None:
    assert typed_constants(module_literals(cst.parse_module(text)), {"J"}) == module_constants(text, {"J"})


@given(st.lists(st.sampled_from(["a", "a-2", "a-3", "b", "a 2", "State", "", "-", "a-2-2"]), max_size=30))
def test_namer_gives_the_names_of_a_search_from_suffix_two(labels: list[str]) -> None:
    namer, used = Namer(), set()
    for label in labels:
        base = Namer().name(label)  # the sanitized label
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        assert namer.name(label) == candidate


def _machine(states: int, comment: str = "step (line 1)") -> dict[str, Any]:
    names = [f"s{i}" for i in range(states)]
    table: dict[str, Any] = {name: {"Type": "Pass", "Comment": comment, "Next": nxt}
                             for name, nxt in zip(names, names[1:], strict=False)}
    table[names[-1]] = {"Type": "Succeed"}
    return {"Comment": "test", "QueryLanguage": "JSONata", "StartAt": names[0], "States": table}


def test_a_definition_that_fits_is_written_indented() -> None:
    machine = _machine(3)
    assert definition_text(machine) == json.dumps(machine, indent=2) + "\n"


def test_a_definition_past_the_quota_when_indented_is_written_one_state_per_line() -> None:
    machine = _machine(12000)
    indented = json.dumps(machine, indent=2) + "\n"
    text = definition_text(machine)
    assert len(indented) > MAX_DEFINITION_BYTES >= len(text)
    assert json.loads(text) == machine
    assert text.splitlines()[5] == '    "s0": {"Type":"Pass","Comment":"step (line 1)","Next":"s1"},'
    assert validate_definition(machine, text=text) == []
    assert [p.code for p in validate_definition(machine, text=indented)] == ["DUR812"]


def test_a_definition_past_the_quota_either_way_is_reported() -> None:
    machine = _machine(12000, "x" * 100)
    text = definition_text(machine)
    assert json.loads(text) == machine
    assert [p.code for p in validate_definition(machine, text=text)] == ["DUR812"]


def test_the_source_map_is_one_state_per_line() -> None:
    entries = {"a": {"file": "f.py", "line": 1}, "b/c": {"file": "f.py", "line": 2}}
    text = source_map_text(entries)
    assert json.loads(text) == entries and len(text.splitlines()) == 4
    assert json.loads(source_map_text({})) == {}


def test_validation_does_not_change_the_document() -> None:
    machine = _machine(5)
    before = copy.deepcopy(machine)
    validate_definition(machine)
    assert machine == before


@pytest.mark.parametrize(("quota", "layout", "codes"), [(10**7, "indented", []),
                                                         (150_000, "one state per line", []),
                                                         (100_000, "one state per line", ["DUR812"])])
def test_compiled_folder_layout_follows_the_quota(monkeypatch: pytest.MonkeyPatch, quota: int, layout: str,
                                                  codes: list[str]) -> None:
    """A 300-operation handler: about 200 KB indented, 120 KB one state per line."""
    from durable_compile.backends.asl import package, validate
    from durable_compile.source import SourceFile

    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from bench_graph import handler_source  # the benchmark's generated handler

    monkeypatch.setattr(package, "MAX_DEFINITION_BYTES", quota)
    monkeypatch.setattr(validate, "MAX_DEFINITION_BYTES", quota)
    compiled = package.compile_source(SourceFile("bench-300-ops.py", handler_source(300)))
    text = compiled.files[package.DEFINITION]
    assert compiled.output is not None and json.loads(text) == compiled.output.definition
    assert ("indented" if text.startswith('{\n  "Comment"') and '\n      "Type"' in text else
            "one state per line") == layout
    assert [d.code for d in compiled.diagnostics] == codes


KEYED = st.recursive(st.sampled_from(["v", "v.$", '.$":', "{% $x %}", 1, None]),
                     lambda inner: st.lists(inner, max_size=2) | st.dictionaries(
                         st.sampled_from(["a", "a.$", ".$", 'q".$', "b$.", "é.$"]), inner, max_size=2), max_leaves=5)


@given(st.dictionaries(st.sampled_from(["Arguments", "Output", "Assign", "Branches"]), KEYED, max_size=3))
def test_the_jsonpath_key_prefilter_never_misses_one(state: dict[str, Any]) -> None:
    from durable_compile.backends.asl.rules import _may_have_jsonpath_key
    from durable_compile.backends.asl.walk import NESTED_FIELDS, object_keys

    has_one = any(key.endswith(".$") for field, value in state.items() if field not in NESTED_FIELDS
                  for _, key in object_keys(value, ""))
    assert _may_have_jsonpath_key(state) == has_one
