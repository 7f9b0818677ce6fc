"""The samples/ catalogue as data: each sample's event and expected runs, read from its JSON files.

Reads files only; it never imports a sample (only test_samples_on_aws.py does, to run it on AWS's
local runner).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SCHEMA = ROOT / "grammars" / "sample-expected.schema.json"


@dataclass(frozen=True)
class Callback:
    name: str  #: the CALLBACK operation's name
    action: str  #: "succeed" or "fail"
    payload: Any  #: JSON value (succeed) or {"error_type", "error_message"} (fail)


@dataclass(frozen=True)
class Run:
    sample: str  #: file stem, e.g. "order_saga"
    handler: str  #: the @durable_execution function to run
    status: str  #: "SUCCEEDED" or "FAILED"
    result: Any  #: the handler's JSON return value (None when it fails)
    error_type: str | None  #: unqualified exception class name when it fails
    callbacks: tuple[Callback, ...]
    invoke_functions: dict[str, dict[str, Any]]  #: invoke name -> {"target": "module:function", "durable": bool}

    @property
    def id(self) -> str:
        return f"{self.sample}:{self.handler}"


def sample_names() -> list[str]:
    """Every sample, by file stem, in name order."""
    return sorted(path.stem for path in SAMPLES.glob("*.py"))


def load_input(sample: str) -> Any:
    return json.loads((SAMPLES / f"{sample}.input.json").read_text())


def load_expected(sample: str) -> Any:
    return json.loads((SAMPLES / f"{sample}.expected.json").read_text())


def runs_of(sample: str) -> list[Run]:
    """The runs an expected file describes: one object, or {"runs": [...]}."""
    data = load_expected(sample)
    raw_runs = data["runs"] if "runs" in data else [data]
    return [_run(sample, raw) for raw in raw_runs]


def all_runs() -> list[Run]:
    return [run for sample in sample_names() for run in runs_of(sample)]


def _run(sample: str, raw: dict[str, Any]) -> Run:
    return Run(
        sample=sample,
        handler=raw["handler"],
        status=raw["status"],
        result=raw["result"],
        error_type=raw["error_type"],
        callbacks=tuple(Callback(cb["name"], cb["action"], cb["payload"]) for cb in raw["callbacks"]),
        invoke_functions=raw["invoke_functions"],
    )
