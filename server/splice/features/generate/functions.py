"""Where functions and comments are in a parse tree: names, qualified names, spans, signatures and doc comments.

Shared by stub detection and `splice:` instruction comments. The node types per language live in the query files
``queries/<lang>.scm`` (captures ``@function`` and ``@comment``); this module only interprets the captured nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from splice.index.model import Point, Span, SymbolKind
from splice.index.parser import Node, Query, QueryCursor, Tree, language, parse_shared

_QUERY_DIR = Path(__file__).parent / "queries"

# Containers that make a function a method and contribute to its qualified name.
_CLASS_TYPES = {
    "class_definition",  # python
    "class_declaration",  # js/ts/java
    "class",
    "abstract_class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "impl_item",  # rust
    "trait_item",
}
_FUNCTION_SCOPES = {
    "function_definition",
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "method_declaration",
    "function_item",
}
# Wrappers that belong to a definition: a replacement of the function replaces them too.
_WRAPPERS = {"decorated_definition", "export_statement"}


@dataclass(frozen=True, slots=True)
class Function:
    """A named function or method found in a tree."""

    node: Node
    name: str
    qualname: str
    kind: SymbolKind
    anchor: Node
    """The whole definition, including decorators, ``export`` and a single-declarator ``const f = …``."""
    span: Span
    body: Node | None
    signature: str


def span_of(node: Node) -> Span:
    return Span(
        Point(node.start_point[0], node.start_point[1]),
        Point(node.end_point[0], node.end_point[1]),
        node.start_byte,
        node.end_byte,
    )


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


@cache
def _query(lang: str, capture: str) -> Query | None:
    """The language's query with only ``capture`` enabled (comments are many; stub detection never needs them)."""
    path = _QUERY_DIR / f"{lang}.scm"
    if not path.is_file():
        return None
    query = Query(language(lang), path.read_text(encoding="utf-8"))
    for other in ("function", "comment"):
        if other != capture:
            query.disable_capture(other)
    return query


def supports(lang: str) -> bool:
    """True when the language has a query file (comments at least)."""
    return (_QUERY_DIR / f"{lang}.scm").is_file()


def captures(lang: str, tree: Tree, name: str, lines: tuple[int, int] | None = None) -> list[Node]:
    """Nodes captured as ``@name``, in source order; ``lines`` limits them to nodes touching that line range."""
    query = _query(lang, name)
    if query is None:
        return []
    cursor = QueryCursor(query)
    if lines is not None:
        cursor.set_point_range((lines[0], 0), (lines[1] + 1, 0))
    found = cursor.captures(tree.root_node).get(name, [])
    return sorted(found, key=lambda n: n.start_byte)


def parse_source(lang: str, source: bytes) -> Tree:
    return parse_shared(lang, source)


def functions(lang: str, tree: Tree, lines: tuple[int, int] | None = None) -> list[Function]:
    """Every named function/method in source order; anonymous callbacks are left out."""
    result = []
    for node in captures(lang, tree, "function", lines):
        fn = describe(lang, node)
        if fn is not None:
            result.append(fn)
    return result


def describe(lang: str, node: Node) -> Function | None:
    name = _name(node)
    if not name:
        return None
    anchor = anchor_of(node)
    owners = _owners(lang, node)
    in_class = bool(owners) and owners[-1][1]
    qualname = ".".join([o for o, _ in owners] + [name])
    body = node.child_by_field_name("body")
    return Function(
        node=node,
        name=name,
        qualname=qualname,
        kind=SymbolKind.METHOD if in_class else SymbolKind.FUNCTION,
        anchor=anchor,
        span=span_of(anchor),
        body=body,
        signature=_signature(node, anchor, body),
    )


def _name(node: Node) -> str:
    parent = node.parent
    # `const f = function g() {}` is known to callers as `f`
    if parent is not None and parent.type == "variable_declarator":
        return text(parent.child_by_field_name("name"))
    named = node.child_by_field_name("name")
    if named is not None:
        return text(named)
    if parent is None:
        return ""
    # `{ f: function () {} }`, `this.f = () => {}`, class field `f = () => {}`
    if parent.type == "pair":
        return text(parent.child_by_field_name("key")).strip("'\"")
    if parent.type in ("public_field_definition", "field_definition"):
        return text(parent.child_by_field_name("name") or parent.child_by_field_name("property"))
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "member_expression":
            return text(left.child_by_field_name("property"))
        return text(left) if left is not None and left.type == "identifier" else ""
    return ""


