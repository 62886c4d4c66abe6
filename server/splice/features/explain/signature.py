"""The error signature: what makes two failures "the same error" for caching an explanation.

Exception type (and the root cause's type), the message with volatile parts replaced (numbers, addresses, paths,
ids), and the symbol ids of the innermost workspace frames. Two runs of the same bug on different machines, with
different object addresses or line numbers, give the same key; the same message raised from another function does
not. The explanation cache combines this key with the hashes of the code it showed the model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from splice.features.explain.frames import FrameStatus, MappedFrame
from splice.features.explain.model import Trace

DEPTH = 3
"""How many innermost workspace frames take part in the signature."""
MAX_MESSAGE = 500

_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[a-zA-Z][\w+.-]*://\S+"), "<url>"),
    (re.compile(r"(?:\b[A-Za-z]:)?(?:[\\/][\w.@+~-]+){2,}[\\/]?"), "<path>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<addr>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<hex>"),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
)


@dataclass(frozen=True, slots=True)
class ErrorSignature:
    key: str
    """Hex digest of the parts below; use it as the cache key."""
    exception_type: str
    root_type: str
    """The type at the end of the cause chain (same as ``exception_type`` without a cause)."""
    message: str
    """The normalised message."""
    symbols: tuple[str, ...]
    """Symbol ids (or paths, for frames outside any symbol) of the innermost workspace frames."""


def normalise_message(message: str) -> str:
    """The message with paths, addresses, ids and numbers replaced by placeholders and whitespace collapsed."""
    text = message[: MAX_MESSAGE * 4]
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())[:MAX_MESSAGE]


def error_signature(trace: Trace, mapped: Sequence[MappedFrame], depth: int = DEPTH) -> ErrorSignature:
    """The signature of ``trace`` given its mapped frames (``FrameMapper.map_trace(trace)``)."""
    symbols: list[str] = []
    for frame in mapped:
        if frame.status is not FrameStatus.WORKSPACE or frame.path is None:
            continue
        symbols.append(frame.symbol.id if frame.symbol is not None else frame.path)
        if len(symbols) == depth:
            break
    root_type = trace.root_cause().exception_type
    message = normalise_message(trace.message)
    parts = [trace.language, trace.exception_type, root_type, message, *symbols]
    key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return ErrorSignature(key, trace.exception_type, root_type, message, tuple(symbols))
