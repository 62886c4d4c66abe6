"""Ranking on hand-made graphs: the walk stays near its seeds, ignores stale edges, and direct evidence outranks
weak priors."""

from __future__ import annotations

from tests.unit.context.support import put, span, symbol

from splice.context.candidates import Candidate
from splice.context.rank import GraphView, combine, is_test_path, personalised_pagerank, reason
from splice.index.graph import Graph
from splice.index.model import Edge, EdgeKind, SymbolKind


def edge(src: str, dst: str, path: str, kind: EdgeKind = EdgeKind.CALLS) -> Edge:
    return Edge(src=src, dst=dst, name=dst.rsplit("::", 1)[-1], kind=kind, path=path, span=span(1, 1), confidence=1.0)


def chain_graph() -> Graph:
    """a → b → c → d in four files, plus e referenced from a test file."""
    g = Graph()
    for name in "abcde":
        put(g, f"{name}.py", [symbol(f"{name}.py", name, SymbolKind.FUNCTION, 1, 3)])
    put(g, "tests/test_e.py", [symbol("tests/test_e.py", "test_e", SymbolKind.FUNCTION, 1, 3)])
    g.set_edges("a.py", [edge("a.py::a", "b.py::b", "a.py")])
    g.set_edges("b.py", [edge("b.py::b", "c.py::c", "b.py")])
    g.set_edges("c.py", [edge("c.py::c", "d.py::d", "c.py")])
    g.set_edges("tests/test_e.py", [edge("tests/test_e.py::test_e", "e.py::e", "tests/test_e.py")])
    return g


def test_walk_mass_decays_with_distance() -> None:
    walk = personalised_pagerank(GraphView(chain_graph()), {"a.py::a": 1.0})
    # (The chain's dead end bounces mass back to c, so only the clear gaps are asserted.)
    assert walk["a.py::a"] > walk.get("d.py::d", 0.0)
    assert walk["b.py::b"] > walk.get("d.py::d", 0.0)
    assert "e.py::e" not in walk


def test_walk_ignores_edges_found_in_the_stale_file() -> None:
    view = GraphView(chain_graph())
    assert "c.py::c" not in personalised_pagerank(view, {"a.py::a": 1.0}, stale="b.py")
    assert personalised_pagerank(view, {}) == {}


def test_view_refreshes_when_a_file_changes() -> None:
    g = chain_graph()
    view = GraphView(g)
    view.sync()
    assert view.popularity("b.py::b", None) == 1
    put(g, "f.py", [symbol("f.py", "f", SymbolKind.FUNCTION, 1, 3)])
    g.set_edges("f.py", [edge("f.py::f", "b.py::b", "f.py")])
    view.sync()
    assert view.popularity("b.py::b", None) == 2
    assert view.popularity("b.py::b", "f.py") == 1


def test_view_keeps_what_a_change_did_not_touch() -> None:
    g = chain_graph()
    view = GraphView(g)
    view.sync()
    far = view.neighbours("d.py::d", None)
    near = view.neighbours("b.py::b", None)
    g.set_edges("a.py", [edge("a.py::a", "e.py::e", "a.py")])  # a stops calling b and calls e instead
    view.sync()
    assert view.neighbours("d.py::d", None) is far  # untouched: still cached
    assert view.neighbours("b.py::b", None) is not near
    assert {n for n, _ in view.neighbours("b.py::b", None)} == {"c.py::c"}
    assert "a.py::a" in {n for n, _ in view.neighbours("e.py::e", None)}
    put(g, "c.py", [symbol("c.py", "c2", SymbolKind.FUNCTION, 1, 3)])  # c renamed: b's edge to c is dangling
    view.sync()
    assert "c.py::c" in {n for n, _ in view.neighbours("b.py::b", None)}  # b.py was not re-resolved yet
    assert view.neighbours("c.py::c", None) == [("b.py::b", 0.4)]


