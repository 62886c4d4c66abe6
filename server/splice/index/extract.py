"""Per-file extraction: one parse and one compiled query (``queries/<lang>-tags.scm``) → a FileExtract.

The query is data and marks nodes by capture name; this module turns the captures into value types:
``@definition.<kind>`` + ``@name`` (+ ``@receiver``) definitions, ``@container`` + ``@name`` qualname prefixes
that are no symbols (Rust ``impl``), ``@call`` callees, ``@ref`` names used as values, ``@inherit`` bases,
``@local`` names bound inside a function (parameters, assignments: never cross-file references),
``@import`` statements and ``@assign`` assignments. See index/README.md "Extraction".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from splice.index.extract_chain import CALL, OTHER, SUBSCRIPT, callee_chain, chain
from splice.index.extract_defs import (
    CLASS_LIKE,
    CONTAINER,
    FUNCTION_KINDS,
    RawDef,
    Scopes,
    definitions,
    module_symbol,
)
from splice.index.extract_langs import SPECS
from splice.index.extract_spec import LangSpec
from splice.index.extract_text import decode, span_of
from splice.index.model import Assignment, EdgeKind, FileExtract, Import, Reference, Span, Symbol, SymbolKind
from splice.index.parser import Node, QueryCursor, Tree, count_errors, parse, query_parts

__all__ = ["ModuleUse", "Parts", "RefKey", "TextKey", "extract", "extract_parts", "module_name", "supported"]

_MARKERS = frozenset({CALL, SUBSCRIPT, OTHER})
_REF_KINDS = {"call": EdgeKind.CALLS, "ref": EdgeKind.REFERENCES, "inherit": EdgeKind.INHERITS}


def supported(lang: str) -> bool:
    return lang in SPECS


def module_name(path: str, lang: str) -> str:
    """The module symbol's name: ``pkg/mod.py`` → ``pkg.mod`` (``__init__`` dropped); else the path sans suffix."""
    spec = SPECS.get(lang)
    if spec is not None and spec.module_name is not None:
        return spec.module_name(path)
    stem, dot, suffix = path.rpartition(".")
    return stem if dot and "/" not in suffix else path


def extract(path: str, lang: str, source: bytes, tree: Tree | None = None) -> FileExtract:
    """Symbols, references, imports and assignments of one file; never raises on bad syntax or bad bytes.

    ``path`` is workspace-relative POSIX; ``lang`` one of ``languages.LANGUAGES``; ``tree``, when given, is the
    parse of ``source`` (an incremental re-parse of an edited buffer), else the file is parsed here. Raises
    ValueError for a language without an extraction spec.
    """
    spec = SPECS.get(lang)
    if spec is None:
        raise ValueError(f"no extraction for language {lang!r}")
    root = (tree if tree is not None else parse(lang, source)).root_node
    out = FileExtract(path=path, lang=lang, error_count=count_errors(root))
    out.symbols.append(module_symbol(path, lang, source, root, module_name(path, lang), spec))
    found = extract_parts(path, lang, source, root)
    out.symbols.extend(found.symbols)
    out.references = found.references
    out.imports = found.imports
    out.assignments = found.assignments
    return out


@dataclass(slots=True)
class Parts:
    """What the query finds in a file, or in some of its top-level statements (``extract_parts(ranges=…)``)."""

    symbols: list[Symbol] = field(default_factory=list)
    """Definitions, the module symbol excluded."""
    references: list[Reference] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    assignment_rows: list[int] = field(default_factory=list)
    """Start line of each assignment's statement (an Assignment has no span of its own)."""
    module_uses: list[ModuleUse] = field(default_factory=list)
    """With ``extract_parts(module_uses=True)``: every module-scope use, duplicates included."""
    containers: list[tuple[int, str]] = field(default_factory=list)
    """Start line and qualname of ``@container`` captures (Rust ``impl Type``)."""


