"""The in-memory graph: fuzzy symbol search and edge replacement in both directions."""

from __future__ import annotations

from splice.index.graph import JOURNAL, Graph
from splice.index.model import (
    Edge,
    EdgeKind,
    FileExtract,
    FileRecord,
    Point,
    Span,
    Symbol,
    SymbolKind,
    module_id,
    symbol_id,
)

SPAN = Span(Point(0, 0), Point(0, 1), 0, 1)


def sym(path: str, qualname: str, kind: SymbolKind = SymbolKind.FUNCTION) -> Symbol:
    parent = module_id(path) if "." not in qualname else symbol_id(path, qualname.rsplit(".", 1)[0])
    name = qualname.rsplit(".", 1)[-1]
    return Symbol(symbol_id(path, qualname), path, name, qualname, kind, SPAN, SPAN, "", "", parent, "python")


def put(graph: Graph, path: str, *qualnames: str) -> None:
    module = Symbol(module_id(path), path, path, "", SymbolKind.MODULE, SPAN, SPAN, "", "", None, "python")
    symbols = [module] + [sym(path, q, SymbolKind.CLASS if q[:1].isupper() else SymbolKind.FUNCTION) for q in qualnames]
    graph.put_file(FileRecord(path, "python", "h", 1, 0.0, 0.0), FileExtract(path, "python", symbols))


def names(results: list[Symbol]) -> list[str]:
    return [s.qualname for s in results]


def test_search_orders_exact_prefix_hump_substring_subsequence() -> None:
    g = Graph()
    put(g, "a.py", "get", "getter", "get_some_unit", "forget", "g_e_t", "Target")
    put(g, "b.py", "getSomethingUseful", "GetRequest")
    assert names(g.search("get", 10))[:2] == ["get", "getter"]
    ranked = names(g.search("get", 10))
    assert ranked.index("getter") < ranked.index("g_e_t") < ranked.index("forget")  # hump before substring
    assert names(g.search("gsu", 10))[:2] == ["get_some_unit", "getSomethingUseful"]
    assert names(g.search("GR", 10))[0] == "GetRequest"
    assert g.search("zzz", 10) == []
    assert len(g.search("", 3)) == 3
    assert all(s.kind is not SymbolKind.MODULE for s in g.search("a", 50))


def test_search_qualified_and_live_updates() -> None:
    g = Graph()
    put(g, "a.py", "Session", "Session.send", "Client", "Client.send")
    assert [s.id for s in g.search("Session.send", 10)] == ["a.py::Session.send"]
    assert len(g.search("send", 10)) == 2
    put(g, "a.py", "Client", "Client.send_all")
    assert names(g.search("send", 10)) == ["Client.send_all"]
    g.remove_file("a.py")
    assert g.search("send", 10) == []


def test_set_edges_replaces_both_directions() -> None:
    g = Graph()
    put(g, "a.py", "f", "g")
    put(g, "b.py", "h")
    f, gg, h = "a.py::f", "a.py::g", "b.py::h"
    g.set_edges(
        "b.py",
        [Edge(h, f, "f", EdgeKind.CALLS, "b.py", SPAN, 1.0), Edge(h, gg, "g", EdgeKind.CALLS, "b.py", SPAN, 1.0)],
    )
    g.set_edges("a.py", [Edge(gg, f, "f", EdgeKind.CALLS, "a.py", SPAN, 1.0)])
    assert {e.src for e in g.incoming(f)} == {h, gg}
    g.set_edges("b.py", [Edge(h, None, "gone", EdgeKind.CALLS, "b.py", SPAN, 0.0)])
    assert {e.src for e in g.incoming(f)} == {gg}, "a.py's edge into f survives b.py's replacement"
    assert g.incoming(gg) == []
    assert [e.name for e in g.outgoing(h)] == ["gone"]
    assert g.stats() == {"files": 2, "symbols": 5, "edges": 2, "resolved": 1}


def test_changes_since_names_what_each_mutation_touched() -> None:
    g = Graph()
    put(g, "a.py", "f", "g")
    put(g, "b.py", "h")
    start = g.version
    assert g.changes_since(start) == (set(), set())
    g.set_edges("b.py", [Edge("b.py::h", "a.py::f", "f", EdgeKind.CALLS, "b.py", SPAN, 1.0)])
    after_edges = g.version
    assert g.changes_since(start) == ({"b.py::h", "a.py::f"}, set())
    put(g, "a.py", "f", "k")  # g removed, k added; b.py's edge into f is still there (not touched)
    nodes, paths = g.changes_since(after_edges) or (set(), set())
    assert nodes == {"a.py::g", "a.py::k", "a.py::"} and paths == {"a.py"}  # f kept its place: not a change
    g.set_edges("b.py", [])
    g.remove_file("b.py")
    nodes, paths = g.changes_since(after_edges) or (set(), set())
    assert {"b.py::h", "a.py::f"} <= nodes and paths == {"a.py", "b.py"}
    assert g.changes_since(g.version + 1) is None  # a version from the future (another graph): start over


def test_changes_since_gives_up_past_the_journal() -> None:
    g = Graph()
    put(g, "a.py", "f")
    start = g.version
    for i in range(JOURNAL + 1):
        put(g, f"m{i}.py", "x")
    assert g.changes_since(start) is None
    recent = g.version
    put(g, "a.py", "f")
    assert g.changes_since(recent) is not None


def test_an_edit_that_only_moves_code_changes_no_node() -> None:
    """Re-indexing a file after typing above its definitions replaces every symbol and edge with moved copies;
    none of them is a change for readers that cache neighbourhoods."""
    g = Graph()
    put(g, "a.py", "f", "C", "C.m")
    g.set_edges("a.py", [Edge("a.py::C.m", "a.py::f", "f", EdgeKind.CALLS, "a.py", SPAN, 1.0)])
    start = g.version
    moved = Span(Point(3, 0), Point(3, 1), 30, 31)
    extract = g.extracts["a.py"]
    shifted = [
        Symbol(s.id, s.path, s.name, s.qualname, s.kind, moved, moved, "", "", s.parent, s.lang)
        for s in extract.symbols
    ]
    g.put_file(FileRecord("a.py", "python", "h2", 1, 0.0, 0.0), FileExtract("a.py", "python", shifted))
    g.set_edges("a.py", [Edge("a.py::C.m", "a.py::f", "f", EdgeKind.CALLS, "a.py", moved, 1.0)])
    assert g.changes_since(start) == (set(), {"a.py"})
    # A new member is a change of the member and of its class; a new call, of both ends.
    put(g, "a.py", "f", "C", "C.m", "C.n")
    g.set_edges("a.py", [Edge("a.py::C.n", "a.py::f", "f", EdgeKind.CALLS, "a.py", SPAN, 1.0)])
    nodes, _ = g.changes_since(start) or (set(), set())
    assert nodes == {"a.py::C.n", "a.py::C", "a.py::C.m", "a.py::f"}
