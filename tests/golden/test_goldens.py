"""Golden files: each sample and each input here, drawn as Mermaid, DOT and JSON, with its diagnostics
and the module `to-python` generates for it.

`make goldens` (pytest --update-goldens) rewrites them; never edit them by hand. The Mermaid files are
checked by the real Mermaid parser under node, the DOT files by Graphviz itself.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from durable_compile import api
from durable_compile.backends.asl.package import golden_files as asl_golden_files
from durable_compile.cli.output import short
from durable_compile.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
CASES = sorted([*ROOT.glob("samples/*.py"), *(GOLDEN / "inputs").glob("*.py")], key=lambda p: p.stem)
SCHEMA = json.loads((ROOT / "grammars" / "ir.schema.json").read_text())


def outputs(path: Path) -> dict[str, str]:
    """Every golden artefact of one input, as text (paths relative to the repository)."""
    relative = path.relative_to(ROOT).as_posix()
    lowered = api.lower_source(SourceFile(relative, path.read_text()))
    files = {"diagnostics.txt": "".join(short(d) + "\n" for d in lowered.diagnostics)}
    if lowered.handlers:
        files["graph.mmd"] = api.emit_graph(lowered, "mermaid").decode()
        files["graph.dot"] = api.emit_graph(lowered, "dot").decode()
        files["graph.json"] = api.emit_graph(lowered, "json").decode()
        emitted = api.emit_python(lowered)
        files["generated.py"] = emitted.text or "".join(short(d) + "\n" for d in emitted.diagnostics)
        files.update(asl_golden_files(SourceFile(relative, path.read_text())))
    return files


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path, update_goldens: bool) -> None:
    folder = GOLDEN / path.stem
    produced = outputs(path)
    if update_goldens:
        folder.mkdir(exist_ok=True)
        for stale in folder.iterdir():
            if stale.name not in produced:
                stale.unlink()
        for name, text in produced.items():
            (folder / name).write_text(text)
    existing = {p.name: p.read_text() for p in folder.iterdir()} if folder.is_dir() else {}
    assert existing == produced, f"golden files of {path.stem} differ: run `make goldens` and review the diff"


def test_output_is_byte_identical_across_runs() -> None:
    for path in CASES:
        assert outputs(path) == outputs(path), path


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_json_matches_the_ir_schema(path: Path) -> None:
    text = outputs(path).get("graph.json")
    if text is not None:
        jsonschema.validate(json.loads(text), SCHEMA)


def test_mermaid_goldens_parse_with_the_real_mermaid_parser() -> None:
    files = sorted(str(p) for p in GOLDEN.glob("*/graph.mmd"))
    assert files, "no Mermaid goldens: run `make goldens`"
    script = ROOT / "tests" / "tools" / "mermaid_parse.mjs"
    done = subprocess.run(["node", str(script), *files], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok ") == len(files)


def test_dot_goldens_are_accepted_by_graphviz() -> None:
    files = sorted(GOLDEN.glob("*/graph.dot"))
    assert files, "no DOT goldens: run `make goldens`"
    for path in files:
        done = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "<svg" in done.stdout, f"{path}: {done.stderr}"
