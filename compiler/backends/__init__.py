"""Backends: what the compiler writes from the IR (ASL, diagrams, instrumented Python)."""
