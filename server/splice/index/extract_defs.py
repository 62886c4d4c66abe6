"""Definitions of one file: nesting, qualified names, unique ids, kinds, spans, signatures and docs."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from splice.index.extract_spec import LangSpec
from splice.index.extract_text import comment_text, decode, docstring_text, signature, span_of
from splice.index.model import Point, Span, Symbol, SymbolKind, module_id, symbol_id
from splice.index.parser import Node

KINDS: dict[str, SymbolKind] = {
    "class": SymbolKind.CLASS,
    "function": SymbolKind.FUNCTION,
    "method": SymbolKind.METHOD,
    "constant": SymbolKind.CONSTANT,
    "variable": SymbolKind.VARIABLE,
    "field": SymbolKind.FIELD,
    "interface": SymbolKind.INTERFACE,
    "enum": SymbolKind.ENUM,
    "struct": SymbolKind.STRUCT,
    "trait": SymbolKind.TRAIT,
    "type": SymbolKind.TYPE,
    "namespace": SymbolKind.NAMESPACE,
    "module": SymbolKind.NAMESPACE,
    "macro": SymbolKind.FUNCTION,
}
CLASS_LIKE = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.ENUM, SymbolKind.STRUCT, SymbolKind.TRAIT})
VALUE_KINDS = frozenset({SymbolKind.CONSTANT, SymbolKind.VARIABLE, SymbolKind.FIELD})
FUNCTION_KINDS = frozenset({SymbolKind.FUNCTION, SymbolKind.METHOD})
CONTAINER = "container"
"""Capture key of a qualname prefix that is no symbol itself (a Rust ``impl`` block)."""
_WEAK = frozenset({"value", "constant", "variable", "field", "type"})
"""Kinds that yield when the same node is also captured as something more specific (``const f = () => …``)."""


@dataclass(slots=True)
class RawDef:
    """One definition capture: ``kind_key`` is the part after ``definition.`` (or ``container``)."""

    kind_key: str
    node: Node
    name: Node
    receiver: Node | None = None
    """Go method receiver type: the qualname prefix when the type is not an enclosing node."""


@dataclass(slots=True)
class Scopes:
    """The file's symbols by extended span, for 'innermost enclosing symbol' look-ups."""

    module: str
    starts: list[int]
    ends: list[int]
    ids: list[str]
    kinds: list[SymbolKind]
    lexical_parent: list[int]
    _index: dict[str, int] | None = None

    def add(self, start: int, end: int, symbol_id: str, kind: SymbolKind, lexical_parent: int) -> int:
        self.starts.append(start)
        self.ends.append(end)
        self.ids.append(symbol_id)
        self.kinds.append(kind)
        self.lexical_parent.append(lexical_parent)
        return len(self.ids) - 1

    def function_parent(self, symbol_id: str) -> str | None:
        """The lexically enclosing symbol of ``symbol_id`` when it is a function or method."""
        if self._index is None:
            # First entry per id: a container aliases the id of its target (maybe its enclosing function), and
            # mapping that id to the container's own entry made ``_is_local``'s walk up the parents cycle.
            self._index = {}
            for i, sid in enumerate(self.ids):
                self._index.setdefault(sid, i)
        i = self._index.get(symbol_id, -1)
        parent = self.lexical_parent[i] if i >= 0 else -1
        return self.ids[parent] if parent >= 0 and self.kinds[parent] in FUNCTION_KINDS else None

    def at(self, byte: int, *, skip_values: bool = False) -> str:
        """Id of the innermost symbol enclosing ``byte``; with ``skip_values`` constants/fields do not count."""
        i = bisect_right(self.starts, byte) - 1
        while i >= 0 and (self.ends[i] <= byte or (skip_values and self.kinds[i] in VALUE_KINDS)):
            i = self.lexical_parent[i]
        return self.ids[i] if i >= 0 else self.module


def module_symbol(path: str, lang: str, source: bytes, root: Node, name: str, spec: LangSpec) -> Symbol:
    newlines = source.count(b"\n")
    end = Point(newlines, len(source) - (source.rfind(b"\n") + 1))
    span = Span(Point(0, 0), end, 0, len(source))
    doc = ""
    if spec.docstrings:
        doc = _docstring(root)
    return Symbol(module_id(path), path, name, "", SymbolKind.MODULE, span, span, "", doc, None, lang)


