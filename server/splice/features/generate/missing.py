"""Missing symbols: calls and imports of names that exist nowhere in the workspace, and where each should be created.

Input is the graph: the resolver leaves an Edge with ``dst=None`` for every use it could not resolve. Most of those
are not "missing" at all (the standard library, dependencies, methods of unknown objects), so a name counts only
when its home is certainly in the workspace:

- imported from a workspace module (``from pkg.http import parse_header``) → that module; when ``pkg/http.py`` does
  not exist but ``pkg`` is a workspace package, the module is to be created;
- called through a workspace module (``http.parse_header()`` after ``from pkg import http``) → that module;
- called bare and bound nowhere (not imported, not a builtin, no star import from outside) → the caller's module;
- called on ``self``/``cls`` in a class whose bases all resolve in the workspace → that class.

Cheap: no parsing here (imports and references come from the file's extract). Python only for now.
"""

from __future__ import annotations

import builtins
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from splice.features.generate.signature import CallSite, InferredSignature, call_sites, infer
from splice.index.graph import Graph
from splice.index.model import Edge, EdgeKind, FileExtract, Import, Point, Reference, Span, SymbolKind
from splice.index.modules import ModuleTable

LANGUAGES = ("python",)
_BUILTINS = frozenset(dir(builtins))
_CLASS_KINDS = {SymbolKind.CLASS, SymbolKind.STRUCT, SymbolKind.INTERFACE, SymbolKind.TRAIT, SymbolKind.ENUM}


@dataclass(frozen=True, slots=True)
class MissingRef:
    """One use of a missing name in one file, with the place its definition belongs."""

    name: str
    path: str
    """The file that uses it."""
    span: Span
    """The callee (``parse_header`` / ``http.parse_header``) or the import statement."""
    callee: str
    """The callee as written (``parse_header``, ``http.parse_header``, ``self.helper``); empty for an import."""
    target_path: str
    target_exists: bool
    target_class: str | None
    """Qualified name of the class the method belongs in (``self.helper()``), else None."""
    via_import: Span | None
    """The import statement that names it, when there is one."""


def missing_refs(graph: Graph, path: str, table: ModuleTable | None = None) -> list[MissingRef]:
    """Uses of missing names in ``path`` (one per use; several may share a name), in source order."""
    extract = graph.extracts.get(path)
    if extract is None or extract.lang not in LANGUAGES:
        return []
    table = table or ModuleTable(None, list(graph.files))
    refs_by_span = {(r.span.start_byte, r.name): r for r in extract.references}
    found: list[MissingRef] = []
    for edge in graph.edges_in_file(path):
        if edge.dst is not None:
            continue
        if edge.kind is EdgeKind.IMPORTS:
            found.extend(_from_import(graph, table, extract, edge))
        elif edge.kind is EdgeKind.CALLS:
            ref = refs_by_span.get((edge.span.start_byte, edge.name))
            if ref is not None:
                hit = _from_call(graph, table, extract, ref)
                if hit is not None:
                    found.append(hit)
    found.sort(key=lambda m: m.span.start_byte)
    return found


def missing_ref_at(graph: Graph, path: str, line: int, col: int, table: ModuleTable | None = None) -> MissingRef | None:
    """The missing-name use under the cursor (on the callee or on the import statement)."""
    point = Point(line, col)
    for ref in missing_refs(graph, path, table):
        if ref.span.contains(point):
            return ref
    return None


# -- imports ---------------------------------------------------------------------------------------------------


def _from_import(graph: Graph, table: ModuleTable, extract: FileExtract, edge: Edge) -> list[MissingRef]:
    imports = [i for i in extract.imports if i.span == edge.span and any(n.name == edge.name for n in i.names)]
    out = []
    for imp in imports:
        home = _module_home(graph, table, extract.path, imp.module, imp.level)
        if home is None:
            continue
        target, exists = home
        if exists and _is_submodule(table, target, edge.name):
            continue  # `from pkg import http` names a module, not a symbol
        out.append(MissingRef(edge.name, extract.path, imp.span, "", target, exists, None, imp.span))
    return out


def _module_home(graph: Graph, table: ModuleTable, importer: str, module: str, level: int) -> tuple[str, bool] | None:
    """(file, exists) for a workspace module; a file to create inside a workspace package; None when external."""
    found = table.python(importer, module, level)
    if found is not None and found.paths:
        return found.paths[0], True
    head, _, last = module.rpartition(".")
    if level == 0 and not head:
        return None  # a top-level module that is not in the workspace: a dependency or the standard library
    if not last:
        return None
    parent = table.python(importer, head, level) if head or level else None
    if parent is None or parent.package_dir is None:
        return None
    return posixpath.join(parent.package_dir, f"{last}.py"), False


def _is_submodule(table: ModuleTable, target: str, name: str) -> bool:
    if not target.endswith("__init__.py"):
        return False
    return table.python_submodule(posixpath.dirname(target), name) is not None


# -- calls -----------------------------------------------------------------------------------------------------


def _from_call(graph: Graph, table: ModuleTable, extract: FileExtract, ref: Reference) -> MissingRef | None:
    callee = ".".join([*ref.receiver, ref.name])
    if not ref.receiver:
        return _bare_call(graph, table, extract, ref, callee)
    if ref.receiver in (("self",), ("cls",)):
        cls = _enclosing_class(graph, extract.path, ref.span)
        if cls is None or not _bases_known(graph, cls) or _assigned_attribute(extract, ref.name):
            return None
        qualname = graph.symbols[cls].qualname
        return MissingRef(ref.name, extract.path, ref.span, callee, extract.path, True, qualname, None)
    module = _receiver_module(extract.imports, ref.receiver)
    if module is None:
        return None
    imp, dotted = module
    found = table.python(extract.path, dotted, imp.level)
    if found is None or not found.paths or (found.package_dir and _is_submodule(table, found.paths[0], ref.name)):
        return None
    return MissingRef(ref.name, extract.path, ref.span, callee, found.paths[0], True, None, imp.span)