def anchor_of(node: Node) -> Node:
    anchor = node
    parent = node.parent
    if parent is not None and parent.type == "variable_declarator":
        declaration = parent.parent
        anchor = parent
        if declaration is not None and declaration.named_child_count == 1:
            anchor = declaration
    while anchor.parent is not None and anchor.parent.type in _WRAPPERS:
        anchor = anchor.parent
    return anchor


def _owners(lang: str, node: Node) -> list[tuple[str, bool]]:
    """Enclosing named scopes, outermost first, each flagged True when it is a class-like container."""
    owners: list[tuple[str, bool]] = []
    if lang == "go" and node.type == "method_declaration":
        receiver = node.child_by_field_name("receiver")
        type_ids = [n for n in _walk(receiver) if n.type == "type_identifier"]
        if type_ids:
            owners.append((text(type_ids[0]), True))
    parent = node.parent
    while parent is not None:
        if parent.type in _CLASS_TYPES:
            owners.append((_container_name(parent), True))
        elif parent.type in _FUNCTION_SCOPES:
            owners.append((_name(parent), False))
        elif parent.type == "object" and parent.parent is not None and parent.parent.type == "variable_declarator":
            owners.append((text(parent.parent.child_by_field_name("name")), True))
        parent = parent.parent
    owners.reverse()
    return [(name, is_class) for name, is_class in owners if name]


def _container_name(node: Node) -> str:
    name = node.child_by_field_name("name")
    if name is None and node.type == "impl_item":
        name = node.child_by_field_name("type")
    if name is not None and name.type == "generic_type":
        name = name.named_children[0] if name.named_children else name
    return text(name)


def _walk(node: Node | None) -> list[Node]:
    out: list[Node] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return out


def _signature(node: Node, anchor: Node, body: Node | None) -> str:
    """The definition up to its body, from ``export``/``const f =`` on (Python: from ``def``, through the colon,
    without the comments after it)."""
    start = node if anchor.type == "decorated_definition" else anchor
    if body is None:
        return text(start).split("\n", 1)[0].strip()
    end = body.start_byte
    colons = [c for c in node.children if c.type == ":" and c.end_byte <= body.start_byte]
    if node.type == "function_definition" and colons:
        end = colons[-1].end_byte
    source = start.text or b""
    return source[: end - start.start_byte].decode("utf-8", errors="replace").rstrip()


def comments_before(node: Node) -> list[Node]:
    """Comment siblings directly above ``node`` (no blank line in between); attributes/annotations are skipped."""
    found: list[Node] = []
    line = node.start_point[0]
    sibling = node.prev_sibling
    while sibling is not None:
        if sibling.type in ("attribute_item", "decorator", "annotation", "marker_annotation"):
            line = sibling.start_point[0]
        elif "comment" in sibling.type and sibling.end_point[0] >= line - 1:
            found.append(sibling)
            line = sibling.start_point[0]
        else:
            break
        sibling = sibling.prev_sibling
    found.reverse()
    return found


_DOC_MARKERS = {"go": ("//", "/*"), "rust": ("///", "//!", "/**"), "python": ("#",)}


def doc_comment(lang: str, anchor: Node) -> str:
    """The doc comment directly above a definition: ``/** */`` (JS/TS/Java), ``///`` (Rust), any ``//`` (Go).

    A plain ``// note`` above a JS/TS/Java function explains the code, it does not document what it should do.
    """
    markers = _DOC_MARKERS.get(lang, ("/**",))
    found = [c for c in comments_before(anchor) if text(c).lstrip().startswith(markers)]
    return "\n".join(line for c in found for line in comment_lines(text(c)))


def comment_lines(raw: str) -> list[str]:
    """The text of a comment without its markers (``#``, ``//``, ``///``, ``/* */``, leading ``*``, ``--``)."""
    body = raw.strip()
    if body.startswith("/*"):
        body = body[2:]
        body = body[:-2] if body.endswith("*/") else body
        lines = [line.strip() for line in body.splitlines()]
        lines = [line[1:].lstrip() if line.startswith("*") else line for line in lines]
    else:
        lines = []
        for line in body.splitlines():
            line = line.strip()
            for marker in ("///", "//!", "//", "#", "--"):
                if line.startswith(marker):
                    line = line[len(marker) :]
                    break
            lines.append(line.strip())
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines
