"""The operation graph: edges for jumps, loops and try/finally mean what Python does."""

from __future__ import annotations

import networkx as nx

from durable_compile import api
from durable_compile.source import SourceFile

HEAD = '''from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration

@durable_execution
def handler(event, context):
'''


def graph(body: str) -> nx.DiGraph:
    code = HEAD + "\n".join("    " + line for line in body.strip("\n").splitlines()) + "\n"
    (g,) = api.graphs(api.lower_source(SourceFile("t.py", code)))
    return g


def node(g: nx.DiGraph, kind: str) -> str:
    (found,) = [n for n, d in g.nodes(data=True) if d["kind"] == kind]
    return found


def test_jumps_inside_try_run_the_finally_block_first() -> None:
    g = graph('''
for i in range(3):
    try:
        if i:
            continue
        context.wait(Duration(1), name="w")
    finally:
        context.step(lambda _: i, name="cleanup")
return 1
''')
    final, loop, cont = node(g, "finally"), node(g, "for"), node(g, "continue")
    assert g.has_edge(cont, final) and not g.has_edge(cont, loop)
    cleanup = next(n for n, d in g.nodes(data=True) if d["name"] == "cleanup")
    assert g.edges[cleanup, loop]["label"] in ("continue/loop", "loop/continue")


def test_return_inside_try_reaches_the_end_through_finally() -> None:
    g = graph('''
try:
    return context.step(lambda _: 1, name="one")
finally:
    context.wait(Duration(1), name="after")
''')
    ret, final, end = node(g, "return"), node(g, "finally"), node(g, "end")
    after = next(n for n, d in g.nodes(data=True) if d["name"] == "after")
    assert g.has_edge(ret, final) and g.edges[after, end]["label"] == "return"


def test_loops_have_back_edges_and_exits() -> None:
    g = graph('''
while event["n"] > 0:
    context.wait(Duration(1), name="tick")
return 0
''')
    loop = node(g, "while")
    tick = next(n for n, d in g.nodes(data=True) if d["name"] == "tick")
    assert g.edges[loop, tick]["label"] == "true" and g.edges[tick, loop]["label"] == "loop"
    assert g.edges[loop, node(g, "return")]["label"] == "false"


def test_labels_show_hoisted_results_by_operation_name_not_temporary() -> None:
    g = graph('''
total = 0
total += context.step(lambda _: 2, name="price")
scores = [context.step(lambda _: x, name=f"score-{x}") for x in range(2)]
return total + len(scores)
''')
    names = [d["name"] for _, d in g.nodes(data=True)]
    assert "total += «price»" in names
    assert "«comprehension».append(«score-{x}»)" in names
    assert not any("_dc_t" in name for name in names)
    codes = [d.get("code", "") for _, d in g.nodes(data=True)]
    assert any("_dc_t" in code for code in codes), "the JSON `code` field keeps the lowering's exact text"
