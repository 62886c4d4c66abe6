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
from splice.edits.match import reindent
from splice.edits.text import indent_of

_COMMENT = re.compile(r"^\s*(?:#|//|/\*+|\*|--|;+|<!--|%|\{/\*)\s*(.*?)\s*(?:\*/\}?|-->)?\s*$")
_DOTS = re.compile(r"\.\.\.|…")
_KEYWORDS = re.compile(
    r"\b(?:existing|rest|remaining|remainder|unchanged|same|previous|omitted|other|more|code|implementation|"
    r"elided|etc|here|before|below|above|body|methods?|functions?|lines?|logic|original|changes?|as-is)\b",
    re.IGNORECASE,
)
# What a left-out-code comment says, in the words models use: "rest unchanged", "(unchanged)", "keep the
# remaining code as-is", "other methods and functions unchanged", "no changes below", "existing imports".
_PHRASES = re.compile(
    r"\b(?:existing code|rest of (?:the )?(?:code|file|function|method|class|body|module)|"
    r"(?:remains?|stays?) (?:the )?(?:same|unchanged)|(?:is|are) unchanged|"
    r"no (?:other )?changes?|(?:same|as) (?:as )?before|omitted|elided|left out|"
    r"(?:existing|previous|original|other) (?:code|implementation|imports?|methods?|functions?|fields?|tests?|"
    r"cases?|members?|properties|definitions?)|(?:rest|remainder|remaining) (?:of|code|methods?|functions?|"
    r"fields?|file|body|implementation))\b",
    re.IGNORECASE,
)
# "unchanged" / "as-is" alone mean an elision at the start or the end of the comment ("(unchanged)", "rest
# unchanged", "unchanged below"), not inside a sentence ("those unchanged as errors").
_EDGE_WORDS = re.compile(r"^[\s(\[.…-]*unchanged\b|\b(?:unchanged|as[- ]is)[\s.…)\]!-]*$", re.IGNORECASE)
_MAX_MARKER = 60
_BARE_DOTS = re.compile(r"^\s*(?:\.\.\.|…)\s*$")


def is_marker(line: str, lang: str | None) -> bool:
    """Whether ``line`` reads as an elision marker: a short comment that is only dots, has dots and words like
    "existing"/"rest"/"unchanged", or says "rest of the code". Commented-out code such as ``// ...args,`` is not.
    A bare ``...`` line counts too, except in Python, where it is code."""
    m = _COMMENT.match(line)
    if m:
        body = m.group(1)
        if len(body) > _MAX_MARKER:
            return False  # a sentence that happens to say "unchanged" is a real comment, not an elision
        if _DOTS.search(body):
            if not _DOTS.sub("", body).strip(" ()[]"):
                return True
            return bool(_KEYWORDS.search(body))
        return bool(_PHRASES.search(body) or _EDGE_WORDS.search(body))
    return lang != "python" and bool(_BARE_DOTS.match(line))


def looks_elided(line: str) -> bool:
    """A comment line that reads as "code left out here" in any of the languages (no Python ``...`` special case)."""
    return is_marker(line, None) and not _BARE_DOTS.match(line)


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
        elided = _aligned(original, start, stop, lines, before, after, label)
        written = lines[prev:m]
        # The marker stands for every original line strictly between its written neighbours, blank lines
        # included: blank lines the answer puts around it are only its spacing, not more blank lines.
        while written and not written[-1].strip():
            written.pop()
        out.extend(written)
        out.extend(elided)
        orig_pos = stop
        prev = m + 1
        while prev < seg_end and not lines[prev].strip():
            prev += 1
    out.extend(lines[prev:])
    return out


def _aligned(
    original: list[str], start: int, stop: int, lines: list[str], before: int | None, after: int | None, label: str
) -> list[str]:
    """The elided original lines, shifted by the indentation difference of the anchor line (the answer may quote
    the code at another indentation than the file's)."""
    if before is not None:
        ref_new, ref_old = lines[before], original[start - 1]
    elif after is not None:
        ref_new, ref_old = lines[after], original[stop]
    else:
        return original[start:stop]
    return reindent(original[start:stop], indent_of(ref_old), indent_of(ref_new), label)


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
