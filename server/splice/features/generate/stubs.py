"""Stub detection: function bodies that are placeholders (``pass``, ``...``, ``todo!()``, TODO-only …) per language.

Cheap by design — one parse and one compiled query per file, no model — because the result decides which code
actions are *offered*. The patterns per language are listed in this folder's README.md.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from enum import StrEnum

from splice.features.generate.functions import (
    Function,
    captures,
    comment_lines,
    describe,
    doc_comment,
    parse_source,
    span_of,
    text,
)
from splice.index.model import Point, Span, SymbolKind
from splice.index.parser import Node, Tree

STUB_LANGUAGES = ("python", "javascript", "typescript", "tsx", "go", "rust", "java")


class StubPattern(StrEnum):
    PASS = "pass"
    ELLIPSIS = "ellipsis"
    NOT_IMPLEMENTED = "not_implemented"
    """raise NotImplementedError, throw new Error("not implemented"), panic("TODO"), todo!(), unimplemented!() …"""
    TODO = "todo"
    """Only TODO/FIXME comments (plus at most pass/.../a default return)."""
    DOCSTRING_ONLY = "docstring_only"
    EMPTY = "empty"
    """No statements at all, where that cannot be intended (non-unit result type, or a doc comment says what to do)."""


@dataclass(frozen=True, slots=True)
class Stub:
    path: str
    lang: str
    name: str
    qualname: str
    kind: SymbolKind
    span: Span
    """The whole definition (decorators, export, ``const f =`` included)."""
    body: Span
    """What a generated body replaces: everything after the signature (Python: the comments/docstring/statements
    after the colon; brace languages: the block including its braces)."""
    signature: str
    doc: str
    """Docstring (Python) or the doc comment directly above the definition."""
    pattern: StubPattern
    marker: str
    """The placeholder as written: ``pass``, ``raise NotImplementedError("x")``, ``todo!()``, ``// TODO: parse``."""
    notes: tuple[str, ...] = ()
    """TODO/FIXME comment texts inside the body: hints for the prompt."""


_TODO = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_NOT_IMPLEMENTED_TEXT = re.compile(r"not\s*(yet\s*)?implemented|unimplemented|implement\s*me|\btodo\b|\bfixme\b", re.I)
_PY_SKIP_DECORATORS = re.compile(
    r"\b(abstractmethod|abstractproperty|abstractclassmethod|abstractstaticmethod|overload)\b"
)
_WRAPPER_TYPES = {"decorated_definition", "decorator", "export_statement", "lexical_declaration", "variable_declarator"}
_MAX_BODY_NODES = 8
_PLACEHOLDER_TYPES = {
    "pass_statement",
    "expression_statement",
    "raise_statement",
    "return_statement",
    "return_expression",
    "throw_statement",
    "macro_invocation",
    "call_expression",
}
"""Docstring + statement + a few comments (+ braces in some grammars): anything larger is a real body."""
_UNIT_RESULTS = {"()", "void", "undefined", "never", "Promise<void>"}
_DEFAULT_RETURNS = {"null", "nil", "None", "0", "0L", "0.0", "false", "False", '""', "''", "undefined"}


def stubs_in(path: str, lang: str, source: bytes, tree: Tree | None = None) -> list[Stub]:
    """Every stub in a file, in source order; an empty list for languages without stub patterns.

    Pass ``tree`` when the caller already holds a parse of ``source`` (the parse is most of the cost).
    """
    return _stubs(path, lang, source, tree, None)


def stub_at(path: str, lang: str, source: bytes, line: int, col: int, tree: Tree | None = None) -> Stub | None:
    """The innermost stub whose definition contains the position (0-based line, UTF-8 byte column), else None."""
    if line < 0 or col < 0:
        return None  # not a position in any file (the LSP layer answers such requests with an error)
    point = Point(line, col)
    tree = tree or parse_source(lang, source)
    # Only functions touching the cursor's line matter — and a decorator/export line belongs to the definition below.
    last = line
    node: Node | None = tree.root_node.descendant_for_point_range((line, col), (line, col))
    while node is not None:
        if node.type in _WRAPPER_TYPES:
            last = max(last, node.end_point[0])
        node = node.parent
    best: Stub | None = None
    for stub in _stubs(path, lang, source, tree, (line, last)):
        if stub.span.contains(point) and (best is None or best.span.encloses(stub.span)):
            best = stub
    return best


