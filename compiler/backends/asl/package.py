"""to-asl: a handler file -> the files of a deployable folder.

Takes a source file (and the handler to compile), or a file the front end has already lowered; gives the
files' text by name plus diagnostics: statemachine.asl.json (validated by our own validator; indented
JSON, or one compact line per state when the indented text would pass the 1 MB quota, which counts the
text as uploaded), steps_handler.py (jinja2), the user's module copied beside it, template.yaml (SAM),
requirements.txt and source-map.json (one state per line). Output is deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from durable_compile import diagnostics as dx
from durable_compile.api import Lowered, lower_source, paused_gc
from durable_compile.backends.asl.emit import Emitter
from durable_compile.backends.asl.emit_support import Output
from durable_compile.backends.asl.validate import MAX_DEFINITION_BYTES, validate_definition
from durable_compile.discover import module_imports, module_literals
from durable_compile.source import SourceFile, Span

DEFINITION = "statemachine.asl.json"
STEPS = "steps_handler.py"
SOURCE_MAP = "source-map.json"
TEMPLATE = "template.yaml"
_ENV = jinja2.Environment(loader=jinja2.PackageLoader("durable_compile.backends.asl", "templates"),
                          keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined)


@dataclass
class Compiled:
    """The folder to write, or the diagnostics that prevent it."""

    files: dict[str, str] = field(default_factory=dict)  #: file name -> text
    diagnostics: list[dx.Diagnostic] = field(default_factory=list)
    output: Output | None = None  #: the emitter's data (definition, lifted code, source map)

    @property
    def ok(self) -> bool:
        return bool(self.files) and not any(d.severity is dx.Severity.ERROR for d in self.diagnostics)


def compile_source(source: SourceFile, handler: str | None = None, strict: bool = False) -> Compiled:
    return compile_lowered(lower_source(source, handler), strict)


def compile_lowered(lowered: Lowered, strict: bool = False) -> Compiled:
    """The back end alone: a file the front end has lowered -> the folder's files (or diagnostics)."""
    source = lowered.source
    result = Compiled(diagnostics=list(lowered.diagnostics))
    if not lowered.handlers:
        return result
    if len(lowered.handlers) > 1:
        names = ", ".join(h.function.qualname for h in lowered.handlers)
        result.diagnostics.append(dx.make("DUR997", source.path, Span(1, 1, 1, 1),
                                          f"this file has several handlers ({names}): choose one with --handler"))
        return result
    info = lowered.info
    with paused_gc():  # the state table is acyclic; collections over it only cost time
        emitter = Emitter(lowered.handlers[0], source.text, strict, info and module_literals(info.module),
                          info and info.sources_of, info and module_imports(info.module))
        output = emitter.emit()
        result.output = output
        result.files = _files(source, lowered.handlers[0].function.qualname, output)
        result.diagnostics += emitter.problems + _validation(source.path, output, result.files[DEFINITION])
    return result


def golden_files(source: SourceFile) -> dict[str, str]:
    """The ASL goldens of a file: `asl.json` (or `asl.<handler>.json` for each of several handlers) and
    `asl-diagnostics.txt`, the compile diagnostics as `path:line:col: CODE message`."""
    lowered = lower_source(source)
    if not lowered.handlers:
        return {}
    files: dict[str, str] = {}
    lines: list[str] = []
    for handler in lowered.handlers:
        compiled = compile_source(source, handler.function.qualname)
        name = "asl.json" if len(lowered.handlers) == 1 else f"asl.{handler.function.qualname}.json"
        if DEFINITION in compiled.files:
            files[name] = compiled.files[DEFINITION]
        lines += [f"{d.path}:{d.span.line}:{d.span.column}: {d.code} {d.message}\n"
                  for d in sorted(compiled.diagnostics, key=dx.Diagnostic.sort_key)]
    files["asl-diagnostics.txt"] = "".join(lines)
    return files


