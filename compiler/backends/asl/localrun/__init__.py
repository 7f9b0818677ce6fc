"""Run a state machine definition locally, in an interpreter someone else wrote.

Two engines: moto 5.2.5's port of LocalStack's interpreter (`engine="moto"`, the reference) and
`sfnx.testing` (`engine="sfnx"`, a second opinion). Both need the optional extra `local-asl`
(`pip install durable-compile[local-asl]`). Lambda tasks are answered in-process by `Services`, waits
and retry back-off take no time, and callbacks (waitForTaskToken) are answered by `Services.answer`.
"""

from durable_compile.backends.asl.localrun.model import Answer, Outcome, Services, run_definition

__all__ = ["Answer", "Outcome", "Services", "run_definition"]
