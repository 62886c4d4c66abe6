"""The only importer of tree_sitter: parsers and compiled queries per language, cached per thread-safe use."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from splice.index.languages import grammar_module, language_pointer

__all__ = [
    "Hunk",
    "Node",
    "Query",
    "QueryCursor",
    "Tree",
    "error_count",
    "language",
    "parse",
    "parse_shared",
    "query",
    "query_parts",
    "reparse",
    "reparse_hunks",
]

_QUERY_DIR = Path(__file__).parent / "queries"
_local = threading.local()


@cache
def language(lang: str) -> Language:
    return Language(language_pointer(lang))


def _parser(lang: str) -> Parser:
    # Parser objects are not thread-safe; keep one per thread and language.
    parsers: dict[str, Parser] | None = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    if lang not in parsers:
        parsers[lang] = Parser(language(lang))
    return parsers[lang]


def parse(lang: str, source: bytes, old_tree: Tree | None = None) -> Tree:
    """Parse bytes with the language's grammar; tree-sitter recovers from syntax errors, so this never raises."""
    if old_tree is not None:
        return _parser(lang).parse(source, old_tree)
    return _parser(lang).parse(source)


_RECENT = 4
"""Parses kept per thread by ``parse_shared``."""


def parse_shared(lang: str, source: bytes) -> Tree:
    """A parse of ``source`` for read-only use; the tree must never be edited (nor passed to ``reparse``).

    A proposal's text goes through several independent read-only checks (placement, validation, the stub and risk
    scans), each of which used to parse the same 3,000-line file again. The last few parses per thread are kept:
    the same text is not parsed twice, and a text that differs from a kept one in a region (the proposed file vs
    the current one) is parsed incrementally from it — ~1 ms instead of ~25 ms on zod's ``types.ts``.
    """
    recent: list[tuple[str, bytes, Tree]] | None = getattr(_local, "recent", None)
    if recent is None:
        recent = _local.recent = []
    base: tuple[str, bytes, Tree] | None = None
    for entry in recent:
        if entry[0] == lang:
            if entry[1] == source:
                recent.remove(entry)
                recent.append(entry)
                return entry[2]
            if abs(len(entry[1]) - len(source)) <= len(source) // 2:
                base = entry  # the most recent parse of a similar size is the best guess at a close text
    tree = reparse(lang, base[2].copy(), base[1], source) if base is not None else parse(lang, source)
    if base is not None and tree.root_node.has_error:
        # Error recovery can end differently after an incremental parse than after a fresh one, and callers count
        # errors ("the proposal does not parse"): a text with errors gets the fresh parse.
        tree = parse(lang, source)
    recent.append((lang, source, tree))
    del recent[:-_RECENT]
    return tree


def reparse(lang: str, old_tree: Tree, old_source: bytes, source: bytes) -> Tree:
    """Parse ``source`` reusing ``old_tree`` (the parse of ``old_source``): only the edited regions are re-parsed
    (``reparse_hunks`` without the hunks). ``old_tree`` is edited in place: it must not be used again."""
    return reparse_hunks(lang, old_tree, old_source, source)[0]


