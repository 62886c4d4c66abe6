"""Which lines of an edited buffer must be extracted again: dirty line regions aligned between old and new text.

Statements are taken by line, at the file's top level or — when an edit lies strictly inside a class-like body —
among that body's members. A region grows to whole statements on both sides (old tree and new tree), to the
comments and attributes above a statement and, after a comment, to the statement it documents, until nothing
grows; the lines between two regions are byte-identical in both texts (only moved). See ``extract_incr``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from splice.index.extract_langs import SPECS
from splice.index.parser import Hunk, Node

__all__ = ["Regions", "Top", "locate", "top_level"]


@dataclass(slots=True)
class Top:
    """Statements of one level by line (parallel lists in file order): the file's, or a class body's."""

    first: list[int]
    last: list[int]
    starts: list[int]
    ends: list[int]
    comment: list[bool]
    """A comment or attribute: documents (is part of the span of) the statement below it."""
    bodies: dict[int, Top] = field(default_factory=dict)
    """Index of a class-like statement → the members of its body: an edit inside one member re-extracts that
    member (with the class as its enclosing definition), not the whole class."""


_CLASSES = frozenset(
    {
        "class_definition",
        "class_declaration",
        "abstract_class_declaration",
        "interface_declaration",
        "impl_item",
        "trait_item",
    }
)
"""Definitions whose body members are extracted one by one (Python/ECMAScript/Java classes, Rust impls)."""
_WRAPPERS = {"decorated_definition": "definition", "export_statement": "declaration"}


def top_level(root: Node, lang: str) -> Top:
    spec = SPECS[lang]
    docs = spec.comments | spec.attributes
    return _level(root.children, docs, True)


def _level(nodes: list[Node], docs: frozenset[str], descend: bool) -> Top:
    top = Top([], [], [], [], [])
    for i, child in enumerate(nodes):
        top.first.append(child.start_point[0])
        top.last.append(child.end_point[0])
        top.starts.append(child.start_byte)
        top.ends.append(child.end_byte)
        top.comment.append(child.type in docs)
        if descend:
            body = _body(child)
            if body is not None and body.named_child_count:
                top.bodies[i] = _level(body.named_children, docs, False)
    return top


def _body(node: Node) -> Node | None:
    inner = node
    field_name = _WRAPPERS.get(inner.type)
    if field_name is not None:
        inner = inner.child_by_field_name(field_name) or inner
    if inner.type not in _CLASSES:
        return None
    return inner.child_by_field_name("body")


def locate(top: Top, first: int, last: int) -> tuple[Top, int, int]:
    """The level and index range of the statements overlapping lines ``first``–``last``: the members of one
    class body when the lines lie strictly inside it (header and closing line untouched), else the file's."""
    i = bisect_left(top.last, first)
    j = bisect_right(top.first, last)
    body = top.bodies.get(i) if j == i + 1 else None
    if (
        body is not None
        and top.first[i] < body.first[0] <= first
        and last <= body.last[-1]
        and (last < top.last[i] or body.ends[-1] == top.ends[i])
    ):
        return body, bisect_left(body.last, first), bisect_right(body.first, last)
    return top, i, j


class Regions:
    """Dirty line ranges, aligned between the old text and the new: (old first, old last, new first, new last).

    Lines between two regions are equal in both texts, moved by the line delta of the region before them.
    """

    def __init__(self, hunks: list[Hunk]) -> None:
        self.items: list[tuple[int, int, int, int]] = []
        for h in hunks:
            self._insert((h.old_lines[0], h.old_lines[1], h.new_lines[0], h.new_lines[1]))

    def _to_old(self, row: int, low: bool) -> tuple[int, int]:
        """(old row, new row) for new line ``row``: a row inside a region widens to the region's bound."""
        delta = 0
        for o0, o1, n0, n1 in self.items:
            if row < n0:
                break
            if row <= n1:
                return (o0, n0) if low else (o1, n1)
            delta = n1 - o1
        return row - delta, row

    def _to_new(self, row: int, low: bool) -> tuple[int, int]:
        delta = 0
        for o0, o1, n0, n1 in self.items:
            if row < o0:
                break
            if row <= o1:
                return (n0, o0) if low else (n1, o1)
            delta = n1 - o1
        return row + delta, row

    def add_new(self, first: int, last: int) -> None:
        o0, n0 = self._to_old(first, True)
        o1, n1 = self._to_old(last, False)
        self._insert((o0, o1, n0, n1))

    def add_old(self, first: int, last: int) -> None:
        n0, o0 = self._to_new(first, True)
        n1, o1 = self._to_new(last, False)
        self._insert((o0, o1, n0, n1))

    def _insert(self, region: tuple[int, int, int, int]) -> None:
        o0, o1, n0, n1 = region
        kept: list[tuple[int, int, int, int]] = []
        for r in self.items:
            if (r[0] <= o1 + 1 and o0 <= r[1] + 1) or (r[2] <= n1 + 1 and n0 <= r[3] + 1):
                o0, o1, n0, n1 = min(o0, r[0]), max(o1, r[1]), min(n0, r[2]), max(n1, r[3])
            else:
                kept.append(r)
        kept.append((o0, o1, n0, n1))
        kept.sort()
        self.items = kept

    def close(self, old: Top, new: Top) -> None:
        """Widen the regions to whole statements on both sides (and their doc comments) until nothing grows."""
        changed = True
        while changed:
            changed = False
            for o0, o1, n0, n1 in list(self.items):
                lo, hi = cover(new, n0, n1)
                if (lo, hi) != (n0, n1):
                    self.add_new(lo, hi)
                    changed = True
                    break
                lo, hi = cover(old, o0, o1)
                if (lo, hi) != (o0, o1):
                    self.add_old(lo, hi)
                    changed = True
                    break


def cover(top: Top, first: int, last: int) -> tuple[int, int]:
    """Lines of the statements overlapping lines ``first``–``last``, plus the comments above the first and, after
    a comment, the comments below and the statement they document."""
    level, i, j = locate(top, first, last)
    if i >= j:
        return first, last
    while i > 0 and level.comment[i - 1]:
        i -= 1
    n = len(level.first)
    if level.comment[j - 1] or (j < n and level.comment[j]):
        while j < n and level.comment[j]:
            j += 1
        j = min(j + 1, n)
    return min(first, level.first[i]), max(last, level.last[j - 1])
