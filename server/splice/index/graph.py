"""The hot, in-memory symbol graph: symbols by id/path/name and resolved edges in both directions.

LanceDB is the persistent copy (``store.py``); every query the server answers interactively is served from here.
All mutation happens under ``lock`` by the single indexer; readers take the lock for multi-step reads.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Iterable

from splice.index.model import Edge, EdgeKind, FileExtract, FileRecord, Point, Symbol, SymbolKind

JOURNAL = 512
"""Mutations remembered for ``Graph.changes_since`` (a full index makes many more: readers then start over)."""


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
        self._names_version = 0
        self._search_index: _NameIndex | None = None
        self._initials: dict[str, str] = {}
        self.version = 0
        """Bumped by every mutation; ``changes_since`` says what changed between two versions."""
        self._journal: deque[tuple[int, Iterable[Edge], Iterable[Edge], Iterable[str], str | None]] = deque(
            maxlen=JOURNAL
        )

    # -- mutation (indexer only) -------------------------------------------------------------------------------

    def put_file(self, record: FileRecord, extract: FileExtract) -> None:
        """Replace a file's symbols. Its outgoing edges are dropped until ``set_edges`` supplies new ones."""
        with self.lock:
            old_parents = {s: self.symbols[s].parent for s in self._by_path.get(record.path, ()) if s in self.symbols}
            old_names = {self.symbols[s].name for s in old_parents}
            self._drop_symbols(record.path)
            self.set_edges(record.path, ())
            self.files[record.path] = record
            self.extracts[record.path] = extract
            self._by_path[record.path] = [s.id for s in extract.symbols]
            # A definition that only moved (an edit above it) keeps its place in the graph: not a change. One that
            # appeared, vanished or changed parent is, and so are the parents whose members changed.
            new_parents = {s.id: s.parent for s in extract.symbols}
            changed = old_parents.items() ^ new_parents.items()
            self._log((), (), {n for pair in changed for n in pair if n is not None}, record.path)
            for sym in extract.symbols:
                self.symbols[sym.id] = sym
                self._by_name[sym.name].add(sym.id)
            if old_names != {s.name for s in extract.symbols}:
                self._names_version += 1  # the fuzzy-search index is rebuilt only when names change

    def remove_file(self, path: str) -> None:
        with self.lock:
            self._names_version += 1
            self._log((), (), self._by_path.get(path, ()), path)
            self._drop_symbols(path)
            self.set_edges(path, ())
            self.files.pop(path, None)
            self.extracts.pop(path, None)

    def set_edges(self, path: str, edges: Iterable[Edge]) -> None:
        """Replace the edges that originate in ``path``."""
        with self.lock:
            old = self._edges_by_path.pop(path, ())
            # One filtering pass per touched list: removing edge by edge is quadratic for popular symbols.
            for src in {e.src for e in old}:
                kept = [e for e in self._out.get(src, ()) if e.path != path]
                if kept:
                    self._out[src] = kept
                else:
                    self._out.pop(src, None)
            for dst in {e.dst for e in old if e.dst is not None}:
                kept = [e for e in self._in.get(dst, ()) if e.path != path]
                if kept:
                    self._in[dst] = kept
                else:
                    self._in.pop(dst, None)
            new = list(edges)
            if old or new:
                self._log(old, new, (), None)
            if new:
                self._edges_by_path[path] = new
            for edge in new:
                self._out[edge.src].append(edge)
                if edge.dst is not None:
                    self._in[edge.dst].append(edge)

    def _log(self, old: Iterable[Edge], new: Iterable[Edge], symbols: Iterable[str], path: str | None) -> None:
        # Raw references only: sets are built when someone asks (``changes_since``), never during indexing.
        self.version += 1
        self._journal.append((self.version, old, new, symbols, path))

    def changes_since(self, version: int) -> tuple[set[str], set[str]] | None:
        """(symbol ids whose relations changed — edges that appeared or vanished, definitions that appeared, vanished
        or changed parent, and those parents — and paths whose symbols were replaced or removed) since ``version``;
        None when the journal no longer reaches back that far (assume everything changed). Positions do not count:
        an edit that only moves definitions and references changes no node."""
        with self.lock:
            if version == self.version:
                return set(), set()
            if version > self.version or not self._journal or self._journal[0][0] > version + 1:
                return None
            nodes: set[str] = set()
            paths: set[str] = set()
            # Edges count by what readers use (not where they are written): re-indexing a file after an edit
            # replaces every edge in it, but only the ones that really appeared or vanished change a neighbourhood.
            net: Counter[tuple[str, str | None, EdgeKind, str, float]] = Counter()
            for at, old, new, symbols, path in self._journal:
                if at <= version:
                    continue
                net.subtract(_relation(e) for e in old)
                net.update(_relation(e) for e in new)
                nodes.update(symbols)
                if path is not None:
                    paths.add(path)
            for (src, dst, *_), count in net.items():
                if count:
                    nodes.add(src)
                    if dst is not None:
                        nodes.add(dst)
            return nodes, paths

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

    def search(self, query: str, limit: int = 100) -> list[Symbol]:
        """Fuzzy symbol search (workspace/symbol): exact, then prefix, camel-hump, substring, subsequence.

        Case-insensitive; ties go to shorter names. ``Class.meth`` matches ``meth`` inside classes matching
        ``Class``. Module symbols are not returned (editors list files themselves).
        """
        query = query.strip()
        owner = ""
        if "." in query.strip("."):
            owner, _, query = query.rpartition(".")
        with self.lock:
            if self._search_index is None or self._search_index.version != self._names_version:
                self._search_index = _NameIndex(self._names_version, list(self._by_name), self._initials)
            names = self._search_index.rank(query)
            out: list[Symbol] = []
            for name in names:
                syms = sorted((self.symbols[s] for s in self._by_name.get(name, ())), key=_symbol_order)
                for sym in syms:
                    if sym.kind is SymbolKind.MODULE:
                        continue
                    if owner and owner.lower() not in sym.qualname.rpartition(".")[0].lower():
                        continue
                    out.append(sym)
                    if len(out) >= limit:
                        return out
            return out

    def stats(self) -> dict[str, int]:
        with self.lock:
            edges = sum(len(v) for v in self._edges_by_path.values())
            resolved = sum(1 for v in self._edges_by_path.values() for e in v if e.dst is not None)
            return {
                "files": len(self.files),
                "symbols": len(self.symbols),
                "edges": edges,
                "resolved": resolved,
            }


