"""2,000 seeded hostile messages against the real server (10,000 in ``make bench-fuzz``): 0 deaths, 0 unanswered
requests, 0 duplicate replies, 0 replies to ids nobody sent, and a clean exit."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.lsp_session import copy_example
from tests.faults.fuzz import fuzz


def test_seeded_fuzz_of_2000_messages(tmp_path: Path) -> None:
    result, rc = fuzz(copy_example(tmp_path), 2000, seed=15)
    assert result.alive and rc == 0
    assert result.requests > 500  # most messages are requests; the books below are about them
    assert result.unanswered == []
    assert result.duplicated == []
    assert result.stray == []
