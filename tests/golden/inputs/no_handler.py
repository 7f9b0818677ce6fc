"""A module with a plain function: no durable handler to draw."""


def handler(event, context):
    return {"ok": True}