def _relation(edge: Edge) -> tuple[str, str | None, EdgeKind, str, float]:
    """An edge without its position: what neighbourhoods and reference counts are built from."""
    return edge.src, edge.dst, edge.kind, edge.path, edge.confidence


def _symbol_order(sym: Symbol) -> tuple[int, str, int]:
    # Definitions people look for first: types and functions before fields and variables.
    rank = 0 if sym.kind in _PRIMARY else 1
    return (rank, sym.path, sym.span.start_byte)


_PRIMARY = frozenset(
    {
        SymbolKind.CLASS,
        SymbolKind.INTERFACE,
        SymbolKind.STRUCT,
        SymbolKind.TRAIT,
        SymbolKind.ENUM,
        SymbolKind.TYPE,
        SymbolKind.FUNCTION,
        SymbolKind.METHOD,
    }
)
_HUMP = re.compile(r"(?:^|(?<=[a-z0-9])(?=[A-Z])|(?<=_)(?=[^_])|(?<=[A-Z])(?=[A-Z][a-z]))")


class _NameIndex:
    """All symbol names in one newline-joined lower-case blob, so a regex finds fuzzy candidates in C."""

    def __init__(self, version: int, names: list[str], initials: dict[str, str]) -> None:
        self.version = version
        self.names = sorted(names, key=lambda n: (len(n), n))
        self.lows = [n.lower() for n in self.names]
        self.blob = "\n".join(self.lows) + "\n"
        self.starts = [0]
        for n in self.names:
            self.starts.append(self.starts[-1] + len(n) + 1)
        self._initials = initials
        """Shared across rebuilds: name → its camel-hump/snake initials, computed on first need."""

    def rank(self, query: str) -> list[str]:
        if not query:
            return list(self.names)
        q = query.lower()
        pattern = "^" + "".join(f"[^\n]*?{re.escape(c)}" for c in q)
        scored: list[tuple[int, int]] = []
        names, lows, starts = self.names, self.lows, self.starts
        for m in re.finditer(pattern, self.blob, re.MULTILINE):
            i = bisect_right(starts, m.start()) - 1
            scored.append((self._score(names[i], lows[i], query, q), i))
        scored.sort()
        return [names[i] for _, i in scored]

    def _score(self, name: str, low: str, query: str, q: str) -> int:
        if low.startswith(q):
            if name == query:
                return 0
            if low == q:
                return 1
            return 2 if name.startswith(query) else 3
        initials = self._initials.get(name)
        if initials is None:
            if len(self._initials) > 200_000:  # names typed and gone again: start over rather than grow forever
                self._initials.clear()
            hump = "".join(name[m.start()] for m in _HUMP.finditer(name) if m.start() < len(name))
            initials = self._initials[name] = hump.lower()
        if initials.startswith(q):
            return 4
        return 5 if q in low else 6
