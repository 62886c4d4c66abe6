"""Call sites of a name in one file, as evidence for its signature: arguments, literal types, how the result is used.

Python and JavaScript/TypeScript/TSX. Types are the target language's spelling (``str`` / ``string``).
"""

from __future__ import annotations

import keyword
from collections.abc import Collection
from dataclasses import dataclass

from splice.features.generate.functions import span_of, text
from splice.index.model import Span
from splice.index.parser import Node, parse


@dataclass(frozen=True, slots=True)
class Argument:
    text: str
    name: str | None
    """A parameter name the argument suggests (``header`` for ``header`` or ``req.header``)."""
    type: str | None
    """The literal's type (``str`` for ``"x"``); None for anything else."""


@dataclass(frozen=True, slots=True)
class CallSite:
    path: str
    span: Span
    """The whole call expression."""
    line: str
    """The source line holding the call, stripped: shown to the model."""
    positional: tuple[Argument, ...]
    keywords: tuple[tuple[str, Argument], ...]
    star_args: bool
    star_kwargs: bool
    result: str
    """How the result is used: ``unused``, ``condition``, ``iterated``, ``assigned``, ``returned`` or ``used``."""
    result_name: str | None
    """The variable the result is assigned to, if any."""
    awaited: bool


@dataclass(frozen=True, slots=True)
class _Syntax:
    call: str
    arguments: str
    keyword: str | None
    star: str
    double_star: str | None
    attribute: tuple[str, str]
    """(node type, field of the member name) for ``a.b``."""
    subscript: tuple[str, str]
    literals: dict[str, str]
    strings: tuple[str, ...]
    string_type: str
    negation: str
    awaits: str
    unused: str
    conditions: frozenset[str]
    iterations: frozenset[str]
    assignments: dict[str, tuple[str, str]]
    """Node type → (field holding the value, field holding the target)."""


_PYTHON = _Syntax(
    call="call",
    arguments="arguments",
    keyword="keyword_argument",
    star="list_splat",
    double_star="dictionary_splat",
    attribute=("attribute", "attribute"),
    subscript=("subscript", "subscript"),
    literals={
        "integer": "int",
        "float": "float",
        "true": "bool",
        "false": "bool",
        "none": "None",
        "list": "list",
        "list_comprehension": "list",
        "dictionary": "dict",
        "dictionary_comprehension": "dict",
        "set": "set",
        "set_comprehension": "set",
        "tuple": "tuple",
        "lambda": "Callable",
        "concatenated_string": "str",
    },
    strings=("string",),
    string_type="str",
    negation="unary_operator",
    awaits="await",
    unused="expression_statement",
    conditions=frozenset(
        {
            "if_statement",
            "while_statement",
            "elif_clause",
            "not_operator",
            "boolean_operator",
            "conditional_expression",
            "assert_statement",
        }
    ),
    iterations=frozenset({"for_statement", "for_in_clause"}),
    assignments={"assignment": ("right", "left")},
)
_ECMA = _Syntax(
    call="call_expression",
    arguments="arguments",
    keyword=None,
    star="spread_element",
    double_star=None,
    attribute=("member_expression", "property"),
    subscript=("subscript_expression", "index"),
    literals={
        "number": "number",
        "true": "boolean",
        "false": "boolean",
        "null": "null",
        "undefined": "undefined",
        "array": "unknown[]",
        "arrow_function": "(...args: unknown[]) => unknown",
        "function_expression": "(...args: unknown[]) => unknown",
        "regex": "RegExp",
    },
    strings=("string", "template_string"),
    string_type="string",
    negation="unary_expression",
    awaits="await_expression",
    unused="expression_statement",
    conditions=frozenset({"if_statement", "while_statement", "do_statement", "ternary_expression"}),
    iterations=frozenset({"for_in_statement"}),
    assignments={"variable_declarator": ("value", "name"), "assignment_expression": ("right", "left")},
)
SYNTAX = {"python": _PYTHON, "javascript": _ECMA, "typescript": _ECMA, "tsx": _ECMA}


