"""Every control construct around durable operations, for the golden graph."""
from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.retries import RetryPresets


@durable_step
def fetch(step_ctx: StepContext, key: str) -> dict:
    return {"key": key, "ready": key.endswith("1")}


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    seen = []
    for key in event["keys"]:
        if key == "skip":
            continue
        item = context.step(fetch(key), name=f"fetch-{key}", config=StepConfig(retry_strategy=RetryPresets.none()))
        if item["ready"]:
            seen.append(item["key"])
            break
    else:
        context.wait(Duration.from_seconds(30), name="nothing-ready")
    attempts = 0
    while attempts < 3:
        attempts += 1
        try:
            context.step(lambda _: 1 / (attempts - 1), name="divide")
        except StepError as err:
            context.logger.info("failed", extra={"type": err.error_type})
            continue
        finally:
            seen.append(attempts)
    if not seen:
        raise ValueError("nothing seen")
    return {"seen": seen, "attempts": attempts}
