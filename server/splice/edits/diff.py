"""Hunks, minimal text edits and unified diffs computed from a before/after pair of texts.

Hunks are tight (no context lines) so the review shows exactly what changes and a user can accept or reject each.
Their ids are stable: a hash of the path, position and texts, so the same proposal always yields the same ids.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from splice.edits.validate import escape_invisible
from splice.index.model import Point


@dataclass(frozen=True, slots=True)
class Hunk:
    """One contiguous change: lines ``[old_start, old_end)`` of the base text become ``new_text``."""

    id: str
    old_start: int
    old_end: int
    new_start: int
    """Where the new lines start in the full proposed text (0-based)."""
    old_text: str
    """The exact base text replaced (whole lines, terminators included)."""
    new_text: str


@dataclass(frozen=True, slots=True)
class TextEdit:
    """A replacement of ``[start, end)`` (0-based lines, UTF-8 byte columns) in the base text."""

    start: Point
    end: Point
    new_text: str


def changed_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for turning lines ``a`` into ``b``, without the ``equal`` ones.

    The common head and tail are cut off first: an edit touches one region of a file, and SequenceMatcher on a
    whole 3,000-line file costs ~100 ms where the changed middle costs well under one.
    """
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail], autojunk=False)
    return [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def compute_hunks(path: str, before: str, after: str) -> tuple[Hunk, ...]:
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    hunks: list[Hunk] = []
    for _, i1, i2, j1, j2 in changed_blocks(a, b):
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        digest = hashlib.sha256(f"{path}\0{i1}\0{old}\0{new}".encode()).hexdigest()[:12]
        hunks.append(Hunk(f"h{digest}", i1, i2, j1, old, new))
    return tuple(hunks)


def apply_hunks(before: str, hunks: tuple[Hunk, ...] | list[Hunk]) -> str:
    """``before`` with only the given hunks applied (they come from one ``compute_hunks`` call)."""
    lines = before.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for hunk in sorted(hunks, key=lambda h: h.old_start):
        out.extend(lines[pos : hunk.old_start])
        out.append(hunk.new_text)
        pos = hunk.old_end
    out.extend(lines[pos:])
    return "".join(out)


def text_edits(before: str, hunks: tuple[Hunk, ...]) -> list[TextEdit]:
    """The hunks as range replacements on ``before``, for an editor's ``workspace/applyEdit``."""
    lines = before.splitlines(keepends=True)
    return [TextEdit(_point(lines, h.old_start), _point(lines, h.old_end), h.new_text) for h in hunks]


def _point(lines: list[str], line: int) -> Point:
    # Past the last line of a file without a final newline, the position is the end of that line.
    if line >= len(lines) and lines and not lines[-1].endswith("\n"):
        return Point(len(lines) - 1, len(lines[-1].encode("utf-8")))
    return Point(line, 0)


def unified_diff(
    path: str, before: str | None, after: str | None, *, new_path: str | None = None, context: int = 3
) -> str:
    """A git-style unified diff; ``before`` None is a creation, ``after`` None a deletion. Invisible characters
    are shown escaped (``<U+202E>``) so the reader sees them."""
    old_label = "/dev/null" if before is None else f"a/{path}"
    new_label = "/dev/null" if after is None else f"b/{new_path or path}"
    header = ""
    if new_path and new_path != path:
        header = f"rename from {path}\nrename to {new_path}\n"
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        (after or "").splitlines(keepends=True),
        old_label,
        new_label,
        n=context,
    )
    body: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            body.append(line)
        else:
            body.append(line + "\n\\ No newline at end of file\n")
    if not body and header:
        body = [f"--- {old_label}\n", f"+++ {new_label}\n"]
    return escape_invisible(header + "".join(body))
