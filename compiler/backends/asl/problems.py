"""The DUR8xx codes of the ASL backend and the `AslProblem` record its validator returns.

A problem points into the definition with a JSON pointer (RFC 6901), because an ASL document is data,
not a source file; `locate.py` turns a pointer into a line and column of the emitted text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class AslCode:
    """One registered ASL diagnostic code."""

    code: str  #: e.g. "DUR802"
    name: str  #: kebab-case name
    severity: Severity  #: default severity
    summary: str  #: one line for `durable-compile rules`
    hint: str  #: what to do instead


@dataclass(frozen=True)
class AslProblem:
    """One finding in a state machine definition."""

    code: str  #: a code of `CODES`
    pointer: str  #: JSON pointer to the offending value, "" for the whole document
    message: str  #: the specific finding
    severity: Severity  #: effective severity
    hint: str  #: what to do instead

    def render(self) -> str:
        where = self.pointer or "/"
        return f"{where}: {self.code} {self.message}"


_CODES = (
    AslCode("DUR801", "asl-schema", "error", "the definition does not match the ASL (JSONata) JSON Schema",
            "compare the field with grammars/asl.schema.json: a missing, misspelt or mistyped field"),
    AslCode("DUR802", "asl-missing-target", "error",
            "StartAt, Next, Default or a Catch names a state that does not exist in its scope",
            "name a state of the same States object; branches and Map processors cannot leave their scope"),
    AslCode("DUR803", "asl-unreachable-state", "error", "a state cannot be reached from StartAt",
            "remove the state or add a transition to it"),
    AslCode("DUR804", "asl-no-terminal", "error", "no terminal state can be reached from a state",
            "give every loop an exit that leads to End: true, Succeed or Fail"),
    AslCode("DUR805", "asl-duplicate-state-name", "error",
            "a state name is used twice in the machine (branches included)",
            "state names are unique across the whole machine: prefix names inside branches"),
    AslCode("DUR806", "asl-state-name-length", "error", "a state name is empty or longer than 80 characters",
            "shorten the name to at most 80 characters"),
    AslCode("DUR807", "asl-states-all-position", "error",
            "States.ALL is not alone in its ErrorEquals or not in the last retrier/catcher",
            "put States.ALL alone in the last Retry or Catch entry"),
    AslCode("DUR808", "asl-reserved-error-name", "error",
            "an error name uses the reserved States. prefix but is not a predefined error",
            "custom error names must not start with 'States.'"),
    AslCode("DUR809", "asl-jsonpath-in-jsonata", "error", "a JSONata state uses a JSONPath '.$' key",
            "write the value as a JSONata expression '{% ... %}' under the plain key"),
    AslCode("DUR810", "asl-variable-name", "error",
            "a variable name is not an identifier of at most 80 characters, or is the reserved 'states'",
            "use letters, digits and underscores, not starting with a digit"),
    AslCode("DUR811", "asl-variable-unassigned", "error",
            "a variable is read where it is not assigned on every path from StartAt",
            "assign the variable (Assign) on every path before the state that reads it"),
    AslCode("DUR812", "asl-definition-too-large", "error", "the definition is larger than 1 MB",
            "split the workflow, or move data out of the definition"),
    AslCode("DUR813", "asl-jsonata-syntax", "error", "a JSONata expression does not parse",
            "fix the expression between '{%' and '%}'"),
    AslCode("DUR814", "asl-choice-without-default", "warning",
            "a Choice state has no Default: interpreters differ when no rule matches",
            "add a Default (a Fail state with States.NoChoiceMatched if no case is expected)"),
)

CODES: dict[str, AslCode] = {c.code: c for c in _CODES}


def problem(code: str, pointer: str, message: str) -> AslProblem:
    """Build a problem for a registered code, with its default severity and hint."""
    entry = CODES[code]
    return AslProblem(code, pointer, message, entry.severity, entry.hint)
