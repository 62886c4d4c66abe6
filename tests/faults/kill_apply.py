"""kill -9 (or Ctrl-C) at a random moment of a 40-file ``splice edit --apply``, then check the workspace: all files
old or all new, the proposal recorded when new (so ``--undo`` works), no temp files. Used by the fault tests (a few
trials) and ``bench/faults.py`` (many)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FILES = 40
ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"}


def make_workspace(root: Path, files: int = FILES, lines: int = 4000) -> Path:
    """``files`` Python modules big enough that writing them (each fsync'd) takes a while; an answer changing all."""
    (root / "pkg").mkdir(parents=True)
    blocks = []
    for i in range(files):
        body = "".join(f"    total_{j} = value * {j}\n" for j in range(lines))
        (root / "pkg" / f"mod{i:02d}.py").write_text(f"def compute_{i}(value):\n{body}    return value + {i}\n")
        blocks.append(
            f"pkg/mod{i:02d}.py\n```python\n<<<<<<< SEARCH\n    return value + {i}\n=======\n"
            f"    return value - {i}\n>>>>>>> REPLACE\n```\n"
        )
    (root / "answer.md").write_text("Flip every sign.\n\n" + "\n".join(blocks))
    return root


def state_of(root: Path, files: int = FILES) -> tuple[int, int]:
    """(files with the old text, files with the new text)."""
    old = new = 0
    for i in range(files):
        text = (root / "pkg" / f"mod{i:02d}.py").read_text()
        old += f"return value + {i}\n" in text
        new += f"return value - {i}\n" in text
    return old, new


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".splice-" in p.name]


def splice(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "splice", "edit", "--workspace", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=timeout, cwd=root)


@dataclass(frozen=True)
class Trial:
    killed_mid_write: bool
    """The journal existed when the signal was sent (the kill landed inside the apply)."""
    outcome: str
    """``old`` | ``new`` | ``partial``"""
    recorded: bool
    """``--undo`` found the applied proposal (only meaningful for ``new``)."""
    temps: int


def trial(root: Path, rng: random.Random, sig: int = signal.SIGKILL, window: float = 0.4) -> Trial:
    """One interrupted apply and the next start's recovery (``splice edit --undo`` without ``--apply``)."""
    journal = root / ".splice" / "journal" / "apply.json"
    cmd = [sys.executable, "-m", "splice", "edit", "--workspace", str(root), "--answer", "answer.md", "--apply"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=root)
    deadline = time.monotonic() + 120
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    mid = journal.exists()
    time.sleep(rng.uniform(0, window))
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    undo = splice(root, "--undo")  # the next start: settles the journal, then shows the inverse diff
    old, new = state_of(root)
    outcome = "new" if new == FILES else "old" if old == FILES else "partial"
    recorded = undo.returncode == 0 and "return value + 0" in undo.stdout
    return Trial(mid, outcome, recorded, len(temp_files(root)))


def reset(root: Path) -> None:
    """Back to the old text for the next trial (through the product's own undo when the apply landed)."""
    if state_of(root)[1] == FILES:
        done = splice(root, "--undo", "--apply")
        assert done.returncode == 0, done.stderr
    assert state_of(root) == (FILES, 0)
