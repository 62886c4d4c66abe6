"""The extraction spec of every supported language (the node shapes live in ``queries/<lang>-tags.scm``)."""

from __future__ import annotations

import builtins

from splice.index.extract_chain import ChainSyntax
from splice.index.extract_imports import ecma_import, go_import, java_import, python_import, rust_use
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
    self_name="self",
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
            {
                "export_statement",
                "lexical_declaration",
                "variable_declaration",
                "ambient_declaration",
                "expression_statement",
            }
        ),
        value_kind=declared_const,
        assigns={
            "assignment_expression": ("left", "right"),
            "variable_declarator": ("name", "value"),
            "field_definition": ("property", "value"),
            "public_field_definition": ("name", "value"),
        },
        skip_names=_ECMA_GLOBALS,
    )


_GO = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier", "type_identifier", "field_identifier", "package_identifier"}),
        members={"selector_expression": ("operand", "field"), "qualified_type": ("package", "name")},
        calls={"call_expression": "function", "composite_literal": "type"},
        subscripts={"index_expression": "operand"},
        unwrap={
            "expression_list": "",
            "unary_expression": "operand",
            "parenthesized_expression": "",
            "pointer_type": "",
            "generic_type": "type",
        },
    ),
    imports=go_import,
    head_wrappers=frozenset({"const_declaration", "var_declaration", "type_declaration"}),
    body_fields=("body",),
    assigns={"short_var_declaration": ("left", "right"), "assignment_statement": ("left", "right")},
    skip_names=frozenset(
        {
            "int",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "uintptr",
            "float32",
            "float64",
            "complex64",
            "complex128",
            "string",
            "bool",
            "byte",
            "rune",
            "error",
            "any",
            "nil",
            "true",
            "false",
            "iota",
            "len",
            "cap",
            "make",
            "new",
            "append",
            "copy",
            "delete",
            "panic",
            "recover",
            "print",
            "println",
            "close",
            "min",
            "max",
            "clear",
            "comparable",
        }
    ),
)

_RUST = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier", "type_identifier", "field_identifier", "self", "crate", "super"}),
        members={
            "field_expression": ("value", "field"),
            "scoped_identifier": ("path", "name"),
            "scoped_type_identifier": ("path", "name"),
        },
        calls={"call_expression": "function", "struct_expression": "name"},
        subscripts={"index_expression": ""},
        unwrap={
            "generic_type": "type",
            "reference_expression": "value",
            "try_expression": "",
            "await_expression": "",
            "parenthesized_expression": "",
            "generic_function": "function",
        },
    ),
    imports=rust_use,
    comments=frozenset({"line_comment", "block_comment"}),
    attributes=frozenset({"attribute_item"}),
    assigns={"let_declaration": ("pattern", "value"), "assignment_expression": ("left", "right")},
    skip_names=frozenset(
        {
            "self",
            "Self",
            "i8",
            "i16",
            "i32",
            "i64",
            "i128",
            "isize",
            "u8",
            "u16",
            "u32",
            "u64",
            "u128",
            "usize",
            "f32",
            "f64",
            "bool",
            "char",
            "str",
            "String",
            "Vec",
            "Option",
            "Some",
            "None",
            "Result",
            "Ok",
            "Err",
            "Box",
            "println",
            "print",
            "eprintln",
            "format",
            "vec",
            "assert",
            "assert_eq",
            "assert_ne",
            "panic",
            "write",
            "writeln",
            "todo",
            "unimplemented",
            "unreachable",
            "debug_assert",
            "matches",
        }
    ),
)

_JAVA = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier", "type_identifier", "this", "super"}),
        members={"field_access": ("object", "field"), "scoped_identifier": ("scope", "name")},
        calls={"object_creation_expression": "type"},
        member_calls={"method_invocation": ("object", "name")},
        subscripts={"array_access": "array"},
        unwrap={"generic_type": "", "parenthesized_expression": "", "scoped_type_identifier": ""},
    ),
    imports=java_import,
    comments=frozenset({"line_comment", "block_comment"}),
    assigns={"variable_declarator": ("name", "value"), "assignment_expression": ("left", "right")},
    skip_names=frozenset(
        {
            "this",
            "super",
            "String",
            "Object",
            "Integer",
            "Long",
            "Boolean",
            "Double",
            "Float",
            "Character",
            "Byte",
            "Short",
            "Void",
            "System",
            "Math",
            "List",
            "Map",
            "Set",
            "Override",
            "Deprecated",
            "SuppressWarnings",
            "FunctionalInterface",
            "Exception",
            "RuntimeException",
        }
    ),
)

# Definitions-first languages: their queries find definitions, bases and calls; no imports or assignments yet.
_C_SYNTAX = ChainSyntax(
    names=frozenset({"identifier", "field_identifier", "type_identifier", "namespace_identifier"}),
    members={"field_expression": ("argument", "field"), "qualified_identifier": ("scope", "name")},
    calls={"call_expression": "function"},
)
_C = LangSpec(syntax=_C_SYNTAX, span_wrappers=frozenset({"template_declaration"}))
_C_SHARP = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier"}),
        members={"member_access_expression": ("expression", "name"), "qualified_name": ("qualifier", "name")},
        calls={"invocation_expression": "function"},
        unwrap={"generic_name": ""},
    ),
    attributes=frozenset({"attribute_list"}),
)
_RUBY = LangSpec(
    syntax=ChainSyntax(
        names=frozenset({"identifier", "constant"}),
        members={"scope_resolution": ("scope", "name")},
        member_calls={"call": ("receiver", "method")},
    ),
    value_kind=upper_is_constant,
)
_PHP = LangSpec(
    syntax=ChainSyntax(names=frozenset({"name", "qualified_name"}), calls={"function_call_expression": "function"}),
)

SPECS: dict[str, LangSpec] = {
    "python": _PYTHON,
    "javascript": _ecma(),
    "typescript": _ecma(),
    "tsx": _ecma(),
    "go": _GO,
    "rust": _RUST,
    "java": _JAVA,
    "c": _C,
    "cpp": _C,
    "c_sharp": _C_SHARP,
    "ruby": _RUBY,
    "php": _PHP,
}
