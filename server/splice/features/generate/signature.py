"""Signature inference for a missing function from how its callers use it, rendered for Python or JS/TS.

Rules (README.md has the table): one positional parameter per argument position seen, optional past the fewest any
call passes; Python keyword arguments become keyword-only parameters, optional unless every call passes them;
names come from the arguments (``parse(header)`` → ``header``, ``f(self.timeout)`` → ``timeout``), else from the
literal's type; types only from literals; ``await f()`` → async; the result unused everywhere → ``None``/``void``,
only ever tested for truth → ``bool``/``boolean``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from splice.features.generate.callsites import CallSite

_NONE = {"None", "null", "undefined"}
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
    "number": "n",
    "string": "text",
    "boolean": "flag",
    "unknown[]": "items",
    "RegExp": "pattern",
    "(...args: unknown[]) => unknown": "callback",
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str | None
    optional: bool
    keyword_only: bool = False


@dataclass(frozen=True, slots=True)
class InferredSignature:
    params: tuple[Param, ...]
    star_args: bool
    star_kwargs: bool
    returns: str | None
    is_async: bool
    text: str
    """The rendered head: ``def parse_header(header: str, *, strict: bool | None = None):`` (Python),
    ``export function parseHeader(text: string, options?: { strict: boolean }): void`` (TypeScript)."""


def infer(
    name: str, sites: Sequence[CallSite], *, lang: str = "python", method: str | None = None, exported: bool = False
) -> InferredSignature:
    """The signature that fits every call site. ``method`` is ``self``/``cls`` (Python) or ``this`` (JS/TS) for
    methods; ``exported`` adds ``export`` for a JS/TS function other modules import."""
    python = lang == "python"
    counts = [len(s.positional) for s in sites] or [0]
    required, widest = min(counts), max(counts)
    params: list[Param] = []
    taken: set[str] = {method} if method else set()
    for index in range(widest):
        args = [s.positional[index] for s in sites if len(s.positional) > index]
        types = _merge([a.type for a in args], python)
        params.append(Param(_choose_name([a.name for a in args], types, taken), types, index >= required))
    for kw in dict.fromkeys(k for s in sites for k, _ in s.keywords):
        if any(p.name == kw for p in params):
            continue  # also passed by position elsewhere: the positional parameter covers both
        values = [a for s in sites for k, a in s.keywords if k == kw]
        everywhere = all(any(k == kw for k, _ in s.keywords) for s in sites)
        params.append(Param(kw, _merge([a.type for a in values], python), not everywhere, keyword_only=True))
        taken.add(kw)
    star_args = any(s.star_args for s in sites)
    star_kwargs = any(s.star_kwargs for s in sites)
    uses = {s.result for s in sites}
    is_async = any(s.awaited for s in sites)
    unit, boolean = ("None", "bool") if python else ("void", "boolean")
    returns = unit if uses == {"unused"} else boolean if uses == {"condition"} else None
    if python:
        head = _python(name, params, star_args, star_kwargs, returns, is_async, method)
    else:
        if returns and is_async:
            returns = f"Promise<{returns}>"
        head = _ecma(name, params, star_args, returns, is_async, method, exported, typed=lang != "javascript")
    return InferredSignature(tuple(params), star_args, star_kwargs, returns, is_async, head)


def _choose_name(names: list[str | None], merged_type: str | None, taken: set[str]) -> str:
    counted = Counter(n for n in names if n)
    if counted:
        best = counted.most_common(1)[0][0]
    else:
        best = _TYPE_NAMES.get((merged_type or "").split(" | ")[0], "arg")
        if merged_type and merged_type.startswith("{"):
            best = "options"
    candidate, suffix = best, 2
    while candidate in taken:
        candidate, suffix = f"{best}{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _merge(types: list[str | None], python: bool) -> str | None:
    known = list(dict.fromkeys(t for t in types if t and t not in _NONE))
    if set(known) == {"int", "float"}:
        known = ["float"]
    if not known:
        return None
    if any(t in _NONE for t in types):
        known.append("None" if python else "null")
    return " | ".join(known)


def _python(
    name: str,
    params: list[Param],
    star_args: bool,
    star_kwargs: bool,
    returns: str | None,
    is_async: bool,
    method: str | None,
) -> str:
    if name[:1].isupper() and method is None:
        # `Parser(src)`: a class; the calls describe its constructor.
        init = _python("__init__", params, star_args, star_kwargs, "None", False, "self")
        return f"class {name}:\n    {init}"
    parts = [method] if method else []
    keyword_only_started = False
    for param in params:
        if param.keyword_only and not keyword_only_started:
            parts.append("*args" if star_args else "*")
            keyword_only_started = True
        kind = param.type
        if param.optional and kind and "None" not in kind:
            kind = f"{kind} | None"
        annotation = f": {kind}" if kind else ""
        default = (" = None" if annotation else "=None") if param.optional else ""
        parts.append(f"{param.name}{annotation}{default}")
    if star_args and not keyword_only_started:
        parts.append("*args")
    if star_kwargs:
        parts.append("**kwargs")
    arrow = f" -> {returns}" if returns else ""
    head = f"{'async ' if is_async else ''}def {name}({', '.join(parts)}){arrow}:"
    return f"@classmethod\n{head}" if method == "cls" else head


def _ecma(
    name: str,
    params: list[Param],
    star_args: bool,
    returns: str | None,
    is_async: bool,
    method: str | None,
    exported: bool,
    typed: bool,
) -> str:
    parts = []
    for param in params:
        mark = "?" if param.optional and typed else ""
        annotation = f": {param.type or 'unknown'}" if typed else ""
        parts.append(f"{param.name}{mark}{annotation}")
    if star_args:
        parts.append("...args: unknown[]" if typed else "...args")
    result = f": {returns}" if typed and returns else ""
    prefix = "async " if is_async else ""
    if name[:1].isupper() and method is None:
        return f"{'export ' if exported else ''}class {name} {{\n  constructor({', '.join(parts)})"
    if method:
        return f"{prefix}{name}({', '.join(parts)}){result}"
    return f"{'export ' if exported else ''}{prefix}function {name}({', '.join(parts)}){result}"
