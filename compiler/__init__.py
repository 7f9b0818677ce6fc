"""durable-compile: a compiler and static analyzer for AWS Lambda durable handlers.

The pipeline (see `api.py`): parse (libcst) -> discover handlers -> analyze determinism -> lower to the
operation graph (networkx) -> validate -> emit (diagrams, ASL, instrumented Python).
"""

__version__ = "0.1.0"
