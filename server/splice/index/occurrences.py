"""Every use site of a definition, including the repeats the extractor folds into one reference.

Extraction keeps one reference per (scope, kind, source text): a function that calls ``primitive_value_to_str``
twice yields one edge, which is all resolution and ranking need (same scope, same text, same answer). Use-site
listings — ``splice refs``, the editor's references and call hierarchy, generate's "how callers use it" — need
every place, so ``expand`` finds the folded repeats again: the same text, inside the same scope and outside the
definitions nested in it (those have their own references), in code rather than in a string or a comment (checked
on a parse of the file).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from splice.index.graph import Graph
from splice.index.languages import language_for_path
from splice.index.model import Edge, Point, Span, SymbolKind
from splice.index.parser import parse

_NOT_CODE = ("string", "comment", "heredoc", "template_content", "regex")


def expand(graph: Graph, edges: Iterable[Edge], read: Callable[[str], bytes | None]) -> list[Edge]:
    """``edges`` plus, for each, the other occurrences of its text in its scope; sorted by path and position.
    A file that cannot be read, or whose text is not what the index saw, keeps its edges as they are."""
    by_path: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        by_path[edge.path].append(edge)
    out: list[Edge] = []
    for path, group in sorted(by_path.items()):
        out.extend(_expand_file(graph, path, group, read))
    return out


def _expand_file(graph: Graph, path: str, edges: list[Edge], read: Callable[[str], bytes | None]) -> list[Edge]:
    source = read(path)
    lang = language_for_path(path)
    record = graph.files.get(path)
    if source is None or lang is None or record is None or hashlib.sha256(source).hexdigest() != record.hash:
        # not the text the edges' spans were taken from (an unsaved edit not indexed yet): list them as they are
        return sorted(edges, key=lambda e: e.span.start_byte)
    found: dict[int, Edge] = {e.span.start_byte: e for e in edges}
    symbols = [s for s in graph.symbols_in(path) if s.kind is not SymbolKind.MODULE]
    tree = None
    for edge in edges:
        text = source[edge.span.start_byte : edge.span.end_byte]
        if not text or not edge.span.end_byte <= len(source):
            continue
        scope = graph.symbol(edge.src)
        if scope is not None and scope.path == path and scope.kind is not SymbolKind.MODULE:
            lo, hi = scope.span.start_byte, scope.span.end_byte
            nested = [s.span for s in symbols if s.id != scope.id and scope.span.encloses(s.span)]
        else:
            lo, hi = 0, len(source)
            nested = [s.span for s in symbols]
        pattern = re.compile(rb"(?<![\w$.])" + re.escape(text) + rb"(?![\w$])")
        for m in pattern.finditer(source, lo, hi):
            start = m.start()
            if start in found or any(n.start_byte <= start < n.end_byte for n in nested):
                continue
            if tree is None:
                tree = parse(lang, source)
            node = tree.root_node.descendant_for_byte_range(start, m.end())
            if node is None or _inside_text(node):
                continue
            found[start] = Edge(
                edge.src, edge.dst, edge.name, edge.kind, path, _span(source, start, m.end()), edge.confidence
            )
    return sorted(found.values(), key=lambda e: e.span.start_byte)


def _inside_text(node: object) -> bool:
    current = node
    while current is not None:
        kind = getattr(current, "type", "")
        if "interpolation" in kind or "substitution" in kind:
            return False  # code inside an f-string or a template literal
        if any(word in kind for word in _NOT_CODE):
            return True
        current = getattr(current, "parent", None)
    return False


def _span(source: bytes, start: int, end: int) -> Span:
    def point(byte: int) -> Point:
        line = source.count(b"\n", 0, byte)
        return Point(line, byte - (source.rfind(b"\n", 0, byte) + 1))

    return Span(point(start), point(end), start, end)
