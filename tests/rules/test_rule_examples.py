"""Every rule's VALID and INVALID examples, as tests (the Fixit idea).

INVALID examples mark each line the rule must report with `# expect: CODE`; the rule must report exactly
those lines. VALID examples must not trigger the rule. Both run with every other rule on, so an example
that crashes any rule (DUR999) fails too.
"""

from __future__ import annotations

import inspect

import pytest

from durable_compile.analyze.expectations import actual, expected
from durable_compile.analyze.rule import PRELUDE
from durable_compile.analyze.rules import RULES

CASES = [(r, "valid", i, src) for r in RULES for i, src in enumerate(r.VALID)] + \
        [(r, "invalid", i, src) for r in RULES for i, src in enumerate(r.INVALID)]


@pytest.mark.parametrize(("rule", "kind", "number", "source"), CASES,
                         ids=[f"{r.code.code}-{k}-{i}" for r, k, i, _ in CASES])
def test_example(rule, kind: str, number: int, source: str) -> None:  # type: ignore[no-untyped-def]
    text = PRELUDE + source
    code = rule.code.code
    found = actual(text, {code, "DUR999"})
    if kind == "valid":
        assert found == set()
    else:
        want = {(line, c) for line, c in expected(text) if c == code}
        assert want, "an INVALID example must mark at least one line with # expect"
        assert found == want


@pytest.mark.parametrize("rule", RULES, ids=[r.code.code for r in RULES])
def test_every_rule_documents_itself(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.VALID and rule.INVALID
    doc = inspect.cleandoc(rule.__doc__ or "")
    assert len(doc.splitlines()) >= 3, "the docstring is what `explain` prints: say what, why and instead"
    assert rule.code.hint and rule.code.summary