def _bare_call(
    graph: Graph, table: ModuleTable, extract: FileExtract, ref: Reference, callee: str
) -> MissingRef | None:
    for imp in extract.imports:
        for imported in imp.names:
            if (imported.alias or imported.name) == ref.name:
                if imported.alias:
                    return None  # `from m import a as b; b()`: generating `b` would not fix `a`
                home = _module_home(graph, table, extract.path, imp.module, imp.level)
                if home is None:
                    return None
                return MissingRef(ref.name, extract.path, ref.span, callee, home[0], home[1], None, imp.span)
        if not imp.names and (imp.alias or imp.module.split(".")[0]) == ref.name:
            return None  # calling a module object
    if ref.name in _BUILTINS or _has_external_star(table, extract):
        return None
    if any(s.name == ref.name for s in graph.symbols_in(extract.path)):
        return None  # defined here after all (the resolver keeps scoping rules; be conservative)
    return MissingRef(ref.name, extract.path, ref.span, callee, extract.path, True, None, None)


def _has_external_star(table: ModuleTable, extract: FileExtract) -> bool:
    for imp in extract.imports:
        if any(n.name == "*" for n in imp.names):
            found = table.python(extract.path, imp.module, imp.level)
            if found is None or not found.paths:
                return True
    return False


def _receiver_module(imports: Iterable[Import], receiver: tuple[str, ...]) -> tuple[Import, str] | None:
    """The import that binds the receiver chain to a module, and the module's dotted name."""
    head, rest = receiver[0], list(receiver[1:])
    for imp in imports:
        if imp.names:
            for imported in imp.names:
                if (imported.alias or imported.name) == head and imported.name != "*":
                    base = f"{imp.module}.{imported.name}" if imp.module else imported.name
                    return imp, ".".join([base, *rest])
        elif imp.alias == head:
            return imp, ".".join([imp.module, *rest])
        elif imp.alias is None and imp.module.split(".")[0] == head and ".".join(receiver).startswith(imp.module):
            return imp, ".".join(receiver)
    return None


def _assigned_attribute(extract: FileExtract, name: str) -> bool:
    """``self.on_done = callback`` makes ``self.on_done()`` a call of a stored value, not of a missing method."""
    return any(a.target in (("self", name), ("cls", name)) for a in extract.assignments)


def _enclosing_class(graph: Graph, path: str, span: Span) -> str | None:
    best = None
    for sym in graph.symbols_in(path):
        inside = sym.kind in _CLASS_KINDS and sym.span.encloses(span)
        if inside and (best is None or graph.symbols[best].span.encloses(sym.span)):
            best = sym.id
    return best


def _bases_known(graph: Graph, cls: str) -> bool:
    """A class with an unresolved base may inherit the method (``self.assertEqual`` in a TestCase)."""
    sym = graph.symbols[cls]
    inherits = [e for e in graph.edges_in_file(sym.path) if e.kind is EdgeKind.INHERITS and e.src == cls]
    return all(e.dst is not None for e in inherits)


# -- the whole picture for one missing name ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissingSymbol:
    """A name to generate: where it goes, every call that uses it, and the signature those calls imply."""

    name: str
    lang: str
    target_path: str
    target_exists: bool
    """False: the module itself is to be created (``pkg/http.py``)."""
    target_class: str | None
    uses: tuple[MissingRef, ...]
    call_sites: tuple[CallSite, ...]
    signature: InferredSignature


def missing_symbol(
    graph: Graph, ref: MissingRef, read: Callable[[str], bytes | None], table: ModuleTable | None = None
) -> MissingSymbol:
    """Gather every use of ``ref``'s name with the same destination across the graph and infer the signature.

    ``read(path)`` returns a file's current text (the editor buffer when open), or None when unreadable.
    """
    table = table or ModuleTable(None, list(graph.files))
    key = (ref.name, ref.target_path, ref.target_class)
    uses: list[MissingRef] = []
    sites: list[CallSite] = []
    for path in sorted(_files_with_unresolved(graph, ref.name)):
        here = [m for m in missing_refs(graph, path, table) if (m.name, m.target_path, m.target_class) == key]
        if not here:
            continue
        uses.extend(here)
        source = read(path)
        callees = {m.callee for m in here if m.callee}
        if source is not None and callees:
            sites.extend(call_sites(path, source, callees))
    method = None
    if ref.target_class is not None:
        method = "cls" if any(m.callee.startswith("cls.") for m in uses) else "self"
    signature = infer(ref.name, sites, method=method)
    return MissingSymbol(
        ref.name, "python", ref.target_path, ref.target_exists, ref.target_class, tuple(uses), tuple(sites), signature
    )


def missing_symbols(
    graph: Graph, path: str, read: Callable[[str], bytes | None], table: ModuleTable | None = None
) -> list[MissingSymbol]:
    """One MissingSymbol per distinct missing name used in ``path``."""
    table = table or ModuleTable(None, list(graph.files))
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for ref in missing_refs(graph, path, table):
        key = (ref.name, ref.target_path, ref.target_class)
        if key not in seen:
            seen.add(key)
            out.append(missing_symbol(graph, ref, read, table))
    return out


def _files_with_unresolved(graph: Graph, name: str) -> set[str]:
    with graph.lock:
        paths = list(graph.files)
    return {p for p in paths if any(e.dst is None and e.name == name for e in graph.edges_in_file(p))}