def compile_file(path: str | Path, handler: str | None = None, strict: bool = False) -> Compiled:
    return compile_source(SourceFile.read(path), handler, strict)


def _validation(path: str, output: Output, text: str) -> list[dx.Diagnostic]:
    span = Span(1, 1, 1, 1)
    return [dx.make(p.code, path, span, f"generated ASL {p.pointer}: {p.message}")
            for p in validate_definition(output.definition, text=text) if p.severity is dx.Severity.ERROR]


def definition_text(definition: dict[str, Any]) -> str:
    """The definition as written: JSON indented by two spaces, or, when that would pass the 1 MB quota
    (which counts the text as uploaded, whitespace included), each state on one compact line."""
    lines = state_lines(definition)
    if len(lines.encode()) > MAX_DEFINITION_BYTES:
        return lines  # the indented text is longer still
    pretty = json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
    return pretty if len(pretty.encode()) <= MAX_DEFINITION_BYTES else lines


def state_lines(definition: dict[str, Any]) -> str:
    """The definition with each state on one compact line (the layout past the quota)."""
    return _one_line_each(definition, "States", (",", ":"), "    ")


def source_map_text(source_map: dict[str, Any]) -> str:
    """The source map, one state per line."""
    dump = _encoder(", ", ": ")
    rows = ",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in source_map.items())
    return f"{{\n{rows}\n}}\n" if rows else "{}\n"


@lru_cache(maxsize=4)
def _encoder(item: str, key: str) -> Callable[[Any], str]:
    """`json.dumps(value, ensure_ascii=False, separators=(item, key))`, without building an encoder per
    call (`json.dumps` builds one whenever an argument is not its default)."""
    return json.JSONEncoder(ensure_ascii=False, separators=(item, key)).encode


def _one_line_each(document: dict[str, Any], key: str, separators: tuple[str, str], indent: str) -> str:
    """`document` with its members one per line, and the members of `document[key]` one per line too."""
    dump, inner_dump = _encoder(", ", ": "), _encoder(*separators)

    def member(name: str, value: Any) -> str:
        if name != key:
            return f"  {dump(name)}: {dump(value)}"
        inner = ",\n".join(f"{indent}{dump(k)}: {inner_dump(v)}" for k, v in value.items())
        return f"  {dump(name)}: {{\n{inner}\n  }}"
    return "{\n" + ",\n".join(member(k, v) for k, v in document.items()) + "\n}\n"


def _files(source: SourceFile, handler: str, output: Output) -> dict[str, str]:
    module = Path(source.path).stem
    context = {"source": Path(source.path).name, "handler": handler, "module": module}
    functions = sorted(output.lifted, key=lambda f: (f.line, f.key))
    return {
        DEFINITION: definition_text(output.definition),
        STEPS: _ENV.get_template("steps_handler.py.j2").render(functions=functions, imports=output.imports,
                                                               **context),
        f"{module}.py": source.text,
        TEMPLATE: _ENV.get_template("template.yaml.j2").render(**_invoke_context(output), **context),
        "requirements.txt": "aws-durable-execution-sdk-python\n",
        SOURCE_MAP: source_map_text(output.source_map),
    }


def _invoke_context(output: Output) -> dict[str, Any]:
    """What the SAM template needs of the invoked functions: literal names (granted by name), placeholders
    (template parameters: the deployer names the function), and whether some name is computed at run time."""
    literal = sorted({t.name for t in output.invoked if t.placeholder is None and not t.dynamic})
    parameters: dict[str, Any] = {}
    for t in sorted(output.invoked, key=lambda t: (t.line, t.name)):
        if t.placeholder is not None:
            parameters.setdefault(t.placeholder, t)
    return {"invoked": literal, "parameters": parameters, "dynamic": any(t.dynamic for t in output.invoked)}


def write(compiled: Compiled, outdir: str | Path) -> list[Path]:
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(compiled.files.items()):
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
