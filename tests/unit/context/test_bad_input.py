"""Every way a context request can be wrong gives a defined result — an error message or a partial context with a
note — never an exception or a hang."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.context.support import APP_PY, index, line_of

from splice.context.engine import ContextEngine
from splice.context.model import ContextRequest, Frame, FramesTarget, PositionTarget, SymbolTarget, TextTarget
from splice.index.graph import Graph

HANDLE = line_of(APP_PY, "name, value = parse_header")


def ask(engine: ContextEngine, target: object, budget: int = 1000) -> object:
    return engine.assemble(ContextRequest(target, budget=budget))  # type: ignore[arg-type]


def test_position_past_the_end_of_the_file(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", 999, 0), budget=1000))
    assert result.error is not None and "outside" in result.error
    assert result.items == ()


def test_negative_position(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", -1, 0), budget=1000))
    assert result.error is not None and "outside" in result.error


def test_column_past_the_line_end_is_clamped_with_a_note(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 500), budget=1000))
    assert result.error is None
    assert result.target_symbol == "pkg/app.py::App.handle"
    assert any("past the end" in note for note in result.notes)


@pytest.mark.parametrize("path", ["../outside.py", "/etc/passwd", "pkg/../../x.py"])
def test_file_outside_the_workspace(make_engine: Callable[..., ContextEngine], path: str) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget(path, 0, 0), budget=1000))
    assert result.error is not None and "outside the workspace" in result.error


def test_symlink_escaping_the_workspace(make_engine: Callable[..., ContextEngine], workspace: Path) -> None:
    outside = workspace.parent / f"{workspace.name}-outside.py"
    outside.write_text("def f():\n    return 1\n", encoding="utf-8")
    (workspace / "link.py").symlink_to(outside)
    result = make_engine().assemble(ContextRequest(PositionTarget("link.py", 0, 0), budget=1000))
    assert result.error is not None and "outside the workspace" in result.error


def test_missing_file(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/nope.py", 0, 0), budget=1000))
    assert result.error is not None and "does not exist" in result.error


def test_ignored_file_is_refused(make_engine: Callable[..., ContextEngine]) -> None:
    by_setting = make_engine(exclude=("pkg/secret/",))
    result = by_setting.assemble(ContextRequest(PositionTarget("pkg/secret/hidden.py", 0, 0), budget=1000))
    assert result.error is not None and "excluded" in result.error
    by_rules = make_engine(is_ignored=lambda p: p.startswith("pkg/secret"))
    result = by_rules.assemble(ContextRequest(PositionTarget("pkg/secret/hidden.py", 0, 0), budget=1000))
    assert result.error is not None and "excluded" in result.error


def test_env_file_is_refused(make_engine: Callable[..., ContextEngine], workspace: Path) -> None:
    (workspace / ".env").write_text("API_KEY=abc123\n", encoding="utf-8")
    result = make_engine().assemble(ContextRequest(PositionTarget(".env", 0, 0), budget=1000))
    assert result.error is not None and "excluded" in result.error


def test_unindexed_file_is_parsed_for_the_request(make_engine: Callable[..., ContextEngine], workspace: Path) -> None:
    (workspace / "pkg/new.py").write_text(
        "from pkg.util import parse_header\n\n\ndef fresh(line):\n    return parse_header(line)\n", encoding="utf-8"
    )
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/new.py", 4, 4), budget=1000))
    assert result.error is None
    assert any("not in the index" in note for note in result.notes)
    assert "pkg/util.py::parse_header" in [i.symbol for i in result.items]


def test_file_without_a_grammar(make_engine: Callable[..., ContextEngine], workspace: Path) -> None:
    (workspace / "notes.txt").write_text("hello\n", encoding="utf-8")
    result = make_engine().assemble(ContextRequest(PositionTarget("notes.txt", 0, 0), budget=1000))
    assert result.error is not None and "no grammar" in result.error


def test_empty_workspace(tmp_path: Path) -> None:
    (tmp_path / "solo.py").write_text("def only():\n    return 1\n", encoding="utf-8")
    engine = ContextEngine(Graph(), tmp_path)
    result = engine.assemble(ContextRequest(PositionTarget("solo.py", 1, 4), budget=1000))
    assert result.error is None
    assert any("index is empty" in note for note in result.notes)
    assert [i.kind for i in result.items] == ["target"]
    text = engine.assemble(ContextRequest(TextTarget("anything"), budget=1000))
    assert text.error is None and text.items == ()


def test_budget_zero(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=0))
    assert result.error is None
    assert result.items == () and result.used == 0
    assert any("0 tokens" in note for note in result.notes)


def test_negative_budget(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=-5))
    assert result.items == () and result.used == 0


def test_budget_smaller_than_the_target(make_engine: Callable[..., ContextEngine]) -> None:
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=3))
    assert result.used <= 3
    assert all(item.kind != "target" for item in result.items)
    assert any("smaller than the target" in note for note in result.notes)


def test_buffer_with_syntax_errors(make_engine: Callable[..., ContextEngine], graph: Graph) -> None:
    broken = APP_PY.replace("def other(self):", "def other(self:\n        ((( ]]").replace(
        "return DEFAULT_TIMEOUT", "return DEFAULT_TIMEOUT +"
    )
    before = graph.stats()
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8, text=broken), budget=1000))
    assert result.error is None
    assert any("syntax error" in note for note in result.notes)
    assert "pkg/util.py::parse_header" in [i.symbol for i in result.items]
    assert graph.stats() == before


def test_binary_garbage_buffer(make_engine: Callable[..., ContextEngine]) -> None:
    garbage = "\x00\x01\x02 def ((((\n" * 50
    result = make_engine().assemble(ContextRequest(PositionTarget("pkg/app.py", 3, 0, text=garbage), budget=1000))
    assert result.error is None or "outside" in result.error


def test_unknown_symbol_and_empty_text(make_engine: Callable[..., ContextEngine]) -> None:
    engine = make_engine()
    result = engine.assemble(ContextRequest(SymbolTarget("pkg/app.py::Nope"), budget=1000))
    assert result.error is not None and "unknown symbol" in result.error
    result = engine.assemble(ContextRequest(TextTarget("   "), budget=1000))
    assert result.error is not None and "empty" in result.error


def test_frames_all_outside_the_workspace(make_engine: Callable[..., ContextEngine]) -> None:
    target = FramesTarget((Frame("/usr/lib/python3/json/decoder.py", 10),), message="boom")
    result = make_engine().assemble(ContextRequest(target, budget=1000))
    assert result.error is not None and "frames" in result.error


def test_a_crashing_search_backend_does_not_raise(make_engine: Callable[..., ContextEngine]) -> None:
    def broken(query: str, limit: int) -> list[tuple[str, float]]:
        raise RuntimeError("index corrupted")

    result = make_engine(fts=broken, vectors=broken).assemble(
        ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8, instruction="also parse the value"), budget=500)
    )
    assert result.error is None
    assert any("index corrupted" in note for note in result.notes)
    assert "pkg/util.py::parse_header" in [i.symbol for i in result.items]


def test_reindexing_between_requests_is_picked_up(
    make_engine: Callable[..., ContextEngine], workspace: Path, graph: Graph
) -> None:
    engine = make_engine()
    first = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=2000))
    assert "pkg/util.py::parse_header" in [i.symbol for i in first.items]
    (workspace / "pkg/util.py").write_text("def parse_header_renamed(line):\n    return line\n", encoding="utf-8")
    index(workspace, graph)
    second = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", HANDLE, 8), budget=2000))
    assert "pkg/util.py::parse_header" not in [i.symbol for i in second.items]
