"""The text → resolution façade: focus symbols in order, excluded files named but never offered, signatures."""

from __future__ import annotations

from tests.unit.explain.explain_support import build_graph, fixture_text, read_workspace_text

from splice.features.explain.model import ParseError
from splice.features.explain.resolve import Resolution, resolve_text

GRAPH = build_graph()


def resolve(name: str, **kwargs: object) -> Resolution:
    result = resolve_text(fixture_text(name), GRAPH, read_text=read_workspace_text, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Resolution), result
    return result


def test_focus_symbols_start_at_the_root_cause() -> None:
    res = resolve("python_cause_chain")
    assert [s.id for s in res.focus_symbols()] == [
        "src/shop/config.py::load",
        "src/shop/config.py::parse_config",
        "app.py::main",
    ]
    assert [r.trace.exception_type for r in res.primary.chain()] == ["RuntimeError", "ValueError", "FileNotFoundError"]


def test_excluded_frames_are_named_but_never_focus() -> None:
    res = resolve("python_cause_chain", is_excluded=lambda p: p == "src/shop/config.py")
    assert [s.id for s in res.focus_symbols()] == ["app.py::main"]
    assert res.excluded_paths() == ["src/shop/config.py"]


def test_focus_limit_and_library_runs() -> None:
    res = resolve("node_plain")
    assert [s.id for s in res.focus_symbols(limit=1)] == ["web/server.js::handler"]
    assert [r.describe() for r in res.primary.runs] == ["handler at web/server.js:13", "8 frames in express"]


def test_other_traces_and_related_are_resolved_too() -> None:
    res = resolve("pytest_long")
    innermost = res.others[0].frames[0]
    assert innermost.symbol is not None and innermost.symbol.qualname == "price_of"
    java = resolve("java_log_suppressed")
    assert java.primary.related[0].trace.exception_type == "java.io.UncheckedIOException"
    assert java.signature.symbols[0] == "java/src/main/java/com/acme/shop/Cart.java::Cart.Cart"


def test_parse_error_passes_through() -> None:
    assert isinstance(resolve_text("", GRAPH), ParseError)
