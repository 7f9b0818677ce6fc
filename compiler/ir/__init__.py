"""The compiler's intermediate representation.

`exprs` and `nodes` hold the structured IR (frozen dataclasses with source spans): each handler becomes
a `Function` whose body is a tree of statements and durable `Operation`s, with the orchestration code kept
as expression trees that the ASL and Python backends translate. `lower/` builds it from libcst (the only
place that knows both); `graph` derives the networkx operation graph; `dump` serialises it as JSON.
"""
