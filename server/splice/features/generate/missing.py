"""Missing symbols: calls and imports of names that exist nowhere in the workspace, and where each should be created.

Input is the graph: the resolver leaves an Edge with ``dst=None`` for every use it could not resolve. Most of those
are not "missing" at all (the standard library, dependencies, globals, methods of unknown objects), so a name counts
only when its home is certainly in the workspace:

- imported from a workspace module (``from pkg.http import parse_header``, ``import { parseHeader } from "./http"``)
  → that module; when the module file does not exist but its package/folder does, the module is to be created;
- called through a workspace module (``http.parse_header()``, ``http.parseHeader()`` after ``import * as http``)
  → that module;
- called bare and bound nowhere (not imported, not a builtin or global, no star import from outside) → the caller's
  module;
- called on ``self``/``cls``/``this`` in a class whose bases all resolve in the workspace → that class.

Cheap: no parsing here (imports and references come from the file's extract). Python, JavaScript, TypeScript.
"""

from __future__ import annotations

import builtins
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from splice.features.generate.callsites import CallSite, call_sites
from splice.features.generate.signature import InferredSignature, infer
from splice.index.graph import Graph
from splice.index.languages import ECMASCRIPT
from splice.index.model import Edge, EdgeKind, FileExtract, Import, Point, Reference, Span, SymbolKind
from splice.index.modules import ModuleTable