def definitions(
    path: str,
    lang: str,
    source: bytes,
    raw: list[RawDef],
    spec: LangSpec,
    owners: Callable[[str], str | None] | None = None,
    container_names: list[tuple[int, str]] | None = None,
) -> tuple[list[Symbol], Scopes]:
    """Symbols for the captured definitions (module symbol excluded) and the scope table over them.

    ``owners`` finds a qualname defined outside ``raw`` (an incremental extraction of some statements);
    ``container_names`` gets the start line and qualname of every container (``impl Type``).
    """
    mod = module_id(path)
    entries = []
    for d in _dedupe(raw):
        head, outer, comments = _extent(d.node, spec)
        entries.append((outer.start_byte, -d.node.end_byte, d, head, outer, comments))
    # Several names of one node (`X, Y int`) keep their source order.
    entries.sort(key=lambda e: (e[0], e[1], e[2].name.start_byte))

    symbols: list[Symbol] = []
    first_id: dict[str, str] = {}
    seen: dict[str, int] = {}
    # stack items: (end byte, qualname, symbol index or -1 for a container, scope index, enclosing symbol index,
    # start byte)
    stack: list[tuple[int, str, int, int, int, int]] = []
    pending: list[tuple[int, str, int]] = []  # (symbol index, qualname its parent should have, fallback index)
    containers: list[tuple[int, str, int]] = []  # (scope index, qualname, enclosing symbol index)
    scopes = Scopes(mod, [], [], [], [], [])
    for start, _neg_end, d, head, outer, comments in entries:
        node_start, node_end = d.node.start_byte, d.node.end_byte
        # Pop what ended, and a sibling name of the same node (`X, Y = …`, `A, B int`): neither encloses this one.
        while stack and (stack[-1][0] <= node_start or (stack[-1][5] == node_start and stack[-1][0] == node_end)):
            stack.pop()
        enclosing = stack[-1] if stack else None
        name = decode(d.name.text or b"")
        prefix = enclosing[1] if enclosing else ""
        if d.receiver is not None:
            prefix = decode(d.receiver.text or b"")
        qualname = f"{prefix}.{name}" if prefix else name
        real_parent = -1 if enclosing is None else (enclosing[2] if enclosing[2] >= 0 else enclosing[4])
        lexical = enclosing[3] if enclosing else -1
        if d.kind_key == CONTAINER:
            if container_names is not None:
                container_names.append((d.node.start_point[0], qualname))
            containers.append(
                (scopes.add(start, d.node.end_byte, "", SymbolKind.NAMESPACE, lexical), qualname, real_parent)
            )
            stack.append((node_end, qualname, -1, len(scopes.ids) - 1, real_parent, node_start))
            continue
        kind = _kind(d, name, spec, enclosing, symbols)
        count = seen.get(qualname, 0) + 1
        seen[qualname] = count
        sid = symbol_id(path, qualname if count == 1 else f"{qualname}#{count}")
        first_id.setdefault(qualname, sid)
        parent = mod if real_parent < 0 else symbols[real_parent].id
        if d.receiver is not None or (enclosing is not None and enclosing[2] < 0):
            pending.append((len(symbols), prefix, real_parent))
        span = span_of(outer, head)
        body = _body(d.node, spec)
        sig = signature(source, head.start_byte, body.start_byte if body is not None else d.node.end_byte)
        doc = _docstring(d.node) if spec.docstrings else ""
        if not doc and comments:
            doc = comment_text([decode(c.text or b"") for c in reversed(comments)])
        symbols.append(Symbol(sid, path, name, qualname, kind, span, span_of(d.name), sig, doc, parent, lang))
        scope_index = scopes.add(start, span.end_byte, sid, kind, lexical)
        stack.append((node_end, qualname, len(symbols) - 1, scope_index, real_parent, node_start))
    by_id = {s.id: s for s in symbols}
    for scope_index, qualname, fallback in containers:
        # Uses inside `impl Trait for Type` belong to Type when it is declared here, else to what encloses the impl.
        target = first_id.get(qualname) or _owner(owners, qualname) or (symbols[fallback].id if fallback >= 0 else mod)
        scopes.ids[scope_index] = target
        scopes.kinds[scope_index] = by_id[target].kind if target in by_id else SymbolKind.MODULE
    for index, parent_qualname, fallback in pending:
        # A method's type may be declared in this file (Go receiver, Rust impl): then it is the parent.
        parent_id = (
            first_id.get(parent_qualname)
            or _owner(owners, parent_qualname)
            or (symbols[fallback].id if fallback >= 0 else mod)
        )
        old = symbols[index]
        symbols[index] = Symbol(
            old.id, path, old.name, old.qualname, old.kind, old.span, old.selection, old.signature, old.doc,
            parent_id, lang,
        )  # fmt: skip
    return symbols, scopes


