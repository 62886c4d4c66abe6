"""Import statements taken apart per language: which module, which names, which alias, which relative level."""

from __future__ import annotations

from splice.index.extract_spec import ImportParts
from splice.index.extract_text import decode
from splice.index.model import ImportedName
from splice.index.parser import Node


def _text(node: Node | None) -> str:
    return decode(node.text or b"") if node is not None else ""


def python_import(node: Node) -> list[ImportParts]:
    """``import a.b as m, c`` → one record per module; ``from ..p import a as b, *`` → one record."""
    if node.type == "import_statement":
        records: list[ImportParts] = []
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                module = _text(child.child_by_field_name("name"))
                records.append((module, (), _text(child.child_by_field_name("alias")) or None, 0))
            else:
                records.append((_text(child), (), None, 0))
        return records
    source = node.child_by_field_name("module_name")
    module, level = "", 0
    if source is not None and source.type == "relative_import":
        for part in source.named_children:
            if part.type == "import_prefix":
                level = len(_text(part).strip())
            else:
                module = _text(part)
    else:
        module = _text(source)
    names: list[ImportedName] = []
    for child in node.named_children:
        if child.type == "wildcard_import":
            names.append(ImportedName("*", None))
        elif child == source:
            continue
        elif child.type == "aliased_import":
            alias = _text(child.child_by_field_name("alias")) or None
            names.append(ImportedName(_text(child.child_by_field_name("name")), alias))
        elif child.type == "dotted_name":
            names.append(ImportedName(_text(child), None))
    return [(module, tuple(names), None, level)]


def _string_value(node: Node | None) -> str | None:
    if node is None or node.type not in ("string", "template_string"):
        return None
    text = _text(node)
    return text[1:-1] if len(text) >= 2 else None


def ecma_import(node: Node) -> list[ImportParts]:
    """ES imports and re-exports, ``require('./x')`` (with its binding) and ``import('./x')``."""
    if node.type == "call_expression":
        return _require(node)
    source = _string_value(node.child_by_field_name("source"))
    if node.type == "import_statement" and source is None:
        # TS `import fs = require("fs")`
        clause = next((c for c in node.named_children if c.type == "import_require_clause"), None)
        if clause is None:
            return []
        target = _string_value(clause.child_by_field_name("source"))
        binding = _text(clause.named_child(0)) or None
        return [(target, (), binding, 0)] if target is not None else []
    if source is None:
        return []
    names: list[ImportedName] = []
    alias: str | None = None
    for child in node.named_children:
        if child.type == "import_clause":
            for part in child.named_children:
                if part.type == "identifier":
                    names.append(ImportedName("default", _text(part)))
                elif part.type == "namespace_import":
                    alias = _text(part.named_child(0))
                elif part.type == "named_imports":
                    names.extend(_specifiers(part, "import_specifier"))
        elif child.type == "export_clause":
            names.extend(_specifiers(child, "export_specifier"))
        elif child.type == "namespace_export":
            # `export * as ns from './x'`: the whole module bound (and exported) under one name.
            alias = _text(child.named_child(0)) or None
    if node.type == "export_statement" and not names and alias is None:
        names.append(ImportedName("*", None))
    return [(source, tuple(names), alias, 0)]


def _specifiers(node: Node, kind: str) -> list[ImportedName]:
    found = []
    for spec in node.named_children:
        if spec.type == kind:
            name = _text(spec.child_by_field_name("name"))
            alias = _text(spec.child_by_field_name("alias")) or None
            found.append(ImportedName(name, alias))
    return found


def _require(call: Node) -> list[ImportParts]:
    arguments = call.child_by_field_name("arguments")
    first = arguments.named_child(0) if arguments is not None and arguments.named_child_count == 1 else None
    source = _string_value(first)
    if source is None:
        return []
    holder = call.parent
    if holder is None or holder.type != "variable_declarator" or call.type != "call_expression":
        return [(source, (), None, 0)]
    target = holder.child_by_field_name("name")
    if target is None:
        return [(source, (), None, 0)]
    if target.type == "identifier":
        return [(source, (), _text(target), 0)]
    names: list[ImportedName] = []
    if target.type == "object_pattern":
        for part in target.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                names.append(ImportedName(_text(part), None))
            elif part.type == "pair_pattern":
                names.append(
                    ImportedName(_text(part.child_by_field_name("key")), _text(part.child_by_field_name("value")))
                )
    return [(source, tuple(names), None, 0)]


def go_import(node: Node) -> list[ImportParts]:
    """``alias "path"``; a dot import is a star import, ``_`` stays an alias (the package is only initialised)."""
    path = node.child_by_field_name("path")
    module = _text(path)[1:-1] if path is not None else ""
    name = node.child_by_field_name("name")
    if name is not None and name.type == "dot":
        return [(module, (ImportedName("*", None),), None, 0)]
    return [(module, (), _text(name) or None, 0)]


def java_import(node: Node) -> list[ImportParts]:
    """``import a.b.C;`` → module ``a.b.C``; ``import static a.B.m;`` → ``a.B`` + ``m``; ``a.b.*`` → star."""
    target = next((c for c in node.named_children if c.type in ("scoped_identifier", "identifier")), None)
    if target is None:
        return []
    dotted = _text(target)
    if any(c.type == "asterisk" for c in node.named_children):
        return [(dotted, (ImportedName("*", None),), None, 0)]
    if any(c.type == "static" for c in node.children):
        module, _, member = dotted.rpartition(".")
        return [(module, (ImportedName(member, None),), None, 0)]
    return [(dotted, (), None, 0)]


def rust_use(node: Node) -> list[ImportParts]:
    """``use a::b::{c, d as e, self}`` flattened: one record per leaf, the leaf as the imported name."""
    argument = node.child_by_field_name("argument")
    records: list[ImportParts] = []
    if argument is not None:
        _rust_tree(argument, [], records)
    return records


def _rust_path(node: Node | None) -> list[str]:
    return [part.strip() for part in _text(node).split("::") if part.strip()] if node is not None else []


def _rust_tree(node: Node, prefix: list[str], out: list[ImportParts]) -> None:
    kind = node.type
    if kind == "use_as_clause":
        _rust_leaf(prefix + _rust_path(node.child_by_field_name("path")), _text(node.child_by_field_name("alias")), out)
    elif kind == "use_wildcard":
        path = prefix + _rust_path(node.named_child(0))
        out.append(("::".join(path), (ImportedName("*", None),), None, 0))
    elif kind == "scoped_use_list":
        inner = prefix + _rust_path(node.child_by_field_name("path"))
        listing = node.child_by_field_name("list")
        if listing is not None:
            for child in listing.named_children:
                _rust_tree(child, inner, out)
    elif kind == "use_list":
        for child in node.named_children:
            _rust_tree(child, prefix, out)
    else:
        _rust_leaf(prefix + _rust_path(node), None, out)


def _rust_leaf(path: list[str], alias: str | None, out: list[ImportParts]) -> None:
    if not path:
        return
    if path[-1] == "self":
        path = path[:-1]
        if path:
            out.append(("::".join(path), (), alias or None, 0))
    elif len(path) == 1:
        out.append((path[0], (), alias or None, 0))
    else:
        out.append(("::".join(path[:-1]), (ImportedName(path[-1], alias or None),), None, 0))
