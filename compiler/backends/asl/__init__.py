"""The ASL backend: IR -> Amazon States Language (JSONata dialect), its validator and local runner.

`validate_definition` / `validate_text` check any JSONata state machine against our schema
(grammars/asl.schema.json) and flow rules and return DUR8xx problems as data.
"""

from durable_compile.backends.asl.problems import CODES, AslProblem
from durable_compile.backends.asl.validate import is_valid, validate_definition, validate_text

__all__ = ["CODES", "AslProblem", "is_valid", "validate_definition", "validate_text"]