def call_sites(path: str, lang: str, source: bytes, callees: Collection[str]) -> list[CallSite]:
    """Every call in a file whose callee, as written, is one of ``callees`` (``f``, ``mod.f``, ``self.f``)."""
    syntax = SYNTAX.get(lang)
    if syntax is None:
        return []
    wanted = {c.replace(" ", "") for c in callees}
    lines = source.split(b"\n")
    sites = []
    stack = [parse(lang, source).root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != syntax.call:
            continue
        function = node.child_by_field_name("function")
        if function is None or "".join(text(function).split()) not in wanted:
            continue
        sites.append(_site(path, node, lines, syntax))
    sites.sort(key=lambda s: s.span.start_byte)
    return sites


def _site(path: str, call: Node, lines: list[bytes], syntax: _Syntax) -> CallSite:
    positional: list[Argument] = []
    keywords: list[tuple[str, Argument]] = []
    star_args = star_kwargs = False
    arguments = call.child_by_field_name(syntax.arguments)
    for arg in arguments.named_children if arguments is not None else []:
        if arg.type == syntax.keyword:
            keywords.append(
                (text(arg.child_by_field_name("name")), _argument(arg.child_by_field_name("value"), syntax))
            )
        elif arg.type == syntax.star:
            star_args = True
        elif arg.type == syntax.double_star:
            star_kwargs = True
        elif "comment" not in arg.type:
            positional.append(_argument(arg, syntax))
    result, result_name, awaited = _usage(call, syntax)
    line = lines[call.start_point[0]].decode("utf-8", errors="replace").strip()
    return CallSite(
        path,
        span_of(call),
        line,
        tuple(positional),
        tuple(keywords),
        star_args,
        star_kwargs,
        result,
        result_name,
        awaited,
    )


def _argument(node: Node | None, syntax: _Syntax) -> Argument:
    if node is None:
        return Argument("", None, None)
    kind = node.type
    source = text(node)
    if kind in syntax.strings:
        is_bytes = syntax is _PYTHON and source.lstrip("rRfFuU").startswith(("b", "B"))
        return Argument(source, None, "bytes" if is_bytes else syntax.string_type)
    if kind == syntax.negation and node.named_children:
        inner = syntax.literals.get(node.named_children[-1].type)
        numeric = inner in ("int", "float", "number") and source.lstrip().startswith("-")
        return Argument(source, None, inner if numeric else None)
    if kind == "object" and syntax is _ECMA:
        return Argument(source, "options", _object_type(node))
    name: str | None = None
    if kind == "identifier":
        name = source
    elif kind == syntax.attribute[0]:
        name = text(node.child_by_field_name(syntax.attribute[1]))
    elif kind == syntax.subscript[0]:
        index = node.child_by_field_name(syntax.subscript[1])
        if index is not None and index.type == "string":
            name = text(index).strip("'\"`")
    return Argument(source, _identifier(name) if name else None, syntax.literals.get(kind))


def _object_type(node: Node) -> str | None:
    """``{ strict: true, n: 1 }`` → ``{ strict: boolean; n: number }``; None when a value's type is unknown."""
    fields = []
    for pair in node.named_children:
        if pair.type != "pair":
            return None
        value = _argument(pair.child_by_field_name("value"), _ECMA)
        key = text(pair.child_by_field_name("key"))
        fields.append(f"{key}: {value.type or 'unknown'}")
    return "{ " + "; ".join(fields) + " }" if fields else "Record<string, unknown>"


def _identifier(name: str) -> str | None:
    name = name.strip().lstrip("_") or name
    if not name.isidentifier() or keyword.iskeyword(name) or name in ("self", "cls", "this"):
        return None
    return name


def _usage(call: Node, syntax: _Syntax) -> tuple[str, str | None, bool]:
    node = call
    awaited = False
    parent = node.parent
    if parent is not None and parent.type == syntax.awaits:
        awaited, node, parent = True, parent, parent.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None or parent.type == syntax.unused:
        return "unused", None, awaited
    is_not = parent.type == syntax.negation and text(parent).lstrip().startswith("!")
    if parent.type in syntax.conditions or is_not or _is_logical(parent, syntax):
        return "condition", None, awaited
    if parent.type in syntax.iterations and parent.child_by_field_name("right") == node:
        return "iterated", None, awaited
    fields = syntax.assignments.get(parent.type)
    if fields is not None and parent.child_by_field_name(fields[0]) == node:
        target = parent.child_by_field_name(fields[1])
        return "assigned", text(target) if target is not None and target.type == "identifier" else None, awaited
    if parent.type == "return_statement":
        return "returned", None, awaited
    return "used", None, awaited


def _is_logical(node: Node, syntax: _Syntax) -> bool:
    if syntax is _PYTHON or node.type != "binary_expression":
        return False
    operator = node.child_by_field_name("operator")
    return operator is not None and text(operator) in ("&&", "||")