def extract_parts(
    path: str,
    lang: str,
    source: bytes,
    root: Node,
    ranges: list[tuple[int, int, int, int]] | None = None,
    defined_extra: frozenset[str] = frozenset(),
    owners: Callable[[str], str | None] | None = None,
    module_uses: bool = False,
) -> Parts:
    """The query's findings in ``root`` (the parse of ``source``), as value types.

    With ``ranges`` — (start byte, end byte, first line, last line) of runs of whole top-level statements, in
    file order — only matches starting on those lines count: the incremental extraction of an edited buffer
    (``extract_incr``). There, ``defined_extra`` are names defined outside the ranges that shadow builtins, and
    ``owners`` finds the id of a qualname defined outside them (a Go receiver type, a Rust ``impl`` target).
    """
    spec = SPECS[lang]
    out = Parts()
    parts = query_parts(lang, "tags")
    if not parts:
        return out
    raw_defs: list[RawDef] = []
    uses: list[tuple[EdgeKind, Node]] = []
    local_nodes: list[Node] = []
    import_nodes: list[Node] = []
    assign_nodes: list[Node] = []
    windows: list[tuple[int, int, int, int] | None] = list(ranges) if ranges is not None else [None]
    # Per window: the rooted part, then the rest — within a statement the same order as one whole-file run.
    for window in windows:
        for compiled, max_start_depth in parts:
            cursor = QueryCursor(compiled)
            if max_start_depth is not None:
                cursor.set_max_start_depth(max_start_depth)
            first = last = start = end = 0
            if window is not None:
                start, end, first, last = window
                cursor.set_byte_range(start, end)
            for _pattern, caps in cursor.matches(root):
                outside = False
                if window is not None:
                    row = next(iter(caps.values()))[0].start_point[0]
                    outside = row < first or row > last
                name = caps.get("name")
                if name is not None:
                    receiver = caps.get("receiver")
                    for key, nodes in caps.items():
                        if key.startswith("definition.") or key == CONTAINER:
                            if outside and not (nodes[0].start_byte <= start and end <= nodes[0].end_byte):
                                break
                            # An enclosing definition of the window (its class) is kept: members need it for
                            # their qualnames, kinds and parents.
                            raw_defs.append(
                                RawDef(
                                    key.removeprefix("definition."),
                                    nodes[0],
                                    name[0],
                                    receiver[0] if receiver else None,
                                )
                            )
                            break
                    continue
                if outside:
                    continue  # a neighbour the byte range touches: not one of the statements asked for
                for key, nodes in caps.items():
                    kind = _REF_KINDS.get(key)
                    if kind is not None:
                        uses.append((kind, nodes[0]))
                    elif key == "local":
                        local_nodes.append(nodes[0])
                    elif key == "import":
                        import_nodes.append(nodes[0])
                    elif key == "assign":
                        assign_nodes.append(nodes[0])

    symbols, scopes = definitions(path, lang, source, raw_defs, spec, owners, out.containers)
    out.symbols = symbols
    kinds = {s.id: s.kind for s in symbols}
    defined = {s.name for s in symbols} | defined_extra
    out.references = _references(
        uses, local_nodes, scopes, kinds, defined, spec, out.module_uses if module_uses else None
    )
    out.imports = _imports(import_nodes, scopes, spec)
    out.assignments = _assignments(assign_nodes, scopes, kinds, spec, out.assignment_rows)
    return out


RefKey = tuple[str, tuple[str, ...], str, EdgeKind]
"""(scope, receiver, name, kind): references are de-duplicated per key, the first occurrence kept."""
TextKey = tuple[str, EdgeKind, bytes | None]
"""(scope, kind, source text) of a use: the first use with a given text decides for the others."""
ModuleUse = tuple[TextKey, RefKey | None, Span]
"""A module-scope use: its text key, its own reference key (None: it does not count) and its span."""


