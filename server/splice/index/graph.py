"""The hot, in-memory symbol graph: symbols by id/path/name and resolved edges in both directions.

LanceDB is the persistent copy (``store.py``); every query the server answers interactively is served from here.
All mutation happens under ``lock`` by the single indexer; readers take the lock for multi-step reads.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

from splice.index.model import Edge, EdgeKind, FileExtract, FileRecord, Point, Symbol, SymbolKind


class Graph:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.files: dict[str, FileRecord] = {}
        self.extracts: dict[str, FileExtract] = {}
        self.symbols: dict[str, Symbol] = {}
        self._by_path: dict[str, list[str]] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._out: dict[str, list[Edge]] = defaultdict(list)
        self._in: dict[str, list[Edge]] = defaultdict(list)
        self._edges_by_path: dict[str, list[Edge]] = {}

    # -- mutation (indexer only) -------------------------------------------------------------------------------

    def put_file(self, record: FileRecord, extract: FileExtract) -> None:
        """Replace a file's symbols. Its outgoing edges are dropped until ``set_edges`` supplies new ones."""
        with self.lock:
            self._drop_symbols(record.path)
            self.set_edges(record.path, ())
            self.files[record.path] = record
            self.extracts[record.path] = extract
            self._by_path[record.path] = [s.id for s in extract.symbols]
            for sym in extract.symbols:
                self.symbols[sym.id] = sym
                self._by_name[sym.name].add(sym.id)

    def remove_file(self, path: str) -> None:
        with self.lock:
            self._drop_symbols(path)
            self.set_edges(path, ())
            self.files.pop(path, None)
            self.extracts.pop(path, None)

    def set_edges(self, path: str, edges: Iterable[Edge]) -> None:
        """Replace the edges that originate in ``path``."""
        with self.lock:
            for edge in self._edges_by_path.pop(path, ()):
                self._out[edge.src].remove(edge)
                if edge.dst is not None:
                    self._in[edge.dst].remove(edge)
            new = list(edges)
            if new:
                self._edges_by_path[path] = new
            for edge in new:
                self._out[edge.src].append(edge)
                if edge.dst is not None:
                    self._in[edge.dst].append(edge)

    def _drop_symbols(self, path: str) -> None:
        for sid in self._by_path.pop(path, ()):
            sym = self.symbols.pop(sid, None)
            if sym is not None:
                ids = self._by_name.get(sym.name)
                if ids is not None:
                    ids.discard(sid)
                    if not ids:
                        del self._by_name[sym.name]

    # -- queries ----------------------------------------------------------------------------------------------

    def symbol(self, sid: str) -> Symbol | None:
        return self.symbols.get(sid)

    def symbols_in(self, path: str) -> list[Symbol]:
        """A file's symbols in source order (module symbol first)."""
        with self.lock:
            return [self.symbols[s] for s in self._by_path.get(path, ()) if s in self.symbols]

    def find(self, name: str) -> list[Symbol]:
        """Exact-name lookup across the workspace."""
        with self.lock:
            return [self.symbols[s] for s in sorted(self._by_name.get(name, ()))]

    def names(self) -> list[str]:
        with self.lock:
            return list(self._by_name)

    def symbol_at(self, path: str, point: Point) -> Symbol | None:
        """The innermost non-module symbol whose span contains ``point``."""
        best: Symbol | None = None
        for sym in self.symbols_in(path):
            if sym.kind is SymbolKind.MODULE or not sym.span.contains(point):
                continue
            if best is None or best.span.encloses(sym.span):
                best = sym
        return best

    def children(self, sid: str) -> list[Symbol]:
        sym = self.symbols.get(sid)
        if sym is None:
            return []
        return [s for s in self.symbols_in(sym.path) if s.parent == sid]

    def outgoing(self, sid: str, kinds: frozenset[EdgeKind] | None = None) -> list[Edge]:
        with self.lock:
            return [e for e in self._out.get(sid, ()) if kinds is None or e.kind in kinds]

    def incoming(self, sid: str, kinds: frozenset[EdgeKind] | None = None) -> list[Edge]:
        with self.lock:
            return [e for e in self._in.get(sid, ()) if kinds is None or e.kind in kinds]

    def edges_in_file(self, path: str) -> list[Edge]:
        with self.lock:
            return list(self._edges_by_path.get(path, ()))

    def stats(self) -> dict[str, int]:
        with self.lock:
            edges = sum(len(v) for v in self._edges_by_path.values())
            resolved = sum(1 for v in self._edges_by_path.values() for e in v if e.dst is not None)
            return {"files": len(self.files), "symbols": len(self.symbols), "edges": edges, "resolved": resolved}
