"""State names say what a state tests or raises: `If-not-order_id`, `While-day-lt-SEARCH_DAYS`,
`For-each-invoice`, `Raise-ClaimRejected`, `Compute-quarantined`; only what has no words falls back to
its line. Names stay within ASL's safe characters and length, and unique."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from durable_compile.backends.asl.emit_support import MAX_WORDS, Namer, describe
from durable_compile.backends.asl.package import compile_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

EXAMPLES = {
    'invoice["status"] == "void"': "invoice-status-eq-void",
    "not order_id": "not-order_id",
    "total <= AUTO_APPROVE_CENTS": "total-le-AUTO_APPROVE_CENTS",
    "cursor is not None": "cursor-is-not-None",
    'spent + invoice["cents"] > budget': "spent-plus-invoice-cents-gt-budget",
    "kind, record": "kind-record",
    "invoice is None and attempt < MAX_CHARGE_TRIES": "invoice-is-None-and-attempt-lt",  # cut at a word
    'f"x{a}"': "",  # nothing readable: the caller falls back to the line
}


def test_expressions_are_described_in_words() -> None:
    assert {code: describe(code) for code in EXAMPLES} == EXAMPLES


@given(st.text(max_size=120))
@example("'-'")  # a string of a hyphen only once named a state "-"
@example("'a--b'")
def test_a_description_is_safe_and_short(code: str) -> None:
    text = describe(code)
    assert len(text) <= MAX_WORDS
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in text)
    assert not text.startswith("-") and "--" not in text


def test_names_collapse_dashes_and_stay_unique() -> None:
    namer = Namer()
    assert [namer.name(label) for label in ("fetch-page-{cursor}", "fetch-page-{cursor}", "a--b")] == \
        ["fetch-page-cursor", "fetch-page-cursor-2", "a-b"]


def test_sample_decisions_are_named_by_their_tests() -> None:
    states = json.loads(compile_file(SAMPLES / "early_return.py").files["statemachine.asl.json"])["States"]
    assert {"If-not-order_id", "If-cached-is-not-None", "While-day-lt-SEARCH_DAYS", "If-slots"} <= set(states)
    assert not any("--" in name for name in states)
