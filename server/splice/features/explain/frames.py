"""Mapping trace frames to workspace files and their enclosing symbols, tolerating line drift.

For each frame: resolve the path (``paths.py``), then the line — when the trace quotes the source line, the nearest
line within ``DRIFT`` lines that reads the same wins (code inserted above the failure moves it) — then the innermost
symbol at that line from the index, cross-checked with the function name the trace printed. Every mapping carries a
confidence and the reasons behind it. Frames in excluded files are flagged so their source is never sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from splice.features.explain.model import Frame, Trace, TraceFormat
from splice.features.explain.paths import PathIndex, PathMatch
from splice.index.graph import Graph
from splice.index.model import Point, Symbol, SymbolKind, module_id

DRIFT = 30
"""How far (in lines, each way) a quoted source line is searched for when it no longer sits at the printed line."""


class FrameStatus(StrEnum):
    WORKSPACE = "workspace"
    LIBRARY = "library"
    EXCLUDED = "excluded"
    """In a workspace file the user excluded: name it, never send its source."""
    UNMAPPED = "unmapped"


@dataclass(frozen=True, slots=True)
class MappedFrame:
    frame: Frame
    status: FrameStatus
    path: str | None
    """Workspace-relative file, when known (also for excluded files)."""
    line: int | None
    """0-based line in the current file, after drift correction."""
    col: int | None
    """0-based column (characters, as the runtime counted them) in that line; None when unknown."""
    symbol: Symbol | None
    """The enclosing symbol (the module symbol for top-level code); None when unknown or excluded."""
    confidence: float
    reason: str

    @property
    def sendable(self) -> bool:
        """Whether this frame's source may go into a prompt."""
        return self.status is FrameStatus.WORKSPACE


