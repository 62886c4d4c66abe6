"""Dotted name chains (``self.session.send`` → ``("self", "session", "send")``) of references and assignments.

Each language describes its member-access, call and wrapper nodes in a ``ChainSyntax``; non-name links of a chain
become markers so the resolver can tell them apart: ``()`` after a call, ``[]`` after a subscript, ``?`` for
anything else (a literal, a lambda …), after which the chain stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from splice.index.extract_text import decode
from splice.index.parser import Node

CALL = "()"
SUBSCRIPT = "[]"
OTHER = "?"


@dataclass(frozen=True, slots=True)
class ChainSyntax:
    names: frozenset[str]
    """Leaf node types whose text is a name: ``identifier``, ``type_identifier``, ``this`` …"""
    members: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Member access node type → (object field, name field): ``attribute`` → (``object``, ``attribute``)."""
    calls: dict[str, str] = field(default_factory=dict)
    """Call node type → callee field: ``call`` → ``function``; ``new_expression`` → ``constructor``."""
    member_calls: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Calls that carry their receiver themselves (Java ``method_invocation``) → (object field, name field)."""
    subscripts: dict[str, str] = field(default_factory=dict)
    """Subscript node type → field holding the subscripted value."""
    unwrap: dict[str, str] = field(default_factory=dict)
    """Wrapper types passed through: type → field, or ``""`` for the first named child (``generic_type``)."""


def chain(node: Node, syntax: ChainSyntax) -> tuple[str, ...] | None:
    """The dotted chain a name/member/call expression spells, root first; None if it is not name-like at all."""
    parts: list[str] = []
    current: Node | None = node
    while current is not None:
        kind = current.type
        if kind in syntax.names:
            parts.append(decode(current.text or b""))
            break
        member = syntax.members.get(kind)
        if member is not None:
            name = current.child_by_field_name(member[1])
            if name is None:
                return None
            parts.append(decode(name.text or b""))
            current = current.child_by_field_name(member[0])
            continue
        callee = syntax.calls.get(kind)
        if callee is not None:
            parts.append(CALL)
            current = current.child_by_field_name(callee)
            continue
        member_call = syntax.member_calls.get(kind)
        if member_call is not None:
            name = current.child_by_field_name(member_call[1])
            if name is None:
                return None
            parts.append(CALL)
            parts.append(decode(name.text or b""))
            current = current.child_by_field_name(member_call[0])  # None for a bare call: the chain ends
            continue
        value = syntax.subscripts.get(kind)
        if value is not None:
            parts.append(SUBSCRIPT)
            current = current.child_by_field_name(value)
            continue
        unwrap = syntax.unwrap.get(kind)
        if unwrap is not None:
            current = current.child_by_field_name(unwrap) if unwrap else current.named_child(0)
            continue
        if not parts:
            return None
        parts.append(OTHER)
        break
    if not parts:
        return None
    parts.reverse()
    return tuple(parts)


def callee_chain(node: Node, syntax: ChainSyntax) -> tuple[str, ...] | None:
    """The chain of a captured callee; a captured whole call (Java ``method_invocation``) loses its own ``()``."""
    parts = chain(node, syntax)
    if parts is not None and node.type in syntax.member_calls and parts[-1] == CALL:
        parts = parts[:-1]
    if not parts or parts[-1] in (CALL, SUBSCRIPT, OTHER):
        return None
    return parts
