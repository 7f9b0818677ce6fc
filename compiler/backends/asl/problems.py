"""The DUR8xx codes of the ASL backend and the `AslProblem` record its validator returns.

A problem points into the definition with a JSON pointer (RFC 6901), because an ASL document is data,
not a source file; `locate.py` turns a pointer into a line and column of the emitted text.
"""

from __future__ import annotations

from dataclasses import dataclass

from durable_compile.diagnostics import Code, Severity, register


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


E, W = Severity.ERROR, Severity.WARNING
_CODES = (
    Code("DUR801", "asl-schema", E, "the definition does not match the ASL (JSONata) JSON Schema",
            "compare the field with grammars/asl.schema.json: a missing, misspelt or mistyped field"),
    Code("DUR802", "asl-missing-target", E,
            "StartAt, Next, Default or a Catch names a state that does not exist in its scope",
            "name a state of the same States object; branches and Map processors cannot leave their scope"),
    Code("DUR803", "asl-unreachable-state", E, "a state cannot be reached from StartAt",
            "remove the state or add a transition to it"),
    Code("DUR804", "asl-no-terminal", E, "no terminal state can be reached from a state",
            "give every loop an exit that leads to End: true, Succeed or Fail"),
    Code("DUR805", "asl-duplicate-state-name", E,
            "a state name is used twice in the machine (branches included)",
            "state names are unique across the whole machine: prefix names inside branches"),
    Code("DUR806", "asl-state-name-length", E, "a state name is empty or longer than 80 characters",
            "shorten the name to at most 80 characters"),
    Code("DUR807", "asl-states-all-position", E,
            "States.ALL is not alone in its ErrorEquals or not in the last retrier/catcher",
            "put States.ALL alone in the last Retry or Catch entry"),
    Code("DUR808", "asl-reserved-error-name", E,
            "an error name uses the reserved States. prefix but is not a predefined error",
            "custom error names must not start with 'States.'"),
    Code("DUR809", "asl-jsonpath-in-jsonata", E, "a JSONata state uses a JSONPath '.$' key",
            "write the value as a JSONata expression '{% ... %}' under the plain key"),
    Code("DUR810", "asl-variable-name", E,
            "a variable name is not an identifier of at most 80 characters, or is the reserved 'states'",
            "use letters, digits and underscores, not starting with a digit"),
    Code("DUR811", "asl-variable-unassigned", E,
            "a variable is read where it is not assigned on every path from StartAt",
            "assign the variable (Assign) on every path before the state that reads it"),
    Code("DUR812", "asl-definition-too-large", E, "the definition is larger than 1 MB",
            "split the workflow, or move data out of the definition"),
    Code("DUR813", "asl-jsonata-syntax", E, "a JSONata expression does not parse",
            "fix the expression between '{%' and '%}'"),
    Code("DUR814", "asl-choice-without-default", W,
            "a Choice state has no Default: interpreters differ when no rule matches",
            "add a Default (a Fail state with States.NoChoiceMatched if no case is expected)"),
)
_COMPILE_CODES = (
    Code("DUR820", "asl-unsupported", E, "a construct of the handler cannot be compiled to ASL",
         "keep this handler on Lambda durable functions, or rewrite the construct (see the message)"),
    Code("DUR821", "asl-lifted-computation", Severity.INFO,
         "orchestration code with no JSONata translation runs in the steps function",
         "nothing to do; use --strict to make this an error, or simplify the expression"),
    Code("DUR822", "asl-lifted-computation-strict", E,
         "--strict: orchestration code has no JSONata translation",
         "rewrite it with JSONata-friendly constructs (arithmetic, comparisons, subscripts, literals, f-strings)"),
    Code("DUR823", "asl-retry-approximated", W, "part of a retry strategy has no ASL form",
         "use exponential back-off with FULL or NONE jitter and retryable_error_types"),
    Code("DUR825", "asl-invoke-target-at-run-time", Severity.INFO,
         "context.invoke names its function with an expression of the handler's values",
         "name the function with a literal or a module constant to grant the state machine that function only"),
    Code("DUR826", "asl-possibly-unbound", W,
         "a local may be read before the handler binds it: the state machine reads null there, where Python "
         "raises UnboundLocalError",
         "bind the local on every path before the read (for example `x = None` before the `if`)"),
)

#: the ASL codes, also added to the shared registry of durable_compile.diagnostics
CODES: dict[str, Code] = {c.code: register(c) for c in _CODES}
#: the codes of the compiler backend (emit)
COMPILE_CODES: dict[str, Code] = {c.code: register(c) for c in _COMPILE_CODES}


def problem(code: str, pointer: str, message: str) -> AslProblem:
    """Build a problem for a registered code, with its default severity and hint."""
    entry = CODES[code]
    return AslProblem(code, pointer, message, entry.severity, entry.hint)
