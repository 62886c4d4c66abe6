"""Invisible and look-alike characters: one definition for what the model may not be sent and what a proposal flags.

A repository can hide an instruction in Unicode Tag characters (U+E0000–E007F: invisible, one per ASCII letter),
reorder code with bidi controls (Trojan Source), or name an identifier with a Hangul filler (U+3164, renders as
blank) or with a Cyrillic ``а`` among Latin letters. Text sent to a model has Tag runs removed (with a visible note)
and every other invisible formatting character shown as ``<U+XXXX>``; proposals flag them, and identifiers that mix
scripts, for their own confirmation.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi controls, zero-width characters, word joiners, invisible operators, the BOM mid-text, soft hyphen, combining
# grapheme joiner, Hangul/halfwidth fillers, the braille blank, Khmer inherent vowels, Mongolian vowel separator,
# interlinear annotation marks, and the Tag block.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u2800\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)
_TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")
_IDENT = re.compile(r"[^\W\d][\w\u3164\u115f\u1160\uffa0\u200b-\u200d]*")
_EMOJI_JOINER = "\u200d"
# Scripts whose letters pass for Latin (or for each other) in an identifier.
_CONFUSABLE = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LISU", "MATHEMATICAL", "FULLWIDTH"})


def _name(ch: str) -> str:
    if "\U000e0000" <= ch <= "\U000e007f":
        return "TAG CHARACTER"
    return unicodedata.name(ch, "UNNAMED")


def for_model(text: str) -> tuple[str, int]:
    """``text`` as a model may read it: Tag-character runs removed and named, other invisible characters escaped as
    ``<U+XXXX>`` (a zero-width joiner inside an emoji sequence stays); returns (text, characters handled)."""
    if not INVISIBLE.search(text):
        return text, 0
    count = 0

    def tags(m: re.Match[str]) -> str:
        nonlocal count
        count += len(m.group())
        return f"<{len(m.group())} invisible Unicode tag characters removed>"

    text = _TAG_RUN.sub(tags, text)

    def escape(m: re.Match[str]) -> str:
        nonlocal count
        ch, at = m.group(), m.start()
        if ch == _EMOJI_JOINER and 0 < at < len(text) - 1 and _is_emoji(text[at - 1]) and _is_emoji(text[at + 1]):
            return ch
        count += 1
        return f"<U+{ord(ch):04X}>"

    return INVISIBLE.sub(escape, text), count


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or "\U0001f000" <= ch <= "\U0001faff" or ch == "\ufe0f"


def describe(text: str) -> list[str]:
    """``U+202E RIGHT-TO-LEFT OVERRIDE on line 3`` for each invisible character (runs of Tag characters once)."""
    found: list[str] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        for m in _TAG_RUN.finditer(line):
            found.append(f"{len(m.group())} TAG CHARACTERs (hidden text) on line {lineno}")
        for m in INVISIBLE.finditer(_TAG_RUN.sub("", line)):
            found.append(f"U+{ord(m.group()):04X} {_name(m.group())} on line {lineno}")
    return found


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else None


def lookalike_identifiers(text: str) -> list[str]:
    """Identifiers that mix scripts (``pаypal`` with a Cyrillic ``а``) or hold a filler or zero-width character."""
    found: dict[str, str] = {}
    for m in _IDENT.finditer(text):
        ident = m.group()
        if ident.isascii():
            continue
        hidden = [c for c in ident if INVISIBLE.match(c)]
        if hidden:
            found.setdefault(ident, f"identifier {ident!r} holds U+{ord(hidden[0]):04X} {_name(hidden[0])}")
            continue
        scripts = {s for s in map(_script, ident) if s is not None}
        if len(scripts) > 1 and scripts & _CONFUSABLE:  # Latin + Katakana is ordinary Japanese code
            found.setdefault(ident, f"identifier {ident!r} mixes {' and '.join(sorted(scripts))} letters")
    return list(found.values())
