"""Runs AWS's conformance requirements (PyPI aws-durable-execution-conformance-tests) locally."""
