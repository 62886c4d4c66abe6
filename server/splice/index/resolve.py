"""Name resolution: turns a file's extracted references, imports and assignments into graph Edges.

Rules and confidences (the README has the full story):

- 1.0 — a name bound by an import or defined in an enclosing scope, and dotted chains through modules
  (``import a.b as m; m.f()``, ``from pkg import mod; mod.f()``, re-exports in ``__init__.py`` / ``export … from``).
- 0.8 — a step went through a class: ``self.x.m()`` with ``self.x = Cls()``, ``x = Cls(); x.m()``, ``Cls.m``,
  methods found on base classes.
- 0.5 / 0.3 — the name-based fallback: a unique definition with that name, or the best of several (same file, then
  same folder, then nearest path).
- unresolved — an Edge with ``dst=None`` that keeps the name.

A resolution pass caches per-file bindings; it also records which other files each file's edges depended on, so
the indexer can re-resolve dependants when one of those files changes.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from splice.index.graph import Graph
from splice.index.model import (
    Assignment,
    Edge,
    EdgeKind,
    FileExtract,
    Import,
    Reference,
    Symbol,
    SymbolKind,
    module_id,
)
from splice.index.modules import ModuleRef, ModuleTable

IMPORT = 1.0
CLASS_STEP = 0.8
UNIQUE_NAME = 0.5
AMBIGUOUS_NAME = 0.3

_CLASS_KINDS = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.STRUCT, SymbolKind.TRAIT, SymbolKind.ENUM})
_VALUE_KINDS = frozenset({SymbolKind.VARIABLE, SymbolKind.CONSTANT, SymbolKind.FIELD})
_SELF_NAMES = frozenset({"self", "cls", "this"})
_CALL = "()"
_OPAQUE = frozenset({"[]", "?"})
"""Chain markers from extraction: a call result, a subscript, anything else (the chain stops there)."""
_MAX_DEPTH = 12
_MEMO_MISS_DEPTH = 3

Target = ModuleRef | Symbol
"""What a name denotes during resolution: a module/package, or a definition (a class doubles as its instances)."""


class _External(Exception):
    """A name bound to an import from outside the workspace: unresolved, and no name-based guess either."""


@dataclass(slots=True)
class _Binding:
    imp: Import
    name: str | None
    """Imported member name; None when the binding is the module itself."""


@dataclass(slots=True)
class _FileInfo:
    """Per-file lookups built once per pass."""

    extract: FileExtract
    syms: dict[str, Symbol]
    by_parent: dict[str | None, dict[str, list[Symbol]]]
    bindings: dict[str, dict[str, _Binding]]
    """Scope id → bound name → import binding."""
    stars: dict[str, list[Import]]
    assigns: dict[str, dict[tuple[str, ...], Assignment]]
    """Scope id → target chain → last assignment."""
    self_attrs: dict[str, dict[str, Assignment]]
    """Class id → attribute → ``self.attr = …`` assignment made in one of its methods."""


class Resolver:
    """Resolves files against the graph; keeps the reverse dependencies between files."""

    def __init__(self, graph: Graph, workspace: Path | None = None) -> None:
        self.graph = graph
        self.workspace = workspace
        self._table: ModuleTable | None = None
        self._infos: dict[str, _FileInfo] = {}
        """Per-file lookup tables, reused by later passes while the file's extract is unchanged."""
        self._deps: dict[str, set[str]] = {}
        self._rdeps: dict[str, set[str]] = defaultdict(set)

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
                out[path] = run.resolve_file(path)
                self._set_deps(path, run.deps.pop(path, set()))
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


