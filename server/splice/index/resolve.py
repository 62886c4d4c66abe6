"""Name resolution: turns a file's extracted references, imports and assignments into graph Edges.

Rules and confidences (the README has the full story):

- 1.0 — a name bound by an import or defined in an enclosing scope, and dotted chains through modules
  (``import a.b as m; m.f()``, ``from pkg import mod; mod.f()``, re-exports in ``__init__.py`` / ``export … from``).
- 0.8 — a step went through a class: ``self.x.m()`` with ``self.x = Cls()``, ``x = Cls(); x.m()``, ``Cls.m``,
  methods found on base classes.
- 0.5 / 0.3 — the name-based fallback: a unique definition with that name, or the best of several (same file, then
  same folder, then nearest path).
- unresolved — an Edge with ``dst=None`` that keeps the name.

The lookups themselves (scopes, bindings, members, attribute types, bases) are in ``lookup.py``; this module turns
their answers into edges, applies the name-based fallback and keeps the reverse dependencies between files, so the
indexer can re-resolve dependants when one of those files changes.
"""

from __future__ import annotations

import logging
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from splice.index.graph import Graph
from splice.index.lookup import (
    AMBIGUOUS_NAME,
    IMPORT,
    UNIQUE_NAME,
    External,
    FileInfo,
    Lookup,
    Target,
)
from splice.index.model import Edge, EdgeKind, FileExtract, Import, Reference, Symbol, SymbolKind, module_id
from splice.index.modules import ModuleRef, ModuleTable

log = logging.getLogger("splice.index")

__all__ = ["Resolver", "respan"]


class Resolver:
    """Resolves files against the graph; keeps the reverse dependencies between files."""

    def __init__(self, graph: Graph, workspace: Path | None = None) -> None:
        self.graph = graph
        self.workspace = workspace
        self._table: ModuleTable | None = None
        self._infos: dict[str, FileInfo] = {}
        """Per-file lookup tables, reused by later passes while the file's extract is unchanged."""
        self._deps: dict[str, set[str]] = {}
        self._rdeps: dict[str, set[str]] = defaultdict(set)
        self.failures: dict[str, str] = {}
        """Files whose last resolution raised → the error (their edges are empty until a pass succeeds)."""

    def files_changed(self) -> None:
        """The set of files changed (added/removed/renamed): module lookups are rebuilt on next use."""
        self._table = None

    @property
    def table(self) -> ModuleTable:
        if self._table is None:
            with self.graph.lock:
                files = list(self.graph.files)
            self._table = ModuleTable(self.workspace, files)
        return self._table

    def resolve(self, paths: Iterable[str]) -> dict[str, list[Edge]]:
        """Edges originating in each of ``paths`` (files not in the graph are skipped)."""
        run = _Pass(self.graph, self.table, self._infos)
        out: dict[str, list[Edge]] = {}
        with self.graph.lock:
            for path in paths:
                if path not in self.graph.extracts:
                    continue
                try:
                    out[path] = run.resolve_file(path)
                except Exception as exc:  # one file's bug must not fail the whole index: its edges are left out
                    log.warning("resolving %s failed; its references are left unresolved", path, exc_info=True)
                    self.failures[path] = f"{type(exc).__name__}: {exc}"
                    run.end()
                    out[path] = []
                else:
                    self.failures.pop(path, None)
                self._set_deps(path, run.deps.pop(path, set()))
        return out

    def resolve_changed(self, path: str, old: FileExtract, edges: list[Edge]) -> list[Edge] | None:
        """Edges of ``path``'s new extract (already in the graph) from ``edges`` (resolved from ``old``): only the
        references that are new, or that name a definition added or removed, are resolved again; the others keep
        their answer at their new position. None when something every answer may read changed (imports,
        assignments, bases, the kind or parent of a kept definition): resolve the whole file then.
        """
        new = self.graph.extracts.get(path)
        if new is None or new.lang != old.lang or not _same_context(old, new):
            return None
        imported = sum(len(i.names) or 1 for i in old.imports)
        if imported + len(old.references) != len(edges):
            return None
        before = {(s.id, s.kind, s.parent, s.name) for s in old.symbols}
        after = {(s.id, s.kind, s.parent, s.name) for s in new.symbols}
        changed = before ^ after
        if {c[0] for c in changed} & {s.id for s in old.symbols} & {s.id for s in new.symbols}:
            return None  # a kept definition changed kind or parent
        names = {c[3] for c in changed}
        kept: dict[tuple[str, tuple[str, ...], EdgeKind, str], Edge] = {}
        for ref, answer in zip(old.references, edges[imported:], strict=True):
            if ref.kind is not EdgeKind.INHERITS and ref.name not in names and names.isdisjoint(ref.receiver):
                kept[(ref.name, ref.receiver, ref.kind, ref.scope)] = answer
        spans = [imp.span for imp in new.imports for _ in imp.names or (None,)]
        out = [
            e if e.span == span else Edge(e.src, e.dst, e.name, e.kind, e.path, span, e.confidence)
            for e, span in zip(edges[:imported], spans, strict=True)
        ]
        run = _Pass(self.graph, self.table, self._infos)
        with self.graph.lock:
            info = run.begin(path)
            if info is None:
                return None
            mid = module_id(path)
            for ref in new.references:
                edge = kept.get((ref.name, ref.receiver, ref.kind, ref.scope))
                if edge is None:
                    out.append(run.reference_edge(path, info.syms, mid, ref))
                elif edge.span != ref.span:
                    out.append(Edge(edge.src, edge.dst, edge.name, edge.kind, edge.path, ref.span, edge.confidence))
                else:
                    out.append(edge)
            run.end()
            # Dependencies only grow here (the kept answers' files stay): a superset re-resolves a little more.
            self._set_deps(path, set(self._deps.get(path, ())) | run.deps.pop(path, set()))
        return out

    def dependants(self, path: str) -> set[str]:
        """Files whose edges were resolved through ``path`` (they need re-resolution when it changes)."""
        with self.graph.lock:
            return set(self._rdeps.get(path, ())) - {path}

    def deps_of(self, path: str) -> tuple[str, ...]:
        return tuple(sorted(self._deps.get(path, ())))

    def restore_deps(self, path: str, deps: Iterable[str]) -> None:
        """Dependencies recorded by an earlier run (a warm start reuses edges without resolving them)."""
        self._set_deps(path, set(deps))

    def unresolved_importers(self) -> set[str]:
        """Files with an import that named nothing in the workspace (a new file may now satisfy it)."""
        with self.graph.lock:
            return {
                path
                for path in self.graph.files
                if any(e.kind is EdgeKind.IMPORTS and e.dst is None for e in self.graph.edges_in_file(path))
            }

    def forget(self, path: str) -> None:
        self._set_deps(path, set())
        self.failures.pop(path, None)
        with self.graph.lock:
            self._infos.pop(path, None)

    def _set_deps(self, path: str, deps: set[str]) -> None:
        with self.graph.lock:  # the graph's lock also guards the dependency maps
            self._replace_deps(path, deps)

    def _replace_deps(self, path: str, deps: set[str]) -> None:
        for old in self._deps.pop(path, set()):
            users = self._rdeps.get(old)
            if users is not None:
                users.discard(path)
                if not users:
                    del self._rdeps[old]
        deps.discard(path)
        if deps:
            self._deps[path] = deps
            for dep in deps:
                self._rdeps[dep].add(path)


