"""analyze: the determinism analysis behind `durable-compile lint`.

index (ast module -> imports, defs, roles) -> regions (orchestration vs step) -> one traversal of every
rule (rules/, one file per rule, banned APIs as data in tables.py) with helper summaries followed within
the file and across project modules read from disk -> findings (diagnostics + optional fixes).
"""