class _Pass:
    """One resolution run: caches are valid only while the graph does not change (callers hold its lock)."""

    def __init__(self, graph: Graph, table: ModuleTable, infos: dict[str, _FileInfo]) -> None:
        self._shared = infos
        self.graph = graph
        self.table = table
        self.deps: dict[str, set[str]] = defaultdict(set)
        self._info: dict[str, _FileInfo | None] = {}
        self._bases: dict[str, list[Symbol]] = {}
        self._by_name: dict[tuple[str, bool], list[Symbol]] = {}
        self._chains: dict[tuple[str, str], list[str]] = {}
        self._memos: dict[tuple[object, ...], tuple[Target | None, set[str]]] = {}
        """Import bindings (by identity: they live as long as the pass) and module members → (target, files
        consulted)."""
        self._recorders: list[set[str]] = []
        self._nearest_cache: dict[tuple[str, str, bool], Symbol] = {}
        self._current = ""

    # -- per-file lookups --------------------------------------------------------------------------------------

    def info(self, path: str) -> _FileInfo | None:
        if path != self._current and self._current:
            self.deps[self._current].add(path)
        for recorder in self._recorders:
            recorder.add(path)
        if path in self._info:
            return self._info[path]
        extract = self.graph.extracts.get(path)
        if extract is None:
            self._info[path] = None
            return None
        shared = self._shared.get(path)
        if shared is not None and shared.extract is extract:  # built by an earlier pass for this very extract
            self._info[path] = shared
            return shared
        by_parent: dict[str | None, dict[str, list[Symbol]]] = defaultdict(lambda: defaultdict(list))
        for sym in extract.symbols:
            if sym.kind is not SymbolKind.MODULE:
                by_parent[sym.parent][sym.name].append(sym)
        bindings: dict[str, dict[str, _Binding]] = defaultdict(dict)
        stars: dict[str, list[Import]] = defaultdict(list)
        for imp in extract.imports:
            self._bind(extract.lang, imp, bindings[imp.scope], stars[imp.scope])
        assigns: dict[str, dict[tuple[str, ...], Assignment]] = defaultdict(dict)
        self_attrs: dict[str, dict[str, Assignment]] = defaultdict(dict)
        syms = {s.id: s for s in extract.symbols}
        for a in extract.assignments:
            if len(a.target) == 2 and a.target[0] in _SELF_NAMES:
                cls = _enclosing_class(syms, a.scope)
                if cls is not None:
                    self_attrs[cls.id].setdefault(a.target[1], a)  # the first assignment (usually __init__) wins
                    continue
            assigns[a.scope][a.target] = a
        info = _FileInfo(extract, syms, by_parent, bindings, stars, assigns, self_attrs)
        self._info[path] = self._shared[path] = info
        return info

    @staticmethod
    def _bind(lang: str, imp: Import, into: dict[str, _Binding], stars: list[Import]) -> None:
        for n in imp.names:
            if n.name == "*":
                stars.append(imp)
            else:
                into[n.alias or n.name] = _Binding(imp, n.name)
        if imp.alias:
            into[imp.alias] = _Binding(imp, None)
        elif not imp.names and imp.module:
            # ``import a.b`` binds ``a``; Go/Java/Rust bind the last path component (a package or class name).
            if lang == "python":
                head = imp.module.split(".")[0]
                into[head] = _Binding(Import(head, (), None, 0, imp.span, imp.scope), None)
            elif lang in ("go", "java", "rust", "c_sharp"):
                parts = imp.module.replace("::", "/").replace(".", "/").split("/")
                last = parts[-1] if not (lang == "go" and parts[-1][:1] == "v" and parts[-1][1:].isdigit()) else ""
                last = last or (parts[-2] if len(parts) > 1 else parts[-1])
                into[last] = _Binding(imp, None)

    # -- modules and members -----------------------------------------------------------------------------------

    def module_of(self, importer: str, lang: str, imp: Import) -> ModuleRef | None:
        found = self.table.resolve(lang, importer, imp.module, imp.level)
        if found is not None:
            for p in found.paths:
                self.info(p)  # records the dependency
        return found

    def binding_target(self, path: str, binding: _Binding, depth: int) -> Target | None:
        """What an import binding denotes; memoised per pass with the files it consulted (for dependencies)."""
        return self._memo(("b", id(binding)), depth, lambda: self._binding_target(path, binding, depth))

    def _memo(self, key: tuple[object, ...], depth: int, compute: Callable[[], Target | None]) -> Target | None:
        """Per-pass memo that also replays the files the computation consulted into the current dependencies.

        A miss found deep in a chain may only mean the depth limit was hit, so only shallow misses are kept.
        """
        cached = self._memos.get(key)
        if cached is not None:
            target, touched = cached
            self._touch(touched)
            return target
        self._recorders.append(set())
        try:
            target = compute()
        finally:
            touched = self._recorders.pop()
        self._touch(touched)
        if target is not None or depth <= _MEMO_MISS_DEPTH:
            self._memos[key] = (target, touched)
        return target

    def _touch(self, paths: set[str]) -> None:
        for recorder in self._recorders:
            recorder |= paths
        if self._current:
            self.deps[self._current] |= paths - {self._current}

    def _binding_target(self, path: str, binding: _Binding, depth: int) -> Target | None:
        info = self.info(path)
        if info is None:
            return None
        mod = self.module_of(path, info.extract.lang, binding.imp)
        if binding.name is None:
            if mod is None:
                return None
            if info.extract.lang == "java" and mod.paths and mod.package_dir is None:
                # ``import a.b.C`` binds the class C itself.
                cls = self.member(mod, binding.imp.module.rsplit(".", 1)[-1], depth + 1)
                return cls if cls is not None else mod
            return mod
        if mod is None:
            return None
        found = self.member(mod, binding.name, depth + 1)
        if found is None and binding.name == "default":
            return mod  # ``module.exports = …`` / an anonymous default export: the module stands for it
        return found

    def member(self, target: Target, name: str, depth: int = 0) -> Target | None:
        """``target.name``: a definition or submodule of a module, or a member of a class (through its bases)."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(target, Symbol):
            return self.class_member(target, name, depth) if target.kind in _CLASS_KINDS else None
        return self._memo(("m", target, name), depth, lambda: self._module_member(target, name, depth))

    def _module_member(self, target: ModuleRef, name: str, depth: int) -> Target | None:
        for path in target.paths:
            info = self.info(path)
            if info is None:
                continue
            mid = module_id(path)
            top = info.by_parent.get(mid, {}).get(name)
            if top:
                return top[-1]  # the last definition wins, as at run time
            binding = info.bindings.get(mid, {}).get(name)
            if binding is not None:
                found = self.binding_target(path, binding, depth + 1)
                if found is not None:
                    return found
            alias = info.assigns.get(mid, {}).get((name,))
            if alias is not None and not alias.is_call and alias.value and alias.value != (name,):
                # ``default = Name`` (a JS default export) or ``Alias = other.Name`` at module level
                aliased = self.chain(path, mid, alias.value, depth + 1)
                if aliased is not None:
                    return aliased[0]
            for star in info.stars.get(mid, ()):
                mod = self.module_of(path, info.extract.lang, star)
                if mod is not None and mod != target:
                    found = self.member(mod, name, depth + 1)
                    if found is not None:
                        return found
        if target.package_dir is not None:
            sub = self.table.python_submodule(target.package_dir, name)
            if sub is not None:
                for p in sub.paths:
                    self.info(p)
                return sub
        return None

    def class_member(self, cls: Symbol, name: str, depth: int = 0) -> Symbol | None:
        info = self.info(cls.path)
        if info is not None:
            own = info.by_parent.get(cls.id, {}).get(name)
            if own:
                return own[-1]
        if depth > _MAX_DEPTH:
            return None
        for base in self.bases(cls):
            found = self.class_member(base, name, depth + 1)
            if found is not None:
                return found
        return None

    def attr_type(self, cls: Symbol, attr: str, depth: int = 0) -> Target | None:
        """The type of ``instance.attr`` from ``self.attr = Cls()`` in a method (own class first, then bases)."""
        info = self.info(cls.path)
        if info is not None:
            assign = info.self_attrs.get(cls.id, {}).get(attr)
            if assign is not None:
                return self.assigned_type(cls.path, assign, depth + 1)
        member = self.class_member(cls, attr, depth + 1)
        if member is not None and member.kind in _CLASS_KINDS:
            return member
        if depth > _MAX_DEPTH:
            return None
        for base in self.bases(cls):
            found = self.attr_type(base, attr, depth + 1)
            if found is not None:
                return found
        return None

    def assigned_type(self, path: str, assign: Assignment, depth: int) -> Target | None:
        if depth > _MAX_DEPTH or not assign.value:
            return None
        resolved = self.chain(path, assign.scope, assign.value, depth + 1)
        if resolved is None:
            return None
        target, _ = resolved
        if assign.is_call and isinstance(target, Symbol) and target.kind not in _CLASS_KINDS:
            return None  # a function's return type is unknown
        return target

    def value_type(self, sym: Symbol, depth: int) -> Symbol | None:
        """The class of a variable/constant from its assignment (``session = Session()``), if that is known."""
        if sym.kind not in _VALUE_KINDS or depth > _MAX_DEPTH:
            return None
        info = self.info(sym.path)
        if info is None:
            return None
        assign = info.assigns.get(sym.parent or module_id(sym.path), {}).get((sym.name,))
        if assign is None:
            return None
        typed = self.assigned_type(sym.path, assign, depth + 1)
        return typed if isinstance(typed, Symbol) and typed.kind in _CLASS_KINDS else None

    def bases(self, cls: Symbol) -> list[Symbol]:
        cached = self._bases.get(cls.id)
        if cached is not None:
            return cached
        self._bases[cls.id] = []  # guards against inheritance cycles
        found: list[Symbol] = []
        info = self.info(cls.path)
        if info is not None:
            for ref in info.extract.references:
                if ref.kind is EdgeKind.INHERITS and self._inherits_src(info.syms, ref) == cls.id:
                    try:
                        target = self.reference_target(cls.path, ref, 1)
                    except _External:
                        continue
                    if target is not None and isinstance(target[0], Symbol) and target[0].kind in _CLASS_KINDS:
                        found.append(target[0])
        self._bases[cls.id] = found
        return found

    # -- names and chains --------------------------------------------------------------------------------------

    def lookup(self, path: str, scope: str, name: str, depth: int) -> tuple[Target, float] | None:
        """A bare name in a scope: enclosing definitions, imports and assignments, innermost scope first.

        Raises ``_External`` when the name is bound by an import of something outside the workspace.
        """
        info = self.info(path)
        if info is None:
            return None
        skip_classes = info.extract.lang == "python"  # a Python class body does not enclose its methods
        key = (path, scope)
        scopes = self._chains.get(key)
        if scopes is None:
            scopes = self._chains[key] = _scope_chain(info.syms, scope, module_id(path))
        for current in scopes:
            sym = info.syms.get(current)
            if skip_classes and current != scope and sym is not None and sym.kind in _CLASS_KINDS:
                continue
            defined = info.by_parent.get(current, {}).get(name)
            if defined:
                return defined[-1], IMPORT
            binding = info.bindings.get(current, {}).get(name)
            if binding is not None:
                target = self.binding_target(path, binding, depth + 1)
                if target is None:
                    raise _External(name)
                return target, IMPORT
            assign = info.assigns.get(current, {}).get((name,))
            if assign is not None and assign.value != (name,):
                typed = self.assigned_type(path, assign, depth + 1)
                if typed is not None:
                    return typed, CLASS_STEP
        for star in info.stars.get(module_id(path), ()):
            mod = self.module_of(path, info.extract.lang, star)
            if mod is not None:
                found = self.member(mod, name, depth + 1)
                if found is not None:
                    return found, IMPORT
        return None

    def chain(self, path: str, scope: str, names: tuple[str, ...], depth: int) -> tuple[Target, float] | None:
        """Resolve ``a.b.c`` from ``scope``: the head by ``lookup`` (or ``self``), each step as a member."""
        head, rest = names[0], names[1:]
        confidence = IMPORT
        if head in _SELF_NAMES:
            info = self.info(path)
            cls = _enclosing_class(info.syms, scope) if info else None
            if cls is None:
                return None
            target: Target | None = cls
            confidence = CLASS_STEP
        else:
            found = self.lookup(path, scope, head, depth)
            if found is None:
                return None
            target, confidence = found
        for attr in rest:
            if target is None or attr in _OPAQUE:
                return None
            if attr == _CALL:  # ``Cls()`` is an instance of Cls; what a function returns is unknown
                if not (isinstance(target, Symbol) and target.kind in _CLASS_KINDS):
                    return None
                continue
            if isinstance(target, Symbol):
                if target.kind not in _CLASS_KINDS:
                    target = self.value_type(target, depth + 1)
                    if target is None:
                        return None
                target = self.attr_type(target, attr, depth + 1) or self.class_member(target, attr, depth + 1)
                confidence = min(confidence, CLASS_STEP)
            else:
                target = self.member(target, attr, depth + 1)
        return (target, confidence) if target is not None else None

    def reference_target(self, path: str, ref: Reference, depth: int) -> tuple[Target, float] | None:
        if depth > _MAX_DEPTH:
            return None
        if not ref.receiver:
            return self.lookup(path, ref.scope, ref.name, depth)
        owner = self.chain(path, ref.scope, ref.receiver, depth)
        if owner is None:
            return None
        target, confidence = owner
        if isinstance(target, Symbol):
            if target.kind not in _CLASS_KINDS:
                typed = self.value_type(target, depth + 1)
                if typed is None:
                    return None
                target = typed
            found = self.class_member(target, ref.name, depth + 1)
            return (found, min(confidence, CLASS_STEP)) if found is not None else None
        member = self.member(target, ref.name, depth + 1)
        return (member, confidence) if member is not None else None

    @staticmethod
    def _inherits_src(syms: dict[str, Symbol], ref: Reference) -> str:
        """The class an INHERITS reference belongs to: the innermost class whose span holds the reference."""
        scope = syms.get(ref.scope)
        if scope is not None and scope.kind in _CLASS_KINDS and scope.span.encloses(ref.span):
            return scope.id  # the extractor already scoped it to the class (the common case)
        best: Symbol | None = None
        for sym in syms.values():
            inside = sym.kind in _CLASS_KINDS and sym.span.encloses(ref.span)
            if inside and (best is None or best.span.encloses(sym.span)):
                best = sym
        if best is not None:
            return best.id
        return ref.scope

    # -- the pass ----------------------------------------------------------------------------------------------

    def resolve_file(self, path: str) -> list[Edge]:
        self._current = path
        info = self.info(path)
        if info is None:
            return []
        extract = info.extract
        syms = info.syms
        mid = module_id(path)
        edges: list[Edge] = []
        for imp in extract.imports:
            edges.extend(self._import_edges(path, extract.lang, mid, imp))
        for ref in extract.references:
            src = self._inherits_src(syms, ref) if ref.kind is EdgeKind.INHERITS else ref.scope
            if src not in syms:
                src = mid
            try:
                found = self.reference_target(path, ref, 0)
            except _External:
                edges.append(Edge(src, None, ref.name, ref.kind, path, ref.span, 0.0))
                continue
            if found is not None:
                target, confidence = found
                dst = target.id if isinstance(target, Symbol) else _module_symbol(target)
                edges.append(Edge(src, dst, ref.name, ref.kind, path, ref.span, confidence))
                continue
            edges.append(self._fallback(path, src, ref))
        self._current = ""
        return edges

    def _nearest(self, key: tuple[str, str, bool], candidates: list[Symbol]) -> Symbol:
        best = self._nearest_cache.get(key)
        if best is None:
            best = self._nearest_cache[key] = _nearest_in(key[0], candidates)
        return best

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
        candidates = self._by_name.get(key)
        if candidates is None:
            candidates = [s for s in self.graph.find(ref.name) if s.kind is not SymbolKind.MODULE]
            if ref.receiver:
                # ``obj.name``: only members (methods/fields) make sense, never top-level functions of other files.
                candidates = [s for s in candidates if s.parent is not None and s.parent != module_id(s.path)]
            self._by_name[key] = candidates
        if not candidates:
            return Edge(src, None, ref.name, ref.kind, path, ref.span, 0.0)
        best = candidates[0] if len(candidates) == 1 else self._nearest((path, *key), candidates)
        confidence = UNIQUE_NAME if len(candidates) == 1 else AMBIGUOUS_NAME
        return Edge(src, best.id, ref.name, ref.kind, path, ref.span, confidence)


def _nearest_in(path: str, candidates: list[Symbol]) -> Symbol:
    """Same file, then same folder, then the longest shared path prefix (ties: the smallest id)."""
    folder = posixpath.dirname(path) + "/"
    firsts: dict[str, Symbol] = {}
    for s in candidates:
        if s.path not in firsts or s.id < firsts[s.path].id:
            firsts[s.path] = s
    if path in firsts:
        return firsts[path]
    same_dir = [p for p in firsts if p.startswith(folder) and "/" not in p[len(folder) :]]
    if same_dir:
        return firsts[min(same_dir)]
    return firsts[min(firsts, key=lambda p: (-_shared_prefix(p, path), p))]


def _module_symbol(mod: ModuleRef) -> str | None:
    if mod.paths:
        return module_id(mod.paths[0])
    return None


def _enclosing_class(syms: dict[str, Symbol], scope: str) -> Symbol | None:
    current = syms.get(scope)
    while current is not None:
        if current.kind in _CLASS_KINDS:
            return current
        current = syms.get(current.parent) if current.parent else None
    return None


def _scope_chain(syms: dict[str, Symbol], scope: str, module: str) -> list[str]:
    """``scope`` and its enclosing symbols, ending with the module symbol."""
    chain: list[str] = []
    current: str | None = scope
    while current is not None and current not in chain:
        chain.append(current)
        sym = syms.get(current)
        current = sym.parent if sym is not None else None
    if module not in chain:
        chain.append(module)
    return chain


def _shared_prefix(a: str, b: str) -> int:
    return len(posixpath.commonprefix([a, b]))
