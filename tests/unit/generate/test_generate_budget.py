"""Generate's prompt keeps to the context budget as a whole: the instruction, the current code, the callers and the
answer format are counted before any context item, and the items ranked last give way."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.context.support import FILES, line_of, write

from splice.config import Settings
from splice.features.generate.service import Generate
from splice.features.workspace import SpliceWorkspace
from splice.index.model import Point

APP = FILES["pkg/app.py"]


@pytest.mark.parametrize("budget", [300, 600, 1200])
def test_the_whole_prompt_fits_the_budget(tmp_path: Path, budget: int) -> None:
    write(tmp_path, FILES)
    ws = SpliceWorkspace(tmp_path, Settings(context_budget=budget))
    ws.indexer.index_all()
    try:
        gen = Generate(ws)
        line = line_of(APP, "self.log(name)")
        task = gen.free_task("pkg/app.py", Point(line, 8), Point(line, 8), "log the header value too")
        count = ws.context_engine().count
        sent = sum(count(m.content) for m in task.request().messages)
        assert sent <= budget or not task.items, (budget, sent)
        assert "    def handle(self, request):" in task.current  # the def line keeps its indentation
    finally:
        ws.indexer.close()


def test_a_roomy_budget_keeps_every_item(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    ws = SpliceWorkspace(tmp_path, Settings(context_budget=8000))
    ws.indexer.index_all()
    try:
        gen = Generate(ws)
        line = line_of(APP, "self.log(name)")
        task = gen.free_task("pkg/app.py", Point(line, 8), Point(line, 8), "log the header value too")
        assert any(i.symbol == "pkg/util.py::parse_header" for i in task.items)
    finally:
        ws.indexer.close()
