"""durable_runtime: a local, durable replay runtime for AWS Lambda durable handlers (stdlib only).

Mirrors the public API of the AWS Durable Execution SDK for Python 3.x so handlers run unchanged.
"""

__version__ = "0.1.0"
