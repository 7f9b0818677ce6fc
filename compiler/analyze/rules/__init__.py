"""The rule catalogue: one module per rule, each registering its code and carrying VALID/INVALID examples."""

from __future__ import annotations

from durable_compile.analyze.rule import Rule
from durable_compile.analyze.rules.aws_sdk_call import AwsSdkCall
from durable_compile.analyze.rules.blocking_sleep import BlockingSleep
from durable_compile.analyze.rules.duplicate_name import DuplicateName
from durable_compile.analyze.rules.durable_op_from_thread import DurableOpFromThread
from durable_compile.analyze.rules.durable_op_in_step import DurableOpInStep
from durable_compile.analyze.rules.environment_read import EnvironmentRead
from durable_compile.analyze.rules.filesystem_io import FilesystemIo
from durable_compile.analyze.rules.generated_id import GeneratedId
from durable_compile.analyze.rules.global_mutation import GlobalMutation
from durable_compile.analyze.rules.hash_or_id import HashOrId
from durable_compile.analyze.rules.mutable_global_read import MutableGlobalRead
from durable_compile.analyze.rules.network_io import NetworkIo
from durable_compile.analyze.rules.nondeterministic_branch import NondeterministicBranch
from durable_compile.analyze.rules.nondeterministic_name import NondeterministicName
from durable_compile.analyze.rules.operation_in_finally import OperationInFinally
from durable_compile.analyze.rules.parent_context_in_child import ParentContextInChild
from durable_compile.analyze.rules.print_logging import PrintLogging
from durable_compile.analyze.rules.process_identity import ProcessIdentity
from durable_compile.analyze.rules.randomness import Randomness
from durable_compile.analyze.rules.step_writes_outer_state import StepWritesOuterState
from durable_compile.analyze.rules.subprocess_call import SubprocessCall
from durable_compile.analyze.rules.suspension_swallowed import SuspensionSwallowed
from durable_compile.analyze.rules.swallowed_error_in_step import SwallowedErrorInStep
from durable_compile.analyze.rules.threads import ThreadOrExecutor
from durable_compile.analyze.rules.unbounded_loop import UnboundedLoop
from durable_compile.analyze.rules.unnamed_operation import UnnamedOperation
from durable_compile.analyze.rules.unordered_iteration import UnorderedIteration
from durable_compile.analyze.rules.unordered_leak import UnorderedLeak
from durable_compile.analyze.rules.unresolved_region import UnresolvedRegion
from durable_compile.analyze.rules.wall_clock import WallClock

RULES: tuple[type[Rule], ...] = (
    WallClock, Randomness, GeneratedId, ProcessIdentity, EnvironmentRead, HashOrId,
    NetworkIo, AwsSdkCall, FilesystemIo, SubprocessCall, PrintLogging,
    BlockingSleep, ThreadOrExecutor, DurableOpFromThread,
    NondeterministicBranch, UnorderedIteration, UnorderedLeak, UnboundedLoop,
    DurableOpInStep, StepWritesOuterState, GlobalMutation, MutableGlobalRead, ParentContextInChild,
    SwallowedErrorInStep, NondeterministicName, DuplicateName, UnnamedOperation, SuspensionSwallowed,
    OperationInFinally, UnresolvedRegion,
)
BY_CODE: dict[str, type[Rule]] = {r.code.code: r for r in RULES}
#: codes that run only when selected explicitly
DEFAULT_OFF: frozenset[str] = frozenset({"DUR603", "DUR900"})


def instantiate(codes: frozenset[str] | None = None) -> list[Rule]:
    """Fresh rule objects (rules may keep per-file state), limited to `codes` when given."""
    return [r() for r in RULES if codes is None or r.code.code in codes]
