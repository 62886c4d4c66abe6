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
        self._last: Frame | None = None

    def add(self, frame: Frame) -> None:
        last = self._last
        if last is not None and _same_place(last, frame):
            self.repeat_last(1 + frame.repeat)
            return
        self._push(frame)

    def repeat_last(self, count: int) -> None:
        """The previous frame occurred ``count`` more times (Python's ``[Previous line repeated N more times]``)."""
        last = self._last
        if last is None or count <= 0:
            return
        bumped = replace(last, repeat=last.repeat + count)
        self._last = bumped
        if self._tail and self._tail[-1] is last:
            self._tail[-1] = bumped
        elif self._head and self._head[-1] is last:
            self._head[-1] = bumped

    def set_last_source(self, source: str) -> None:
        """Attach the quoted source line to the frame just added (it is printed on the following line)."""
        last = self._last
        if last is None or last.source_line is not None:
            return
        self._replace_last(replace(last, source_line=source))

    def replace_last(self, frame: Frame) -> None:
        if self._last is not None:
            self._replace_last(frame)

    @property
    def last(self) -> Frame | None:
        return self._last

    def __len__(self) -> int:
        return len(self._head) + len(self._tail) + self._dropped

    def _replace_last(self, frame: Frame) -> None:
        last = self._last
        self._last = frame
        if self._tail and self._tail[-1] is last:
            self._tail[-1] = frame
        elif self._head and self._head[-1] is last:
            self._head[-1] = frame

    def _push(self, frame: Frame) -> None:
        self._last = frame
        if len(self._head) < HEAD:
            self._head.append(frame)
            return
        if len(self._tail) == TAIL:
            self._dropped += 1
        self._tail.append(frame)

    def result(self) -> tuple[tuple[Frame, ...], int, int | None]:
        """(frames innermost first, number of frames dropped, index in frames where the drop happened)."""
        printed = [*self._head, *self._tail]
        gap: int | None = len(self._head) if self._dropped else None
        if self._innermost_first:
            return tuple(printed), self._dropped, gap
        printed.reverse()
        return tuple(printed), self._dropped, (len(self._tail) if self._dropped else None)


def _same_place(a: Frame, b: Frame) -> bool:
    # Columns are left out: Python attaches a frame's caret column only after the frame was added.
    return a.path == b.path and a.line == b.line and a.function == b.function
