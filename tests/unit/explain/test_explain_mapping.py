"""Frame mapping: path suffixes, URLs and Windows paths, line drift, library and excluded frames, name fallback."""

from __future__ import annotations

import pytest
from tests.unit.explain.explain_support import build_graph, fixture_text, read_workspace_text

from splice.features.explain.frames import FrameMapper, FrameStatus, nearest_line
from splice.features.explain.model import Frame, ParsedTraces, TraceFormat
from splice.features.explain.paths import PathIndex, normalise
from splice.features.explain.summary import summarise
from splice.features.explain.traces import parse_traces
from splice.index.graph import Graph
from splice.index.model import FileExtract, FileRecord, Point, Span, Symbol, SymbolKind, module_id, symbol_id

GRAPH = build_graph()


def frame(path: str, line: int | None, name: str = "", source: str | None = None, function: str = "") -> Frame:
    return Frame(path, line, None, function or name, name, source, is_library=False)


def mapper(**kwargs: object) -> FrameMapper:
    return FrameMapper(GRAPH, read_text=read_workspace_text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("file:///home/dev/shop/web/src/pricing.ts", "/home/dev/shop/web/src/pricing.ts"),
        ("file:///C:/Users/a%20b/shop/app.py", "/Users/a b/shop/app.py"),
        ("C:\\Users\\ci\\shop\\src\\shop\\cart.py", "/Users/ci/shop/src/shop/cart.py"),
        ("./src/store.rs", "src/store.rs"),
        ("webpack:///./web/cart.js", "web/cart.js"),
        ("/a//b/./c.py", "/a/b/c.py"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_path_index_exact_root_and_suffix() -> None:
    index = PathIndex(GRAPH.files, root="/ws/shop")
    assert [(m.path, m.confidence) for m in index.resolve("src/shop/cart.py")] == [("src/shop/cart.py", 1.0)]
    assert [(m.path, m.confidence) for m in index.resolve("/ws/shop/app.py")] == [("app.py", 1.0)]
    foreign = index.resolve("/home/ci/build/proj/src/shop/cart.py")
    assert [(m.path, m.confidence) for m in foreign] == [("src/shop/cart.py", 0.9)]
    assert "ends with" in foreign[0].reason
    assert index.resolve("/elsewhere/prices.py")[0].reason == "matched by file name only"
    assert index.resolve("/nowhere/missing.py") == []
    assert index.resolve("<frozen importlib._bootstrap>") == []


def test_hostile_relative_path_never_leaves_the_workspace() -> None:
    index = PathIndex(GRAPH.files, root="/ws/shop")
    assert index.relative("../../etc/passwd") is None
    assert index.relative("/etc/passwd") is None
    assert index.resolve("../../etc/passwd") == []
    # a suffix match can only ever name an indexed file
    assert all(m.path in GRAPH.files for m in index.resolve("../../../src/shop/cart.py"))


def test_line_drift_found_by_quoted_source() -> None:
    m = mapper().map_frame(frame("/x/src/shop/prices.py", 4, "price_of", "return PRICES[sku]"), TraceFormat.PYTHON)
    assert m.status is FrameStatus.WORKSPACE
    assert (m.path, m.line) == ("src/shop/prices.py", 8)
    assert m.symbol is not None and m.symbol.qualname == "price_of"
    assert "code moved" in m.reason and "+5" in m.reason
    assert m.confidence == pytest.approx(0.81)


def test_quoted_source_not_found_keeps_the_line_with_low_confidence() -> None:
    m = mapper().map_frame(frame("src/shop/prices.py", 9, "price_of", "return COSTS[sku]"), TraceFormat.PYTHON)
    assert m.line == 8
    assert "not found within 30 lines" in m.reason
    assert m.confidence == pytest.approx(0.6)
    assert m.symbol is not None and m.symbol.qualname == "price_of"


def test_nearest_line_prefers_the_closest_match() -> None:
    lines = ["x = 1", "y()", "x = 1", "z()", "  x  =  1  "]
    assert nearest_line(lines, 3, "x = 1") == 2
    assert nearest_line(lines, 4, "x = 1") == 4
    assert nearest_line(lines, 0, "missing") is None
    assert nearest_line(lines, 0, "   ") is None


def test_line_past_end_of_file_falls_back_to_function_name() -> None:
    m = mapper().map_frame(frame("src/shop/prices.py", 400, "load_prices"), TraceFormat.PYTHON)
    assert m.line is None
    assert m.symbol is not None and m.symbol.qualname == "load_prices"
    assert "past the end" in m.reason


def test_unverified_line_outside_the_named_function_is_matched_by_name() -> None:
    # Go prints no source; line 29 lies in Store.Nth but the frame names Get.
    f = frame("/build/go/internal/store/store.go", 29, "Get", function="store.(*Store).Get")
    m = mapper().map_frame(f, TraceFormat.GO)
    assert m.symbol is not None and m.symbol.qualname == "Store.Get"
    assert "matched it by name" in m.reason


def test_library_frames_are_kept_and_marked() -> None:
    lib = Frame("/usr/lib/python3.12/json/decoder.py", 355, None, "raw_decode", "raw_decode", None, True)
    m = mapper().map_frame(lib, TraceFormat.PYTHON)
    assert (m.status, m.path, m.symbol, m.sendable) == (FrameStatus.LIBRARY, None, None, False)


def test_excluded_indexed_file_is_flagged_and_never_sendable() -> None:
    m = mapper(is_excluded=lambda p: p == "src/shop/config.py").map_frame(
        frame("/x/src/shop/config.py", 8, "parse_config"), TraceFormat.PYTHON
    )
    assert (m.status, m.path, m.symbol, m.sendable) == (FrameStatus.EXCLUDED, "src/shop/config.py", None, False)


def test_excluded_unindexed_file_under_the_root_is_flagged() -> None:
    m = mapper(root="/ws/shop", is_excluded=lambda p: p.startswith("secrets/")).map_frame(
        frame("/ws/shop/secrets/keys.py", 3, "load"), TraceFormat.PYTHON
    )
    assert (m.status, m.path) == (FrameStatus.EXCLUDED, "secrets/keys.py")


def test_unknown_file_is_unmapped() -> None:
    m = mapper().map_frame(frame("/ws/tools/release.py", 3, "main"), TraceFormat.PYTHON)
    assert (m.status, m.path, m.confidence) == (FrameStatus.UNMAPPED, None, 0.0)


def test_java_package_picks_the_right_file_among_same_names() -> None:
    legacy = Frame("Cart.java", 6, None, "com.acme.legacy.Cart.size", "size", None, False)
    shop = Frame("Cart.java", 20, None, "app//com.acme.shop.Cart.total", "total", None, False)
    m1, m2 = (mapper().map_frame(f, TraceFormat.JAVA) for f in (legacy, shop))
    assert m1.path == "java/src/main/java/com/acme/legacy/Cart.java"
    assert m2.path == "java/src/main/java/com/acme/shop/Cart.java"
    assert m2.symbol is not None and m2.symbol.qualname == "Cart.total"


def _tiny_graph(files: dict[str, list[tuple[str, int, int]]]) -> Graph:
    graph = Graph()
    for path, defs in files.items():
        whole = Span(Point(0, 0), Point(100, 0), 0, 10_000)
        ex = FileExtract(path=path, lang="python")
        mod = module_id(path)
        ex.symbols.append(Symbol(mod, path, path, "", SymbolKind.MODULE, whole, whole, "", "", None, "python"))
        for name, start, end in defs:
            span = Span(Point(start, 0), Point(end, 0), start * 10, end * 10)
            ex.symbols.append(
                Symbol(symbol_id(path, name), path, name, name, SymbolKind.FUNCTION, span, span, "", "", mod, "python")
            )
        graph.put_file(FileRecord(path, "python", "h", 1, 0.0, 0.0), ex)
    return graph


def test_tied_suffix_is_broken_by_the_function_name() -> None:
    graph = _tiny_graph({"a/util.py": [("alpha", 0, 5)], "b/util.py": [("beta", 0, 5)]})
    m = FrameMapper(graph).map_frame(frame("/far/away/util.py", 2, "beta"), TraceFormat.PYTHON)
    assert m.path == "b/util.py"
    assert m.confidence == pytest.approx(0.7)
    assert "only one of them defines beta" in m.reason


def test_tie_without_a_hint_is_low_confidence() -> None:
    graph = _tiny_graph({"a/util.py": [("f", 0, 5)], "b/util.py": [("f", 0, 5)]})
    m = FrameMapper(graph).map_frame(frame("/far/away/util.py", 2, "f"), TraceFormat.PYTHON)
    assert m.confidence == pytest.approx(0.4)
    assert "2 workspace files share" in m.reason


def test_module_level_frame_maps_to_the_module_symbol() -> None:
    m = mapper().map_frame(frame("app.py", 19, source="sys.exit(main(sys.argv))"), TraceFormat.PYTHON)
    assert m.symbol is not None and m.symbol.id == module_id("app.py")


def test_without_file_text_the_line_is_trusted_as_printed() -> None:
    m = FrameMapper(GRAPH).map_frame(frame("src/shop/cart.py", 19, "total", "anything"), TraceFormat.PYTHON)
    assert m.line == 18
    assert m.symbol is not None and m.symbol.qualname == "Cart.total"
    assert m.confidence == 1.0


def test_library_runs_are_summarised() -> None:
    parsed = parse_traces(fixture_text("node_plain"))
    assert isinstance(parsed, ParsedTraces)
    runs = summarise(mapper().map_trace(parsed.primary), parsed.primary.format)
    assert [r.describe() for r in runs] == ["handler at web/server.js:13", "8 frames in express"]


def test_summary_names_excluded_frames_without_source() -> None:
    parsed = parse_traces(fixture_text("python_library"))
    assert isinstance(parsed, ParsedTraces)
    mapped = mapper(is_excluded=lambda p: p.endswith("prices.py")).map_trace(parsed.primary)
    lines = [r.describe() for r in summarise(mapped, parsed.primary.format)]
    assert lines == [
        "4 frames in python stdlib",
        "load_prices at src/shop/prices.py (excluded: source not shared)",
        "2 frames in click",
    ]
