"""Run AWS's conformance requirements on a local runner and summarise the outcome.

Usage: python tests/conformance/run_conformance.py [--runner aws|ours] [--only ID ...]
                                                   [--output DIR] [--verbose]

Prints one line per requirement, then the plugin requirements' summary, then exactly one final
line `conformance: N passed, M failed, K skipped of T` over the non-plugin requirements.
Exit status 0 (the summary is the result; `make test` guards the expected passes), or with
`--strict` 1 when a non-plugin requirement failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests.conformance` importable from the root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.conformance"

from tests.conformance.harness import Outcome, discover, outcome_json, run_all  # noqa: E402


def summary(label: str, outcomes: list[Outcome]) -> str:
    counts = {s: sum(o.status == s for o in outcomes) for s in ("passed", "failed", "skipped")}
    return (
        f"{label}: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped of {len(outcomes)}"
    )


def describe(outcome: Outcome, verbose: bool) -> str:
    head = f"{outcome.status.upper():7} {outcome.rid}" + (" (optional)" if outcome.optional else "")
    if outcome.status == "passed" or not outcome.errors:
        return head
    shown = outcome.errors if verbose else outcome.errors[:1]
    extra = "" if verbose or len(outcome.errors) == 1 else f" (+{len(outcome.errors) - 1} more)"
    return head + ": " + " | ".join(shown) + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runner", choices=("aws", "ours"), default="ours")
    parser.add_argument("--only", nargs="*", help="requirement ids to run (default: all)")
    parser.add_argument("--output", help="directory for the execution histories (default: temporary)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="print every validation error")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a non-plugin requirement fails")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    requirements = discover(args.only)
    with tempfile.TemporaryDirectory() as scratch:
        output = args.output or scratch
        isolate = not args.in_process
        outcomes = run_all(requirements, args.runner, output, workers=args.workers, isolate=isolate)
    if args.json:
        for outcome in outcomes:
            print(outcome_json(outcome))
        return 0
    plugin = [o for r, o in zip(requirements, outcomes, strict=True) if r.is_plugin]
    core = [o for r, o in zip(requirements, outcomes, strict=True) if not r.is_plugin]
    for outcome in outcomes:
        print(describe(outcome, args.verbose))
    print(summary("plugin", plugin))
    print(summary("conformance", core))
    return 1 if args.strict and any(o.status == "failed" for o in core) else 0


if __name__ == "__main__":
    sys.exit(main())
