"""Checks on an edited text that the user must see before approving: new syntax errors, invisible characters."""

from __future__ import annotations

import re
import unicodedata

from splice.index.parser import error_count

# Bidi controls (Trojan Source), zero-width characters, word joiners, the BOM mid-text and the Tag block
# (hidden instructions in rules files).
_INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")


def new_parse_errors(lang: str | None, before: str | None, after: str) -> int:
    """How many more tree-sitter ERROR/MISSING nodes ``after`` has than ``before`` (0 if it parses no worse)."""
    if lang is None:
        return 0
    old = error_count(lang, before.encode("utf-8")) if before is not None else 0
    return max(0, error_count(lang, after.encode("utf-8")) - old)


def invisible_characters(text: str) -> list[str]:
    """Descriptions (``U+202E RIGHT-TO-LEFT OVERRIDE on line 3``) of invisible/bidi characters in ``text``."""
    found: list[str] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        for m in _INVISIBLE.finditer(line):
            ch = m.group()
            found.append(f"U+{ord(ch):04X} {unicodedata.name(ch, 'TAG CHARACTER')} on line {lineno}")
    return found


def escape_invisible(text: str) -> str:
    """``text`` with each invisible character shown as ``<U+XXXX>`` (for rendering only, never for applying)."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