def _stubs(path: str, lang: str, source: bytes, tree: Tree | None, lines: tuple[int, int] | None) -> list[Stub]:
    if lang not in STUB_LANGUAGES or path.endswith((".pyi", ".d.ts")):
        return []
    tree = tree or parse_source(lang, source)
    found = []
    for node in captures(lang, tree, "function", lines):
        body = node.child_by_field_name("body")
        # A stub body holds a handful of nodes at most; skip real bodies before any per-function work.
        if body is None or body.named_child_count > _MAX_BODY_NODES or not _candidate(body):
            continue
        fn = describe(lang, node)
        if fn is None:
            continue
        stub = _classify_python(path, fn) if lang == "python" else _classify_braces(path, lang, fn)
        if stub is not None:
            found.append(stub)
    return found


def _candidate(body: Node) -> bool:
    """Cheap pre-check on node types only: at most a docstring plus one placeholder-like statement."""
    statements = [c for c in _body_children(body) if "comment" not in c.type]
    if len(statements) > 2 or (len(statements) == 2 and not _is_docstring(statements[0])):
        return False
    return not statements or statements[-1].type in _PLACEHOLDER_TYPES


def _make(
    path: str, lang: str, fn: Function, body: Span, doc: str | None, pattern: StubPattern, marker: str, notes: list[str]
) -> Stub:
    if doc is None:
        doc = doc_comment(lang, fn.anchor)
    return Stub(
        path, lang, fn.name, fn.qualname, fn.kind, fn.span, body, fn.signature, doc, pattern, marker, tuple(notes)
    )


# -- Python ------------------------------------------------------------------------------------------------------


def _classify_python(path: str, fn: Function) -> Stub | None:
    assert fn.body is not None
    if _python_intentionally_empty(fn.node):
        return None
    # Comments between the colon and the first statement are children of the def, not of its block.
    leading = [c for c in fn.node.children if c.type == "comment" and c.start_byte > _colon_end(fn.node)]
    comments = leading + [c for c in fn.body.named_children if c.type == "comment"]
    statements = [c for c in fn.body.named_children if c.type != "comment"]
    doc = ""
    if statements and _is_docstring(statements[0]):
        doc = _python_string(statements[0].named_children[0])
        statements = statements[1:]
    notes = _todo_notes(comments)
    start = min([fn.body.start_byte, *(c.start_byte for c in leading)])
    first = min([fn.body, *leading], key=lambda n: n.start_byte)
    body = Span(span_of(first).start, span_of(fn.body).end, start, fn.body.end_byte)
    if not statements:
        return _make(path, "python", fn, body, doc, StubPattern.DOCSTRING_ONLY, "", notes) if doc else None
    if len(statements) != 1:
        return None
    stmt = statements[0]
    marker = text(stmt)
    if stmt.type == "raise_statement" and _raises_not_implemented(stmt):
        return _make(path, "python", fn, body, doc, StubPattern.NOT_IMPLEMENTED, marker, notes)
    if notes and (stmt.type == "pass_statement" or _is_ellipsis(stmt) or _is_default_return(stmt)):
        return _make(path, "python", fn, body, doc, StubPattern.TODO, _first_note_marker(comments), notes)
    if stmt.type == "pass_statement":
        return _make(path, "python", fn, body, doc, StubPattern.PASS, marker, notes)
    if _is_ellipsis(stmt):
        return _make(path, "python", fn, body, doc, StubPattern.ELLIPSIS, marker, notes)
    return None


def _colon_end(node: Node) -> int:
    params = node.child_by_field_name("parameters")
    return params.end_byte if params is not None else node.start_byte


def _python_intentionally_empty(node: Node) -> bool:
    """Abstract methods, overloads and Protocol members are meant to have placeholder bodies."""
    parent = node.parent
    if parent is not None and parent.type == "decorated_definition":
        decorators = " ".join(text(d) for d in parent.children if d.type == "decorator")
        if _PY_SKIP_DECORATORS.search(decorators):
            return True
    block = node.parent if parent is None or parent.type != "decorated_definition" else parent.parent
    cls = block.parent if block is not None else None
    if cls is not None and cls.type == "class_definition":
        bases = text(cls.child_by_field_name("superclasses"))
        return bool(re.search(r"\bProtocol\b", bases))
    return False


def _is_docstring(stmt: Node) -> bool:
    return (
        stmt.type == "expression_statement" and stmt.named_child_count == 1 and stmt.named_children[0].type == "string"
    )


def _python_string(node: Node) -> str:
    raw = text(node)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw.strip("\"'")
    return value.strip() if isinstance(value, str) else raw


def _is_ellipsis(stmt: Node) -> bool:
    return stmt.type == "expression_statement" and text(stmt).strip() == "..."