class FrameMapper:
    """Maps frames against one state of the index; build one per request (it caches file text)."""

    def __init__(
        self,
        graph: Graph,
        *,
        is_excluded: Callable[[str], bool] = lambda _path: False,
        read_text: Callable[[str], str | None] | None = None,
        root: str | None = None,
    ) -> None:
        self.graph = graph
        self.is_excluded = is_excluded
        self.read_text = read_text
        self.paths = PathIndex(graph.files, root)
        self._lines: dict[str, list[str] | None] = {}

    def map_trace(self, trace: Trace) -> tuple[MappedFrame, ...]:
        return tuple(self.map_frame(frame, trace.format) for frame in trace.frames)

    def map_frame(self, frame: Frame, fmt: TraceFormat) -> MappedFrame:
        if frame.is_library:
            return MappedFrame(frame, FrameStatus.LIBRARY, None, None, None, None, 1.0, "library or runtime frame")
        raw = _java_path(frame) if fmt is TraceFormat.JAVA else frame.path
        matches = self.paths.resolve(raw) if raw else []
        if not matches:
            rel = self.paths.relative(raw) if raw else None
            if rel is not None and self.is_excluded(rel):
                return _excluded(frame, rel)
            return MappedFrame(frame, FrameStatus.UNMAPPED, None, None, None, None, 0.0, "no workspace file matches")
        match = self._choose(matches, frame)
        if self.is_excluded(match.path):
            return _excluded(frame, match.path)
        return self._locate(frame, match)

    def _choose(self, matches: list[PathMatch], frame: Frame) -> PathMatch:
        if len(matches) == 1 or not frame.name:
            return matches[0]
        # Tied suffix matches: prefer the file that defines the function the frame names.
        named = [m for m in matches if any(s.name == frame.name for s in self.graph.symbols_in(m.path))]
        if len(named) == 1:
            m = named[0]
            return PathMatch(m.path, 0.7, m.reason + f"; only one of them defines {frame.name}")
        return matches[0]

    def _locate(self, frame: Frame, match: PathMatch) -> MappedFrame:
        path = match.path
        reasons = [match.reason]
        confidence = match.confidence
        lines = self._file_lines(path)
        line = frame.line - 1 if frame.line else None
        line_verified = False
        if line is not None and lines is not None:
            if line >= len(lines):
                reasons.append(f"line {frame.line} is past the end of the file ({len(lines)} lines)")
                confidence *= 0.5
                line = None
            elif frame.source_line:
                found = nearest_line(lines, line, frame.source_line)
                if found == line:
                    reasons.append(f"quoted source matches line {frame.line}")
                    line_verified = True
                elif found is not None:
                    reasons.append(f"code moved: quoted source found at line {found + 1} ({found - line:+d})")
                    confidence *= 0.9
                    line, line_verified = found, True
                else:
                    reasons.append(f"quoted source not found within {DRIFT} lines of line {frame.line}")
                    confidence *= 0.6
        symbol = self._symbol_at(path, line, lines)
        if frame.name and not line_verified and not self._names(symbol, frame.name):
            by_name = [s for s in self.graph.symbols_in(path) if s.name == frame.name]
            if by_name:
                anchor = line if line is not None else 0
                symbol = min(by_name, key=lambda s: abs(s.span.start.line - anchor))
                if line is not None:
                    reasons.append(f"line {line + 1} is not inside {frame.name}; matched it by name")
                    confidence *= 0.8
                else:
                    reasons.append(f"matched {frame.name} by name (the trace gives no line)")
                    confidence *= 0.9
        elif frame.name and self._names(symbol, frame.name):
            reasons.append(f"enclosing symbol is {frame.name}")
        col = _column(frame, lines[line] if lines is not None and line is not None else None)
        return MappedFrame(
            frame, FrameStatus.WORKSPACE, path, line, col, symbol, round(confidence, 3), "; ".join(reasons)
        )

    def _symbol_at(self, path: str, line: int | None, lines: list[str] | None) -> Symbol | None:
        if line is None:
            return None
        col = 0
        if lines is not None and line < len(lines):
            text = lines[line]
            col = len(text.encode()) - len(text.lstrip().encode())
        return self.graph.symbol_at(path, Point(line, col)) or self.graph.symbol(module_id(path))

    def _names(self, symbol: Symbol | None, name: str) -> bool:
        if symbol is None:
            return False
        if symbol.name == name:
            return True
        parent = self.graph.symbol(symbol.parent) if symbol.parent else None
        # ``new Cart`` / Java ``<init>`` name the class; the index may hold the constructor method instead.
        return parent is not None and parent.name == name and symbol.kind is not SymbolKind.MODULE

    def _file_lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            text = self.read_text(path) if self.read_text is not None else None
            self._lines[path] = text.splitlines() if text is not None else None
        return self._lines[path]


def nearest_line(lines: list[str], line: int, source: str, drift: int = DRIFT) -> int | None:
    """The line nearest to ``line`` (0-based) whose text equals ``source`` ignoring whitespace runs."""
    want = _squash(source)
    if not want:
        return None
    for delta in range(drift + 1):
        for cand in (line - delta, line + delta) if delta else (line,):
            if 0 <= cand < len(lines) and _squash(lines[cand]) == want:
                return cand
    return None


def _column(frame: Frame, text: str | None) -> int | None:
    if frame.col is None:
        return None
    if frame.col_from_indent:
        # Python printed the line dedented; the caret counts from its first non-blank character.
        if text is None:
            return None
        return len(text) - len(text.lstrip()) + frame.col - 1
    return frame.col - 1


def _squash(text: str) -> str:
    return " ".join(text.split())


def _excluded(frame: Frame, path: str) -> MappedFrame:
    return MappedFrame(frame, FrameStatus.EXCLUDED, path, None, None, None, 1.0, "file is excluded from Splice")


def _java_path(frame: Frame) -> str:
    """``com.acme.shop.Cart$Item.total`` + ``Cart.java`` → ``com/acme/shop/Cart.java`` (package path + file)."""
    if not frame.path or "/" in frame.path:
        return frame.path
    qualified = frame.function.rsplit("/", 1)[-1]
    package = qualified.split(".")[:-2]
    if not package or not all(re.fullmatch(r"[a-z_$][\w$]*", p) for p in package):
        return frame.path
    return "/".join([*package, frame.path])