def _owner(owners: Callable[[str], str | None] | None, qualname: str) -> str | None:
    return owners(qualname) if owners is not None else None


def _dedupe(raw: list[RawDef]) -> list[RawDef]:
    by_node: dict[tuple[int, int, str, int], RawDef] = {}
    for d in raw:
        key = (d.node.start_byte, d.node.end_byte, d.node.type, d.name.start_byte)
        prior = by_node.get(key)
        if prior is None or (prior.kind_key in _WEAK and d.kind_key not in _WEAK):
            by_node[key] = d
    return list(by_node.values())


def _kind(
    d: RawDef, name: str, spec: LangSpec, enclosing: tuple[int, str, int, int, int, int] | None, symbols: list[Symbol]
) -> SymbolKind:
    if d.kind_key == "value":
        return spec.value_kind(name, d.node) if spec.value_kind else SymbolKind.VARIABLE
    kind = KINDS.get(d.kind_key, SymbolKind.VARIABLE)
    if kind is SymbolKind.FUNCTION and d.kind_key == "function":
        if d.receiver is not None:
            return SymbolKind.METHOD
        if enclosing is not None and (enclosing[2] < 0 or symbols[enclosing[2]].kind in CLASS_LIKE):
            return SymbolKind.METHOD
    return kind


def _extent(node: Node, spec: LangSpec) -> tuple[Node, Node, list[Node]]:
    """(start of the header, start of the span, doc comments above it nearest first)."""
    head = node
    parent = head.parent
    while parent is not None and parent.type in spec.head_wrappers and _sole_child(parent):
        head = parent
        parent = head.parent
    outer = head
    while parent is not None and parent.type in spec.span_wrappers:
        outer = parent
        parent = outer.parent
    comments: list[Node] = []
    line = outer.start_point[0]
    sibling = outer.prev_named_sibling
    while sibling is not None and _end_line(sibling) >= line - 1:
        if sibling.type in spec.attributes:
            outer = sibling
        elif sibling.type in spec.comments and _own_line(sibling) and not _inner_doc(sibling):
            comments.append(sibling)
            outer = sibling
        else:
            break
        line = sibling.start_point[0]
        sibling = sibling.prev_named_sibling
    return head, outer, comments


def _sole_child(node: Node) -> bool:
    count = node.named_child_count
    if count == 1:
        return True
    # `export default class …`, decorators or comments inside the wrapper still leave one declaration.
    return sum(1 for c in node.named_children if c.type not in ("comment", "decorator")) == 1


def _own_line(comment: Node) -> bool:
    before = comment.prev_sibling
    return before is None or _end_line(before) < comment.start_point[0]


def _end_line(node: Node) -> int:
    # Rust line comments (and C preprocessor lines) end at column 0 of the next line: they include the newline.
    row, col = node.end_point
    return row - 1 if col == 0 and row > node.start_point[0] else row


def _inner_doc(comment: Node) -> bool:
    # Rust `//!` and `/*!` document the enclosing module, not the item below.
    text = comment.text or b""
    return text.startswith((b"//!", b"/*!"))


def _body(node: Node, spec: LangSpec) -> Node | None:
    for name in spec.body_fields:
        body = node.child_by_field_name(name)
        if body is not None:
            return body
    value = node.child_by_field_name("value") or node.child_by_field_name("right")
    if value is not None and value.type in ("arrow_function", "function_expression", "generator_function", "class"):
        return value.child_by_field_name("body")
    return None


def _docstring(node: Node) -> str:
    body = node if node.type == "module" else node.child_by_field_name("body")
    if body is None or body.named_child_count == 0:
        return ""
    first = body.named_child(0)
    if first is None or first.type != "expression_statement":
        return ""
    string = first.named_child(0)
    if string is None or string.type != "string":
        return ""
    return docstring_text(decode(string.text or b""))
