"""Finding definitions (functions, classes, methods…) in source text, for symbol-anchored placement.

A small tree-sitter walk rather than the full index extract: placement needs exact line ranges of the current
text (an unsaved buffer or an answer's code), wrappers such as decorators and ``export``, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from splice.index.parser import Node, Query, QueryCursor, language, parse_shared

# Node types that define a named symbol, across the grammars Splice ships.
_DEFINITIONS = {
    "function_definition",
    "class_definition",
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "abstract_class_declaration",
    "method_definition",
    "interface_declaration",
    "type_alias_declaration",
    "enum_declaration",
    "method_declaration",
    "function_item",
    "struct_item",
    "enum_item",
    "trait_item",
    "public_field_definition",
    "variable_declarator",
    "impl_item",
}
_CONTAINERS = {"impl_item"}
_TYPES = {
    "class_definition",
    "class_declaration",
    "abstract_class_declaration",
    "interface_declaration",
    "enum_declaration",
    "struct_item",
    "enum_item",
    "trait_item",
    "impl_item",
}
"""Name a scope (a Rust ``impl Cart`` makes ``Cart.total``) without being a definition one replaces by name."""
_FUNCTION_VALUES = {"arrow_function", "function_expression", "function", "generator_function"}
_WRAPPERS = {"decorated_definition", "export_statement"}
_DECLARATION_LISTS = {"lexical_declaration", "variable_declaration"}


@dataclass(frozen=True, slots=True)
class Definition:
    """A definition's line range (0-based, inclusive) in the text it was found in."""

    name: str
    qualname: str
    start_line: int
    """First line of the definition proper (``def``/``class``/``function`` …)."""
    end_line: int
    outer_start_line: int
    """First line including decorators or an ``export`` wrapper; equals ``start_line`` without one."""
    start_col: int
    outer_start_col: int
    end_col: int
    """Byte column just past the definition on ``end_line``."""
    top_level: bool
    header_end_line: int
    """Last line of the header (``class A(B):`` / ``class A<T> extends B {``), before the body's own lines."""
    container: bool = False
    """A Rust ``impl`` block: it scopes its methods' names but is not itself a definition to replace."""
    is_type: bool = False
    """A class, struct, interface, enum, trait or impl: its body holds members and fields, not statements."""

    @property
    def wrapped(self) -> bool:
        return self.outer_start_line != self.start_line or self.outer_start_col != self.start_col


def definitions(lang: str, text: str) -> list[Definition]:
    """Every definition in ``text`` with its qualified name (``Class.method``), in source order."""
    root = parse_shared(lang, text.encode("utf-8")).root_node
    nodes = QueryCursor(_definition_query(lang)).captures(root).get("definition", [])
    found: list[Definition] = []
    scope: list[tuple[int, str]] = []  # enclosing definitions: (end byte, name)
    # Pre-order (outer before inner): the query finds the candidates natively instead of a Python walk over every
    # node (a 3,000-line file has ~30,000); byte ranges nest like the tree, so a stack gives the qualified names.
    for node in sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte)):
        name = _definition_name(node)
        if name is None:
            continue
        while scope and scope[-1][0] <= node.start_byte:
            scope.pop()
        receiver = _go_receiver(node)
        prefix = [receiver] if receiver else [n for _, n in scope]
        found.append(_definition(node, name, ".".join([*prefix, name])))
        scope.append((node.end_byte, name))
    return found


@cache
def _definition_query(lang: str) -> Query:
    grammar = language(lang)
    kinds = sorted(k for k in _DEFINITIONS if grammar.id_for_node_kind(k, True) is not None)
    return Query(grammar, "[" + " ".join(f"({k})" for k in kinds) + "] @definition")


def find(lang: str, text: str, qualname: str) -> list[Definition]:
    """Definitions named ``qualname``: exact qualified-name matches, else (for a bare name) every definition with
    that name. More than one result means the name is ambiguous."""
    defs = [d for d in definitions(lang, text) if not d.container]
    exact = [d for d in defs if d.qualname == qualname]
    if exact or "." in qualname:
        return exact
    return [d for d in defs if d.name == qualname]


def _definition(node: Node, name: str, qualname: str) -> Definition:
    core = _core(node)
    outer = core.parent if core.parent is not None and core.parent.type in _WRAPPERS else core
    return Definition(
        name=name,
        qualname=qualname,
        start_line=core.start_point.row,
        end_line=core.end_point.row,
        outer_start_line=outer.start_point.row,
        start_col=core.start_point.column,
        outer_start_col=outer.start_point.column,
        end_col=core.end_point.column,
        top_level=outer.parent is not None and outer.parent.parent is None,
        header_end_line=_header_end(node),
        container=node.type in _CONTAINERS,
        is_type=node.type in _TYPES,
    )


def _type_name(node: Node | None) -> str | None:
    """``Cart`` of ``*Cart``, ``Cart[T]``, ``Cart<T>``, ``crate::Cart``: the first type identifier."""
    while node is not None and node.type != "type_identifier":
        node = next((c for c in node.named_children if "type" in c.type), None)
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else None


def _go_receiver(node: Node) -> str | None:
    """The receiver type of a Go method: ``func (c *Cart) Total()`` is ``Cart.Total``, as ``splice symbols``
    names it."""
    if node.type != "method_declaration":
        return None
    receiver = node.child_by_field_name("receiver")
    if receiver is None:
        return None
    param = next((c for c in receiver.named_children if c.type == "parameter_declaration"), None)
    return _type_name(param.child_by_field_name("type")) if param is not None else None


def _definition_name(node: Node) -> str | None:
    if node.type not in _DEFINITIONS:
        return None
    if node.type == "impl_item":
        return _type_name(node.child_by_field_name("type"))
    if node.type in ("variable_declarator", "public_field_definition"):
        value = node.child_by_field_name("value")
        if value is None or value.type not in _FUNCTION_VALUES:
            return None
    name = node.child_by_field_name("name")
    if name is None or name.text is None:
        return None
    return name.text.decode("utf-8", "replace")


def _header_end(node: Node) -> int:
    body = node.child_by_field_name("body")
    if body is None or body.start_point.row == node.start_point.row:
        return body.start_point.row if body is not None else node.start_point.row
    line_start = body.start_byte - body.start_point.column
    source = node.text or b""
    prefix = source[line_start - node.start_byte : body.start_byte - node.start_byte]
    # A body that begins its line (a Python block) is not part of the header; a "{" ending the header line is.
    return body.start_point.row - 1 if not prefix.strip() else body.start_point.row


def _core(node: Node) -> Node:
    """The statement a definition occupies: ``const f = () => …`` is the declaration, not the declarator."""
    parent = node.parent
    if (
        node.type == "variable_declarator"
        and parent is not None
        and parent.type in _DECLARATION_LISTS
        and len(parent.named_children) == 1
    ):
        return parent
    return node
