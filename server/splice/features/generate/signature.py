"""Signature inference for a missing function from how its callers use it (Python).

Rules (README.md has the table): one positional parameter per argument position seen, optional (``= None``) past the
fewest any call passes; keyword arguments become keyword-only parameters, optional unless every call passes them;
names come from the arguments (``parse(header)`` → ``header``, ``f(self.timeout)`` → ``timeout``), else from the
literal's type; types only from literals (``"x"`` → ``str``); ``await f()`` → ``async def``; the result unused
everywhere → ``-> None``, only ever tested for truth → ``-> bool``.
"""

from __future__ import annotations

import keyword
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from splice.features.generate.functions import span_of, text
from splice.index.model import Span
from splice.index.parser import Node, parse

_LITERAL_TYPES = {
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
}
_TYPE_NAMES = {
    "int": "n",
    "float": "value",
    "bool": "flag",
    "str": "text",
    "bytes": "data",
    "list": "items",
    "dict": "mapping",
    "set": "items",
    "tuple": "values",
    "Callable": "callback",
    "None": "value",
}
_CONDITION_PARENTS = {
    "if_statement",
    "while_statement",
    "elif_clause",
    "not_operator",
    "boolean_operator",
    "conditional_expression",
    "assert_statement",
}


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
class Param:
    name: str
    type: str | None
    default: str | None
    keyword_only: bool = False


@dataclass(frozen=True, slots=True)
class InferredSignature:
    params: tuple[Param, ...]
    star_args: bool
    star_kwargs: bool
    returns: str | None
    is_async: bool
    text: str
    """The rendered definition line(s), e.g. ``def parse_header(header: str, *, strict: bool | None = None):``."""


def call_sites(path: str, source: bytes, callees: Collection[str]) -> list[CallSite]:
    """Every call in a Python file whose callee, as written, is one of ``callees`` (``f``, ``mod.f``, ``self.f``)."""
    wanted = {c.replace(" ", "") for c in callees}
    tree = parse("python", source)
    lines = source.split(b"\n")
    sites = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "call":
            continue
        function = node.child_by_field_name("function")
        if function is None or "".join(text(function).split()) not in wanted:
            continue
        sites.append(_site(path, node, lines))
    sites.sort(key=lambda s: s.span.start_byte)
    return sites


def _site(path: str, call: Node, lines: list[bytes]) -> CallSite:
    positional: list[Argument] = []
    keywords: list[tuple[str, Argument]] = []
    star_args = star_kwargs = False
    arguments = call.child_by_field_name("arguments")
    for arg in arguments.named_children if arguments is not None else []:
        if arg.type == "keyword_argument":
            value = arg.child_by_field_name("value")
            keywords.append((text(arg.child_by_field_name("name")), _argument(value)))
        elif arg.type == "list_splat":
            star_args = True
        elif arg.type == "dictionary_splat":
            star_kwargs = True
        elif arg.type != "comment":
            positional.append(_argument(arg))
    result, result_name, awaited = _usage(call)
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


def _argument(node: Node | None) -> Argument:
    if node is None:
        return Argument("", None, None)
    kind = node.type
    name: str | None = None
    if kind == "identifier":
        name = text(node)
    elif kind == "attribute":
        name = text(node.child_by_field_name("attribute"))
    elif kind == "subscript":
        index = node.child_by_field_name("subscript")
        if index is not None and index.type == "string":
            name = _identifier(text(index).strip("'\""))
    if kind == "string":
        literal = "bytes" if text(node).lstrip("rRfFuU").startswith(("b", "B")) else "str"
        if any(c.type == "interpolation" for c in node.children):
            literal = "str"
        return Argument(text(node), None, literal)
    if kind == "concatenated_string":
        return Argument(text(node), None, "str")
    if kind in ("unary_operator",) and node.named_children:
        inner = _LITERAL_TYPES.get(node.named_children[-1].type)
        return Argument(text(node), None, inner if inner in ("int", "float") else None)
    return Argument(text(node), _identifier(name) if name else None, _LITERAL_TYPES.get(kind))


def _identifier(name: str) -> str | None:
    name = name.strip().lstrip("_") or name
    if not name.isidentifier() or keyword.iskeyword(name) or name in ("self", "cls"):
        return None
    return name


def _usage(call: Node) -> tuple[str, str | None, bool]:
    node = call
    awaited = False
    parent = node.parent
    if parent is not None and parent.type == "await":
        awaited, node, parent = True, parent, parent.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None or parent.type == "expression_statement":
        return "unused", None, awaited
    if parent.type in _CONDITION_PARENTS:
        return "condition", None, awaited
    if parent.type in ("for_statement", "for_in_clause") and parent.child_by_field_name("right") == node:
        return "iterated", None, awaited
    if parent.type == "assignment" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        return "assigned", text(left) if left is not None and left.type == "identifier" else None, awaited
    if parent.type == "return_statement":
        return "returned", None, awaited
    return "used", None, awaited


def infer(name: str, sites: Sequence[CallSite], *, method: str | None = None) -> InferredSignature:
    """The signature that fits every call site; ``method`` is ``self`` or ``cls`` for methods."""
    counts = [len(s.positional) for s in sites] or [0]
    required, widest = min(counts), max(counts)
    params: list[Param] = []
    taken: set[str] = {method} if method else set()
    for index in range(widest):
        args = [s.positional[index] for s in sites if len(s.positional) > index]
        types = _merge_types([a.type for a in args], optional=index >= required)
        pname = _choose_name([a.name for a in args], types, taken)
        params.append(Param(pname, types, None if index < required else "None"))
    keyword_names = list(dict.fromkeys(k for s in sites for k, _ in s.keywords))
    for kw in keyword_names:
        if kw in taken and any(p.name == kw for p in params):
            continue  # also passed by position elsewhere: the positional parameter covers both
        values = [a for s in sites for k, a in s.keywords if k == kw]
        everywhere = all(any(k == kw for k, _ in s.keywords) for s in sites)
        types = _merge_types([a.type for a in values], optional=not everywhere)
        params.append(Param(kw, types, None if everywhere else "None", keyword_only=True))
        taken.add(kw)
    star_args = any(s.star_args for s in sites)
    star_kwargs = any(s.star_kwargs for s in sites)
    uses = {s.result for s in sites}
    returns = "None" if uses == {"unused"} else "bool" if uses == {"condition"} else None
    is_async = any(s.awaited for s in sites)
    if name[:1].isupper() and method is None:
        # `Parser(src)`: a class; the calls describe its constructor.
        init = _render("__init__", params, star_args, star_kwargs, "None", False, "self")
        return InferredSignature(tuple(params), star_args, star_kwargs, None, False, f"class {name}:\n    {init}")
    rendered = _render(name, params, star_args, star_kwargs, returns, is_async, method)
    return InferredSignature(tuple(params), star_args, star_kwargs, returns, is_async, rendered)


def _choose_name(names: list[str | None], merged_type: str | None, taken: set[str]) -> str:
    counted = Counter(n for n in names if n)
    if counted:
        best = counted.most_common(1)[0][0]
    else:
        first = (merged_type or "").split(" | ")[0]
        best = _TYPE_NAMES.get(first, "arg")
    candidate, suffix = best, 2
    while candidate in taken:
        candidate, suffix = f"{best}{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _merge_types(types: list[str | None], optional: bool) -> str | None:
    known = list(dict.fromkeys(t for t in types if t and t != "None"))
    if set(known) == {"int", "float"}:
        known = ["float"]
    if not known:
        return None
    if optional or "None" in types:
        known.append("None")
    return " | ".join(known)


def _render(
    name: str,
    params: list[Param],
    star_args: bool,
    star_kwargs: bool,
    returns: str | None,
    is_async: bool,
    method: str | None,
) -> str:
    parts = [method] if method else []
    keyword_only_started = False
    for param in params:
        if param.keyword_only and not keyword_only_started:
            parts.append("*args" if star_args else "*")
            keyword_only_started = True
        annotation = f": {param.type}" if param.type else ""
        default = (" = " if annotation else "=") + param.default if param.default else ""
        parts.append(f"{param.name}{annotation}{default}")
    if star_args and not keyword_only_started:
        parts.append("*args")
    if star_kwargs:
        parts.append("**kwargs")
    arrow = f" -> {returns}" if returns else ""
    head = f"{'async ' if is_async else ''}def {name}({', '.join(parts)}){arrow}:"
    return f"@classmethod\n{head}" if method == "cls" else head
