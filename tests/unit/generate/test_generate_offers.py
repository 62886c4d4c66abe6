"""Offers at a cursor or selection: instruction, missing symbol, stub and tests, most specific first."""

from __future__ import annotations

from splice.features.generate.offers import OfferKind, offers_at, stub_offers
from splice.index.extract import extract
from splice.index.graph import Graph
from splice.index.model import FileRecord, Point
from splice.index.resolve import Resolver

SOURCE = """\
from pkg.http import parse_header


def handle(req):
    # splice: log the header before parsing it
    return parse_header(req.header)


def todo():
    pass


x = 1
"""


def graph_for(files: dict[str, str]) -> Graph:
    graph = Graph()
    for path, source in files.items():
        graph.put_file(FileRecord(path, "python", "h", len(source), 0, 0), extract(path, "python", source.encode()))
    for path, edges in Resolver(graph).resolve(list(files)).items():
        graph.set_edges(path, edges)
    return graph


FILES = {"pkg/__init__.py": "", "pkg/app.py": SOURCE}


def kinds_at(line: int, col: int, end: Point | None = None) -> list[tuple[OfferKind, str]]:
    graph = graph_for(FILES)
    offers = offers_at("pkg/app.py", "python", SOURCE.encode(), Point(line, col), end, graph=graph)
    return [(o.kind, o.title) for o in offers]


def test_cursor_on_the_missing_call_inside_a_function() -> None:
    assert kinds_at(5, 12) == [
        (OfferKind.MISSING, "Generate missing `parse_header` in `pkg/http.py`"),
        (OfferKind.TESTS, "Generate tests for `handle`"),
    ]


def test_cursor_on_the_instruction_comment() -> None:
    assert kinds_at(4, 10) == [
        (OfferKind.INSTRUCTION, "Generate: log the header before parsing it"),
        (OfferKind.TESTS, "Generate tests for `handle`"),
    ]


def test_cursor_on_a_stub() -> None:
    assert kinds_at(9, 4) == [
        (OfferKind.STUB, "Generate the body of `todo`"),
        (OfferKind.TESTS, "Generate tests for `todo`"),
    ]


def test_cursor_on_the_import() -> None:
    assert kinds_at(0, 5) == [(OfferKind.MISSING, "Generate missing `parse_header` in `pkg/http.py`")]


def test_selection_over_everything_has_no_single_function_to_test() -> None:
    kinds = [k for k, _ in kinds_at(0, 0, Point(12, 0))]
    assert kinds == [OfferKind.INSTRUCTION, OfferKind.MISSING, OfferKind.STUB]


def test_nothing_outside_functions() -> None:
    assert kinds_at(12, 0) == []


def test_without_a_graph_no_missing_offers() -> None:
    offers = offers_at("pkg/app.py", "python", SOURCE.encode(), Point(5, 12))
    assert [o.kind for o in offers] == [OfferKind.TESTS]


def test_language_without_stub_patterns_still_offers_instructions() -> None:
    source = b"-- splice: add an index on email\nSELECT 1;\n"
    offers = offers_at("q.sql", "sql", source, Point(0, 3))
    assert [(o.kind, o.title) for o in offers] == [(OfferKind.INSTRUCTION, "Generate: add an index on email")]


def test_long_instruction_titles_are_shortened() -> None:
    source = b"# splice: " + b"word " * 30 + b"\n"
    (offer,) = offers_at("m.py", "python", source, Point(0, 0))
    assert len(offer.title) <= len("Generate: ") + 60 and offer.title.endswith("…")


def test_cursor_on_a_decorator_offers_tests_for_the_decorated_function() -> None:
    source = b"@app.route('/')\ndef index():\n    return 'hi'\n"
    offers = offers_at("m.py", "python", source, Point(0, 2))
    assert [(o.kind, o.symbol) for o in offers] == [(OfferKind.TESTS, "index")]


def test_invalid_positions_offer_nothing() -> None:
    source = b"def f():\n    pass\n"
    assert offers_at("m.py", "python", source, Point(-1, 0)) == []
    assert offers_at("m.py", "python", source, Point(1, 4), Point(0, 0)) == []
    assert offers_at("m.py", "python", source, Point(10**6, 0)) == []


def test_all_stub_offers_in_one_pass_match_the_offers_at_each_stub() -> None:
    # "Generate all stubs": one parse and one pass, the same offers as asking at each stub (which is quadratic).
    source = (
        b"class Repo:\n"
        b'    def load(self, key):\n        """Load one."""\n        ...\n\n'
        b"    def save(self, item):\n        raise NotImplementedError\n\n"
        b"    def real(self):\n        return 1\n\n"
        b"def helper():\n    pass\n\n"
        b"@cache\ndef decorated(x):\n    # TODO: memoise\n    pass\n"
    )
    per_stub = {
        o.symbol: o
        for stub in stub_offers("m.py", "python", source)
        for o in offers_at("m.py", "python", source, stub.span.start)
        if o.kind is OfferKind.STUB
    }
    offers = stub_offers("m.py", "python", source)
    assert [o.symbol for o in offers] == ["Repo.load", "Repo.save", "helper", "decorated"]
    assert offers == list(per_stub.values())
    assert stub_offers("m.pyi", "python", source) == []
