"""A buffer whose text the index already holds is not parsed again; a different buffer is (and never touches the
graph)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.context.support import APP_PY, FILES, index, line_of, write

from splice.context.engine import ContextEngine
from splice.context.model import ContextRequest, PositionTarget
from splice.index.extract import extract
from splice.index.model import FileExtract


def test_a_buffer_equal_to_the_indexed_text_reuses_the_graph(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    graph = index(tmp_path)
    calls: list[str] = []

    def counting(path: str, lang: str, source: bytes) -> FileExtract:
        calls.append(path)
        return extract(path, lang, source)

    engine = ContextEngine(graph, tmp_path, extractor=counting)
    line = line_of(APP_PY, "parse_header")
    same = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", line, 4, APP_PY), 2000))
    assert same.error is None and same.items and calls == []
    edited = APP_PY + "\n\ndef added() -> None:\n    pass\n"
    changed = engine.assemble(ContextRequest(PositionTarget("pkg/app.py", line, 4, edited), 2000))
    assert changed.error is None and calls == ["pkg/app.py"]
    assert [s.name for s in graph.symbols_in("pkg/app.py") if s.name == "added"] == []  # the graph is untouched