def _raises_not_implemented(stmt: Node) -> bool:
    raised = stmt.named_children[0] if stmt.named_children else None
    if raised is not None and raised.type == "call":
        raised = raised.child_by_field_name("function")
    name = text(raised).rsplit(".", 1)[-1]
    return name in ("NotImplementedError", "NotImplemented")


# -- brace languages ---------------------------------------------------------------------------------------------


def _classify_braces(path: str, lang: str, fn: Function) -> Stub | None:
    assert fn.body is not None
    children = _body_children(fn.body)
    comments = [c for c in children if "comment" in c.type]
    statements = [c for c in children if "comment" not in c.type]
    notes = _todo_notes(comments)
    body = span_of(fn.body)
    if not statements:
        if notes:
            return _make(path, lang, fn, body, None, StubPattern.TODO, _first_note_marker(comments), notes)
        if comments or fn.node.type == "constructor_declaration" or fn.name == "constructor":
            return None
        doc = doc_comment(lang, fn.anchor)
        if doc or _declares_result(lang, fn.node):
            return _make(path, lang, fn, body, doc, StubPattern.EMPTY, text(fn.body), notes)
        return None
    if len(statements) != 1:
        return None
    stmt = statements[0]
    marker = text(stmt)
    if _is_not_implemented(lang, stmt):
        return _make(path, lang, fn, body, None, StubPattern.NOT_IMPLEMENTED, marker, notes)
    if notes and _is_default_return(stmt):
        return _make(path, lang, fn, body, None, StubPattern.TODO, _first_note_marker(comments), notes)
    return None


def _body_children(body: Node) -> list[Node]:
    """Statements and comments directly in the body (Go nests them in a statement_list)."""
    found = []
    for child in body.named_children:
        if child.type == "statement_list":
            found.extend(child.named_children)
        else:
            found.append(child)
    return found


def _declares_result(lang: str, node: Node) -> bool:
    """True when an empty body cannot compile or type-check (a non-unit result is declared)."""
    if lang == "go":
        return node.child_by_field_name("result") is not None
    if lang == "java":
        result = node.child_by_field_name("type")
        return result is not None and result.type != "void_type"
    result = node.child_by_field_name("return_type")
    if result is None:
        return False
    declared = text(result).lstrip(":").strip()
    if declared.startswith("asserts "):
        return False  # a TypeScript assertion function: an empty body is a valid no-op narrowing
    return declared.replace(" ", "") not in _UNIT_RESULTS


def _is_not_implemented(lang: str, stmt: Node) -> bool:
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        stmt = stmt.named_children[0]
    if lang == "rust":
        macro = text(stmt.child_by_field_name("macro")) if stmt.type == "macro_invocation" else ""
        return macro in ("todo", "unimplemented")
    if lang == "go":
        function = stmt.child_by_field_name("function") if stmt.type == "call_expression" else None
        return text(function) == "panic" and bool(
            _NOT_IMPLEMENTED_TEXT.search(text(stmt.child_by_field_name("arguments")))
        )
    if stmt.type != "throw_statement" or not stmt.named_children:
        return False
    thrown = stmt.named_children[0]
    if thrown.type == "new_expression":
        error_type = text(thrown.child_by_field_name("constructor"))
    elif thrown.type == "object_creation_expression":
        error_type = text(thrown.child_by_field_name("type"))
    else:
        return False
    if error_type.rsplit(".", 1)[-1] in ("UnsupportedOperationException", "NotImplementedException"):
        return True
    if "NotImplemented" in error_type:
        return True
    return bool(_NOT_IMPLEMENTED_TEXT.search(text(thrown.child_by_field_name("arguments"))))


# -- shared ------------------------------------------------------------------------------------------------------


def _todo_notes(comments: list[Node]) -> list[str]:
    notes = []
    for comment in comments:
        lines = comment_lines(text(comment))
        if lines and _TODO.search(lines[0]):
            notes.append(" ".join(lines))
    return notes


def _first_note_marker(comments: list[Node]) -> str:
    for comment in comments:
        if _TODO.search(text(comment)):
            return text(comment).strip()
    return ""


def _is_default_return(stmt: Node) -> bool:
    """``return``, ``return None``/``null``/``0``/``false``/``""``: what IDE-generated stubs put after their TODO."""
    if stmt.type not in ("return_statement", "return_expression"):
        return False
    value = text(stmt).strip().rstrip(";").removeprefix("return").strip()
    return value == "" or value in _DEFAULT_RETURNS