def test_direct_use_outranks_package_neighbours_and_tests_are_penalised() -> None:
    g = chain_graph()
    cands = {
        "b.py::b": Candidate("b.py::b"),
        "d.py::d": Candidate("d.py::d"),
        "tests/test_e.py::test_e": Candidate("tests/test_e.py::test_e"),
    }
    cands["b.py::b"].add("uses", 1.0, "called by the target")
    cands["d.py::d"].add("package", 1.0, "defined in the same package")
    cands["tests/test_e.py::test_e"].add("package", 1.0, "defined in the same package")
    ranked = combine(GraphView(g), cands, focus_path="a.py")
    order = [sid for sid, _ in ranked]
    assert order[0] == "b.py::b"
    assert order.index("d.py::d") < order.index("tests/test_e.py::test_e")
    assert reason(cands["b.py::b"]).startswith("called by the target")


def test_test_paths() -> None:
    assert is_test_path("tests/test_x.py") and is_test_path("src/a.test.ts") and is_test_path("pkg/x_test.go")
    assert not is_test_path("src/testing.py") and not is_test_path("pkg/contest.py")


def test_view_children_follow_new_members_and_survive_moves() -> None:
    g = Graph()
    cls = symbol("k.py", "K", SymbolKind.CLASS, 1, 9)
    put(g, "k.py", [cls, symbol("k.py", "K.a", SymbolKind.METHOD, 2, 3)])
    view = GraphView(g)
    view.sync()
    assert [s.name for s in view.children("k.py::K")] == ["a"]
    neighbours = view.neighbours("k.py::K.a", None)
    # Typing above the class moves everything down: nothing a reader caches changed.
    put(g, "k.py", [symbol("k.py", "K", SymbolKind.CLASS, 5, 13), symbol("k.py", "K.a", SymbolKind.METHOD, 6, 7)])
    view.sync()
    assert view.neighbours("k.py::K.a", None) is neighbours
    assert [s.span.start.line for s in view.children("k.py::K")] == [6]  # the moved member, read fresh
    # A new member is a change of its class.
    members = [symbol("k.py", "K.a", SymbolKind.METHOD, 6, 7), symbol("k.py", "K.b", SymbolKind.METHOD, 8, 9)]
    put(g, "k.py", [symbol("k.py", "K", SymbolKind.CLASS, 5, 13), *members])
    view.sync()
    assert sorted(s.name for s in view.children("k.py::K")) == ["a", "b"]


def test_view_children_survive_a_change_to_the_class_edges() -> None:
    """Another file starting to use a class changes the class's edges, not its members."""
    g = Graph()
    put(g, "k.py", [symbol("k.py", "K", SymbolKind.CLASS, 1, 9), symbol("k.py", "K.a", SymbolKind.METHOD, 2, 3)])
    put(g, "u.py", [symbol("u.py", "use", SymbolKind.FUNCTION, 1, 3)])
    view = GraphView(g)
    view.sync()
    assert [s.name for s in view.children("k.py::K")] == ["a"]
    g.set_edges("u.py", [edge("u.py::use", "k.py::K", "u.py")])
    view.sync()
    assert [s.name for s in view.children("k.py::K")] == ["a"]


class _Shuffled(GraphView):
    """The same graph, each neighbour list in reverse: what another process's set order looks like."""

    def neighbours(self, node: str, stale: str | None) -> list[tuple[str, float, str]]:
        return list(reversed(super().neighbours(node, stale)))


def test_walk_scores_do_not_depend_on_iteration_order() -> None:
    # The answer cache keys on the prompt: the same graph must give the same scores in every process.
    g = chain_graph()
    g.set_edges("d.py", [edge("d.py::d", "a.py::a", "d.py"), edge("d.py::d", "e.py::e", "d.py")])
    seeds = {"a.py::a": 1.0, "c.py::c": 0.7, "e.py::e": 0.3}
    one = personalised_pagerank(GraphView(g), seeds, epsilon=1e-3)
    other = personalised_pagerank(_Shuffled(g), dict(reversed(list(seeds.items()))), epsilon=1e-3)
    assert one == other
    assert len(one) >= 4
