"""Elided code (``# ... existing code ...``, ``// ...``): recognised, expanded from the original when the lines
around the marker pin down exactly which original lines it stands for, refused otherwise.

An elision must never replace real code. The expansion rule is strict: the nearest written line before the marker
and the nearest written line after it must each occur exactly once in the (remaining) original; the marker then
stands for the original lines strictly between them. A marker with nothing before it starts at the beginning of
the original, one with nothing after it runs to the end.
"""

from __future__ import annotations

import re

from splice.edits.errors import EditRefused

_COMMENT = r"(?:#|//|/\*+|\*|--|;+|<!--|%|\{/\*)"
_WORDS = (
    r"existing|rest|remaining|unchanged|same|previous|other|omitted|more|code|as before|"
    r"implementation|elided|etc|keep|no changes|stays|remains|original"
)
_MARKER = re.compile(
    rf"^\s*{_COMMENT}\s*(?:\.\.\.|…|\[\.\.\.\]|\(\.\.\.\)).*$"
    rf"|^\s*{_COMMENT}.*(?:\.\.\.|…)\s*(?:\*/|-->|\*/\}})?\s*$"
    rf"|^\s*{_COMMENT}\s*(?:\.\.\.|…)?\s*(?:{_WORDS})\b.*(?:unchanged|existing|same|omitted|before|here|remains)"
    r".*$",
    re.IGNORECASE,
)
_BARE_DOTS = re.compile(r"^\s*(?:\.\.\.|…)\s*$")


def is_marker(line: str, lang: str | None) -> bool:
    """Whether ``line`` reads as an elision marker. A bare ``...`` counts except in Python, where it is code."""
    if _MARKER.match(line):
        return True
    return lang != "python" and bool(_BARE_DOTS.match(line))


def markers(lines: list[str], original: list[str], lang: str | None) -> list[int]:
    """Indexes of marker lines in ``lines`` that the original does not itself contain (a real comment stays)."""
    present = {line.strip() for line in original}
    return [i for i, line in enumerate(lines) if is_marker(line, lang) and line.strip() not in present]


def expand(lines: list[str], original: list[str], lang: str | None, label: str) -> list[str]:
    """``lines`` with every elision marker replaced by the original lines it stands for, or EditRefused."""
    found = markers(lines, original, lang)
    if not found:
        return lines
    out: list[str] = []
    prev = 0
    orig_pos = 0
    for n, m in enumerate(found):
        seg_end = found[n + 1] if n + 1 < len(found) else len(lines)
        before = _last_written(lines, prev, m)
        after = _first_written(lines, m + 1, seg_end)
        start = orig_pos if before is None else _unique(original, lines[before], orig_pos, len(original), label) + 1
        stop = len(original) if after is None else _unique(original, lines[after], start, len(original), label)
        out.extend(lines[prev:m])
        out.extend(original[start:stop])
        orig_pos = stop
        prev = m + 1
    out.extend(lines[prev:])
    return out


def _last_written(lines: list[str], lo: int, hi: int) -> int | None:
    for i in range(hi - 1, lo - 1, -1):
        if lines[i].strip():
            return i
    return None


def _first_written(lines: list[str], lo: int, hi: int) -> int | None:
    for i in range(lo, hi):
        if lines[i].strip():
            return i
    return None


def _unique(original: list[str], line: str, lo: int, hi: int, label: str) -> int:
    want = line.strip()
    hits = [i for i in range(lo, hi) if original[i].strip() == want]
    if len(hits) == 1:
        return hits[0]
    problem = "does not occur in" if not hits else f"occurs {len(hits)} times in"
    raise EditRefused(
        f"{label} elides code ('...'), but the line next to the elision, {want!r}, {problem} the original; "
        "cannot tell which code it stands for, so nothing was applied"
    )
