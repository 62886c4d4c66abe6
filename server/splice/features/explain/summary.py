"""Folding library frames for display and prompts: workspace frames stay one per line, runs of library frames
collapse into one line naming the libraries ("9 frames in express").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from splice.features.explain.frames import FrameStatus, MappedFrame
from splice.features.explain.library import library_label
from splice.features.explain.model import TraceFormat


@dataclass(frozen=True, slots=True)
class FrameRun:
    """One display line: a single non-library frame, or consecutive library frames folded together."""

    frames: tuple[MappedFrame, ...]
    library: bool
    labels: tuple[str, ...] = ()
    """The libraries a folded run passes through, in order of first appearance."""

    def describe(self) -> str:
        if not self.library:
            m = self.frames[0]
            where = f"{m.path}:{m.line + 1}" if m.path and m.line is not None else m.path or m.frame.path
            what = m.symbol.qualname if m.symbol is not None and m.symbol.qualname else m.frame.function
            note = " (excluded: source not shared)" if m.status is FrameStatus.EXCLUDED else ""
            return f"{what or '<top level>'} at {where}{note}"
        count = len(self.frames)
        return f"{count} frame{'s' if count != 1 else ''} in {', '.join(self.labels)}"


def summarise(mapped: Sequence[MappedFrame], fmt: TraceFormat) -> tuple[FrameRun, ...]:
    """Mapped frames (innermost first) as display runs, in the same order."""
    runs: list[FrameRun] = []
    pending: list[MappedFrame] = []

    def flush() -> None:
        if pending:
            labels: list[str] = []
            for m in pending:
                label = library_label(fmt, m.frame.path, m.frame.function)
                if label not in labels:
                    labels.append(label)
            runs.append(FrameRun(tuple(pending), True, tuple(labels)))
            pending.clear()

    for m in mapped:
        if m.status is FrameStatus.LIBRARY:
            pending.append(m)
            continue
        flush()
        runs.append(FrameRun((m,), False))
    flush()
    return tuple(runs)
