"""Provision a team workspace in isolated blocks with child contexts.

`run_in_child_context` runs a function with a child DurableContext: its operations get their own
namespace (ids derived from the child's id), and the block's return value is checkpointed as one
unit. Functions decorated with `@durable_with_child_context` are called with their arguments and
name the block after the function; a lambda block is named explicitly. Child contexts nest, and a
child may wait.

Imports: top-level package for the decorators, .config for ChildConfig and Duration.
"""

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import ChildConfig, Duration


@durable_step
def create_directory_group(step_ctx: StepContext, team: str) -> str:
    return f"grp-{team}"


@durable_step
def add_member(step_ctx: StepContext, group: str, member: str) -> str:
    return f"{member}@{group}"


@durable_with_child_context
def enroll_members(ctx: DurableContext, group: str, members: list[str]) -> list[str]:
    """A nested child: one step per member, inside the identity block."""
    return [ctx.step(add_member(group, member), name=f"add-{member}") for member in members]


@durable_with_child_context
def set_up_identity(ctx: DurableContext, team: str, members: list[str]) -> dict:
    group = ctx.step(create_directory_group(team))
    enrolled = ctx.run_in_child_context(enroll_members(group, members))
    return {"group": group, "members": enrolled}


@durable_with_child_context
def set_up_storage(ctx: DurableContext, team: str, quota_gb: int) -> dict:
    bucket = ctx.step(lambda _: f"ws-{team}-data", name="create-bucket")
    # Object storage needs a minute to propagate the new bucket's policy.
    ctx.wait(Duration.from_minutes(1), name="policy-propagation")
    quota = ctx.step(lambda _: quota_gb * 1024, name="set-quota-mb")
    return {"bucket": bucket, "quota_mb": quota}


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    team = event["team"]
    identity = context.run_in_child_context(set_up_identity(team, event["members"]))
    storage = context.run_in_child_context(
        set_up_storage(team, event["quota_gb"]),
        config=ChildConfig(sub_type="Storage"),
    )
    welcome = context.run_in_child_context(
        lambda ctx: ctx.step(
            lambda _: f"welcome sent to {len(identity['members'])} members", name="send-welcome"
        ),
        name="welcome",
    )
    return {"team": team, "identity": identity, "storage": storage, "welcome": welcome}
