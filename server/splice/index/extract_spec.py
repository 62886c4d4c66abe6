"""What the extraction engine needs to know about one language beyond its ``queries/<lang>-tags.scm``.

The query finds the nodes (definitions, calls, references, bases, locals, imports, assignments); a ``LangSpec``
says how to read them: member-access shapes, which parent nodes belong to a definition's span and header, which
comments are docs, how to name a value definition, and how to take an import statement apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from splice.index.extract_chain import ChainSyntax
from splice.index.model import ImportedName, SymbolKind
from splice.index.parser import Node

ImportParts = tuple[str, tuple[ImportedName, ...], str | None, int]
"""(module, names, alias, level) of one Import record, before span and scope are attached."""
ImportReader = Callable[[Node], list[ImportParts]]


@dataclass(frozen=True, slots=True)
class LangSpec:
    syntax: ChainSyntax
    imports: ImportReader | None = None
    comments: frozenset[str] = frozenset({"comment"})
    span_wrappers: frozenset[str] = frozenset()
    """Parents that belong to the span but not the signature (Python ``decorated_definition``)."""
    head_wrappers: frozenset[str] = frozenset()
    """Parents that belong to span and signature when the definition is their only named child (``export``)."""
    attributes: frozenset[str] = frozenset()
    """Preceding siblings folded into the span (Rust ``#[derive]``); doc comments may sit above them."""
    docstrings: bool = False
    """Python: the doc is the first string statement of the body, not a comment above."""
    value_kind: Callable[[str, Node], SymbolKind] | None = None
    """Kind of a ``@definition.value`` (constant or variable) from its name and node."""
    assigns: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Assignment node type → (target field, value field) for ``@assign`` captures."""
    self_name: str = "this"
    """What a class-body initialiser's target is prefixed with (``x = Foo()`` in a class → ``self.x``)."""
    skip_names: frozenset[str] = frozenset()
    """Bare names that are never cross-file references (builtins, ``self``) unless the file defines them."""
    module_name: Callable[[str], str] | None = None
    body_fields: tuple[str, ...] = ("body",)
    """Fields whose start ends a definition's header (the signature)."""


def upper_is_constant(name: str, _node: Node) -> SymbolKind:
    """Python/Ruby convention: ``MAX_SIZE`` is a constant, ``app`` a variable."""
    return SymbolKind.CONSTANT if name.isupper() else SymbolKind.VARIABLE


def declared_const(_name: str, node: Node) -> SymbolKind:
    """JS/TS: a ``const`` declaration is a constant, ``let``/``var`` a variable."""
    parent = node.parent
    if parent is not None and parent.child_count and parent.children[0].type == "const":
        return SymbolKind.CONSTANT
    return SymbolKind.VARIABLE
