"""Multi-file ``--apply`` is all-or-nothing across SIGKILL and Ctrl-C (issue 15: 9 of 12 interrupted applies left
1–39 of 40 files changed, no proposal recorded, temp files behind)."""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest

from splice.edits import journal
from splice.edits.store import ProposalStore
from tests.faults.kill_apply import make_workspace, reset, splice, state_of, temp_files, trial


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_apply_is_all_or_nothing(tmp_path: Path, sig: int) -> None:
    root = make_workspace(tmp_path / "ws", lines=1500)
    result = trial(root, random.Random(sig), sig)
    assert result.killed_mid_write, "the signal did not land inside the apply; the trial proves nothing"
    assert result.outcome in ("old", "new"), result
    assert result.temps == 0
    if result.outcome == "new":
        assert result.recorded, "the apply finished but --undo does not know it"
    reset(root)


def _journal_of_a_killed_apply(root: Path, written: int) -> None:
    """What a kill leaves: the journal, ``written`` of 3 files replaced, a temp file beside the next one."""
    steps = []
    for i in range(3):
        path = root / f"f{i}.py"
        before = f"x = {i}\n".encode()
        path.write_bytes(before)
        steps.append(journal.Step(path, before, journal.digest(f"x = {i + 10}\n".encode()), 0o644))
    journal.begin(root, steps, [], None)
    for i in range(written):
        (root / f"f{i}.py").write_bytes(f"x = {i + 10}\n".encode())
    (root / f".f{written}.py.splice-0123456789ab").write_bytes(b"half")


def test_recovery_rolls_a_partial_apply_back(tmp_path: Path) -> None:
    _journal_of_a_killed_apply(tmp_path, written=2)
    recovered = journal.recover(tmp_path)
    assert recovered is not None and not recovered.finished
    assert [(tmp_path / f"f{i}.py").read_text() for i in range(3)] == ["x = 0\n", "x = 1\n", "x = 2\n"]
    assert not temp_files(tmp_path) and not journal.journal_path(tmp_path).exists()
    assert journal.recover(tmp_path) is None


def test_recovery_completes_an_apply_that_wrote_everything(tmp_path: Path) -> None:
    _journal_of_a_killed_apply(tmp_path, written=3)
    recovered = journal.recover(tmp_path)
    assert recovered is not None and recovered.finished
    assert [(tmp_path / f"f{i}.py").read_text() for i in range(3)] == ["x = 10\n", "x = 11\n", "x = 12\n"]


def test_recovery_leaves_a_file_edited_since_alone(tmp_path: Path) -> None:
    _journal_of_a_killed_apply(tmp_path, written=2)
    (tmp_path / "f1.py").write_text("x = 'the user typed this after the crash'\n")
    recovered = journal.recover(tmp_path)
    assert recovered is not None and recovered.left_alone == ("f1.py",)
    assert (tmp_path / "f1.py").read_text() == "x = 'the user typed this after the crash'\n"
    assert (tmp_path / "f0.py").read_text() == "x = 0\n"


def test_a_completed_apply_is_recorded_for_undo(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", files=3, lines=3)

    done = splice(root, "--answer", "answer.md", "--apply")
    assert done.returncode == 0, done.stderr
    assert state_of(root, 3) == (0, 3)
    assert ProposalStore.for_workspace(root).latest_undoable() is not None
    assert not journal.journal_path(root).exists() and not temp_files(root)
