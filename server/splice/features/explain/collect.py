"""Bounded frame collection shared by every trace parser: consecutive repeats folded, the middle of deep stacks cut.

A 10,000-frame recursion must not cost 10,000 frames of memory or of prompt: the collector keeps the first
``HEAD`` and the last ``TAIL`` frames in printed order and counts the rest, so memory stays constant however long
the input is. Whether the head is the outermost or the innermost end depends on the runtime's print order; both
ends are kept, so the frame that raised and the entry point survive either way.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from splice.features.explain.model import Frame

HEAD = 24
TAIL = 24


class FrameCollector:
    """Accumulates frames in printed order; ``result`` returns them innermost first."""

    def __init__(self, *, innermost_first: bool) -> None:
        self._innermost_first = innermost_first
        self._head: list[Frame] = []
        self._tail: deque[Frame] = deque(maxlen=TAIL)
        self._dropped = 0
        # The newest frame stays pending until a different one arrives, so repeats are counted, not rebuilt.
        self._pending: Frame | None = None
        self._repeats = 0

    def add(self, frame: Frame) -> None:
        pending = self._pending
        if pending is not None and _same_place(pending, frame):
            self._repeats += 1 + frame.repeat
            return
        self._flush()
        self._pending = frame

    def repeat_last(self, count: int) -> None:
        """The previous frame occurred ``count`` more times (Python's ``[Previous line repeated N more times]``)."""
        if self._pending is not None and count > 0:
            self._repeats += count

    def set_last_source(self, source: str) -> None:
        """Attach the quoted source line to the frame just added (it is printed on the following line)."""
        pending = self._pending
        if pending is not None and pending.source_line is None:
            self._pending = replace(pending, source_line=source)

    def __len__(self) -> int:
        return len(self._head) + len(self._tail) + self._dropped + (self._pending is not None)

    def _flush(self) -> None:
        frame = self._pending
        if frame is None:
            return
        if self._repeats:
            frame = replace(frame, repeat=frame.repeat + self._repeats)
        self._pending, self._repeats = None, 0
        if len(self._head) < HEAD:
            self._head.append(frame)
            return
        if len(self._tail) == TAIL:
            self._dropped += 1
        self._tail.append(frame)

    def result(self) -> tuple[tuple[Frame, ...], int, int | None]:
        """(frames innermost first, number of frames dropped, index in frames where the drop happened)."""
        self._flush()
        printed = [*self._head, *self._tail]
        if self._innermost_first:
            return tuple(printed), self._dropped, (len(self._head) if self._dropped else None)
        printed.reverse()
        return tuple(printed), self._dropped, (len(self._tail) if self._dropped else None)


def _same_place(a: Frame, b: Frame) -> bool:
    # Columns are left out: runtimes that print them do so per call site, and a recursion repeats the call site.
    return a.path == b.path and a.line == b.line and a.function == b.function
