"""`splice: <instruction>` comments, found only in comment nodes of the tree: never inside string literals.

A line comment may continue on the following line comments (same column, no blank line); a block comment carries
its instruction on the lines after ``splice:``. Files without a grammar get a conservative line scan that only
accepts whole-line comments (``#``, ``//``, ``--``, ``/*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from splice.features.generate.functions import (
    Function,
    captures,
    comment_lines,
    functions,
    parse_source,
    span_of,
    supports,
    text,
)
from splice.index.model import Point, Span
from splice.index.parser import Node, Tree

_PREFIX = re.compile(r"^splice:\s*", re.I)
_LINE_COMMENT = re.compile(r"^(\s*)(#+|//+!?|--+|/\*+)\s*splice:\s*(.*?)\s*(\*/)?\s*$", re.I)


class AnchorKind(StrEnum):
    ENCLOSING = "enclosing"
    """The comment is inside a function: the instruction applies to that function."""
    FOLLOWING = "following"
    """The comment sits directly above a function: the instruction applies to it."""
    HERE = "here"
    """Anywhere else: generated code goes where the comment is."""


@dataclass(frozen=True, slots=True)
class Instruction:
    path: str
    lang: str | None
    text: str
    span: Span
    """The comment(s) holding the instruction; a generated change removes them."""
    anchor: AnchorKind
    target: Span
    """The function the instruction applies to, or the comment itself for ``HERE``."""
    target_name: str | None
    """Qualified name of that function, None for ``HERE``."""


def instructions_in(path: str, lang: str | None, source: bytes, tree: Tree | None = None) -> list[Instruction]:
    """Every instruction comment in a file, in source order (``tree``: an existing parse of ``source``)."""
    if b"splice:" not in source.lower():
        return []  # the common case, decided without parsing
    if lang is None or not supports(lang):
        return _scan_lines(path, lang, source)
    tree = tree or parse_source(lang, source)
    comments = captures(lang, tree, "comment")
    if not any(b"splice:" in (c.text or b"").lower() for c in comments):
        return []
    fns = functions(lang, tree)
    found: list[Instruction] = []
    used: set[int] = set()
    for index, comment in enumerate(comments):
        if index in used:
            continue
        lines = comment_lines(text(comment))
        if not lines or not _PREFIX.match(lines[0]):
            continue
        parts = [_PREFIX.sub("", lines[0]), *lines[1:]]
        last = comment
        if not text(comment).lstrip().startswith("/*"):
            for follow in range(index + 1, len(comments)):
                nxt = comments[follow]
                more = comment_lines(text(nxt))
                if not _continues(last, nxt) or not more or _PREFIX.match(more[0]):
                    break
                parts.extend(more)
                used.add(follow)
                last = nxt
        instruction = " ".join(p for p in parts if p).strip()
        if not instruction:
            continue
        span = Span(span_of(comment).start, span_of(last).end, comment.start_byte, last.end_byte)
        found.append(_anchored(path, lang, instruction, span, fns))
    return found


def instruction_at(
    path: str, lang: str | None, source: bytes, line: int, col: int, tree: Tree | None = None
) -> Instruction | None:
    """The instruction whose comment holds the position, else None."""
    point = Point(line, col)
    for instruction in instructions_in(path, lang, source, tree):
        if instruction.span.contains(point):
            return instruction
    return None


def _continues(prev: Node, nxt: Node) -> bool:
    same_column = nxt.start_point[1] == prev.start_point[1]
    end_line = prev.end_point[0] - (1 if prev.end_point[1] == 0 else 0)  # Rust line comments include the newline
    return same_column and nxt.start_point[0] == end_line + 1 and not text(nxt).lstrip().startswith("/*")


def _anchored(path: str, lang: str, instruction: str, span: Span, fns: list[Function]) -> Instruction:
    for fn in fns:
        # Directly above a definition (decorators count as part of it) — also a nested one inside a function.
        if fn.span.start_byte >= span.end_byte and fn.span.start.line <= span.end.line + 1:
            return Instruction(path, lang, instruction, span, AnchorKind.FOLLOWING, fn.span, fn.qualname)
    enclosing = [f for f in fns if f.span.encloses(span)]
    if enclosing:
        inner = min(enclosing, key=lambda f: f.span.end_byte - f.span.start_byte)
        return Instruction(path, lang, instruction, span, AnchorKind.ENCLOSING, inner.span, inner.qualname)
    return Instruction(path, lang, instruction, span, AnchorKind.HERE, span, None)


def _scan_lines(path: str, lang: str | None, source: bytes) -> list[Instruction]:
    found = []
    offset = 0
    for number, raw in enumerate(source.split(b"\n")):
        line = raw.decode("utf-8", errors="replace")
        match = _LINE_COMMENT.match(line)
        if match and match.group(3):
            start = Point(number, len(match.group(1).encode()))
            end = Point(number, len(raw.rstrip(b"\r")))
            span = Span(start, end, offset + start.col, offset + end.col)
            found.append(Instruction(path, lang, match.group(3), span, AnchorKind.HERE, span, None))
        offset += len(raw) + 1
    return found
