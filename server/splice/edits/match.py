"""Finding where a run of lines sits in a file: exact, then whitespace-tolerant with indentation preserved.

The tolerant step forgives exactly two kinds of drift, the ones models produce: trailing whitespace and a uniform
indentation shift of the whole block (a method quoted at column 0). Relative indentation must match line for line
and every non-blank character must be identical — no case folding, no collapsing of inner whitespace — so Python and
YAML keep their meaning. More than one candidate place is ambiguity, which is refused unless the caller's line
hint (a diff header) lands exactly on one of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from splice.edits.errors import EditRefused
from splice.edits.text import indent_of


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    """First matched line (0-based)."""
    end: int
    """One past the last matched line."""
    file_indent: str
    """Common indentation of the matched file lines ("" for exact matches)."""
    needle_indent: str
    """Common indentation of the needle's lines; replacement lines move from this to ``file_indent``."""
    method: str
    """``exact`` or ``whitespace``."""


def common_indent(lines: list[str]) -> str:
    return os.path.commonprefix([indent_of(line) for line in lines if line.strip()])  # noqa: RUF071 (strings)


def locate(file_lines: list[str], needle: list[str], label: str, hint: int | None = None) -> Match:
    """The single place ``needle`` occupies in ``file_lines``, or EditRefused naming ``label``."""
    if not any(line.strip() for line in needle):
        raise EditRefused(f"{label} has nothing to search for (only blank lines); nothing applied")
    n = len(needle)
    exact = [i for i in range(len(file_lines) - n + 1) if file_lines[i : i + n] == needle]
    if exact:
        start = _choose(exact, hint, label, "exactly")
        return Match(start, start + n, "", "", "exact")
    needle_indent = common_indent(needle)
    stripped = [line.rstrip()[len(needle_indent) :] if line.strip() else "" for line in needle]
    first = next(i for i, line in enumerate(stripped) if line)
    tolerant: list[tuple[int, str]] = []
    for i in range(len(file_lines) - n + 1):
        if file_lines[i + first].strip() != stripped[first].strip():
            continue
        window = file_lines[i : i + n]
        indent = common_indent(window)
        if all(
            (not w.strip() and not s) or (w.strip() and w.rstrip()[len(indent) :] == s)
            for w, s in zip(window, stripped, strict=True)
        ):
            tolerant.append((i, indent))
    if not tolerant:
        raise EditRefused(
            f"{label} does not match the file: no place has these lines (even allowing for indentation and "
            f"trailing whitespace); first line searched: {needle[first].strip()!r}. Nothing applied"
        )
    start = _choose([i for i, _ in tolerant], hint, label, "with whitespace differences")
    indent = dict(tolerant)[start]
    return Match(start, start + n, indent, needle_indent, "whitespace")


def _choose(candidates: list[int], hint: int | None, label: str, how: str) -> int:
    if len(candidates) == 1:
        return candidates[0]
    if hint is not None and hint in candidates:
        return hint
    places = ", ".join(str(c + 1) for c in candidates[:6])
    raise EditRefused(
        f"{label} is ambiguous: its lines match {how} at {len(candidates)} places (lines {places}); "
        "add more context so it matches once. Nothing applied"
    )


def reindent(lines: list[str], old: str, new: str, label: str) -> list[str]:
    """Move ``lines`` from indentation ``old`` to ``new`` keeping each line's relative indentation."""
    if old == new:
        return lines
    out: list[str] = []
    for line in lines:
        if not line.strip():
            out.append("")
        elif line.startswith(old):
            out.append(new + line[len(old) :])
        elif set(old) <= {" "} and set(new) <= {" "} and set(indent_of(line)) <= {" "}:
            width = len(indent_of(line)) + len(new) - len(old)
            if width < 0:
                raise EditRefused(f"{label}: a replacement line would need negative indentation; nothing applied")
            out.append(" " * width + line.lstrip(" "))
        else:
            raise EditRefused(
                f"{label}: cannot re-indent the replacement (it mixes tabs and spaces differently from the file); "
                "nothing applied"
            )
    return out


def strip_trailing_if_clean(replacement: list[str], file_lines: list[str]) -> list[str]:
    """Drop trailing whitespace the model added, but only where the file itself has none anywhere."""
    if any(line != line.rstrip() for line in file_lines):
        return replacement
    return [line.rstrip() for line in replacement]


def follow_indent_style(new: list[str], file_lines: list[str], lang: str | None, label: str) -> list[str]:
    """Replacement lines indented with spaces in a file indented with tabs only (a Go file quoted by a chat that
    lost its tabs): each run of the answer's indentation unit becomes a tab. Lines that would end up mixing tabs
    and spaces, and tab-indented lines in a space-indented Python file, are refused rather than guessed."""
    file_indents = {indent_of(line) for line in file_lines if line.strip() and indent_of(line)}
    tabs_file = bool(file_indents) and all(set(i) == {"\t"} for i in file_indents)
    spaces_file = bool(file_indents) and all(set(i) == {" "} for i in file_indents)
    if spaces_file and lang == "python" and any("\t" in indent_of(line) for line in new):
        raise EditRefused(f"{label}: the replacement indents with tabs but the file uses spaces; nothing applied")
    if not tabs_file or lang in ("python", "yaml"):
        return new
    spaced = [line for line in new if line.strip() and " " in indent_of(line)]
    if not spaced:
        return new
    unit = min(w for w in (len(indent_of(line).lstrip("\t")) for line in spaced) if w > 0)
    out: list[str] = []
    for line in new:
        indent = indent_of(line)
        tabs, spaces = len(indent) - len(indent.lstrip("\t")), indent.lstrip("\t")
        if set(spaces) - {" "} or len(spaces) % unit:
            raise EditRefused(
                f"{label}: the replacement mixes tabs and spaces in a way that cannot be mapped to the file's tabs; "
                "nothing applied"
            )
        out.append("\t" * (tabs + len(spaces) // unit) + line[len(indent) :] if line.strip() else line)
    return out
