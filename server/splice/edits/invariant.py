"""The one rule every planned edit is checked against before it becomes a proposal: it never removes code the
answer did not show.

Whatever the parser and the placement believed, the planned new text of each file is compared with the old text.
A removed line is *shown* when the answer contains it (SEARCH sections, diff ``-``/context lines, the old code a
model quotes); a line of only brackets and punctuation (``}``) is never shown by its text alone. An unshown
removed line is accepted only when

- it was *substituted*: it sits in a changed run whose new side has at least as many written code lines (not
  comments, not bare brackets) — a rewritten line, not a dropped one — and it is not part of a docstring; or
- the innermost definition holding it is a function *restated whole* by the answer: the answer's code parses and
  defines that name completely, with no elision candidate inside or trailing it. A line directly in a class,
  struct or impl body (a field, a member) is never dropped this way. Top-level lines outside definitions
  (imports, constants) and docstrings are never dropped this way: a whole-file answer that leaves them out is
  partial, whatever it says.

An *elision candidate* is recognised by meaning, not by phrase: a comment-only line in the answer's code that the
original does not contain (``// rest unchanged``, ``# (unchanged)``, ``# keep the remaining code as-is``…). Such a
line may stand for code the model left out, so it makes the code around it partial.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from splice.edits import symbols
from splice.edits.answer import BlockKind, EditBlock
from splice.edits.place_symbol import body_only
from splice.edits.text import split_lines
from splice.index.parser import error_count

_COMMENT_ONLY = re.compile(r"^\s*(?:#(?![!\[])|//|/\*|\*(?!\*?\s*\w+\s*[=(])|<!--|--\s)")
_DOCSTRING_START = re.compile(r"^\s*(?:[rRuUbBfF]{0,2})(\"\"\"|''')")


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    lines: tuple[int, ...]
    """0-based old lines removed without being shown."""
    sample: str
    why: str

    def message(self) -> str:
        first = self.lines[0] + 1
        more = f" and {len(self.lines) - 1} more line(s)" if len(self.lines) > 1 else ""
        return (
            f"the edit would remove code from {self.path} that the answer neither shows nor marks as left out "
            f"(line {first}: {self.sample!r}{more}; {self.why}); nothing applied"
        )


_WORDLESS = re.compile(r"^[^\w]*$")


def _trivial(line: str) -> bool:
    """A line of brackets and punctuation (``}``, ``});``): its text occurs everywhere, so it shows nothing and
    stands in for nothing."""
    return bool(_WORDLESS.match(line))


def _norm(line: str) -> str:
    return " ".join(line.split())


def is_comment_only(line: str) -> bool:
    return bool(line.strip()) and bool(_COMMENT_ONLY.match(line))


def candidates(code_lines: Iterable[str], original: Iterable[str]) -> list[str]:
    """Comment-only lines of the answer's code that the original does not contain: possible elisions."""
    present = {_norm(line) for line in original}
    return [line for line in code_lines if is_comment_only(line) and _norm(line) not in present]


def _block_code(block: EditBlock) -> list[str]:
    if block.kind is BlockKind.SEARCH_REPLACE:
        return split_lines(block.replace)
    if block.kind is BlockKind.DIFF:
        return [line for h in block.hunks for line in h.new_lines()]
    return split_lines(block.code)


def _shown(answer: str) -> set[str]:
    out = set()
    for line in answer.replace("\r\n", "\n").split("\n"):
        n = _norm(line)
        if n[:1] in "+-" and n[1:2] != n[:1]:  # a diff line shows the text after its marker
            out.add(_norm(n[1:]))
        out.add(n)
    return out


def _docstring_lines(old_lines: list[str], defs: list[symbols.Definition], lang: str | None) -> set[int]:
    """Lines of Python docstrings (the string a module, class or function body starts with)."""
    if lang != "python":
        return set()
    starts = [d.header_end_line + 1 for d in defs]
    first_code = next(
        (i for i, line in enumerate(old_lines) if line.strip() and not line.lstrip().startswith("#")), None
    )
    if first_code is not None:
        starts.append(first_code)
    out: set[int] = set()
    for s in starts:
        while s < len(old_lines) and not old_lines[s].strip():
            s += 1
        if s >= len(old_lines):
            continue
        m = _DOCSTRING_START.match(old_lines[s])
        if not m:
            continue
        quote = m.group(1)
        rest = old_lines[s][m.end() :]
        end = s
        if quote not in rest:
            end = next((j for j in range(s + 1, len(old_lines)) if quote in old_lines[j]), s)
        out.update(range(s, end + 1))
    return out


def _innermost(defs: list[symbols.Definition], line: int) -> symbols.Definition | None:
    best: symbols.Definition | None = None
    for d in defs:
        if d.outer_start_line <= line <= d.end_line and (
            best is None or d.end_line - d.outer_start_line <= best.end_line - best.outer_start_line
        ):
            best = d
    return best


def _restated_whole(blocks: list[EditBlock], lang: str | None, old_lines: list[str]) -> set[str]:
    """Names of definitions the answer's code restates completely: it parses, and no elision candidate sits
    inside a definition or in the comment/blank lines that trail it."""
    out: set[str] = set()
    if lang is None:
        return out
    for block in blocks:
        if block.kind not in (BlockKind.SYMBOL, BlockKind.WHOLE_FILE):
            continue
        code = split_lines(block.code)
        if block.kind is BlockKind.SYMBOL and block.symbol and body_only(code, lang, block) is not None:
            if not candidates(code, old_lines):
                out.add(block.symbol.rsplit(".", 1)[-1])  # a body-only answer restates that definition's body
            continue
        if error_count(lang, block.code.encode("utf-8")):
            continue
        flagged = {i for i, line in enumerate(code) if line in set(candidates([line], old_lines))}
        for d in symbols.definitions(lang, block.code):
            end = d.end_line + 1
            while end < len(code) and (not code[end].strip() or is_comment_only(code[end])):
                end += 1
            if flagged.intersection(range(d.outer_start_line, end)):
                continue
            out.add(d.name)
            out.add(d.qualname)
    return out


def check(
    path: str,
    old: str,
    new: str,
    answer: str,
    blocks: list[EditBlock],
    lang: str | None,
) -> Violation | None:
    """The first violation of "never remove unshown code" in changing ``old`` to ``new`` (None when safe)."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    shown = _shown(answer)
    old_defs = symbols.definitions(lang, old) if lang is not None else []
    codes = [line for b in blocks for line in _block_code(b)]
    cands = {_norm(c) for c in candidates(codes, old_lines)}
    docstrings = _docstring_lines(old_lines, old_defs, lang)
    restated: set[str] | None = None
    bad: list[int] = []
    why = ""
    # Indentation counts here (a closing brace moved to another level is a change); trailing spaces do not.
    matcher = difflib.SequenceMatcher(None, [x.rstrip() for x in old_lines], [x.rstrip() for x in new_lines], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("delete", "replace"):
            continue
        unshown = [
            i
            for i in range(i1, i2)
            if old_lines[i].strip() and (_trivial(old_lines[i]) or _norm(old_lines[i]) not in shown)
        ]
        if not unshown:
            continue
        substitutes = sum(
            1
            for j in range(j1, j2)
            if new_lines[j].strip() and not _trivial(new_lines[j]) and not is_comment_only(new_lines[j])
        )
        # A docstring rewritten in place (the new side of the same run starts a docstring) is shown, not dropped.
        new_docstring = any(_DOCSTRING_START.match(new_lines[j]) for j in range(j1, j2))
        for n, i in enumerate(unshown):
            if n < substitutes and (i not in docstrings or new_docstring):
                continue
            if i in docstrings:
                bad.append(i)
                why = why or "a docstring the answer leaves out"
                continue
            if restated is None:
                restated = _restated_whole(blocks, lang, old_lines)
            inner = _innermost(old_defs, i)
            if (
                inner is not None
                and not inner.is_type  # a field or member left out of a restated class is an omission
                and (inner.qualname in restated or (inner.name in restated and _unique(old_defs, inner)))
            ):
                continue
            bad.append(i)
            if not why:
                if inner is not None and inner.is_type:
                    why = f"it is a field or member of {inner.qualname!r} that the answer leaves out"
                else:
                    what = f"inside {inner.qualname!r}" if inner is not None else "at the top level of the file"
                    why = f"it is {what}, which the answer does not restate whole"
                if cands:
                    why += f"; the answer's {sorted(cands)[0]!r} may stand for code it left out"
    if not bad:
        return None
    return Violation(path, tuple(bad), old_lines[bad[0]].strip()[:80], why)


def _unique(defs: list[symbols.Definition], d: symbols.Definition) -> bool:
    return sum(1 for x in defs if x.name == d.name) == 1
