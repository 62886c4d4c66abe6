"""End-to-end behaviour of the context engine on a small indexed workspace: what is found, why, in what order,
within the budget, and without touching the shared graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.unit.context.support import APP_PY, CLIENT_PY, index, line_of, write

from splice.context.engine import ContextEngine
from splice.context.model import (
    ContextRequest,
    ContextResult,
    DiagnosticTarget,
    Frame,
    FramesTarget,
    PositionTarget,
    SymbolTarget,
    TextTarget,
    file_header,
    item_line,
)
from splice.index.graph import Graph

HANDLE = line_of(APP_PY, "name, value = parse_header")


def ids(result: ContextResult) -> list[str | None]:
    return [item.symbol for item in result.items]


def test_position_finds_callee_base_class_and_constants(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=2000))
    assert result.error is None
    assert result.target_symbol == "pkg/app.py::App.handle"
    assert result.items[0].kind == "target"
    found = ids(result)
    assert "pkg/util.py::parse_header" in found
    assert "pkg/base.py::Base" in found or "pkg/base.py::Base.handle" in found
    assert "pkg/util.py::DEFAULT_TIMEOUT" in found
    reasons = {item.symbol: item.reason for item in result.items}
    assert "called by the target" in reasons["pkg/util.py::parse_header"]
    # The callee the target actually calls outranks a helper nobody here uses.
    assert "pkg/util.py::unrelated_helper" not in found[: found.index("pkg/util.py::parse_header") + 1]


def test_callers_appear_as_call_sites(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=4000))
    sites = [item for item in result.items if item.kind == "call-site"]
    assert sites, "the caller in client.py should be shown"
    assert sites[0].path == "pkg/client.py"
    assert sites[0].range.start.line == line_of(CLIENT_PY, "app.handle(")
    assert "app.handle(" in sites[0].text
    assert "calls the target" in sites[0].reason


def test_budget_is_never_exceeded(make_engine: Callable[..., ContextEngine]) -> None:
    engine = make_engine()
    for budget in (1, 5, 20, 50, 80, 120, 300, 1000, 5000):
        result = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=budget))
        assert result.used <= budget
        assert sum(i.tokens for i in result.items) == result.used


def test_tight_budget_prefers_cards_and_room_allows_bodies(make_engine: Callable[..., ContextEngine]) -> None:
    engine = make_engine()
    tight = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=150))
    roomy = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=6000))
    tight_kinds = {i.symbol: i.kind for i in tight.items}
    roomy_kinds = {i.symbol: i.kind for i in roomy.items}
    assert tight_kinds.get("pkg/util.py::parse_header") == "card"
    assert roomy_kinds.get("pkg/util.py::parse_header") == "body"
    body = next(i for i in roomy.items if i.symbol == "pkg/util.py::parse_header")
    assert 'name, _, value = line.partition(":")' in body.text


def test_token_counter_is_injected(make_engine: Callable[..., ContextEngine]) -> None:
    words = make_engine(count_tokens=lambda text: len(text.split()))
    result = words.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=400))
    assert result.items
    seen: set[str] = set()
    for item in result.items:
        # an item's tokens are its text's plus its line in the prompt, under the same counter; the first item of
        # each file also carries the heading and fence the file's items share
        line = item_line(item.range.start.line, item.range.end.line, item.symbol, "excerpt", item.reason)
        shared = len(file_header(item.path).split()) if item.path not in seen else 0
        seen.add(item.path)
        assert item.tokens == len(item.text.split()) + len(line.split()) + shared
    assert len(seen) < len(result.items)  # some file gave several items: they shared one heading
    assert result.used == sum(i.tokens for i in result.items) <= 400


def test_secrets_are_masked_in_every_item(make_engine: Callable[..., ContextEngine]) -> None:
    line = line_of(APP_PY, "return API_KEY")
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", line, 8), budget=4000))
    assert "pkg/util.py::API_KEY" in ids(result)
    text = "\n".join(item.text for item in result.items)
    assert "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" not in text
    assert "redacted" in text


def test_excluded_paths_never_appear(make_engine: Callable[..., ContextEngine]) -> None:
    engine = make_engine(exclude=("pkg/util.py",))
    result = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=4000))
    assert all(item.path != "pkg/util.py" for item in result.items)
    ignored = make_engine(is_ignored=lambda path: path.startswith("pkg/base"))
    result = ignored.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=4000))
    assert all(item.path != "pkg/base.py" for item in result.items)


def test_pins_come_first_and_excludes_drop(make_engine: Callable[..., ContextEngine]) -> None:
    request = ContextRequest(
        PositionTarget("pkg/app.py", HANDLE, 8),
        budget=4000,
        pins=("pkg/util.py::unrelated_helper",),
        excludes=("pkg/util.py::parse_header", "pkg/base.py"),
    )
    result = make_engine().assemble(request)
    assert result.items[1].symbol == "pkg/util.py::unrelated_helper"
    assert result.items[1].kind == "pinned"
    assert "pkg/util.py::parse_header" not in ids(result)
    assert all(item.path != "pkg/base.py" for item in result.items)


def test_buffer_override_is_used_and_never_touches_the_graph(
    make_engine: Callable[..., ContextEngine], graph: Graph
) -> None:
    before_stats = graph.stats()
    before_extract = graph.extracts["pkg/app.py"]
    buffer = APP_PY.replace("return DEFAULT_TIMEOUT", "return unrelated_helper(DEFAULT_TIMEOUT)").replace(
        "from pkg.util import DEFAULT_TIMEOUT, API_KEY, parse_header",
        "from pkg.util import DEFAULT_TIMEOUT, API_KEY, parse_header, unrelated_helper",
    )
    line = line_of(buffer, "return unrelated_helper")
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", line, 8, text=buffer), budget=2000))
    assert result.error is None
    reasons = {item.symbol: item.reason for item in result.items}
    assert "called by the target" in reasons["pkg/util.py::unrelated_helper"]
    assert graph.stats() == before_stats
    assert graph.extracts["pkg/app.py"] is before_extract


def test_stale_edges_of_the_buffer_file_are_ignored(make_engine: Callable[..., ContextEngine]) -> None:
    # The indexed handle() calls parse_header; the buffer's handle() no longer does and imports nothing from util.
    buffer = "from pkg.base import Base\n\n\nclass App(Base):\n    def handle(self, request):\n        ...\n"
    result = make_engine().assemble(
        ContextRequest(PositionTarget("pkg/app.py", 5, 8, text=buffer), budget=2000, include_target=False)
    )
    reasons = {item.symbol: item.reason for item in result.items}
    assert "called by the target" not in reasons.get("pkg/util.py::parse_header", "")


def test_symbol_diagnostic_frames_and_text_targets(make_engine: Callable[..., ContextEngine]) -> None:
    engine = make_engine()
    by_symbol = engine.assemble(ContextRequest(SymbolTarget("pkg/app.py::App.handle"), budget=2000))
    assert by_symbol.target_symbol == "pkg/app.py::App.handle"
    assert "pkg/util.py::parse_header" in ids(by_symbol)

    diag = engine.assemble(
        ContextRequest(
            DiagnosticTarget("pkg/client.py", 4, 4, message="'unrelated_helper' is not defined"), budget=2000
        )
    )
    assert diag.error is None
    assert "pkg/util.py::unrelated_helper" in ids(diag)

    frames = engine.assemble(
        ContextRequest(
            FramesTarget(
                (Frame("pkg/client.py", line_of(CLIENT_PY, "app.handle(")), Frame("pkg/app.py", HANDLE)),
                message="ValueError: not enough values to unpack",
            ),
            budget=2000,
        )
    )
    assert frames.target_symbol == "pkg/app.py::App.handle"
    assert "pkg/client.py::main" in ids(frames)

    text = engine.assemble(ContextRequest(TextTarget("split an http header line into name and value"), budget=500))
    assert text.error is None
    assert "pkg/util.py::parse_header" in ids(text)[:3]


def test_results_serialise_to_json(make_engine: Callable[..., ContextEngine], workspace: Path) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget(str(workspace / "pkg/app.py"), HANDLE), budget=500))
    data = result.to_json()
    assert data["error"] is None
    assert data["used"] <= 500
    first = data["items"][0]
    assert set(first) == {"path", "range", "symbol", "kind", "text", "reason", "score", "tokens"}


def test_concurrent_requests_with_different_buffers(make_engine: Callable[..., ContextEngine], graph: Graph) -> None:
    import threading

    engine = make_engine()
    before = graph.stats()
    results: list[ContextResult] = []

    def ask(i: int) -> None:
        buffer = APP_PY + f"\n\ndef extra_{i}():\n    return parse_header('a: b')\n"
        line = line_of(buffer, f"def extra_{i}") + 1
        results.append(engine.assemble(ContextRequest(PositionTarget("pkg/app.py", line, 4, text=buffer), budget=600)))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8
    assert all(r.error is None and r.used <= 600 for r in results)
    assert {r.target_symbol for r in results} == {f"pkg/app.py::extra_{i}" for i in range(8)}
    assert graph.stats() == before


def test_warming_builds_the_caches_and_changes_no_answer(make_engine: Callable[..., ContextEngine]) -> None:
    request = ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=2000)
    cold = make_engine().assemble(request)
    warmed = make_engine()
    warmed.warm()
    assert warmed.view.neighbours("pkg/util.py::parse_header", None)  # built before any request
    assert warmed.lexical.search({"header": 1.0})  # the identifier index too
    assert [(i.symbol, i.kind, i.text) for i in warmed.assemble(request).items] == [
        (i.symbol, i.kind, i.text) for i in cold.items
    ]


def test_a_test_suite_does_not_crowd_production_code_out_of_word_matches(tmp_path: Path) -> None:
    tests = "".join(f'def test_redirect_redirects_{i}():\n    """Redirect, redirect."""\n\n' for i in range(150))
    stub = 'def resolve_redirects(resp):\n    """Follow redirects."""\n    raise NotImplementedError\n'
    write(
        tmp_path,
        {
            "pkg/sessions.py": stub,
            "lib/errors.py": 'class TooManyRedirects(Exception):\n    """Too many redirects."""\n',
            "tests/test_redirects.py": tests,
        },
    )
    engine = ContextEngine(index(tmp_path), tmp_path)
    result = engine.assemble(ContextRequest(PositionTarget("pkg/sessions.py", 1, 4), budget=4000))
    assert "lib/errors.py::TooManyRedirects" in ids(result)
    why = next(i.reason for i in result.items if i.symbol == "lib/errors.py::TooManyRedirects")
    assert "redirects" in why and "redirect," not in why  # the words as written, not their folded index terms


def test_the_visible_file_appears_only_as_target_scope_and_siblings(tmp_path: Path) -> None:
    """The walk reaches the visible file's own definitions through the index's edges; those are shown by the
    enclosing class and sibling items, never again as ranked cards. A sibling gets a card of its own only when it
    has a docstring to show: otherwise its line in the enclosing class's card says it all."""
    write(
        tmp_path,
        {
            "pkg/errors.py": "class BadUrl(ValueError):\n    pass\n",
            "pkg/adapter.py": (
                "from pkg.errors import BadUrl\n\n\nclass Adapter:\n"
                '    def check(self, url):\n        """Refuse an empty URL."""\n        if not url:\n'
                "            raise BadUrl(url)\n\n"
                "    def send(self, request):\n        return self.check(request)\n\n"
                "    def close(self):\n        raise BadUrl('closed')\n"
            ),
        },
    )
    engine = ContextEngine(index(tmp_path), tmp_path)
    result = engine.assemble(ContextRequest(PositionTarget("pkg/adapter.py", 10, 8), budget=4000))
    own = sorted((i.kind, i.symbol or "") for i in result.items if i.path == "pkg/adapter.py")
    assert own == [
        ("card", "pkg/adapter.py::Adapter.check"),
        ("scope", "pkg/adapter.py::Adapter"),
        ("target", "pkg/adapter.py::Adapter.send"),
    ]
    assert "pkg/errors.py::BadUrl" in ids(result)
