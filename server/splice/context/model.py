"""Value types of the context engine: targets, requests, items and results.

A *target* says what the context is for (a position, a symbol, a diagnostic, stack frames or free text); a
*request* adds the token budget and the user's pins and exclusions; a *result* is the ordered list of items that
fit the budget, each saying why it is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from splice.index.model import Span


@dataclass(frozen=True, slots=True)
class PositionTarget:
    """A place in a file (0-based line, UTF-8 byte column), optionally with the editor's unsaved text."""

    path: str
    """Workspace-relative or absolute path."""
    line: int
    col: int = 0
    text: str | None = None
    """Unsaved buffer text; it replaces the file for this request only and never touches the shared index."""
    instruction: str = ""
    """What the user asked for at this position (``splice: …`` comment, palette text); searched as free text."""


@dataclass(frozen=True, slots=True)
class SymbolTarget:
    symbol_id: str


@dataclass(frozen=True, slots=True)
class DiagnosticTarget:
    """A diagnostic from any linter or compiler: where it is and what it says."""

    path: str
    line: int
    col: int = 0
    end_line: int | None = None
    message: str = ""
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack-trace frame (0-based line)."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class FramesTarget:
    """Stack-trace frames, outermost first (Python's order); the last workspace frame is the focus."""

    frames: tuple[Frame, ...]
    message: str = ""
    exception: str = ""
    """The exception's type as printed (``httpx.HTTPStatusError``): its class is shown when the workspace defines
    it."""


@dataclass(frozen=True, slots=True)
class TextTarget:
    """A natural-language instruction or question with no position."""

    text: str


Target = PositionTarget | SymbolTarget | DiagnosticTarget | FramesTarget | TextTarget


@dataclass(frozen=True, slots=True)
class ContextRequest:
    target: Target
    budget: int
    """Token budget for all items together; never exceeded."""
    pins: tuple[str, ...] = ()
    """Symbol ids (``pkg/mod.py::Name``) or paths that must be included first, if they fit."""
    excludes: tuple[str, ...] = ()
    """Symbol ids, paths or gitignore-style patterns that must not appear in this result."""
    include_target: bool = True
    """Include the target's own enclosing definition as the first item."""


@dataclass(frozen=True, slots=True)
class ContextItem:
    path: str
    range: Span
    symbol: str | None
    """Symbol id the item shows (None for a bare line range such as a call site)."""
    kind: str
    """``target``, ``card`` (signature + docstring / class header + method signatures), ``body``, ``call-site``,
    ``scope``, ``outline`` (more of a module the file imports from, one line per definition) or ``pinned``."""
    text: str
    reason: str
    score: float
    tokens: int

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "range": {
                "start": {"line": self.range.start.line, "col": self.range.start.col},
                "end": {"line": self.range.end.line, "col": self.range.end.col},
            },
            "symbol": self.symbol,
            "kind": self.kind,
            "text": self.text,
            "reason": self.reason,
            "score": round(self.score, 4),
            "tokens": self.tokens,
        }


@dataclass(frozen=True, slots=True)
class ContextResult:
    items: tuple[ContextItem, ...]
    budget: int
    used: int
    """Tokens of all items together (≤ budget)."""
    error: str | None = None
    """Set when the request could not be served at all (bad position, file outside the workspace …)."""
    notes: tuple[str, ...] = ()
    """Why the context is partial or empty, what was skipped, what fell back."""
    target_symbol: str | None = None
    candidates: int = 0
    """How many candidates were scored before budgeting (for --explain)."""
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "budget": self.budget,
            "used": self.used,
            "error": self.error,
            "notes": list(self.notes),
            "target_symbol": self.target_symbol,
            "candidates": self.candidates,
        }


def item_header(path: str, first: int, last: int, symbol: str | None, kind: str, reason: str) -> str:
    """What a prompt spends on an item besides its text when it is alone in its file: the file's heading, the code
    fence and the item's own line (where, what, why). Several items of one file share one heading and one fence
    (``file_header``), each keeps its ``item_line``. Mirrors ``llm/prompts/_context.j2`` (the layers do not import
    each other; a test keeps the two in step)."""
    return file_header(path) + item_line(first, last, symbol, kind, reason)


def file_header(path: str) -> str:
    """The heading and code fence a file's items share in the prompt (charged once per file)."""
    return f"### {path}\n```typescript\n```\n\n"


def item_line(first: int, last: int, symbol: str | None, kind: str, reason: str) -> str:
    """The comment line each item gets inside its file's fence: lines, symbol, kind and the strongest reason."""
    lines = f"{first + 1}" if first == last else f"{first + 1}-{last + 1}"
    qual = symbol.partition("::")[2] if symbol and "::" in symbol else symbol
    name = f" {qual}" if qual else ""
    return f"// {lines}{name} ({kind}) — why: {reason.split('; ', 1)[0]}\n"


def failure(budget: int, message: str) -> ContextResult:
    """A result that carries only an error message."""
    return ContextResult(items=(), budget=budget, used=0, error=message)
