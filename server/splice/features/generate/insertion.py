"""Where a new definition goes: the end of a module (before a ``__main__`` block) or the end of a class body.

Generated code for a missing symbol is new text, not a replacement, so it needs an insertion point, the
indentation of its neighbours and the blank lines the language's style puts between definitions. ``insert``
returns the whole new file text, ready to become a proposal's change.
"""

from __future__ import annotations

from dataclasses import dataclass

from splice.features.generate.functions import text
from splice.index.parser import Node, parse_shared

_CLASS_TYPES = {"class_definition", "class_declaration", "class", "abstract_class_declaration"}
_BLANKS = {"python": 2}
"""Blank lines between top-level definitions (PEP 8: two); one elsewhere and inside classes."""


@dataclass(frozen=True, slots=True)
class Insertion:
    byte: int
    """Offset in the source where the new code starts (after ``before``)."""
    line: int
    indent: str
    """Prefix for every non-empty line of the new code."""
    blank_lines: int
    """Blank lines wanted between the previous code and the new code."""


class InsertionError(Exception):
    """The target class is not in the file (its name is in the message)."""


def insertion_for(lang: str, source: bytes, target_class: str | None = None) -> Insertion:
    """The insertion point for a new top-level definition, or a new member of ``target_class`` (qualified name)."""
    if not source.strip():
        return Insertion(0, 0, "", 0)
    root = parse_shared(lang, source).root_node
    if target_class is None:
        return _module_end(lang, source, root)
    cls = _find_class(root, target_class.split("."))
    if cls is None:
        raise InsertionError(f"class {target_class} is not in the file")
    return _class_end(lang, source, cls)


def insert(source: str, at: Insertion, code: str) -> str:
    """``source`` with ``code`` (dedented, then indented to ``at.indent``) inserted at ``at``."""
    raw = source.encode("utf-8")
    head = raw[: at.byte].decode("utf-8").rstrip("\n")
    tail = raw[at.byte :].decode("utf-8")
    lines = code.strip("\n").splitlines()
    margin = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    body = "\n".join(at.indent + ln[margin:] if ln.strip() else "" for ln in lines)
    if not head:
        return body + "\n" + tail
    result = head + "\n" * (at.blank_lines + 1) + body
    if not tail:
        return result + "\n"
    if tail.startswith("\n"):
        return result + tail  # the spacing that followed the insertion point stays as it was
    if tail.lstrip().startswith("}"):
        return result + "\n" + tail
    return result + "\n" * (at.blank_lines + 1) + tail


def _module_end(lang: str, source: bytes, root: Node) -> Insertion:
    end = root.end_byte
    for child in root.named_children:
        if (
            lang == "python"
            and child.type == "if_statement"
            and "__main__" in text(child.child_by_field_name("condition"))
        ):
            end = _line_start(source, child.start_byte)  # keep the script entry point last
            break
    return Insertion(end, source[:end].count(b"\n"), "", _BLANKS.get(lang, 1))


def _class_end(lang: str, source: bytes, cls: Node) -> Insertion:
    body = cls.child_by_field_name("body")
    if body is None:
        raise InsertionError(f"class {text(cls.child_by_field_name('name'))} has no body")
    members = [c for c in body.named_children if "comment" not in c.type]
    cls_indent = _indent_at(source, cls.start_byte)
    if lang == "python":
        last = members[-1] if members else body
        indent = _indent_at(source, members[0].start_byte) if members else cls_indent + "    "
        end = last.end_byte
    else:
        closing = body.children[-1]  # the `}` of the class body
        indent = _indent_at(source, members[0].start_byte) if members else cls_indent + "  "
        end = _line_start(source, closing.start_byte) if members else closing.start_byte
        if end <= body.start_byte:
            end = closing.start_byte
    return Insertion(end, source[:end].count(b"\n"), indent, 1 if members else 0)


def _find_class(node: Node, names: list[str]) -> Node | None:
    for child in node.named_children:
        target = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
        if target is not None and target.type == "export_statement":
            target = target.child_by_field_name("declaration")
        if target is not None and target.type in _CLASS_TYPES and text(target.child_by_field_name("name")) == names[0]:
            if len(names) == 1:
                return target
            body = target.child_by_field_name("body")
            return _find_class(body, names[1:]) if body is not None else None
    return None


def _line_start(source: bytes, byte: int) -> int:
    return source.rfind(b"\n", 0, byte) + 1


def _indent_at(source: bytes, byte: int) -> str:
    start = _line_start(source, byte)
    line = source[start:byte].decode("utf-8", errors="replace")
    return line[: len(line) - len(line.lstrip())]
