"""Configuration: `[tool.durable-compile]` in pyproject.toml, merged with command-line options.

Keys: `select`, `ignore` (codes or prefixes such as "DUR1"), `per-file-ignores` (glob -> codes),
`allow-env` (environment variables that may be read in orchestration code), `deterministic` /
`nondeterministic` (qualified helper names forced either way; a nondeterministic entry may name its code
as "pkg.mod.fn=DUR103", default DUR101), `fail-on` (error|warning|info), `exclude` (gitignore-style
patterns). An unknown key or a wrong type is a `ConfigError` (exit code 2), never a traceback.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from durable_compile.analyze.summaries import Settings

KEYS = frozenset({"select", "ignore", "per-file-ignores", "allow-env", "deterministic", "nondeterministic",
                  "fail-on", "exclude", "extend-exclude"})
FAIL_ON = ("error", "warning", "info", "note")
DEFAULT_EXCLUDE = (".git", ".hg", ".venv", "venv", ".tox", "node_modules", "__pycache__", "build", "dist",
                   ".durable-compile-cache", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".eggs")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] | None = None  #: None: every rule that is on by default
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    allow_env: tuple[str, ...] = ()
    deterministic: tuple[str, ...] = ()
    nondeterministic: tuple[str, ...] = ()
    fail_on: str = "error"
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    root: str = "."  #: folder of the pyproject.toml (patterns are relative to it)
    source: str | None = None  #: the pyproject.toml read, if any

    def settings(self) -> Settings:
        nondet: dict[str, str] = {}
        for entry in self.nondeterministic:
            name, _, code = entry.partition("=")
            nondet[name.strip()] = code.strip() or "DUR101"
        return Settings(frozenset(self.allow_env), frozenset(self.deterministic), nondet)

    def enabled(self, all_codes: frozenset[str], default_off: frozenset[str]) -> frozenset[str]:
        chosen = {c for c in all_codes if _matches(c, self.select)} if self.select is not None else \
            set(all_codes - default_off)
        return frozenset(c for c in chosen if not _matches(c, self.ignore))

    def ignored_for(self, path: str) -> tuple[str, ...]:
        rel = _relative(path, self.root)
        return tuple(c for pattern, codes in self.per_file_ignores if _glob(rel, pattern) for c in codes)

    def excluded(self, path: Path) -> bool:
        rel = _relative(str(path), self.root)
        parts = Path(rel).parts
        for pattern in self.exclude:
            if _glob(rel, pattern) or any(fnmatch.fnmatchcase(p, pattern.strip("/")) for p in parts):
                return True
        return False


def _matches(code: str, patterns: tuple[str, ...] | None) -> bool:
    return any(code.startswith(p) for p in patterns or ())


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _glob(rel: str, pattern: str) -> bool:
    pattern = pattern.strip()
    if pattern.endswith("/"):
        pattern += "**"
    return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, f"*/{pattern}") or \
        fnmatch.fnmatchcase(rel, pattern.rstrip("*").rstrip("/") + "/*")


def find_pyproject(start: Path) -> Path | None:
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for folder in (current, *current.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None, start: Path) -> LintConfig:
    """Read the config from `explicit` or the nearest pyproject.toml above `start`."""
    path = Path(explicit) if explicit else find_pyproject(start)
    if path is None:
        return LintConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read configuration: {err}") from err
    table = data.get("tool", {}).get("durable-compile", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.durable-compile] must be a table")
    return _from_table(table, path)


def _strings(table: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.durable-compile] {key} must be a list of strings")
    return tuple(value)


def _from_table(table: dict[str, object], path: Path) -> LintConfig:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.durable-compile]: {', '.join(unknown)}")
    fail_on = table.get("fail-on", "error")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{path}: fail-on must be one of {', '.join(FAIL_ON)}")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict) or not all(isinstance(v, list) for v in pfi.values()):
        raise ConfigError(f"{path}: per-file-ignores must map glob patterns to lists of codes")
    return LintConfig(
        select=_strings(table, "select", path) if "select" in table else None,
        ignore=_strings(table, "ignore", path),
        per_file_ignores=tuple((k, tuple(str(c) for c in v)) for k, v in sorted(pfi.items())),
        allow_env=_strings(table, "allow-env", path),
        deterministic=_strings(table, "deterministic", path),
        nondeterministic=_strings(table, "nondeterministic", path),
        fail_on=str(fail_on),
        exclude=(_strings(table, "exclude", path) or DEFAULT_EXCLUDE) + _strings(table, "extend-exclude", path),
        root=str(path.parent),
        source=str(path),
    )


def with_options(config: LintConfig, select: tuple[str, ...] | None, ignore: tuple[str, ...],
                 fail_on: str | None) -> LintConfig:
    """Command-line options win over the file (`--select` replaces, `--ignore` adds)."""
    return replace(config, select=select if select is not None else config.select,
                   ignore=config.ignore + ignore, fail_on=fail_on or config.fail_on)


__all__ = ["ConfigError", "LintConfig", "load_config", "with_options"]