@dataclass(frozen=True, slots=True)
class Hunk:
    """One changed region: ``old[old_start:old_end]`` became ``new[new_start:new_end]``; lines are 0-based."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old_lines: tuple[int, int]
    """First and last line of the region in the old text."""
    new_lines: tuple[int, int]


_MAX_HUNKS = 16
_ANCHOR = 48
"""Bytes of the new text looked up in the old one to split a wide difference into separate hunks."""


def diff_hunks(old: bytes, new: bytes) -> list[Hunk]:
    """The regions where ``new`` differs from ``old``, in order; the text between them is equal (and aligned).

    Common prefix and suffix first; a middle wider than a line or two is split around an anchor found in both
    texts, recursively, so two edits far apart (one undone, one made elsewhere) are two small hunks instead of
    one spanning everything between them. Any split found is a correct description of the change; empty when
    the texts are equal.
    """
    spans: list[tuple[int, int, int, int]] = []
    _split(old, new, 0, len(old), 0, len(new), spans, 0)
    return [
        Hunk(a0, a1, b0, b1, (_row(old, a0), _row(old, a1)), (_row(new, b0), _row(new, b1))) for a0, a1, b0, b1 in spans
    ]


def _split(
    a: bytes, b: bytes, a0: int, a1: int, b0: int, b1: int, out: list[tuple[int, int, int, int]], depth: int
) -> None:
    head = _common_prefix(a[a0:a1], b[b0:b1])
    a0, b0 = a0 + head, b0 + head
    tail = _common_suffix(a[a0:a1], b[b0:b1], min(a1 - a0, b1 - b0))
    a1, b1 = a1 - tail, b1 - tail
    if a0 == a1 and b0 == b1:
        return
    if depth < 6 and len(out) < _MAX_HUNKS and b1 - b0 > 4 * _ANCHOR and a1 - a0 > 4 * _ANCHOR:
        for probe in (b0 + (b1 - b0) // 2, b0 + (b1 - b0) // 4, b0 + 3 * (b1 - b0) // 4):
            anchor = b[probe : probe + _ANCHOR]
            j = a.find(anchor, a0, a1)
            if j < 0 or a.find(anchor, j + 1, a1) >= 0:
                continue  # absent or not unique in the old middle: no trustworthy alignment here
            _split(a, b, a0, j, b0, probe, out, depth + 1)
            _split(a, b, j, a1, probe, b1, out, depth + 1)
            return
    out.append((a0, a1, b0, b1))


def _row(source: bytes, byte: int) -> int:
    return source.count(b"\n", 0, byte)


def reparse_hunks(lang: str, old_tree: Tree, old_source: bytes, source: bytes) -> tuple[Tree, list[Hunk]]:
    """``reparse`` with the change told to tree-sitter as separate hunks; the tree and the hunks (old→new).

    ``old_tree`` is edited in place: it must not be used again.
    """
    hunks = diff_hunks(old_source, source)
    for h in hunks:
        # Hunks in order, each in the coordinates left by the ones before it: those of the new text up to it.
        start = _point(source, h.new_start)
        old_end_byte = h.new_start + (h.old_end - h.old_start)
        old_end = _advance(start, old_source, h.old_start, h.old_end)
        old_tree.edit(
            start_byte=h.new_start,
            old_end_byte=old_end_byte,
            new_end_byte=h.new_end,
            start_point=start,
            old_end_point=old_end,
            new_end_point=_point(source, h.new_end),
        )
    return _parser(lang).parse(source, old_tree), hunks


def _advance(point: tuple[int, int], text: bytes, start: int, end: int) -> tuple[int, int]:
    """The point after ``text[start:end]`` written at ``point``."""
    rows = text.count(b"\n", start, end)
    if rows == 0:
        return point[0], point[1] + end - start
    return point[0] + rows, end - (text.rfind(b"\n", start, end) + 1)


def _point(source: bytes, byte: int) -> tuple[int, int]:
    return source.count(b"\n", 0, byte), byte - (source.rfind(b"\n", 0, byte) + 1)


def _common_prefix(a: bytes, b: bytes) -> int:
    # Bisection over slice comparisons: O(n log n) byte compares in C instead of a Python loop per byte.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    lo, hi = 0, limit
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def error_count(lang: str, source: bytes) -> int:
    """Number of ERROR and MISSING nodes in the parse of ``source`` (0 means it parses cleanly)."""
    return count_errors(parse_shared(lang, source).root_node)


def count_errors(root: Node) -> int:
    if not root.has_error:
        return 0
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


@cache
def query(lang: str, name: str) -> Query | None:
    """A compiled query: our own ``queries/<lang>-<name>.scm`` if present, else the grammar wheel's ``<name>.scm``.

    An own file whose first line is ``; inherits: a, b`` is compiled with ``a-<name>.scm`` and ``b-<name>.scm``
    prepended (recursively), so TypeScript and TSX share the patterns common with JavaScript.
    """
    text = _query_text(lang, name)
    return Query(language(lang), text) if text is not None else None


@cache
def query_parts(lang: str, name: str) -> tuple[tuple[Query, int | None], ...]:
    """``query(lang, name)`` as (query, max start depth) parts whose matches together are the query's matches.

    Patterns rooted at the root node (``(module (expression_statement …))``: module-level definitions) keep a
    cursor state alive over the whole walk, which costs every node visited; on their own with a maximum start
    depth of 0 the cursor skips what cannot match, so they cost almost nothing (zod: 0.27 s → 0.015 s).
    Empty when the language has no such query.
    """
    text = _query_text(lang, name)
    if text is None:
        return ()
    data = text.encode()
    rooted, rest = Query(language(lang), text), Query(language(lang), text)
    at_root = re.compile(rb"\(\s*" + re.escape(parse(lang, b"").root_node.type.encode()) + rb"[\s(]")
    count = 0
    for i in range(rooted.pattern_count):
        if at_root.match(data, rooted.start_byte_for_pattern(i)):
            rest.disable_pattern(i)
            count += 1
        else:
            rooted.disable_pattern(i)
    if count == 0:
        return ((rest, None),)
    if count == rooted.pattern_count:
        return ((rooted, 0),)
    return (rooted, 0), (rest, None)


def _query_text(lang: str, name: str) -> str | None:
    own = _own_query_text(lang, name)
    if own is not None:
        return own
    shipped = files(grammar_module(lang)) / "queries" / f"{name}.scm"
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else None


def _own_query_text(base: str, name: str, depth: int = 0) -> str | None:
    path = _QUERY_DIR / f"{base}-{name}.scm"
    if not path.exists() or depth > 4:
        return None
    text = path.read_text(encoding="utf-8")
    first = text.split("\n", 1)[0]
    if not first.startswith("; inherits:"):
        return text
    parts = [_own_query_text(p.strip(), name, depth + 1) or "" for p in first.removeprefix("; inherits:").split(",")]
    return "\n".join([*parts, text])
