"""DUR102 randomness."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class Randomness(BannedCallRule):
    """Random numbers drawn in orchestration code.

    A replay draws new numbers, so any decision or value built from them changes between runs. Flags the
    module-level `random.*` functions, unseeded `random.Random()`, `SystemRandom`, `secrets.*`,
    `os.urandom/getrandom`, numpy's global generator and unseeded `default_rng()`. A generator seeded
    from a checkpointed value (`random.Random(seed)`) is deterministic and not flagged.
    """

    code = dx.register(dx.Code(
        "DUR102", "randomness", dx.Severity.ERROR, "random numbers are drawn in orchestration code",
        "draw the number in a step, or use random.Random(seed) with a seed that was checkpointed",
    ))
    verb = "draws random numbers"
    fixable = True
    VALID = (
        """
import random
@durable_execution
def handler(event, context: DurableContext):
    seed = context.step(lambda _: random.randrange(1 << 30), name="seed")
    rng = random.Random(seed)
    pick = rng.choice(event["items"])
    return context.step(lambda _: pick, name="pick")
""",
    )
    INVALID = (
        """
import random, secrets
from random import choice
@durable_execution
def handler(event, context: DurableContext):
    jitter = random.random()  # expect: DUR102
    token = secrets.token_hex(8)  # expect: DUR102
    rng = random.Random()  # expect: DUR102
    pick = choice(event["items"])  # expect: DUR102
    context.wait(Duration.from_seconds(1), name="w")
    return jitter, token, rng, pick
""",
    )
