"""Value types of a parsed stack trace: frames, traces with their cause chain, and the parse result.

Frames are stored innermost first (the frame that raised comes first) whatever order the runtime printed them in,
so every consumer reads them the same way. Line and column numbers are 1-based exactly as the trace printed them;
the mapping step (``frames.py``) converts them to 0-based ``Point`` values of the index.

Everything in a trace is untrusted text (it may carry prompt-injection payloads); these types only hold it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

ChainKind = Literal["cause", "context"]


class TraceFormat(StrEnum):
    PYTHON = "python"
    PYTEST = "pytest"
    NODE = "node"
    GO = "go"
    RUST = "rust"
    JAVA = "java"


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack frame as printed."""

    path: str
    """File as written in the trace (absolute, relative, ``file://`` URL, Windows path, or ``File.java``); may be
    empty when the runtime printed no location (Rust frames without ``at``, Java ``Native Method``)."""
    line: int | None
    """1-based line; None when unknown."""
    col: int | None
    """1-based column; None when unknown. For Python ``SyntaxError`` carets it counts from the first non-blank
    character of the quoted line (Python prints the line dedented); ``col_from_indent`` says so."""
    function: str
    """The function as printed: ``Cart.total``, ``main.(*Store).Get``, ``com.acme.Cart.total``, ``<module>``."""
    name: str
    """The bare name to look for among the file's symbols (``total``, ``Get``); empty when unknown."""
    source_line: str | None
    """The quoted source line, stripped; None when the trace quotes none."""
    is_library: bool
    """Standard library, site-packages, node_modules, Go runtime/module cache, rustc, java.* …"""
    repeat: int = 0
    """How many more times this frame repeated consecutively (``[Previous line repeated N more times]``)."""
    col_from_indent: bool = False


@dataclass(frozen=True, slots=True)
class Trace:
    """One exception/panic with its frames and the exception that caused it."""

    format: TraceFormat
    language: str
    """``python``, ``javascript``, ``typescript``, ``go``, ``rust`` or ``java``."""
    exception_type: str
    message: str
    frames: tuple[Frame, ...]
    """Innermost first."""
    cause: Trace | None = None
    """The exception that led to this one (Python's earlier block, Java's ``Caused by:``, Node's ``[cause]``)."""
    context_kind: ChainKind | None = None
    """How ``cause`` relates: ``cause`` (raise … from / Caused by) or ``context`` (raised while handling)."""
    truncated_frames: int = 0
    """Frames left out: the collapsed middle of a very deep stack, or Java's ``... N more``."""
    gap_index: int | None = None
    """When frames were collapsed, the index in ``frames`` before which they were removed."""
    related: tuple[Trace, ...] = ()
    """Java ``Suppressed:`` exceptions and Python exception-group members."""
    test_id: str | None = None
    """pytest node id (``tests/test_x.py::test_y``) when the trace is a test failure."""
    thread: str | None = None
    """Thread or goroutine the failure happened on, when printed."""

    def chain(self) -> Iterator[Trace]:
        """This trace, then its cause, its cause's cause, …"""
        node: Trace | None = self
        while node is not None:
            yield node
            node = node.cause

    def root_cause(self) -> Trace:
        *_, last = self.chain()
        return last


@dataclass(frozen=True, slots=True)
class ParsedTraces:
    """Every trace found in a text: the most relevant one and the rest in the order they appeared."""

    primary: Trace
    others: tuple[Trace, ...] = ()
    notes: tuple[str, ...] = ()
    """What the parser did to the input that the user should know (hidden characters revealed, input cut)."""

    @property
    def all(self) -> tuple[Trace, ...]:
        """The primary trace first, then the others."""
        return (self.primary, *self.others)


@dataclass(frozen=True, slots=True)
class ParseError:
    """No trace could be found; ``message`` says why in words a user can act on."""

    message: str