def respan(old: FileExtract, new: FileExtract, edges: list[Edge]) -> list[Edge] | None:
    """``edges`` (resolved from ``old``) moved to ``new``'s positions, when resolving ``new`` would give the same
    answers because nothing it reads changed; None otherwise. Relies on ``resolve_file``'s edge order: one edge per
    imported name (or per import without names), then one per reference."""
    if _inputs(old) != _inputs(new):
        return None
    spans = [imp.span for imp in new.imports for _ in imp.names or (None,)] + [r.span for r in new.references]
    if len(spans) != len(edges):
        return None
    # Edges before the edit keep their span: reuse them; build the rest directly (``dataclasses.replace`` is
    # several times slower than the constructor, and a large file has thousands of edges).
    return [
        e if e.span == span else Edge(e.src, e.dst, e.name, e.kind, e.path, span, e.confidence)
        for e, span in zip(edges, spans, strict=True)
    ]


def _same_context(old: FileExtract, new: FileExtract) -> bool:
    """Imports, assignments and bases equal (positions left out): what lookups read besides definitions."""
    return (
        [(i.module, i.names, i.alias, i.level, i.scope) for i in old.imports]
        == [(i.module, i.names, i.alias, i.level, i.scope) for i in new.imports]
        and old.assignments == new.assignments
        and [(r.name, r.receiver, r.scope) for r in old.references if r.kind is EdgeKind.INHERITS]
        == [(r.name, r.receiver, r.scope) for r in new.references if r.kind is EdgeKind.INHERITS]
    )


def _inputs(fx: FileExtract) -> tuple[object, ...]:
    """Everything resolution reads from a file, positions left out."""
    return (
        fx.lang,
        [(s.id, s.kind, s.parent) for s in fx.symbols],
        [(i.module, i.names, i.alias, i.level, i.scope) for i in fx.imports],
        [(r.name, r.receiver, r.kind, r.scope) for r in fx.references],
        fx.assignments,
    )


