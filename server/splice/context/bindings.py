"""Name binding for the file being edited: which workspace definitions its imports and references point at.

The shared graph already holds resolved edges for indexed files, but the file in focus is often an unsaved buffer
(or a stub whose body is still empty) that must not touch the shared index. This module resolves such a throwaway
``FileExtract`` against the graph, read-only: imports → module files → definitions (following package re-exports
and ``export *`` chains), attribute chains through imported modules and classes, ``self.x`` through the class's
assignments and bases.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from splice.index.graph import Graph
from splice.index.model import Assignment, EdgeKind, FileExtract, Import, Reference, Symbol, SymbolKind, module_id

_PY_EXT = (".py", ".pyi")
_JS_EXT = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_MAX_DEPTH = 6
_CLASSES = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.STRUCT, SymbolKind.TRAIT})


class ModuleMap:
    """Dotted Python module names and extension-less JS/TS paths → workspace files."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = set(paths)
        self._dotted: dict[str, list[str]] = defaultdict(list)
        self._stem: dict[str, str] = {}
        for path in sorted(self.paths):
            stem, ext = posixpath.splitext(path)
            if ext in _PY_EXT:
                parts = stem.split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                for i in range(len(parts)):
                    self._dotted[".".join(parts[i:])].append(path)
            else:
                if stem.endswith(".d"):
                    stem = stem[:-2]
                self._stem.setdefault(stem, path)

    def python(self, dotted: str, near: str) -> str | None:
        """The file for an absolute dotted module name; ambiguity is settled by closeness to ``near``."""
        found = self._dotted.get(dotted)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        return max(found, key=lambda p: (_common_prefix(p, near), -len(p)))

    def python_relative(self, importer: str, level: int, dotted: str) -> str | None:
        base = posixpath.dirname(importer)
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        rel = dotted.replace(".", "/") if dotted else ""
        stem = posixpath.join(base, rel) if rel else base
        for candidate in (stem + ".py", stem + ".pyi", stem + "/__init__.py", stem + "/__init__.pyi"):
            if candidate in self.paths:
                return candidate
        return None

    def script(self, importer: str, spec: str) -> str | None:
        """A relative JS/TS import (``./util.js``) → the file that provides it."""
        if not spec.startswith("."):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        stem, ext = posixpath.splitext(joined)
        for candidate in (joined, stem if ext in _JS_EXT else joined, joined + "/index"):
            if candidate in self.paths:
                return candidate
            found = self._stem.get(candidate)
            if found is not None:
                return found
        return None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class Binding:
    """A name bound in the file and what it denotes: a module (``path::``) or a definition."""

    name: str
    target: str
    via: Import


