"""kill -9 during indexing leaves an index the next run repairs to equal a clean rebuild (issue 15: 2 of 17 warm
trials kept import edges to deleted files forever — the deletions were committed before the rewrites)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from tests.faults.kill_index import index, make_workspace, trial


def test_a_killed_warm_index_run_is_repaired_by_the_next(tmp_path: Path) -> None:
    """One trial here (each costs four index runs); ``make bench-fuzz`` runs 20 warm and 20 cold."""
    root = make_workspace(tmp_path / "ws")
    started = time.monotonic()
    assert index(root).returncode == 0
    window = (time.monotonic() - started) * 0.8  # a warm run after the changes takes about as long as a cold one
    result = trial(root, tmp_path / "clean", random.Random(15), warm=True, window=window)
    assert result.divergent == [], f"killed={result.killed} after {result.delay:.2f} s"