class _Pass(Lookup):
    """One resolution run: lookups plus the edges they produce."""

    def __init__(self, graph: Graph, table: ModuleTable, infos: dict[str, FileInfo]) -> None:
        super().__init__(graph, table, infos)
        self._candidates: dict[tuple[str, bool], _Candidates] = {}

    # -- the pass ----------------------------------------------------------------------------------------------

    def begin(self, path: str) -> FileInfo | None:
        self._current = path
        return self.info(path)

    def end(self) -> None:
        self._current = ""

    def resolve_file(self, path: str) -> list[Edge]:
        info = self.begin(path)
        if info is None:
            self.end()
            return []
        extract = info.extract
        syms = info.syms
        mid = module_id(path)
        edges: list[Edge] = []
        for imp in extract.imports:
            edges.extend(self._import_edges(path, extract.lang, mid, imp))
        for ref in extract.references:
            edges.append(self.reference_edge(path, syms, mid, ref))
        self.end()
        return edges

    def reference_edge(self, path: str, syms: dict[str, Symbol], mid: str, ref: Reference) -> Edge:
        src = self._inherits_src(syms, ref) if ref.kind is EdgeKind.INHERITS else ref.scope
        if src not in syms:
            src = mid
        try:
            found = self.reference_target(path, ref, 0)
        except External:
            return Edge(src, None, ref.name, ref.kind, path, ref.span, 0.0)
        if found is not None:
            target, confidence = found
            dst = target.id if isinstance(target, Symbol) else _module_symbol(target)
            return Edge(src, dst, ref.name, ref.kind, path, ref.span, confidence)
        return self._fallback(path, src, ref)

    def _import_edges(self, path: str, lang: str, mid: str, imp: Import) -> list[Edge]:
        mod = self.module_of(path, lang, imp)
        if not imp.names:
            dst = _module_symbol(mod) if mod is not None else None
            return [Edge(mid, dst, imp.module, EdgeKind.IMPORTS, path, imp.span, IMPORT if dst else 0.0)]
        edges = []
        for n in imp.names:
            target: Target | None = None
            if mod is not None:
                target = mod if n.name == "*" else self.member(mod, n.name, 1)
                if target is None and n.name == "default":
                    target = mod
            dst = None
            if isinstance(target, Symbol):
                dst = target.id
            elif target is not None:
                dst = _module_symbol(target)
            name = imp.module if n.name == "*" else n.name
            edges.append(Edge(mid, dst, name, EdgeKind.IMPORTS, path, imp.span, IMPORT if dst else 0.0))
        return edges

    def _fallback(self, path: str, src: str, ref: Reference) -> Edge:
        """Name-based match, lower confidence: same file, then same folder, then the nearest path."""
        key = (ref.name, bool(ref.receiver))
        candidates = self._candidates.get(key)
        if candidates is None:
            found = [s for s in self.graph.find(ref.name) if s.kind is not SymbolKind.MODULE]
            if ref.receiver:
                # ``obj.name``: only members (methods/fields) make sense, never top-level functions of other files.
                found = [s for s in found if s.parent is not None and s.parent != module_id(s.path)]
            candidates = self._candidates[key] = _Candidates(found)
        if not candidates.by_path or (ref.receiver and candidates.count > 1):
            # ``obj.host`` where obj's type is unknown and several classes have a ``host``: picking the nearest
            # would name another class's member (``ParseResult.host`` for an ``httpx.URL``). Unresolved says so.
            return Edge(src, None, ref.name, ref.kind, path, ref.span, 0.0)
        confidence = UNIQUE_NAME if candidates.count == 1 else AMBIGUOUS_NAME
        return Edge(src, candidates.nearest(path).id, ref.name, ref.kind, path, ref.span, confidence)


class _Candidates:
    """The definitions a name could mean, grouped so 'the nearest one' is answered once per folder."""

    def __init__(self, symbols: list[Symbol]) -> None:
        self.count = len(symbols)
        self.by_path: dict[str, Symbol] = {}
        """File → its definition with the smallest id."""
        for sym in symbols:
            first = self.by_path.get(sym.path)
            if first is None or sym.id < first.id:
                self.by_path[sym.path] = sym
        self.by_dir: dict[str, list[str]] = defaultdict(list)
        for p in self.by_path:
            self.by_dir[posixpath.dirname(p)].append(p)
        self._near: dict[str, Symbol] = {}

    def nearest(self, path: str) -> Symbol:
        """Same file, then same folder, then the longest shared folder prefix (ties: the smallest path)."""
        same_file = self.by_path.get(path)
        if same_file is not None:
            return same_file
        folder = posixpath.dirname(path)
        best = self._near.get(folder)
        if best is None:
            same_dir = self.by_dir.get(folder)
            if same_dir:
                best = self.by_path[min(same_dir)]
            else:
                prefix = folder + "/"
                best = self.by_path[min(self.by_path, key=lambda p: (-_shared_prefix(p, prefix), p))]
            self._near[folder] = best
        return best


def _module_symbol(mod: ModuleRef) -> str | None:
    if mod.paths:
        return module_id(mod.paths[0])
    return None


def _shared_prefix(a: str, b: str) -> int:
    return len(posixpath.commonprefix([a, b]))
