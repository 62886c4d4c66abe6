"""Trace text is untrusted input: it can carry prompt-injection payloads hidden from the person pasting it.

Invisible characters (Unicode Tag block, bidirectional overrides, zero-width characters) are replaced by visible
``<U+XXXX>`` escapes before parsing, so whatever the model later reads is what the user could see, and the caller
is told how many were found. Everything else in a trace stays data: nothing here interprets it.
"""

from __future__ import annotations

import re

from splice.invisible import INVISIBLE as _INVISIBLE


def reveal_invisible(text: str) -> tuple[str, int]:
    """``text`` with each invisible or direction-changing character shown as ``<U+XXXX>``, and how many there were."""
    text = text.removeprefix("\ufeff")  # a byte-order mark at the start of a pasted file is not an attack
    count = 0

    def escape(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"<U+{ord(match.group()):04X}>"

    return _INVISIBLE.sub(escape, text), count
