"""Test helpers with the API of AWS's `aws_durable_execution_sdk_python_testing`: change one import."""

from durable_runtime.testing.results import (
    CallbackOperation,
    ContextOperation,
    DurableFunctionTestResult,
    ExecutionOperation,
    InvokeOperation,
    Operation,
    StepOperation,
    WaitOperation,
)
from durable_runtime.testing.runner import DurableChildContextTestRunner, DurableFunctionTestRunner

__all__ = [
    "CallbackOperation",
    "ContextOperation",
    "DurableChildContextTestRunner",
    "DurableFunctionTestResult",
    "DurableFunctionTestRunner",
    "ExecutionOperation",
    "InvokeOperation",
    "Operation",
    "StepOperation",
    "WaitOperation",
]
