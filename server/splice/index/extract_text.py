"""Text of extracted symbols: spans from nodes, one-line signatures and cleaned doc comments/docstrings."""

from __future__ import annotations

import re

from splice import redaction
from splice.index.model import Point, Span
from splice.index.parser import Node

SIGNATURE_MAX = 200
"""Characters kept of a signature; longer headers end in an ellipsis."""
DOC_MAX = 1000
"""Characters kept of a doc comment or docstring."""

_WS = re.compile(r"\s+")
_STRING_PREFIX = re.compile(r"^[rRbBuUfF]{0,2}")


def span_of(start: Node, end: Node | None = None) -> Span:
    """The span from the start of ``start`` to the end of ``end`` (default: ``start`` itself)."""
    last = end if end is not None else start
    s, e = start.start_point, last.end_point
    return Span(Point(s[0], s[1]), Point(e[0], e[1]), start.start_byte, last.end_byte)


def decode(data: bytes) -> str:
    # Source bytes need not be UTF-8; text fields must never raise, spans stay byte-based.
    return data.decode("utf-8", errors="replace")


def signature(source: bytes, start: int, end: int) -> str:
    """The header ``source[start:end]`` on one line, whitespace collapsed, without a trailing ``{``, bounded."""
    # Slice a bounded window first so a huge constant does not cost a full-text normalisation.
    text = decode(source[start : min(end, start + SIGNATURE_MAX * 4)])
    line = _WS.sub(" ", text).strip()
    if line.endswith("{"):
        line = line[:-1].rstrip()
    if len(line) > SIGNATURE_MAX or end > start + SIGNATURE_MAX * 4:
        line = line[: SIGNATURE_MAX - 1].rstrip() + "…"
    return redaction.masked_header(line)  # a constant's header is its value: keys are masked at the source


def bounded(text: str) -> str:
    text = text.strip()
    if len(text) > DOC_MAX:
        return text[: DOC_MAX - 1].rstrip() + "…"
    return text


def docstring_text(raw: str) -> str:
    """A Python string literal's text without prefix and quotes, dedented like ``inspect.cleandoc``."""
    body = _STRING_PREFIX.sub("", raw, count=1)
    for quote in ('"""', "'''", '"', "'"):
        if body.startswith(quote) and body.endswith(quote) and len(body) >= 2 * len(quote):
            body = body[len(quote) : -len(quote)]
            break
    return bounded(_cleandoc(body))


def comment_text(comments: list[str]) -> str:
    """Doc text from consecutive comments: markers (``//``, ``///``, ``#``, ``/** */``, leading ``*``) removed."""
    lines: list[str] = []
    for raw in comments:
        text = raw.strip()
        if text.startswith("/*"):
            text = text[2:].lstrip("*!")
            text = text.removesuffix("*/")
            for line in text.splitlines():
                stripped = line.strip()
                lines.append(stripped[1:].strip() if stripped.startswith("*") else stripped)
        else:
            for marker in ("///", "//", "#:", "#"):
                if text.startswith(marker):
                    text = text[len(marker) :]
                    break
            lines.append(text.strip())
    while lines and not lines[0]:
        lines.pop(0)
    return bounded("\n".join(lines))


def _cleandoc(text: str) -> str:
    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    rest = [line for line in lines[1:] if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in rest), default=0)
    cleaned = [lines[0].strip(), *(line[indent:].rstrip() for line in lines[1:])]
    return "\n".join(cleaned).strip()
