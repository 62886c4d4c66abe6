"""The extraction spec of every supported language (the node shapes live in ``queries/<lang>-tags.scm``)."""

from __future__ import annotations

import builtins

from splice.index.extract_chain import ChainSyntax
from splice.index.extract_imports import ecma_import, python_import
from splice.index.extract_spec import LangSpec, declared_const, upper_is_constant


def _python_module(path: str) -> str:
    stem = path.rsplit(".", 1)[0] if path.endswith((".py", ".pyi")) else path
    stem = stem.removesuffix("/__init__")
    if stem == "__init__":
        stem = ""
    return stem.replace("/", ".")


_PYTHON = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier"}),
        members={"attribute": ("object", "attribute")},
        calls={"call": "function"},
        subscripts={"subscript": "value"},
        unwrap={"parenthesized_expression": ""},
    ),
    imports=python_import,
    span_wrappers=frozenset({"decorated_definition"}),
    head_wrappers=frozenset({"expression_statement"}),
    docstrings=True,
    value_kind=upper_is_constant,
    assigns={"assignment": ("left", "right")},
    skip_names=frozenset(dir(builtins)) | {"self", "cls"},
    module_name=_python_module,
)

_ECMA_SYNTAX = ChainSyntax(
    names=frozenset({"identifier", "this", "super", "type_identifier", "property_identifier"}),
    members={
        "member_expression": ("object", "property"),
        "nested_type_identifier": ("module", "name"),
        "nested_identifier": ("object", "property"),
    },
    calls={"call_expression": "function", "new_expression": "constructor"},
    subscripts={"subscript_expression": "object"},
    unwrap={"parenthesized_expression": "", "generic_type": "name", "non_null_expression": ""},
)
_ECMA_GLOBALS = frozenset(
    {
        "this", "super", "undefined", "console", "Object", "Array", "String", "Number", "Boolean", "Symbol",
        "Promise", "JSON", "Math", "Date", "Error", "TypeError", "RangeError", "Map", "Set", "WeakMap", "WeakSet",
        "RegExp", "parseInt", "parseFloat", "isNaN", "require", "module", "exports", "process", "window",
        "document", "globalThis", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "BigInt",
        "string", "number", "boolean", "any", "unknown", "never", "void", "object", "Record", "Partial",
        "Readonly", "Pick", "Omit", "Exclude", "Extract", "ReturnType", "Parameters", "NonNullable", "Required",
    }
)  # fmt: skip


def _ecma() -> LangSpec:
    return LangSpec(
        syntax=_ECMA_SYNTAX,
        imports=ecma_import,
        head_wrappers=frozenset(
            {"export_statement", "lexical_declaration", "variable_declaration", "ambient_declaration"}
        ),
        value_kind=declared_const,
        assigns={"assignment_expression": ("left", "right"), "variable_declarator": ("name", "value")},
        skip_names=_ECMA_GLOBALS,
    )


SPECS: dict[str, LangSpec] = {
    "python": _PYTHON,
    "javascript": _ecma(),
    "typescript": _ecma(),
    "tsx": _ecma(),
}
