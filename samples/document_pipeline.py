"""Turn an uploaded contract into an indexed, summarised document.

Shows every way to hand a step its body: a module-level function passed by name (with `name=`,
since only decorated functions name themselves), a nested def that closes over the event, a lambda,
and a `@durable_step` factory call through an import alias. Each stage's output feeds the next.

Imports: aliases for the decorators (`durable_execution as durable_handler`, `durable_step as ds`).
"""

from aws_durable_execution_sdk_python import DurableContext, StepContext
from aws_durable_execution_sdk_python import durable_execution as durable_handler
from aws_durable_execution_sdk_python import durable_step as ds
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

STOP_WORDS = ("the", "and", "of", "to", "a", "in", "by", "for")


def extract_text(step_ctx: StepContext) -> str:
    """Module-level step body: simulated OCR of the stored upload."""
    return "THE SUPPLIER shall deliver the goods by the agreed date and the buyer shall pay in 30 days"


@ds
def keywords(step_ctx: StepContext, text: str, top: int) -> list[str]:
    """The `top` most frequent non-stop words, ties broken alphabetically."""
    counts: dict[str, int] = {}
    for word in text.lower().split():
        if word not in STOP_WORDS:
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return [word for word, _ in ranked[:top]]


@durable_handler
def handler(event: dict, context: DurableContext) -> dict:
    raw = context.step(
        extract_text, name="extract-text", config=StepConfig(retry_strategy=RetryPresets.linear())
    )

    def normalise(step_ctx: StepContext) -> str:
        """Nested def closing over `raw`: lower-case and collapse whitespace."""
        return " ".join(raw.lower().split())

    text = context.step(normalise, name="normalise")
    words = context.step(lambda _: len(text.split()), name="count-words")
    tags = context.step(keywords(text, event["max_tags"]))
    index_key = context.step(lambda _: f"{event['tenant']}/{event['document_id']}", name="index-document")
    return {"index_key": index_key, "words": words, "tags": tags}
