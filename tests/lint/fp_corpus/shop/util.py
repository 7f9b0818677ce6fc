"""A project helper module without durable imports: pure functions only."""


def label(order_id: str, index: int) -> str:
    return f"{order_id}-{index}"


def total(items: list[dict]) -> int:
    return sum(int(i["qty"]) for i in items)
