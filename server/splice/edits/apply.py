"""Applying one parsed block to a file's text (LF-normalised): SEARCH/REPLACE, diff hunks and whole files.

Every function returns the new text or raises EditRefused naming the block; none of them ever writes. The matching
ladder is exact → whitespace-tolerant (``match.locate``) → symbol-anchored (a SEARCH that quotes a definition's
header and elides its body replaces that definition).
"""

from __future__ import annotations

import itertools

from splice.edits import elision, symbols
from splice.edits.answer import EditBlock
from splice.edits.errors import EditRefused
from splice.edits.match import Match, common_indent, follow_indent_style, locate, reindent, strip_trailing_if_clean
from splice.edits.text import join_lines, split_lines


def _finish(lines: list[str], original: str) -> str:
    # Keep the file's own choice about a final newline.
    return join_lines(lines, trailing_newline=original.endswith("\n") or not original)


def apply_search_replace(text: str, block: EditBlock, lang: str | None) -> str:
    label = block.label()
    file_lines = split_lines(text)
    search = follow_indent_style(split_lines(block.search), file_lines, lang, label)
    replace = follow_indent_style(split_lines(block.replace), file_lines, lang, label)
    if not any(line.strip() for line in search):
        if text.strip():
            raise EditRefused(
                f"{label} has an empty SEARCH section but {block.path} is not empty: say where the new code goes "
                "(quote the lines it follows). Nothing applied",
                block=block.number,
            )
        return join_lines(replace)
    if elision.markers(search, file_lines, lang):
        return _symbol_anchored(text, file_lines, search, replace, block, lang)
    replace = elision.expand(replace, search, lang, label)
    try:
        found = locate(file_lines, search, label)
    except EditRefused as first_error:
        _already_applied(file_lines, replace, search, block)
        trimmed = _trim_blank_edges(search, replace)
        if trimmed is None:
            raise EditRefused(str(first_error), block=block.number) from None
        search, replace = trimmed
        try:
            found = locate(file_lines, search, label)
        except EditRefused as exc:
            raise EditRefused(str(exc), block=block.number) from None
    return _finish(_splice(file_lines, found, replace, label), text)


def _already_applied(file_lines: list[str], new: list[str], old: list[str], block: EditBlock, part: str = "") -> None:
    """The old side is not in the file but the new side is: say so instead of "no place has these lines"."""
    if not any(line.strip() for line in new) or [x.strip() for x in new] == [x.strip() for x in old]:
        return
    try:
        locate(file_lines, new, block.label())
    except EditRefused:
        return
    raise EditRefused(
        f"{block.label()}{part}: this change is already in the file ({block.path} already has the new lines and "
        "not the old ones); nothing applied",
        block=block.number,
    )


def _trim_blank_edges(search: list[str], replace: list[str]) -> tuple[list[str], list[str]] | None:
    """SEARCH with blank first/last lines the file lacks: drop them (and the same blank edges of REPLACE)."""
    lo = 0
    while lo < len(search) and not search[lo].strip():
        lo += 1
    hi = len(search)
    while hi > lo and not search[hi - 1].strip():
        hi -= 1
    if lo == 0 and hi == len(search):
        return None
    r_lo = 0
    while r_lo < min(lo, len(replace)) and not replace[r_lo].strip():
        r_lo += 1
    r_hi = len(replace)
    while r_hi > r_lo and len(replace) - r_hi < len(search) - hi and not replace[r_hi - 1].strip():
        r_hi -= 1
    return search[lo:hi], replace[r_lo:r_hi]


def _splice(file_lines: list[str], found: Match, replacement: list[str], label: str) -> list[str]:
    new = reindent(replacement, found.needle_indent, found.file_indent, label)
    new = strip_trailing_if_clean(new, file_lines)
    return file_lines[: found.start] + new + file_lines[found.end :]


def _symbol_anchored(
    text: str, file_lines: list[str], search: list[str], replace: list[str], block: EditBlock, lang: str | None
) -> str:
    """SEARCH = a definition's header + elided body: replace that whole definition, if the header is unique."""
    label = block.label()
    header = next(line for line in search if line.strip())
    candidates = []
    if lang is not None:
        candidates = [
            d
            for d in symbols.definitions(lang, text)
            if file_lines[d.outer_start_line].strip() == header.strip()
            or file_lines[d.start_line].strip() == header.strip()
        ]
    if len(candidates) != 1:
        raise EditRefused(
            f"{label} elides code in its SEARCH section ('...'), and its first line {header.strip()!r} is not the "
            f"header of exactly one definition in {block.path} ({len(candidates)} found); nothing applied",
            block=block.number,
        )
    d = candidates[0]
    start = d.outer_start_line if file_lines[d.outer_start_line].strip() == header.strip() else d.start_line
    original = file_lines[start : d.end_line + 1]
    replace = elision.expand(replace, original, lang, label)
    found = Match(start, d.end_line + 1, common_indent(original), common_indent(search), "symbol")
    return _finish(_splice(file_lines, found, replace, label), text)


def apply_diff(text: str, block: EditBlock, lang: str | None) -> str:
    """All hunks are placed against the original text (their shared coordinate system), then applied together."""
    file_lines = split_lines(text)
    placed: list[tuple[Match, list[str], str]] = []
    for n, hunk in enumerate(block.hunks, 1):
        label = f"{block.label()}, hunk {n}"
        old = follow_indent_style(hunk.old_lines(), file_lines, lang, label)
        new = follow_indent_style(hunk.new_lines(), file_lines, lang, label)
        if elision.markers(new, old, lang):
            raise EditRefused(
                f"{label} adds an elision marker ('...') instead of code; nothing applied", block=block.number
            )
        if not any(line.strip() for line in old):
            if text.strip():
                raise EditRefused(
                    f"{label} has no context or removed lines, so only its line number says where it goes; "
                    "Splice does not place code by line number alone. Nothing applied",
                    block=block.number,
                )
            placed.append((Match(0, len(file_lines), "", "", "exact"), new, label))
            continue
        hint = hunk.old_start - 1 if hunk.old_start else None
        try:
            placed.append((locate(file_lines, old, label, hint), new, label))
        except EditRefused as exc:
            _already_applied(file_lines, new, old, block, f", hunk {n}")
            raise EditRefused(str(exc), block=block.number) from None
    placed.sort(key=lambda p: p[0].start)
    for (a, _, la), (b, _, lb) in itertools.pairwise(placed):
        if b.start < a.end:
            raise EditRefused(f"{la} and {lb} change overlapping lines; nothing applied", block=block.number)
    out = list(file_lines)
    for found, new, label in reversed(placed):
        out = _splice(out, found, new, label)
    return _finish(out, text)


def apply_whole_file(original: str | None, block: EditBlock, lang: str | None) -> str:
    """New content for a file; elisions are expanded from the existing file or refused."""
    lines = split_lines(block.code)
    if original is not None:
        lines = elision.expand(lines, split_lines(original), lang, block.label())
    elif elision.markers(lines, [], lang):
        raise EditRefused(
            f"{block.label()} creates a file but elides part of it ('...'); nothing applied", block=block.number
        )
    return join_lines(lines)
