"""Name lookup for the resolver: what a name, a dotted chain or a module member denotes in a file's scope.

A ``Lookup`` lives for one resolution pass: it builds per-file tables (definitions by parent, import bindings,
assignments, ``self.x`` attribute types) once and reuses them across passes while a file's extract is unchanged,
and it records which files every answer consulted, so the resolver knows each file's dependencies.
Confidences are defined here because the lookups decide them (1.0 import-bound, 0.8 through a class).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from splice.index.graph import Graph
from splice.index.model import Assignment, EdgeKind, FileExtract, Import, Reference, Symbol, SymbolKind, module_id
from splice.index.modules import ModuleRef, ModuleTable
from splice.index.signatures import python_params, python_return

IMPORT = 1.0
CLASS_STEP = 0.8
UNIQUE_NAME = 0.5
AMBIGUOUS_NAME = 0.3

_CLASS_KINDS = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.STRUCT, SymbolKind.TRAIT, SymbolKind.ENUM})
_VALUE_KINDS = frozenset({SymbolKind.VARIABLE, SymbolKind.CONSTANT, SymbolKind.FIELD})
_FUNCTION_KINDS = frozenset({SymbolKind.FUNCTION, SymbolKind.METHOD})
_SELF_NAMES = frozenset({"self", "cls", "this"})
_CALL = "()"
_OPAQUE = frozenset({"[]", "?"})
"""Chain markers from extraction: a call result, a subscript, anything else (the chain stops there)."""
_MAX_DEPTH = 12

Target = ModuleRef | Symbol
"""What a name denotes during resolution: a module/package, or a definition (a class doubles as its instances)."""


class External(Exception):
    """A name bound to an import from outside the workspace: unresolved, and no name-based guess either."""


@dataclass(slots=True)
class Binding:
    imp: Import
    name: str | None
    """Imported member name; None when the binding is the module itself."""


@dataclass(slots=True)
class _Memo:
    target: Target | None
    touched: set[str]
    """Files the computation consulted: they become dependencies of every file that reuses the answer."""
    applied_to: str = ""
    """The file whose dependencies already include ``touched``."""


_ScopeTables = tuple[dict[str, list[Symbol]], dict[str, "Binding"], dict[tuple[str, ...], Assignment], str]
"""One visible scope's definitions by name, import bindings by name, assignments by target, and its id."""


@dataclass(slots=True)
class FileInfo:
    """Per-file lookups built once per pass."""

    extract: FileExtract
    syms: dict[str, Symbol]
    by_parent: dict[str | None, dict[str, list[Symbol]]]
    bindings: dict[str, dict[str, Binding]]
    """Scope id → bound name → import binding."""
    stars: dict[str, list[Import]]
    assigns: dict[str, dict[tuple[str, ...], Assignment]]
    """Scope id → target chain → last assignment."""
    self_attrs: dict[str, dict[str, Assignment]]
    """Class id → attribute → ``self.attr = …`` assignment made in one of its methods."""


