"""Start a data export, then poll it until it is done, without paying for the time in between.

`wait_for_condition` runs a check function, checkpoints the state it returns, and asks a wait
strategy whether to poll again and after how long. Between polls the execution is suspended. The
first poll uses a strategy built by `create_wait_strategy` (exponential backoff with a cap); the
second uses a hand-written strategy function returning `WaitForConditionDecision`.

Imports: the .execution, .context, .config, .types and .waits submodules.
"""

from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.context import DurableContext
from aws_durable_execution_sdk_python.execution import durable_execution
from aws_durable_execution_sdk_python.types import StepContext, WaitForConditionCheckContext
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

# How far the simulated export advances between two polls.
PROGRESS_PER_POLL = 35


def submit_export(step_ctx: StepContext) -> dict:
    """Module-level step body passed by name: start the export job (simulated)."""
    return {"job_id": "exp-0001", "progress": 0, "status": "RUNNING", "polls": 0}


def check_export(state: dict, check_ctx: WaitForConditionCheckContext) -> dict:
    """One poll of the export job: a pure function of the previous state (simulated service)."""
    progress = min(100, state["progress"] + PROGRESS_PER_POLL)
    status = "SUCCEEDED" if progress == 100 else "RUNNING"
    return {**state, "progress": progress, "status": status, "polls": state["polls"] + 1}


def replicas_strategy(state: dict, attempts_made: int) -> WaitForConditionDecision:
    """Poll again every 10 s (growing by 10 s a poll) until every replica has the file."""
    if state["ready"] >= state["wanted"]:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(10 * attempts_made))


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    job = context.step(submit_export, name="submit-export")

    export_strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda state: state["status"] == "RUNNING",
            max_attempts=20,
            initial_delay=Duration.from_seconds(30),
            max_delay=Duration.from_minutes(10),
            backoff_rate=2,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    finished = context.wait_for_condition(
        check_export,
        config=WaitForConditionConfig(wait_strategy=export_strategy, initial_state=job),
        name="await-export",
    )

    # Copy the file to every region; each poll sees one more replica confirm.
    replicas = context.wait_for_condition(
        lambda state, _check_ctx: {**state, "ready": state["ready"] + 1},
        config=WaitForConditionConfig(
            wait_strategy=replicas_strategy,
            initial_state={"ready": 0, "wanted": len(event["regions"])},
        ),
        name="await-replicas",
    )

    link = context.step(
        lambda _: f"https://downloads.example.com/{finished['job_id']}.csv.gz",
        name="publish-link",
    )
    return {
        "job_id": finished["job_id"],
        "polls": finished["polls"],
        "replicas": replicas["ready"],
        "link": link,
    }