def _references(
    uses: list[tuple[EdgeKind, Node]],
    local_nodes: list[Node],
    scopes: Scopes,
    kinds: dict[str, SymbolKind],
    defined: set[str],
    spec: LangSpec,
    module_uses: list[ModuleUse] | None = None,
) -> list[Reference]:
    """The file's references; ``module_uses``, when given, gets every module-scope use with its own key (None when
    it does not count): an incremental extraction re-decides which occurrence comes first after an edit."""
    locals_by_scope: dict[str, set[str]] = {}
    for node in local_nodes:
        scope = scopes.at(node.start_byte, skip_values=True)
        if kinds.get(scope) in FUNCTION_KINDS:
            locals_by_scope.setdefault(scope, set()).add(decode(node.text or b""))
    seen: set[RefKey] = set()
    seen_text: set[TextKey] = set()
    refs: list[Reference] = []
    syntax = spec.syntax
    names = syntax.names
    at = scopes.at
    module = scopes.module if module_uses is not None else None

    def key_of(kind: EdgeKind, node: Node, scope: str, text: bytes | None) -> RefKey | None:
        receiver: tuple[str, ...] = ()
        if node.type in names:
            name = decode(text or b"")  # a bare name: no chain to walk
        else:
            parts = callee_chain(node, syntax) if kind is EdgeKind.CALLS else chain(node, syntax)
            if not parts or parts[-1] in _MARKERS:
                return None
            name, receiver = parts[-1], parts[:-1]
        if not receiver and (
            (name in spec.skip_names and name not in defined) or _is_local(name, scope, locals_by_scope, scopes)
        ):
            return None
        return (scope, receiver, name, kind)

    # A base written `Base[T]` is also a subscript use: the INHERITS capture wins over the REFERENCES one.
    bases = {node.start_byte for kind, node in uses if kind is EdgeKind.INHERITS}
    for kind, node in uses:
        if kind is EdgeKind.REFERENCES and node.start_byte in bases:
            continue
        scope = at(node.start_byte)
        # Most uses repeat within a scope: the same source text needs no second chain walk (its first occurrence
        # decides for all of them).
        text_key = (scope, kind, node.text)
        first = text_key not in seen_text
        if scope == module and module_uses is not None:
            key = key_of(kind, node, scope, text_key[2])
            module_uses.append((text_key, key, span_of(node)))
        elif not first:
            continue
        else:
            key = key_of(kind, node, scope, text_key[2])
        seen_text.add(text_key)
        if not first or key is None or key in seen:
            continue
        seen.add(key)
        refs.append(Reference(key[2], key[1], kind, span_of(node), scope))
    return refs


def _is_local(name: str, scope: str, locals_by_scope: dict[str, set[str]], scopes: Scopes) -> bool:
    """Bound in the scope's function or an enclosing one (a closure variable is no cross-file reference)."""
    current: str | None = scope
    while current is not None:
        if name in locals_by_scope.get(current, ()):
            return True
        current = scopes.function_parent(current)
    return False


def _imports(nodes: list[Node], scopes: Scopes, spec: LangSpec) -> list[Import]:
    if spec.imports is None:
        return []
    found: list[Import] = []
    for node in nodes:
        span = span_of(node)
        scope = scopes.at(node.start_byte, skip_values=True)
        for module, names, alias, level in spec.imports(node):
            found.append(Import(module, names, alias, level, span, scope))
    return found


def _assignments(
    nodes: list[Node], scopes: Scopes, kinds: dict[str, SymbolKind], spec: LangSpec, rows: list[int]
) -> list[Assignment]:
    """The assignments of ``nodes``; ``rows`` gets the start line of each one found."""
    found: list[Assignment] = []
    seen: set[int] = set()
    for node in nodes:
        if node.start_byte in seen:
            continue  # one assignment captured by two patterns
        seen.add(node.start_byte)
        if node.type == "export_statement":
            # `export default Name` / `export default class Name`: the module's `default` is that name.
            value_node = _default_export(node)
            value = chain(value_node, spec.syntax) if value_node is not None else None
            if value:
                found.append(Assignment(("default",), value, False, scopes.module))
                rows.append(node.start_point[0])
            continue
        fields = spec.assigns.get(node.type)
        if fields is None:
            continue
        target_node = node.child_by_field_name(fields[0])
        value_node = node.child_by_field_name(fields[1])
        if target_node is None or value_node is None:
            continue
        target = chain(target_node, spec.syntax)
        value = chain(value_node, spec.syntax)
        if not target or not value or _MARKERS.intersection(target):
            continue
        if target == ("module", "exports"):
            target = ("default",)  # CommonJS: what `require()` returns, like an ES default export
        is_call = value[-1] == CALL
        if is_call:
            value = value[:-1]
        if not value or value[0] == OTHER or value[-1] in _MARKERS:
            continue
        scope = scopes.at(node.start_byte, skip_values=True)
        if len(target) == 1 and kinds.get(scope) in CLASS_LIKE:
            # A class-body initialiser (`private repo = new Repo()`, `session_interface = Sessions()`) is what
            # `this.repo` / `self.session_interface` holds for the resolver.
            target = (spec.self_name, *target)
        found.append(Assignment(target, value, is_call, scope))
        rows.append(node.start_point[0])
    return found


def _default_export(node: Node) -> Node | None:
    value = node.child_by_field_name("value")
    if value is not None:
        return value
    declaration = node.child_by_field_name("declaration")
    return declaration.child_by_field_name("name") if declaration is not None else None
