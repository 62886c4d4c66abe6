"""The deterministic front half of "explain error": text → traces → frames on workspace symbols → signature.

This is what the feature hands to the context engine and the prompt: which symbols to show (innermost first,
excluded files never), how to summarise the rest, and the key to cache the explanation under.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from splice.features.explain.frames import FrameMapper, FrameStatus, MappedFrame
from splice.features.explain.model import ParsedTraces, ParseError, Trace
from splice.features.explain.signature import ErrorSignature, error_signature
from splice.features.explain.summary import FrameRun, summarise
from splice.features.explain.traces import parse_traces
from splice.index.graph import Graph
from splice.index.model import Symbol


@dataclass(frozen=True, slots=True)
class ResolvedTrace:
    """A trace with its frames mapped, recursively for its cause and related exceptions."""

    trace: Trace
    frames: tuple[MappedFrame, ...]
    runs: tuple[FrameRun, ...]
    """The frames for display: own code one per line, library runs folded."""
    cause: ResolvedTrace | None
    related: tuple[ResolvedTrace, ...]

    def chain(self) -> list[ResolvedTrace]:
        out: list[ResolvedTrace] = []
        node: ResolvedTrace | None = self
        while node is not None:
            out.append(node)
            node = node.cause
        return out


@dataclass(frozen=True, slots=True)
class Resolution:
    primary: ResolvedTrace
    others: tuple[ResolvedTrace, ...]
    signature: ErrorSignature
    notes: tuple[str, ...]
    """Parser notes (hidden characters revealed, input cut) to show the user."""

    def focus_symbols(self, limit: int = 8) -> list[Symbol]:
        """The enclosing symbols of sendable workspace frames: root cause first, each trace innermost first.

        The exception at the end of a cause chain is where the failure started, so its frames lead. Excluded
        frames never appear here.
        """
        seen: set[str] = set()
        out: list[Symbol] = []
        for resolved in reversed(self.primary.chain()):
            for frame in resolved.frames:
                if not frame.sendable or frame.symbol is None or frame.symbol.id in seen:
                    continue
                seen.add(frame.symbol.id)
                out.append(frame.symbol)
                if len(out) == limit:
                    return out
        return out

    def excluded_paths(self) -> list[str]:
        """Workspace files the trace passes through that the user excluded (to name, never to read)."""
        paths: list[str] = []
        for resolved in self.primary.chain():
            for frame in resolved.frames:
                if frame.status is FrameStatus.EXCLUDED and frame.path and frame.path not in paths:
                    paths.append(frame.path)
        return paths


def resolve_text(
    text: str,
    graph: Graph,
    *,
    is_excluded: Callable[[str], bool] = lambda _path: False,
    read_text: Callable[[str], str | None] | None = None,
    root: str | None = None,
) -> Resolution | ParseError:
    """Parse ``text`` and map every trace in it against ``graph``; a ParseError when it holds no trace."""
    parsed = parse_traces(text)
    if isinstance(parsed, ParseError):
        return parsed
    mapper = FrameMapper(graph, is_excluded=is_excluded, read_text=read_text, root=root)
    return resolve_parsed(parsed, mapper)


def resolve_parsed(parsed: ParsedTraces, mapper: FrameMapper) -> Resolution:
    primary = _resolve(parsed.primary, mapper)
    others = tuple(_resolve(t, mapper) for t in parsed.others)
    signature = error_signature(parsed.primary, primary.frames)
    return Resolution(primary, others, signature, parsed.notes)


def _resolve(trace: Trace, mapper: FrameMapper) -> ResolvedTrace:
    frames = mapper.map_trace(trace)
    cause = _resolve(trace.cause, mapper) if trace.cause is not None else None
    related = tuple(_resolve(t, mapper) for t in trace.related)
    return ResolvedTrace(trace, frames, summarise(frames, trace.format), cause, related)