class Binder:
    """Resolves one file's names against the graph. Create one per request; it caches lookups."""

    def __init__(
        self,
        graph: Graph,
        modules: ModuleMap,
        extract: FileExtract,
        shared: dict[tuple[str, str], str | None] | None = None,
    ) -> None:
        """``shared``: module-member answers for *other* files, kept by the engine across requests for as long as
        the graph does not change (re-export chains through ``index.ts`` files are the expensive part)."""
        self.graph = graph
        self.modules = modules
        self.extract = extract
        self.path = extract.path
        self.local = {s.qualname: s for s in extract.symbols if s.qualname}
        self.bindings: dict[str, Binding] = {}
        self.star_modules: list[str] = []
        self.imported_modules: list[str] = []
        """Paths of modules the file imports, in import order (with duplicates removed)."""
        self._members: dict[tuple[str, str], str | None] = {}
        self._module_members: dict[tuple[str, str], str | None] = shared if shared is not None else {}
        self._assigned: dict[tuple[str, ...], list[Assignment]] = {}
        for asg in extract.assignments:
            self._assigned.setdefault(asg.target, []).append(asg)
        self._local_bases: dict[str, list[str]] | None = None
        self._classes: dict[str, Symbol | None] = {}
        self._resolved: dict[tuple[str, tuple[str, ...], str], str | None] = {}
        for imp in extract.imports:
            self._bind(imp)

    # -- imports -----------------------------------------------------------------------------------------------

    def module_of(self, imp: Import, importer: str | None = None) -> str | None:
        importer = importer or self.path
        spec = imp.module
        if importer.endswith(_PY_EXT):
            level = imp.level
            if level == 0 and spec.startswith("."):
                level = len(spec) - len(spec.lstrip("."))
            spec = spec.lstrip(".")
            if level:
                return self.modules.python_relative(importer, level, spec)
            return self.modules.python(spec, importer) if spec else None
        return self.modules.script(importer, spec)

    def _bind(self, imp: Import) -> None:
        mod_path = self.module_of(imp)
        if mod_path is not None and mod_path not in self.imported_modules:
            self.imported_modules.append(mod_path)
        if not imp.names:
            if mod_path is None:
                return
            if imp.alias:
                self.bindings[imp.alias] = Binding(imp.alias, module_id(mod_path), imp)
            elif self.path.endswith(_PY_EXT):
                # ``import a.b`` binds ``a``; attribute chains walk down from it.
                top = imp.module.lstrip(".").split(".")[0]
                top_path = self.modules.python(top, self.path)
                if top_path is not None:
                    self.bindings[top] = Binding(top, module_id(top_path), imp)
            return
        for item in imp.names:
            if item.name == "*":
                if mod_path is not None:
                    self.star_modules.append(mod_path)
                continue
            bound = item.alias or item.name
            target = self._member_of_module(mod_path, item.name, 0) if mod_path else None
            if target is None and mod_path is not None and mod_path.endswith("__init__.py"):
                sub = self.modules.python_relative(mod_path, 1, item.name)
                target = module_id(sub) if sub else None
            if target is None and mod_path is None and imp.level and self.path.endswith(_PY_EXT):
                sub = self.modules.python_relative(self.path, imp.level, item.name)
                target = module_id(sub) if sub else None
            if target is not None:
                self.bindings[bound] = Binding(bound, target, imp)

    def _member_of_module(self, mod_path: str | None, name: str, depth: int) -> str | None:
        """The definition ``name`` in module ``mod_path``, following re-exports and star exports."""
        if mod_path is None or depth > _MAX_DEPTH:
            return None
        key = (mod_path, name)
        if mod_path == self.path:
            return self._find_in_module(mod_path, name, depth)
        if key in self._module_members:
            return self._module_members[key]
        self._module_members[key] = None  # a re-export cycle ends here
        found = self._find_in_module(mod_path, name, depth)
        self._module_members[key] = found
        return found

    def _find_in_module(self, mod_path: str, name: str, depth: int) -> str | None:
        sid = f"{mod_path}::{name}"
        if self.graph.symbol(sid) is not None:
            return sid
        extract = self.graph.extracts.get(mod_path)
        if extract is None:
            return None
        binder_imports = extract.imports
        for imp in binder_imports:
            for item in imp.names:
                if (item.alias or item.name) == name and item.name != "*":
                    target_mod = self.module_of(imp, mod_path)
                    found = self._member_of_module(target_mod, item.name, depth + 1)
                    if found is not None:
                        return found
                    if target_mod is None and imp.level and mod_path.endswith(_PY_EXT):
                        sub = self.modules.python_relative(mod_path, imp.level, item.name)
                        if sub is not None:
                            return module_id(sub)
            if not imp.names and imp.alias == name:
                target_mod = self.module_of(imp, mod_path)
                if target_mod is not None:
                    return module_id(target_mod)
        for imp in binder_imports:
            # ``export * from "./x"`` / ``from .x import *``: arrives as an import without names or with ``*``.
            star = any(i.name == "*" for i in imp.names) or (
                not imp.names and imp.alias is None and not mod_path.endswith(_PY_EXT)
            )
            if star:
                found = self._member_of_module(self.module_of(imp, mod_path), name, depth + 1)
                if found is not None:
                    return found
        if mod_path.endswith(("__init__.py", "__init__.pyi")):
            sub = self.modules.python_relative(mod_path, 1, name)
            if sub is not None:
                return module_id(sub)
        return None

    # -- references --------------------------------------------------------------------------------------------

    def lookup(self, name: str) -> str | None:
        """What a bare name in this file denotes: a local top-level definition, an import, or a star import."""
        local = self.local.get(name)
        if local is not None:
            return local.id
        binding = self.bindings.get(name)
        if binding is not None:
            return binding.target
        for mod in self.star_modules:
            found = self._member_of_module(mod, name, 1)
            if found is not None:
                return found
        return None

    def member(self, owner: str, name: str) -> str | None:
        """``owner.name`` where owner is a module id or a class id (methods searched through bases)."""
        key = (owner, name)
        if key not in self._members:
            self._members[key] = None  # guards against cycles through assignments
            self._members[key] = self._member(owner, name)
        return self._members[key]

    def _member(self, owner: str, name: str) -> str | None:
        if owner.endswith("::"):
            return self._member_of_module(owner[:-2], name, 0)
        seen: set[str] = set()
        queue = [owner]
        while queue:
            cls = queue.pop(0)
            if cls in seen or len(seen) > 20:
                continue
            seen.add(cls)
            sym = self.graph.symbol(cls) or self._local_by_id(cls)
            if sym is None:
                continue
            candidate = f"{sym.path}::{sym.qualname}.{name}"
            if self.graph.symbol(candidate) is not None or self._local_by_id(candidate) is not None:
                return candidate
            queue.extend(self.bases(cls))
        return None

    def _local_by_id(self, sid: str) -> Symbol | None:
        if sid.startswith(self.path + "::"):
            return self.local.get(sid[len(self.path) + 2 :])
        return None

    def bases(self, class_id: str) -> list[str]:
        """Resolved base classes of a class (local ones through this file's references, others via the graph)."""
        if class_id.startswith(self.path + "::"):
            if self._local_bases is None:
                self._local_bases = {}
                for ref in self.extract.references:
                    if ref.kind is EdgeKind.INHERITS:
                        target = self.resolve(ref)
                        if target is not None:
                            self._local_bases.setdefault(ref.scope, []).append(target)
            return self._local_bases.get(class_id, [])
        return [e.dst for e in self.graph.outgoing(class_id, frozenset({EdgeKind.INHERITS})) if e.dst]

    def enclosing_class(self, scope: str) -> Symbol | None:
        if scope in self._classes:
            return self._classes[scope]
        sym = self._local_by_id(scope)
        while sym is not None and sym.kind not in _CLASSES:
            sym = self._local_by_id(sym.parent) if sym.parent else None
        self._classes[scope] = sym
        return sym

    def resolve(self, ref: Reference) -> str | None:
        """The definition a reference points at, or None when it does not resolve to a workspace symbol."""
        # Most references share a few names: key them by what the answer actually depends on.
        key: tuple[str, tuple[str, ...], str]
        if not ref.receiver:
            key = ("", (), ref.name)
        elif ref.receiver[0] in ("self", "cls", "this"):
            cls = self.enclosing_class(ref.scope)
            key = (cls.id if cls is not None else "", ref.receiver, ref.name)
        elif ref.receiver[0] in self.bindings or ref.receiver[0] in self.local:
            key = ("", ref.receiver, ref.name)
        else:
            key = (ref.scope, ref.receiver, ref.name)
        if key not in self._resolved:
            self._resolved[key] = None
            self._resolved[key] = self._resolve(ref)
        return self._resolved[key]

    def _resolve(self, ref: Reference) -> str | None:
        if not ref.receiver:
            return self.lookup(ref.name)
        head, *rest = ref.receiver
        owner: str | None
        if head in ("self", "cls", "this"):
            cls = self.enclosing_class(ref.scope)
            if cls is None:
                return None
            owner = cls.id
            for attr in rest:
                owner = self._attribute_type(cls.id, attr) if owner == cls.id else self.member(owner, attr)
                if owner is None:
                    return None
        else:
            owner = self.lookup(head) or self._local_type(ref.scope, head)
            for attr in rest:
                if owner is None:
                    return None
                owner = self.member(owner, attr)
        return self.member(owner, ref.name) if owner is not None else None

    def _attribute_type(self, class_id: str, attr: str) -> str | None:
        """``self.attr`` → the class assigned to it in any method (``self.attr = Cls(...)``), else the member."""
        for asg in self._assigned.get(("self", attr), ()):
            if asg.value and asg.scope.startswith(class_id):
                return self._chain(asg.value)
        return self.member(class_id, attr)

    def _local_type(self, scope: str, name: str) -> str | None:
        for asg in self._assigned.get((name,), ()):
            if asg.value and (asg.scope == scope or scope.startswith(asg.scope)):
                return self._chain(asg.value)
        return None

    def _chain(self, chain: tuple[str, ...]) -> str | None:
        owner = self.lookup(chain[0])
        for attr in chain[1:]:
            if owner is None:
                return None
            owner = self.member(owner, attr)
        return owner
