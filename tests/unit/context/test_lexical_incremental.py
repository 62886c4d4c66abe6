"""The identifier BM25 index updates per changed file and answers exactly as a fresh index over the same graph."""

from __future__ import annotations

from tests.unit.context.support import symbol

from splice.context.lexical import LexicalIndex, parts, query_terms, singular
from splice.index.graph import Graph
from splice.index.model import FileExtract, FileRecord, SymbolKind


def put(graph: Graph, path: str, digest: str, names: list[tuple[str, str]]) -> None:
    syms = [symbol(path, name, SymbolKind.FUNCTION, i, i, doc=doc) for i, (name, doc) in enumerate(names)]
    module = symbol(path, "", SymbolKind.MODULE, 0, 100)
    graph.put_file(FileRecord(path, "python", digest, 0, 0.0, 0.0), FileExtract(path, "python", [module, *syms]))


def test_incremental_updates_match_a_fresh_index() -> None:
    graph = Graph()
    put(graph, "a.py", "1", [("parse_header", "Split a header line."), ("send_request", "Send it.")])
    put(graph, "b.py", "1", [("read_config", "Read the config file."), ("parse_config", "Parse config text.")])
    live = LexicalIndex(graph)
    query = query_terms([("parse the header of a request", 1.0)])
    assert live.search(query)[0][0] == "a.py::parse_header"

    put(graph, "a.py", "2", [("format_header", "Join name and value."), ("send_request", "Send it now.")])
    put(graph, "c.py", "1", [("parse_headers", "Parse many header lines.")])
    graph.remove_file("b.py")
    fresh = LexicalIndex(graph)
    assert live.search(query) == fresh.search(query)
    assert {sid for sid, _ in live.search(query)} == {
        "a.py::format_header",
        "a.py::send_request",
        "c.py::parse_headers",
    }
    assert not any(sid.startswith("b.py") for sid, _ in live.search(query_terms([("read config", 1.0)])))


def test_unchanged_definitions_of_an_edited_file_keep_their_documents() -> None:
    graph = Graph()
    put(graph, "a.py", "1", [("parse_header", "Split a header line."), ("send_request", "Send it.")])
    live = LexicalIndex(graph)
    live.refresh()
    before = live._files["a.py"].docs["a.py::parse_header"]
    put(graph, "a.py", "2", [("parse_header", "Split a header line."), ("send_request", "Send the request body.")])
    query = query_terms([("send the request body header", 1.0)])
    assert live.search(query) == LexicalIndex(graph).search(query)
    assert live._files["a.py"].docs["a.py::parse_header"] is before  # reused, not recomputed
    assert live._files["a.py"].docs["a.py::send_request"]["bodi"] == 1  # recomputed: its docstring changed


def test_plurals_meet_their_singular_names() -> None:
    assert parts("rebuild_proxies(self, prepared_request, proxies)") == [
        "rebuild",
        "proxi",
        "prepared",
        "request",
        "proxi",
    ]
    assert [singular(w) for w in ("headers", "classes", "matches", "status", "address", "keys", "bus", "ids")] == [
        "header",
        "class",
        "match",
        "status",
        "address",
        "key",
        "bus",
        "ids",
    ]
    graph = Graph()
    put(graph, "a.py", "1", [("ProxyError", "A proxy error occurred."), ("send_request", "Send it.")])
    put(graph, "b.py", "1", [("read_config", "Read the config file.")])
    hits = LexicalIndex(graph).search(query_terms([("Send through the given proxies", 1.0)]))
    assert "a.py::ProxyError" in {sid for sid, _ in hits}  # without folding, "proxies" matched nothing here


def test_run_together_identifiers_meet_the_words_they_are_made_of() -> None:
    graph = Graph()
    put(graph, "a.py", "1", [("cookiejar_from_dict", "Make a jar."), ("urldefragauth", "Strip it.")])
    put(graph, "b.py", "1", [("merge_cookies", "Merge cookie sets."), ("extract_cookies", "Extract them.")])
    put(
        graph,
        "c.py",
        "1",
        [("request_url", "The url."), ("parse_url", "Parse it."), ("get_auth", "Auth."), ("auth", "")],
    )
    live = LexicalIndex(graph)
    assert "a.py::cookiejar_from_dict" in {sid for sid, _ in live.search(query_terms([("set the cookies", 1.0)]))}
    assert "a.py::urldefragauth" in {sid for sid, _ in live.search(query_terms([("auth of the url", 1.0)]))}
    put(graph, "a.py", "2", [("something_else", "")])  # the run-together names are gone: so are their entries
    hits = live.search(query_terms([("set the cookies", 1.0)]))
    assert hits == LexicalIndex(graph).search(query_terms([("set the cookies", 1.0)]))
    assert not any(sid.startswith("a.py") for sid, _ in hits)
    assert "cookiejar" not in live._words_of
