"""Compact encoding of a file's extract and edges, stored with its ``files`` row for a fast warm start.

JSON plus a little-endian int64 array of span numbers, zlib-compressed. Not pickle: the index folder lives in the
workspace, and loading it must never execute anything.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array

from splice.index.model import (
    Assignment,
    Edge,
    EdgeKind,
    FileExtract,
    Import,
    ImportedName,
    Point,
    Reference,
    Span,
    Symbol,
    SymbolKind,
)

FORMAT = 3
"""Bumped whenever the encoding changes; part of the store's schema version."""


def span_list(s: Span) -> list[int]:
    return [s.start.line, s.start.col, s.end.line, s.end.col, s.start_byte, s.end_byte]


_HEADER = struct.Struct("<I")
"""Length of the JSON part; the span numbers (int64) follow it."""
_EDGE_KINDS = {k.value: k for k in EdgeKind}
_SYMBOL_KINDS = {k.value: k for k in SymbolKind}


class _Spans:
    """A table of distinct spans: references and their edges share one, so each is stored and rebuilt once."""

    def __init__(self) -> None:
        self.index: dict[Span, int] = {}

    def __call__(self, span: Span) -> int:
        found = self.index.get(span)
        if found is None:
            found = self.index[span] = len(self.index)
        return found


def encode(extract: FileExtract, edges: list[Edge]) -> bytes:
    sp = _Spans()
    doc = {
        "v": FORMAT,
        "lang": extract.lang,
        "errors": extract.error_count,
        "symbols": [
            [s.id, s.name, s.qualname, s.kind.value, sp(s.span), sp(s.selection), s.signature, s.doc, s.parent]
            for s in extract.symbols
        ],
        "refs": [[r.name, list(r.receiver), r.kind.value, sp(r.span), r.scope] for r in extract.references],
        "imports": [
            [i.module, [[n.name, n.alias] for n in i.names], i.alias, i.level, sp(i.span), i.scope]
            for i in extract.imports
        ],
        "assigns": [[list(a.target), list(a.value), a.is_call, a.scope] for a in extract.assignments],
        "edges": [[e.src, e.dst, e.name, e.kind.value, sp(e.span), e.confidence] for e in edges],
    }
    # Spans are the bulk of the numbers: a flat binary array decodes far faster than JSON lists.
    numbers = array("q", [n for span in sp.index for n in span_list(span)])
    if sys.byteorder == "big":  # stored little-endian, like the header
        numbers.byteswap()
    text = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    return zlib.compress(_HEADER.pack(len(text)) + text + numbers.tobytes(), 1)


def decode(path: str, blob: bytes) -> tuple[FileExtract, list[Edge]]:
    """The inverse of ``encode``; raises ValueError for anything it cannot read (the caller re-indexes)."""
    try:
        raw = zlib.decompress(blob)
        (size,) = _HEADER.unpack_from(raw)
        doc = json.loads(raw[_HEADER.size : _HEADER.size + size])
        if doc.get("v") != FORMAT:
            raise ValueError(f"encoding version {doc.get('v')!r}")
        lang = doc["lang"]
        numbers = array("q")
        numbers.frombytes(raw[_HEADER.size + size :])
        if sys.byteorder == "big":
            numbers.byteswap()
        n = iter(numbers)
        spans = [Span(Point(a, b), Point(c, d), e, f) for a, b, c, d, e, f in zip(n, n, n, n, n, n, strict=True)]
        kinds = _EDGE_KINDS
        symbols = [
            Symbol(sid, path, n, q, _SYMBOL_KINDS[k], spans[sp], spans[sel], sig, d, parent, lang)
            for sid, n, q, k, sp, sel, sig, d, parent in doc["symbols"]
        ]
        refs = [Reference(n, tuple(rc), kinds[k], spans[sp], sc) for n, rc, k, sp, sc in doc["refs"]]
        imports = [
            Import(m, tuple(ImportedName(a, b) for a, b in names), al, lv, spans[sp], sc)
            for m, names, al, lv, sp, sc in doc["imports"]
        ]
        assigns = [Assignment(tuple(t), tuple(v), c, sc) for t, v, c, sc in doc["assigns"]]
        edges = [Edge(s, d, n, kinds[k], path, spans[sp], c) for s, d, n, k, sp, c in doc["edges"]]
    except (KeyError, IndexError, TypeError, ValueError, struct.error, zlib.error) as exc:
        raise ValueError(f"cannot decode the stored extract of {path}: {exc}") from exc
    return FileExtract(path, lang, symbols, refs, imports, assigns, int(doc.get("errors", 0))), edges
