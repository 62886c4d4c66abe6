"""Compact JSON encoding of a file's extract and edges, stored with its ``files`` row for a fast warm start.

JSON, not pickle: the index folder lives in the workspace, and loading it must never execute anything.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

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

FORMAT = 1
"""Bumped whenever the encoding changes; part of the store's schema version."""


def span_list(s: Span) -> list[int]:
    return [s.start.line, s.start.col, s.end.line, s.end.col, s.start_byte, s.end_byte]


def span_of(v: list[int]) -> Span:
    return Span(Point(v[0], v[1]), Point(v[2], v[3]), v[4], v[5])


def _symbol(s: Symbol) -> list[Any]:
    return [s.name, s.qualname, s.kind.value, span_list(s.span), span_list(s.selection), s.signature, s.doc, s.parent]


def _reference(r: Reference) -> list[Any]:
    return [r.name, list(r.receiver), r.kind.value, span_list(r.span), r.scope]


def _import(i: Import) -> list[Any]:
    return [i.module, [[n.name, n.alias] for n in i.names], i.alias, i.level, span_list(i.span), i.scope]


def _assignment(a: Assignment) -> list[Any]:
    return [list(a.target), list(a.value), a.is_call, a.scope]


def _edge(e: Edge) -> list[Any]:
    return [e.src, e.dst, e.name, e.kind.value, span_list(e.span), e.confidence]


def encode(extract: FileExtract, edges: list[Edge]) -> bytes:
    doc = {
        "v": FORMAT,
        "lang": extract.lang,
        "errors": extract.error_count,
        "symbols": [[s.id, *_symbol(s)] for s in extract.symbols],
        "refs": [_reference(r) for r in extract.references],
        "imports": [_import(i) for i in extract.imports],
        "assigns": [_assignment(a) for a in extract.assignments],
        "edges": [_edge(e) for e in edges],
    }
    return zlib.compress(json.dumps(doc, separators=(",", ":")).encode("utf-8"), 1)


def decode(path: str, blob: bytes) -> tuple[FileExtract, list[Edge]]:
    """The inverse of ``encode``; raises ValueError for anything it cannot read (the caller re-indexes)."""
    try:
        doc = json.loads(zlib.decompress(blob))
        if doc.get("v") != FORMAT:
            raise ValueError(f"encoding version {doc.get('v')!r}")
        lang = doc["lang"]
        symbols = [
            Symbol(sid, path, n, q, SymbolKind(k), span_of(sp), span_of(sel), sig, d, parent, lang)
            for sid, n, q, k, sp, sel, sig, d, parent in doc["symbols"]
        ]
        refs = [Reference(n, tuple(rc), EdgeKind(k), span_of(sp), sc) for n, rc, k, sp, sc in doc["refs"]]
        imports = [
            Import(m, tuple(ImportedName(a, b) for a, b in names), al, lv, span_of(sp), sc)
            for m, names, al, lv, sp, sc in doc["imports"]
        ]
        assigns = [Assignment(tuple(t), tuple(v), c, sc) for t, v, c, sc in doc["assigns"]]
        edges = [Edge(s, d, n, EdgeKind(k), path, span_of(sp), c) for s, d, n, k, sp, c in doc["edges"]]
    except (KeyError, TypeError, ValueError, zlib.error) as exc:
        raise ValueError(f"cannot decode the stored extract of {path}: {exc}") from exc
    return FileExtract(path, lang, symbols, refs, imports, assigns, int(doc.get("errors", 0))), edges
