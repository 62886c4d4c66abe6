"""Value types of the symbol graph: files, symbols, references, imports and resolved edges.

Positions are 0-based. Columns count UTF-8 bytes, exactly as tree-sitter reports them; the LSP layer converts them
to the client's negotiated encoding. Paths are workspace-relative POSIX strings (``pkg/mod.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True, order=True)
class Point:
    """A position: 0-based line and UTF-8 byte column."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Span:
    """A source range in lines/byte-columns plus absolute byte offsets into the file."""

    start: Point
    end: Point
    start_byte: int
    end_byte: int

    def contains(self, p: Point) -> bool:
        return self.start <= p <= self.end

    def encloses(self, other: Span) -> bool:
        return self.start_byte <= other.start_byte and other.end_byte <= self.end_byte


class SymbolKind(StrEnum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"
    CONSTANT = "constant"
    VARIABLE = "variable"
    FIELD = "field"
    INTERFACE = "interface"
    ENUM = "enum"
    STRUCT = "struct"
    TRAIT = "trait"
    TYPE = "type"
    NAMESPACE = "namespace"


class EdgeKind(StrEnum):
    IMPORTS = "imports"
    CALLS = "calls"
    REFERENCES = "references"
    INHERITS = "inherits"
    CONTAINS = "contains"


def symbol_id(path: str, qualname: str) -> str:
    """Stable id of a symbol: ``pkg/mod.py::Class.method``; the module symbol of a file is ``pkg/mod.py::``."""
    return f"{path}::{qualname}"


def module_id(path: str) -> str:
    return symbol_id(path, "")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A definition found in a file."""

    id: str
    path: str
    name: str
    qualname: str
    """Dotted name inside the file (``Class.method``); empty for the module symbol."""
    kind: SymbolKind
    span: Span
    """The whole definition, decorators/doc comments included where the grammar attaches them."""
    selection: Span
    """The name token."""
    signature: str
    """First line(s) of the definition up to the body, e.g. ``def f(a: int) -> str:``."""
    doc: str
    parent: str | None
    """Id of the enclosing symbol (the module symbol for top-level definitions); None for the module itself."""
    lang: str


@dataclass(frozen=True, slots=True)
class Reference:
    """An unresolved use of a name inside a file, as extracted; the resolver turns it into an Edge."""

    name: str
    """The referenced identifier, e.g. ``send`` for ``self.session.send(...)``."""
    receiver: tuple[str, ...]
    """The dotted chain before the name: ``("self", "session")`` above; empty for a bare name."""
    kind: EdgeKind
    """CALLS, REFERENCES or INHERITS."""
    span: Span
    scope: str
    """Id of the innermost enclosing symbol (module id at top level)."""


@dataclass(frozen=True, slots=True)
class ImportedName:
    name: str
    """Name in the source module (``*`` for a star import)."""
    alias: str | None


@dataclass(frozen=True, slots=True)
class Import:
    """One import statement (or require/use), as written."""

    module: str
    """Module path as written: ``a.b`` (Python), ``./util`` (JS/TS), ``github.com/x/y`` (Go), ``crate::a`` (Rust)."""
    names: tuple[ImportedName, ...]
    """Names imported from the module; empty for ``import a.b`` / ``import x from`` forms (see ``alias``)."""
    alias: str | None
    """Binding for the whole module: ``import a.b as m`` → ``m``; ``import a.b`` → None (binds ``a``);
    JS default/namespace imports bind here too."""
    level: int
    """Python relative-import level (number of leading dots); 0 otherwise."""
    span: Span
    scope: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """``target = Callee(...)`` or ``target = other_name``: lets the resolver follow ``self.x.method()``."""

    target: tuple[str, ...]
    """``("self", "session")`` for ``self.session = Session()``; ``("s",)`` for a local."""
    value: tuple[str, ...]
    """Dotted chain of the callee or name on the right-hand side: ``("Session",)``, ``("sessions", "Session")``."""
    is_call: bool
    scope: str
    """Enclosing symbol id; for ``self.x`` the method's id (the resolver lifts it to the class)."""


@dataclass(slots=True)
class FileExtract:
    """Everything extracted from one file by one parse."""

    path: str
    lang: str
    symbols: list[Symbol] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    error_count: int = 0
    """Number of tree-sitter ERROR/MISSING nodes; the file is still indexed through error recovery."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A resolved (or name-matched) relation between two symbols."""

    src: str
    """Id of the symbol the edge starts from (the scope of the reference)."""
    dst: str | None
    """Id of the target symbol; None when nothing matched (``name`` keeps what was written)."""
    name: str
    kind: EdgeKind
    path: str
    """File the edge was found in (the source side)."""
    span: Span
    confidence: float
    """1.0 import-resolved, 0.8 through an attribute chain or class, 0.5 unique name match, 0.3 ambiguous name."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    lang: str
    hash: str
    """sha256 of the bytes that were indexed (buffer text for open documents)."""
    size: int
    mtime: float
    indexed_at: float
