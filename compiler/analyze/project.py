"""Project: the modules of the user's project, read from disk on demand (never imported).

pre-commit passes only the changed files, so a helper imported from another project module is found by
its dotted name: relative imports from the importer's package, absolute ones from the importer's folder,
its ancestors up to the project root (the nearest folder with pyproject.toml, setup.py or .git) and a
`src/` folder there. Standard-library and unfound names are simply not followed.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from durable_compile.analyze.index import Function, ModuleIndex, build_index
from durable_compile.analyze.positions import split_lines

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
MAX_ASCENT = 8


@dataclass
class Module:
    """One parsed project module."""

    path: str  #: as shown in diagnostics
    index: ModuleIndex
    lines: list[str]
    digest: str  #: sha256 of the text (for the cache's dependency check)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str) -> str | None:
    """The digest `Module.digest` would have for the file now (None when it cannot be read)."""
    try:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    return digest(text.encode("utf-8", "surrogatepass"))


def module_from_tree(path: str, text: str, tree: ast.Module) -> Module:
    return Module(path, build_index(tree), split_lines(text), digest(text.encode("utf-8", "surrogatepass")))


def load_text(path: str, text: str) -> Module | None:
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return module_from_tree(path, text, tree)


@dataclass
class Project:
    """A cache of project modules; `deps` records every module read, for the result cache."""

    modules: dict[str, Module | None] = field(default_factory=dict)
    found: dict[tuple[str, str], str | None] = field(default_factory=dict)
    deps: dict[str, str] = field(default_factory=dict)  #: path -> digest of modules followed into

    def load(self, path: str) -> Module | None:
        if path not in self.modules:
            try:
                text = Path(path).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self.modules[path] = None
                return None
            self.modules[path] = load_text(path, text)
        module = self.modules[path]
        if module is not None:
            self.deps[path] = module.digest
        return module

    def find(self, dotted_module: str, importer: str) -> str | None:
        key = (dotted_module, str(Path(importer).parent))
        if key not in self.found:
            self.found[key] = _find(dotted_module, Path(importer))
        return self.found[key]

    def function(self, qualname: str, importer: str, depth: int = 0) -> tuple[Module, Function] | None:
        """`pkg.util.now_label` seen from `importer` -> the module and def it names, if in the project."""
        root = qualname.lstrip(".").split(".")[0]
        if depth > 4 or not root or root in sys.stdlib_module_names or qualname.startswith("sdk:"):
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_name, rest = ".".join(parts[:cut]), ".".join(parts[cut:])
            if not module_name.strip("."):
                continue
            path = self.find(module_name, importer)
            if path is None:
                continue
            module = self.load(path)
            if module is None:
                return None
            fn = module.index.functions.get(rest)
            if fn is not None:
                return module, fn
            alias = module.index.imports.aliases.get(rest.split(".")[0])  # re-exported by the package
            return self.function(alias, path, depth + 1) if alias else None
        return None


def _project_root(start: Path) -> Path:
    current = start
    for _ in range(MAX_ASCENT):
        if any((current / marker).exists() for marker in ROOT_MARKERS) or current.parent == current:
            return current
        current = current.parent
    return start


def _candidates(base: Path, parts: list[str]) -> list[Path]:
    target = base.joinpath(*parts)
    return [target.with_name(target.name + ".py"), target / "__init__.py"]


def _find(dotted_module: str, importer: Path) -> str | None:
    level = len(dotted_module) - len(dotted_module.lstrip("."))
    parts = [p for p in dotted_module.lstrip(".").split(".") if p]
    here = importer.resolve().parent
    if level:
        base = here
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        root = _project_root(here)
        bases = [here]
        while bases[-1] != root and bases[-1].parent != bases[-1] and len(bases) < MAX_ASCENT:
            bases.append(bases[-1].parent)
        bases.append(root / "src")
    for base in bases:
        for candidate in _candidates(base, parts):
            if candidate.is_file():
                return _display(candidate)
    return None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
