"""Model-answer shapes across Python, TypeScript, Go, Rust and Java: each a workspace file, an answer written the
way chat models write them, the CLI arguments, and the exact expected file text (None: must be refused).

The tuning corpus for the edit rules; ``edit_heldout.py`` holds answers written before tuning and never tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    id: str
    path: str
    original: str
    answer: str
    args: tuple[str, ...]
    expected: str | None
    """The file's exact text after ``--apply``; None when the answer must be refused (file untouched)."""


CASES: list[Shape] = []
