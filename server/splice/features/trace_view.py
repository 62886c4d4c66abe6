"""A stack trace mapped onto the workspace for an agent's own model: every frame resolved to its file, line and
enclosing symbol, with the code around each workspace frame — the deterministic front half of "explain error",
without the model call. Frames in excluded files are named, never read; library runs stay folded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from splice.features.explain.frames import FrameStatus
from splice.features.explain.model import ParseError
from splice.features.explain.resolve import ResolvedTrace, resolve_text
from splice.features.workspace import SpliceWorkspace
from splice.index.model import SymbolKind

AROUND = 3
"""Lines shown on each side of a frame's line when its enclosing definition is too long (or module level)."""
MAX_SYMBOL_LINES = 40


@dataclass(frozen=True, slots=True)
class FrameView:
    describe: str
    """The frame as one line (``Cart.total at shop/cart.py:12``, or ``9 frames in flask``)."""
    status: str
    """``workspace``, ``library``, ``excluded`` or ``unmapped``."""
    path: str | None = None
    line: int | None = None
    """0-based."""
    symbol: str | None = None
    """The enclosing symbol's id."""
    code: str = ""
    """Numbered source lines, the frame's line marked with ``>``; empty unless a workspace frame."""


@dataclass(frozen=True, slots=True)
class TraceView:
    title: str
    """``ExceptionType: message`` (untrusted text from the trace)."""
    frames: tuple[FrameView, ...]
    """Innermost first, as runtimes print most traces; folded library runs are one entry."""
    cause: TraceView | None
    notes: tuple[str, ...] = ()


def view_trace(ws: SpliceWorkspace, text: str) -> TraceView | ParseError:
    excluded = ws.indexer.rules.is_excluded

    def read_text(rel: str) -> str | None:
        if excluded(rel):
            return None
        try:
            return ws.abspath(rel).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None

    resolved = resolve_text(text, ws.graph, is_excluded=excluded, read_text=read_text, root=str(ws.root))
    if isinstance(resolved, ParseError):
        return resolved
    files: dict[str, list[str]] = {}
    view = _view(ws, resolved.primary, read_text, files)
    return TraceView(view.title, view.frames, view.cause, resolved.notes)


def _view(
    ws: SpliceWorkspace, node: ResolvedTrace, read_text: Callable[[str], str | None], files: dict[str, list[str]]
) -> TraceView:
    frames: list[FrameView] = []
    for run in node.runs:
        first = run.frames[0]
        if run.library or first.status is not FrameStatus.WORKSPACE or first.path is None or first.line is None:
            status = "library" if run.library else first.status.value
            frames.append(FrameView(run.describe(), status, first.path if not run.library else None, first.line))
            continue
        lines = files.get(first.path)
        if lines is None:
            text = read_text(first.path)
            lines = files[first.path] = (text or "").splitlines()
        sym = first.symbol
        start, end = first.line - AROUND, first.line + AROUND
        short = sym is not None and sym.span.end.line - sym.span.start.line < MAX_SYMBOL_LINES
        if sym is not None and sym.kind is not SymbolKind.MODULE and short:
            start, end = sym.span.start.line, sym.span.end.line
        start, end = max(start, 0), min(end, len(lines) - 1)
        width = len(str(end + 1))
        code = "\n".join(f"{'>' if n == first.line else ' '}{n + 1:>{width}} {lines[n]}" for n in range(start, end + 1))
        frames.append(FrameView(run.describe(), "workspace", first.path, first.line, sym.id if sym else None, code))
    trace = node.trace
    cause = _view(ws, node.cause, read_text, files) if node.cause is not None else None
    title = f"{trace.exception_type}: {trace.message}".strip(": ")
    return TraceView(title, tuple(frames), cause)
