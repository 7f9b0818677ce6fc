"""Submitters and condition checks are step regions: I/O and clocks are fine inside them."""
import time

import requests
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


def submit(callback_id: str, wctx) -> None:
    requests.post("https://approvals.example/requests", json={"callback": callback_id, "at": time.time()})


def check(state: dict, check_ctx) -> dict:
    status = requests.get(f"https://jobs.example/{state['job']}").json()["status"]
    return {**state, "done": status == "DONE"}


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    approval = context.wait_for_callback(submit, name="approval")
    state = context.wait_for_condition(check, config=event["cfg"], name="job")
    context.wait(Duration.from_seconds(30), name="pause")
    return {"approval": approval, "state": state}