class Lookup:
    """Lookups for one resolution run: caches are valid only while the graph does not change (callers hold its
    lock)."""

    def __init__(self, graph: Graph, table: ModuleTable, infos: dict[str, FileInfo]) -> None:
        self._shared = infos
        self.graph = graph
        self.table = table
        self.deps: dict[str, set[str]] = defaultdict(set)
        self._info: dict[str, FileInfo | None] = {}
        self._bases: dict[str, list[Symbol]] = {}
        self._chains: dict[tuple[str, str], list[_ScopeTables]] = {}
        self._memos: dict[tuple[object, ...], _Memo] = {}
        """Import bindings (by identity: they live as long as the pass) and module members → (target, files
        consulted)."""
        self._recorders: list[set[str]] = []
        self._active: set[tuple[object, ...]] = set()
        self._bases_active: set[str] = set()
        """Memo keys being computed (a re-export cycle re-enters one)."""
        self._cuts = 0
        """How often a lookup was cut short (cycle, depth limit): misses computed across a cut are not kept."""
        self._current = ""
        self._param_cache: dict[str, dict[str, tuple[str, ...]]] = {}

    # -- per-file lookups --------------------------------------------------------------------------------------

    def info(self, path: str) -> FileInfo | None:
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
        bindings: dict[str, dict[str, Binding]] = defaultdict(dict)
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
            earlier = assigns[a.scope].get(a.target)
            if earlier is not None and len(a.target) == 1 and a.value[:1] == a.target:
                continue  # ``url = url.copy_with(…)`` keeps what ``url`` was: resolving it would chase itself
            assigns[a.scope][a.target] = a
        info = FileInfo(extract, syms, by_parent, bindings, stars, assigns, self_attrs)
        self._info[path] = self._shared[path] = info
        return info

    @staticmethod
    def _bind(lang: str, imp: Import, into: dict[str, Binding], stars: list[Import]) -> None:
        for n in imp.names:
            if n.name == "*":
                stars.append(imp)
            else:
                into[n.alias or n.name] = Binding(imp, n.name)
        if imp.alias:
            into[imp.alias] = Binding(imp, None)
        elif not imp.names and imp.module:
            # ``import a.b`` binds ``a``; Go/Java/Rust bind the last path component (a package or class name).
            if lang == "python":
                head = imp.module.split(".")[0]
                into[head] = Binding(Import(head, (), None, 0, imp.span, imp.scope), None)
            elif lang in ("go", "java", "rust", "c_sharp"):
                parts = imp.module.replace("::", "/").replace(".", "/").split("/")
                last = parts[-1] if not (lang == "go" and parts[-1][:1] == "v" and parts[-1][1:].isdigit()) else ""
                last = last or (parts[-2] if len(parts) > 1 else parts[-1])
                into[last] = Binding(imp, None)

    # -- modules and members -----------------------------------------------------------------------------------

    def module_of(self, importer: str, lang: str, imp: Import) -> ModuleRef | None:
        found = self.table.resolve(lang, importer, imp.module, imp.level)
        if found is not None:
            for p in found.paths:
                self.info(p)  # records the dependency
        return found

    def binding_target(self, path: str, binding: Binding, depth: int) -> Target | None:
        """What an import binding denotes; memoised per pass with the files it consulted (for dependencies)."""
        return self._memo(("b", id(binding)), depth, lambda: self._binding_target(path, binding, depth))

    def _memo(self, key: tuple[object, ...], depth: int, compute: Callable[[], Target | None]) -> Target | None:
        """Per-pass memo that also replays the files the computation consulted into the current dependencies.

        Re-entering a computation in progress (re-export cycles) answers None. A miss is kept only when nothing
        was cut short on the way (a cycle or the depth limit), because another route might still succeed.
        """
        cached = self._memos.get(key)
        if cached is not None:
            self._touch(cached)
            return cached.target
        if key in self._active:
            self._cuts += 1
            return None
        cuts = self._cuts
        self._active.add(key)
        self._recorders.append(set())
        try:
            target = compute()
        finally:
            touched = self._recorders.pop()
            self._active.discard(key)
        entry = _Memo(target, touched)
        self._touch(entry)
        if target is not None or self._cuts == cuts:
            self._memos[key] = entry
        return target

    def _too_deep(self, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            self._cuts += 1
            return True
        return False

    def _touch(self, entry: _Memo) -> None:
        for recorder in self._recorders:
            recorder |= entry.touched
        if self._current and entry.applied_to != self._current:  # once per file is enough
            self.deps[self._current] |= entry.touched
            entry.applied_to = self._current

    def _binding_target(self, path: str, binding: Binding, depth: int) -> Target | None:
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
        if self._too_deep(depth):
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
                try:
                    aliased = self.chain(path, mid, alias.value, depth + 1)
                except External:
                    # ``compiled = cython.compiled`` after ``import cython``: the member stands for something outside
                    # the workspace, so it denotes nothing here (and no other route of this file can say better).
                    continue
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
        if self._too_deep(depth):
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
        if self._too_deep(depth):
            return None
        for base in self.bases(cls):
            found = self.attr_type(base, attr, depth + 1)
            if found is not None:
                return found
        return None

    def assigned_type(self, path: str, assign: Assignment, depth: int) -> Target | None:
        if not assign.value or self._too_deep(depth):
            return None
        resolved = self.chain(path, assign.scope, assign.value, depth + 1)
        if resolved is None:
            return None
        target, _ = resolved
        if assign.is_call and isinstance(target, Symbol) and target.kind not in _CLASS_KINDS:
            return self.return_type(target, depth + 1)
        return target

    def return_type(self, function: Symbol, depth: int) -> Symbol | None:
        """The class a Python function's return annotation names (``-> URL``, ``-> "URL"``, ``-> URL | None``)."""
        if function.kind not in _FUNCTION_KINDS or function.lang != "python" or function.parent is None:
            return None
        if self._too_deep(depth):
            return None
        names = python_return(function.signature)
        if not names:
            return None
        found = self.chain(function.path, function.parent, names, depth + 1)
        if found is None or not (isinstance(found[0], Symbol) and found[0].kind in _CLASS_KINDS):
            return None
        return found[0]

    def value_type(self, sym: Symbol, depth: int) -> Symbol | None:
        """The class of a variable/constant from its assignment (``session = Session()``), if that is known."""
        if sym.kind not in _VALUE_KINDS or self._too_deep(depth):
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
            if cls.id in self._bases_active:  # an inheritance cycle
                self._cuts += 1
            return cached
        self._bases[cls.id] = []
        self._bases_active.add(cls.id)
        found: list[Symbol] = []
        info = self.info(cls.path)
        if info is not None:
            for ref in info.extract.references:
                if ref.kind is EdgeKind.INHERITS and self._inherits_src(info.syms, ref) == cls.id:
                    try:
                        target = self.reference_target(cls.path, ref, 1)
                    except External:
                        continue
                    if target is not None and isinstance(target[0], Symbol) and target[0].kind in _CLASS_KINDS:
                        found.append(target[0])
        self._bases[cls.id] = found
        self._bases_active.discard(cls.id)
        return found

    # -- names and chains --------------------------------------------------------------------------------------

    def lookup(self, path: str, scope: str, name: str, depth: int) -> tuple[Target, float] | None:
        """A bare name in a scope: enclosing definitions, imports and assignments, innermost scope first.

        Raises ``External`` when the name is bound by an import of something outside the workspace.
        """
        info = self.info(path)
        if info is None:
            return None
        key = (path, scope)
        scopes = self._chains.get(key)
        if scopes is None:
            scopes = self._chains[key] = self._scope_tables(info, scope, module_id(path))
        for defs, binds, assigns, scope_id in scopes:
            defined = defs.get(name)
            if defined:
                return defined[-1], IMPORT
            binding = binds.get(name)
            if binding is not None:
                target = self.binding_target(path, binding, depth + 1)
                if target is None:
                    raise External(name)
                return target, IMPORT
            assign = assigns.get((name,))
            if assign is not None and assign.value != (name,):
                typed = self.assigned_type(path, assign, depth + 1)
                if typed is not None:
                    return typed, CLASS_STEP
            function = info.syms.get(scope_id)
            if function is not None and function.kind in _FUNCTION_KINDS and function.lang == "python":
                params = self._params(function)
                if name in params:
                    # A parameter shadows everything outside; its annotation is its type, else it is unknown.
                    annotation = params[name]
                    if not annotation or function.parent is None:
                        return None
                    annotated = self.chain(path, function.parent, annotation, depth + 1)
                    cls = annotated[0] if annotated is not None else None
                    if not (isinstance(cls, Symbol) and cls.kind in _CLASS_KINDS):
                        return None
                    return cls, CLASS_STEP
        for star in info.stars.get(module_id(path), ()):
            mod = self.module_of(path, info.extract.lang, star)
            if mod is not None:
                found = self.member(mod, name, depth + 1)
                if found is not None:
                    return found, IMPORT
        return None

    @staticmethod
    def _scope_tables(info: FileInfo, scope: str, module: str) -> list[_ScopeTables]:
        """Definitions, bindings and assignments of each scope a name in ``scope`` can see, innermost first."""
        skip_classes = info.extract.lang == "python"  # a Python class body does not enclose its methods
        out: list[_ScopeTables] = []
        for current in _scope_chain(info.syms, scope, module):
            sym = info.syms.get(current)
            if skip_classes and current != scope and sym is not None and sym.kind in _CLASS_KINDS:
                continue
            tables = (info.by_parent.get(current, {}), info.bindings.get(current, {}), info.assigns.get(current, {}))
            out.append((*tables, current))
        return out

    def _params(self, function: Symbol) -> dict[str, tuple[str, ...]]:
        """A Python function's parameters → the class chain its annotation names (empty when none is known)."""
        cached = self._param_cache.get(function.id)
        if cached is None:
            cached = self._param_cache[function.id] = python_params(function.signature)
        return cached

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
            if attr == _CALL:  # ``Cls()`` is an instance of Cls; a function's result, what its annotation says
                if isinstance(target, Symbol) and target.kind in _FUNCTION_KINDS:
                    target = self.return_type(target, depth + 1)
                    if target is None:
                        return None
                elif not (isinstance(target, Symbol) and target.kind in _CLASS_KINDS):
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
        if self._too_deep(depth):
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
