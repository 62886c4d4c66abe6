"""Extracts of unsaved buffer text for one request, incrementally from the last text seen for the same file.

A request about a buffer the index does not hold yet (typed since the last didChange was indexed, or a tool's
what-if text) needs that text's extract. Extracting a 3,000-line file from scratch costs ~100 ms; the editor's
next request about the same file differs from the last one in a region or two, so each file's last extraction
state is kept and the next text is extracted from it (``index.extract_incr``: only the statements an edit
touched are queried again; the result equals a full extraction). These states are the engine's own: the
indexer's open-buffer states are consumed by its updates and never shared.
"""

from __future__ import annotations

from collections import OrderedDict

from splice.index.extract_incr import BufferState, start, update
from splice.index.model import FileExtract

KEPT = 4
"""Files whose last state is kept (each holds a tree and an extract: a few MB for the largest files)."""


class OverlayExtractor:
    """``(path, lang, source) → FileExtract``, equal to ``index.extract.extract``, remembering each file's last
    state. Not thread-safe: the engine calls it under its request lock."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._states: OrderedDict[str, BufferState] = OrderedDict()
        self.incremental = 0
        """Extractions that started from a kept state (for tests and benchmarks)."""

    def __call__(self, path: str, lang: str, source: bytes) -> FileExtract:
        state = self._states.pop(path, None)
        if state is not None and state.lang == lang:
            self.incremental += 1
            extract, state = update(state, source)  # consumes the old state (its tree is edited)
        else:
            extract, state = start(path, lang, source)
        self._states[path] = state
        while len(self._states) > self.kept:
            self._states.popitem(last=False)
        return extract