LANGUAGES = ("python", "javascript", "typescript", "tsx")
_PY_BUILTINS = frozenset(dir(builtins))
# Globals of browsers, Node and the common test runners: calls to them are never "missing".
_ECMA_GLOBALS = frozenset(
    {
        *("console", "Math", "JSON", "Object", "Array", "String", "Number", "Boolean", "Promise", "Date", "RegExp"),
        *("Error", "TypeError", "RangeError", "Map", "Set", "WeakMap", "WeakSet", "Symbol", "BigInt", "Proxy"),
        *("Reflect", "Intl", "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "Buffer", "process"),
        *("globalThis", "window", "document", "navigator", "parseInt", "parseFloat", "isNaN", "isFinite"),
        *("setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "queueMicrotask"),
        *("structuredClone", "fetch", "require", "import", "super", "encodeURIComponent", "decodeURIComponent"),
        *("encodeURI", "decodeURI", "atob", "btoa", "alert", "describe", "it", "test", "expect", "beforeEach"),
        *("afterEach", "beforeAll", "afterAll", "jest", "vi", "suite"),
    }
)
_CLASS_KINDS = {SymbolKind.CLASS, SymbolKind.STRUCT, SymbolKind.INTERFACE, SymbolKind.TRAIT, SymbolKind.ENUM}
_SELF = {("self",), ("cls",), ("this",)}


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
            found.extend(_from_import(table, extract, edge))
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


# -- where a module lives --------------------------------------------------------------------------------------


def _home(
    table: ModuleTable, lang: str, importer: str, imp: Import, extra: Iterable[str] = ()
) -> tuple[str, bool] | None:
    """(file, exists) of the module ``imp`` names (plus ``extra`` dotted parts); None when it is not ours."""
    if lang in ECMASCRIPT:
        return _ecma_home(table, importer, imp.module) if not extra else None
    module = ".".join([imp.module, *extra]) if imp.module else ".".join(extra)
    return _python_home(table, importer, module, imp.level)


def _python_home(table: ModuleTable, importer: str, module: str, level: int) -> tuple[str, bool] | None:
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


def _ecma_home(table: ModuleTable, importer: str, spec: str) -> tuple[str, bool] | None:
    found = table.javascript(importer, spec)
    if found is not None and found.paths:
        return found.paths[0], True
    if not spec.startswith("."):
        return None  # a package (or an unresolvable alias): not ours
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    folder = posixpath.dirname(base)
    if folder and not any(f.startswith(folder + "/") for f in table.files):
        return None  # not even the folder exists: probably a typo, not a module to create
    ext = posixpath.splitext(importer)[1]
    ext = {".tsx": ".ts", ".jsx": ".js", ".mts": ".mts"}.get(ext, ext)
    stem, own_ext = posixpath.splitext(base)
    if own_ext in (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"):
        base = stem  # ESM TypeScript writes `./x.js` for `x.ts`
    return base + ext, False


def _is_submodule(table: ModuleTable, target: str, name: str) -> bool:
    if not target.endswith("__init__.py"):
        return False
    return table.python_submodule(posixpath.dirname(target), name) is not None


# -- imports ---------------------------------------------------------------------------------------------------


def _from_import(table: ModuleTable, extract: FileExtract, edge: Edge) -> list[MissingRef]:
    imports = [i for i in extract.imports if i.span == edge.span and any(n.name == edge.name for n in i.names)]
    out = []
    for imp in imports:
        if edge.name in ("default", "*"):
            continue  # a default export or a whole module: not one symbol to write
        home = _home(table, extract.lang, extract.path, imp)
        if home is None:
            continue
        target, exists = home
        if exists and _is_submodule(table, target, edge.name):
            continue  # `from pkg import http` names a module, not a symbol
        out.append(MissingRef(edge.name, extract.path, imp.span, "", target, exists, None, imp.span))
    return out


# -- calls -----------------------------------------------------------------------------------------------------


def _from_call(graph: Graph, table: ModuleTable, extract: FileExtract, ref: Reference) -> MissingRef | None:
    callee = ".".join([*ref.receiver, ref.name])
    if not ref.receiver:
        return _bare_call(graph, table, extract, ref, callee)
    if ref.receiver in _SELF:
        cls = _enclosing_class(graph, extract.path, ref.span)
        if cls is None or not _bases_known(graph, cls) or _assigned_attribute(extract, ref.name):
            return None
        qualname = graph.symbols[cls].qualname
        return MissingRef(ref.name, extract.path, ref.span, callee, extract.path, True, qualname, None)
    bound = _receiver_module(extract.imports, ref.receiver)
    if bound is None:
        return None
    imp, extra = bound
    home = _home(table, extract.lang, extract.path, imp, extra)
    if home is None or (extract.lang == "python" and not home[1]):
        return None  # `from pkg import http; http.f()` with no pkg/http.py: the import is the problem
    if home[1] and _is_submodule(table, home[0], ref.name):
        return None
    return MissingRef(ref.name, extract.path, ref.span, callee, home[0], home[1], None, imp.span)


def _bare_call(
    graph: Graph, table: ModuleTable, extract: FileExtract, ref: Reference, callee: str
) -> MissingRef | None:
    for imp in extract.imports:
        for imported in imp.names:
            if (imported.alias or imported.name) == ref.name:
                if imported.alias or imported.name == "default":
                    return None  # `from m import a as b; b()`: generating `b` would not fix `a`
                home = _home(table, extract.lang, extract.path, imp)
                if home is None:
                    return None
                return MissingRef(ref.name, extract.path, ref.span, callee, home[0], home[1], None, imp.span)
        if not imp.names and (imp.alias or imp.module.split(".")[0]) == ref.name:
            return None  # calling a module object
    known = _PY_BUILTINS if extract.lang == "python" else _ECMA_GLOBALS
    if ref.name in known or _has_external_star(table, extract):
        return None
    if any(s.name == ref.name for s in graph.symbols_in(extract.path)):
        return None  # defined here after all (the resolver keeps scoping rules; be conservative)
    return MissingRef(ref.name, extract.path, ref.span, callee, extract.path, True, None, None)


def _has_external_star(table: ModuleTable, extract: FileExtract) -> bool:
    for imp in extract.imports:
        if any(n.name == "*" for n in imp.names) and _home(table, extract.lang, extract.path, imp) is None:
            return True
    return False


def _receiver_module(imports: Iterable[Import], receiver: tuple[str, ...]) -> tuple[Import, list[str]] | None:
    """The import that binds the receiver chain to a module, and the dotted parts below that import's module."""
    head, rest = receiver[0], list(receiver[1:])
    for imp in imports:
        if imp.names:
            for imported in imp.names:
                if (imported.alias or imported.name) == head and imported.name not in ("*", "default"):
                    return imp, [imported.name, *rest]
        elif imp.alias == head:
            return imp, rest
        elif imp.alias is None and imp.module.split(".")[0] == head and ".".join(receiver).startswith(imp.module):
            return imp, list(receiver[len(imp.module.split(".")) :])
    return None


def _assigned_attribute(extract: FileExtract, name: str) -> bool:
    """``self.on_done = callback`` makes ``self.on_done()`` a call of a stored value, not of a missing method."""
    targets = {(owner[0], name) for owner in _SELF}
    return any(a.target in targets for a in extract.assignments)


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
            sites.extend(call_sites(path, graph.extracts[path].lang, source, callees))
    lang = graph.extracts[ref.path].lang
    method = None
    if ref.target_class is not None:
        method = "this" if lang in ECMASCRIPT else "cls" if any(m.callee.startswith("cls.") for m in uses) else "self"
    exported = any(u.path != ref.target_path for u in uses)
    signature = infer(ref.name, sites, lang=lang, method=method, exported=exported)
    return MissingSymbol(
        ref.name, lang, ref.target_path, ref.target_exists, ref.target_class, tuple(uses), tuple(sites), signature
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
