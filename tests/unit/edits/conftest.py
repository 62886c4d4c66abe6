"""Shared fixtures for the edits tests: a small workspace with Python and TypeScript files, and a sentinel tree
outside it whose bytes must never change."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

APP_PY = """import os


class App:
    def run(self, x):
        y = x + 1
        return y

    @property
    def name(self):
        return "app"


def helper(a, b):
    total = a + b
    if total > 10:
        return total
    return 0
"""

UTIL_TS = """/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b;
}

export class Box {
  value = 0;
  get(): number {
    return this.value;
  }
}
"""


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """(workspace, sentinel folder outside it)."""
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "app.py").write_text(APP_PY)
    (ws / "src").mkdir()
    (ws / "src" / "util.ts").write_text(UTIL_TS)
    (ws / ".vscode").mkdir()
    (ws / ".vscode" / "settings.json").write_text("{}\n")
    outside = tmp_path / "ws-evil"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 1\n")
    return ws, outside


def snapshot(folder: Path) -> dict[str, str]:
    """Path → sha256 of every file under ``folder`` (links not followed)."""
    out: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(dirpath) / name
            out[str(p.relative_to(folder))] = (
                hashlib.sha256(p.read_bytes()).hexdigest() if not p.is_symlink() else "link"
            )
    return out


@pytest.fixture
def snap() -> Callable[[Path], dict[str, str]]:
    return snapshot
