"""Checks on an edited text that the user must see before approving: new syntax errors, invisible and control
characters."""

from __future__ import annotations

import re
import unicodedata

from splice import invisible
from splice.index.parser import error_count

# Bidi controls (Trojan Source), zero-width characters, fillers (U+3164), the BOM mid-text and the Tag block
# (hidden instructions in rules files): one definition, ``splice.invisible``.
_INVISIBLE = invisible.INVISIBLE


# Control characters other than tab and newline: C0 (ESC starts terminal escape sequences, CR rewrites a line),
# DEL and C1 (CSI U+009B is an ESC [ on some terminals). Shown escaped, never interpreted.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HIDDEN = re.compile(f"{_INVISIBLE.pattern}|{_CONTROL.pattern}")


def new_parse_errors(lang: str | None, before: str | None, after: str) -> int:
    """How many more tree-sitter ERROR/MISSING nodes ``after`` has than ``before`` (0 if it parses no worse)."""
    if lang is None:
        return 0
    old = error_count(lang, before.encode("utf-8")) if before is not None else 0
    return max(0, error_count(lang, after.encode("utf-8")) - old)


def invisible_characters(text: str) -> list[str]:
    """Descriptions (``U+202E RIGHT-TO-LEFT OVERRIDE on line 3``) of invisible, bidi and control characters in
    ``text``, then of look-alike identifiers (mixed scripts, fillers)."""
    found = invisible.describe(text)
    for lineno, line in enumerate(text.split("\n"), 1):
        for m in _CONTROL.finditer(line):
            found.append(f"U+{ord(m.group()):04X} {unicodedata.name(m.group(), 'CONTROL CHARACTER')} on line {lineno}")
    return [*found, *invisible.lookalike_identifiers(text)]


def escape_invisible(text: str) -> str:
    """``text`` with each invisible or control character (ESC, CR, …; not tab or newline) shown as ``<U+XXXX>``
    (for rendering only, never for applying): a diff or message printed on a terminal cannot hide or rewrite
    what it shows."""
    return _HIDDEN.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


printable = escape_invisible
"""What every message carrying model text goes through before it is printed or sent to an editor."""
