"""Parsing raw model answers into edit blocks: SEARCH/REPLACE, unified diffs, whole files and symbol code.

The parser tolerates the noise models add (prose around code, fences with or without language tags, CRLF,
``<think>`` blocks) and refuses what it cannot read for certain: an unclosed fence or block means the answer was
truncated, a block without a file path has no safe destination. It never looks at the workspace; placing blocks
is ``apply``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from splice.edits.errors import EditRefused
from splice.edits.text import normalise_newlines


class BlockKind(StrEnum):
    SEARCH_REPLACE = "SEARCH/REPLACE"
    DIFF = "unified diff"
    WHOLE_FILE = "whole file"
    SYMBOL = "symbol code"


@dataclass(frozen=True, slots=True)
class DiffHunk:
    """One ``@@`` hunk as the model wrote it; its line numbers are hints, its context decides placement."""

    old_start: int | None
    """1-based first old line from the header; None for a bare ``@@ @@``."""
    old_count: int | None
    new_count: int | None
    lines: tuple[str, ...]
    """Body lines, each starting with ``' '``, ``'-'`` or ``'+'``."""

    def old_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[0] in " -"]

    def new_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[0] in " +"]


@dataclass(frozen=True, slots=True)
class EditBlock:
    """One edit instruction found in an answer."""

    kind: BlockKind
    number: int
    """1-based position among the answer's blocks; error messages name it."""
    path: str | None
    """The file path the model wrote (not yet checked), or None when the block names none."""
    search: str = ""
    replace: str = ""
    hunks: tuple[DiffHunk, ...] = ()
    code: str = ""
    """Whole-file content or symbol code."""
    symbol: str | None = None
    """Qualified name the symbol code replaces (None: infer from the code's single definition)."""
    create: bool = False
    """A diff from ``/dev/null``."""
    delete: bool = False
    """A diff to ``/dev/null``."""
    new_path: str | None = None
    """Rename target from ``rename to`` diff headers."""
    fenced: bool = True
    """False when symbol code was found in an answer without any fence (the code must be cut out of prose)."""
    symbol_line: int | None = None
    """0-based line inside the definition the caller meant: tells same-named definitions apart (a property's
    getter and setter, ``@overload`` stubs and their implementation)."""

    def label(self) -> str:
        where = f" for {self.path}" if self.path else ""
        return f"block {self.number} ({self.kind.value}{where})"

    def key(self) -> tuple[object, ...]:
        return (self.kind, self.path, self.search, self.replace, self.hunks, self.code, self.symbol, self.new_path)


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    blocks: tuple[EditBlock, ...]
    notes: tuple[str, ...] = field(default=())
    """Things the user should know that did not stop parsing (e.g. a duplicated block that was ignored)."""
    prose: str = ""
    """The model's words around the code (why it changed what it changed, what it could not do): the
    proposal's rationale."""


_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^`]*)$")
_SEARCH = re.compile(r"^\s*<{5,9} ?SEARCH\b.*$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9} ?REPLACE\b.*$")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@.*$")
_BARE_HUNK = re.compile(r"^@@.*@@.*$|^@@\s*$")
_PATH_PREFIX = re.compile(r"^(?:#+\s*|//\s*|[-*]\s+)?(?:(?:file|filename|path|new file)\s*:\s*)?", re.IGNORECASE)
_EXTENSIONLESS = {"makefile", "dockerfile", "jenkinsfile", "procfile", "gemfile", "rakefile", "justfile"}
_PATHLIKE = re.compile(r"^[\w.\-/~%\\:+@]+$")
_LANG_WORDS = {"diff", "patch", "python", "py", "typescript", "ts", "tsx", "javascript", "js", "jsx", "text"}


@dataclass(frozen=True, slots=True)
class _Fence:
    start: int
    end: int
    info: str


def parse_answer(text: str, *, target: str | None = None, symbol: str | None = None) -> ParsedAnswer:
    """Split a raw answer into blocks. ``target``/``symbol`` come from the request (e.g. ``--target``)."""
    lines = _strip_thinking(normalise_newlines(text)).split("\n")
    fences = _fences(lines)
    notes: list[str] = []
    if any(_SEARCH.match(line) for line in lines):
        blocks = _search_replace_blocks(lines, fences, target)
        blocks += _files_beside_search_replace(lines, fences, len(blocks), notes)
    elif _has_diff(lines):
        blocks = _diff_blocks(lines, fences, target)
    else:
        blocks = _code_blocks(lines, fences, target, symbol, notes)
    if not blocks:
        raise EditRefused("the answer contains no edit (no SEARCH/REPLACE block, diff or code block)")
    parsed = _dedupe(blocks)
    return ParsedAnswer(parsed.blocks, (*notes, *parsed.notes), _prose(lines, fences))


_PROSE_MAX = 4000


def _prose(lines: list[str], fences: list[_Fence]) -> str:
    """The answer without its code: fences, SEARCH/REPLACE blocks, diff lines and the path lines naming them."""
    code = [False] * len(lines)
    for f in fences:
        code[f.start : f.end + 1] = [True] * (f.end + 1 - f.start)
    in_block = in_hunk = False
    for i, line in enumerate(lines):
        if _SEARCH.match(line):
            in_block = True
        if in_block:
            code[i] = True
            in_block = not _REPLACE.match(line)
            continue
        if _HUNK.match(line) or _BARE_HUNK.match(line) or line.startswith(("--- ", "+++ ", "diff --git")):
            code[i], in_hunk = True, True
        elif in_hunk and (line[:1] in (" ", "+", "-") and line.strip()):
            code[i] = True
        else:
            in_hunk = False
    kept: list[str] = []
    for i, line in enumerate(lines):
        if code[i]:
            continue
        following = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if following is not None and code[following] and _clean_path(line) is not None:
            continue  # the path line above a block
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()[:_PROSE_MAX]


def _strip_thinking(text: str) -> str:
    text = _THINK.sub("", text)
    if _THINK_OPEN.search(text):
        raise EditRefused("the answer ends inside a <think> block: it was truncated before any edit")
    return text


def _fences(lines: list[str]) -> list[_Fence]:
    fences: list[_Fence] = []
    open_at: int | None = None
    marker = ""
    info = ""
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if not m:
            continue
        if open_at is None:
            open_at, marker, info = i, m.group(1), m.group(2).strip()
        elif m.group(1)[0] == marker[0] and len(m.group(1)) >= len(marker) and not m.group(2).strip():
            fences.append(_Fence(open_at, i, info))
            open_at = None
    if open_at is not None:
        raise EditRefused(
            f"the answer was truncated: the code fence opened on line {open_at + 1} never closes; nothing applied"
        )
    return fences


def _clean_path(raw: str) -> str | None:
    s = raw.strip().strip("*").strip()
    s = _PATH_PREFIX.sub("", s).strip().strip("*`'\"").rstrip(":").strip("*`'\"")
    if not s or not _PATHLIKE.match(s) or s.lower() in _LANG_WORDS:
        return None
    if "/" in s or "\\" in s or re.search(r"\.[A-Za-z0-9_]+$", s) or s.lower() in _EXTENSIONLESS:
        return s
    return None


def _info_path(info: str) -> str | None:
    for token in info.replace("title=", " ").split():
        token = token.split(":", 1)[1] if ":" in token and not token.startswith(("/", "~")) else token
        path = _clean_path(token)
        if path:
            return path
    return None


def _fence_at(fences: list[_Fence], line: int) -> _Fence | None:
    return next((f for f in fences if f.start < line < f.end), None)


def _path_above(lines: list[str], fences: list[_Fence], i: int) -> tuple[str | None, bool]:
    """The path written just above line ``i`` (skipping an opening fence), and whether the block directly follows
    another block (so it may inherit that block's path)."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None, False
    fence = next((f for f in fences if f.start == j), None)
    if fence is not None:
        info_path = _info_path(fence.info)
        if info_path:
            return info_path, False
        j -= 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j < 0:
            return None, False
    if _REPLACE.match(lines[j]) or any(f.end == j for f in fences):
        return None, True
    return _clean_path(lines[j]), False


def _search_replace_blocks(lines: list[str], fences: list[_Fence], target: str | None) -> list[EditBlock]:
    blocks: list[EditBlock] = []
    last_path: str | None = None
    i = 0
    while i < len(lines):
        if not _SEARCH.match(lines[i]):
            i += 1
            continue
        number = len(blocks) + 1
        divider = _next_marker(lines, i + 1, _DIVIDER, number)
        end = _next_marker(lines, divider + 1, _REPLACE, number)
        path, follows = _path_above(lines, fences, i)
        if path is None:
            path = last_path if follows and last_path else target
        if path is None:
            raise EditRefused(f"block {number} (SEARCH/REPLACE) does not say which file it edits", block=number)
        blocks.append(
            EditBlock(
                BlockKind.SEARCH_REPLACE,
                number,
                path,
                search=_join(lines[i + 1 : divider]),
                replace=_join(lines[divider + 1 : end]),
            )
        )
        last_path = path
        i = end + 1
    return blocks


def _files_beside_search_replace(
    lines: list[str], fences: list[_Fence], count: int, notes: list[str]
) -> list[EditBlock]:
    """Fenced code in a SEARCH/REPLACE answer: a new whole file when a path heads it, otherwise an illustration
    that is reported (never silently dropped) and not applied."""
    blocks: list[EditBlock] = []
    for fence in fences:
        body = lines[fence.start + 1 : fence.end]
        if any(_SEARCH.match(line) or _REPLACE.match(line) for line in body):
            continue
        path, _ = _path_above(lines, fences, fence.start + 1)
        if path is None:
            notes.append(f"the code block on line {fence.start + 1} names no file and was not applied")
            continue
        blocks.append(EditBlock(BlockKind.WHOLE_FILE, count + len(blocks) + 1, path, code=_join(body)))
    return blocks


def _next_marker(lines: list[str], start: int, marker: re.Pattern[str], number: int) -> int:
    for j in range(start, len(lines)):
        if marker.match(lines[j]):
            return j
        if _SEARCH.match(lines[j]) or (marker is _DIVIDER and _REPLACE.match(lines[j])):
            break
    what = "=======" if marker is _DIVIDER else ">>>>>>> REPLACE"
    raise EditRefused(
        f"block {number} (SEARCH/REPLACE) has no '{what}' line: the answer is truncated or malformed; nothing applied",
        block=number,
    )


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _has_diff(lines: list[str]) -> bool:
    for i, line in enumerate(lines):
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            return True
        if _HUNK.match(line) or line.startswith(("diff --git ", "rename from ")):
            return True
    return False


def _diff_path(raw: str) -> str | None:
    path = raw.split("\t", 1)[0].strip()
    if path == "/dev/null":
        return None
    if path.startswith(("a/", "b/")):
        path = path[2:]
    return path


def _diff_blocks(lines: list[str], fences: list[_Fence], target: str | None) -> list[EditBlock]:
    blocks: list[EditBlock] = []
    i = 0
    path: str | None = target
    create = delete = False
    rename_from: str | None = None
    rename_to: str | None = None
    hunks: list[DiffHunk] = []
    have_header = False

    def flush() -> None:
        nonlocal hunks, rename_from, rename_to
        if hunks or rename_to:
            number = len(blocks) + 1
            src = rename_from or path
            if src is None and not create:
                raise EditRefused(f"block {number} (unified diff) does not say which file it edits", block=number)
            blocks.append(
                EditBlock(
                    BlockKind.DIFF,
                    number,
                    src,
                    hunks=tuple(hunks),
                    create=create,
                    delete=delete,
                    new_path=rename_to,
                )
            )
        hunks, rename_from, rename_to = [], None, None

    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            flush()
            old, new = _diff_path(line[4:]), _diff_path(lines[i + 1][4:])
            create, delete = old is None, new is None
            path = new if new is not None else old
            if old is not None and new is not None and old != new:
                rename_from, rename_to, path = old, new, old
            have_header = True
            i += 2
            continue
        if line.startswith("rename from "):
            flush()
            rename_from = line[len("rename from ") :].strip()
        elif line.startswith("rename to "):
            rename_to = line[len("rename to ") :].strip()
        elif _HUNK.match(line) or (_BARE_HUNK.match(line) and (have_header or target)):
            hunk, i = _read_hunk(lines, i)
            hunks.append(hunk)
            continue
        i += 1
    flush()
    _check_last_hunk(blocks, lines)
    return blocks


def _read_hunk(lines: list[str], i: int) -> tuple[DiffHunk, int]:
    m = _HUNK.match(lines[i])
    old_start = int(m.group(1)) if m else None
    old_count = (int(m.group(2)) if m.group(2) is not None else 1) if m else None
    new_count = (int(m.group(4)) if m.group(4) is not None else 1) if m else None
    body: list[str] = []
    raw_blank: list[bool] = []
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if line.startswith("@@") or _FENCE.match(line) or line.startswith("diff --git"):
            break
        if line.startswith("--- ") and j + 1 < len(lines) and lines[j + 1].startswith("+++ "):
            break
        if line.startswith("\\"):
            j += 1
            continue
        if line == "" or line[0] in " -+":
            body.append(line or " ")
            raw_blank.append(line == "")
        else:
            break
        j += 1
    # Blank lines after a hunk are usually prose spacing, not context: keep them only while the header's counts
    # say the hunk is still short of lines.
    while body and raw_blank[-1]:
        old_n = sum(1 for b in body if b[0] in " -")
        if old_count is not None and old_n <= old_count:
            break
        body.pop()
        raw_blank.pop()
    return DiffHunk(old_start, old_count, new_count, tuple(body)), j


def _check_last_hunk(blocks: list[EditBlock], lines: list[str]) -> None:
    """A final hunk shorter than its header on both sides, at the very end of the answer, was cut off."""
    if not blocks or not blocks[-1].hunks:
        return
    hunk = blocks[-1].hunks[-1]
    if hunk.old_count is None or hunk.new_count is None:
        return
    old_n = sum(1 for b in hunk.lines if b[0] in " -")
    new_n = sum(1 for b in hunk.lines if b[0] in " +")
    tail = [line for line in lines if line.strip()]
    ends_answer = bool(tail) and tail[-1][:1] in " -+" and not _FENCE.match(tail[-1])
    if old_n < hunk.old_count and new_n < hunk.new_count and ends_answer:
        raise EditRefused(
            f"{blocks[-1].label()} is truncated: its last hunk has {old_n}/{hunk.old_count} old and "
            f"{new_n}/{hunk.new_count} new lines and the answer ends there; nothing applied",
            block=blocks[-1].number,
        )


def _code_blocks(
    lines: list[str], fences: list[_Fence], target: str | None, symbol: str | None, notes: list[str]
) -> list[EditBlock]:
    if not fences:
        if target is None:
            return []
        return [EditBlock(BlockKind.SYMBOL, 1, target, code=_join(lines), symbol=symbol, fenced=False)]
    blocks: list[EditBlock] = []
    paths = [_path_above(lines, fences, fence.start + 1)[0] for fence in fences]
    for fence, path in zip(fences, paths, strict=True):
        number = len(blocks) + 1
        code = _join(lines[fence.start + 1 : fence.end])
        if path is not None and (symbol is None or path != target):
            blocks.append(EditBlock(BlockKind.WHOLE_FILE, number, path, code=code))
        elif target is not None:
            blocks.append(EditBlock(BlockKind.SYMBOL, number, target, code=code, symbol=symbol))
        elif any(paths) or is_example(code, fence.info):
            # Beside blocks that name their file, a path-less block is an illustration (usage, a REPL session,
            # a shell command): reported, never applied.
            notes.append(f"the code block on line {fence.start + 1} names no file and was not applied")
        else:
            raise EditRefused(
                f"block {number} (code block) names no file path and no target was given; nothing applied",
                block=number,
            )
    return blocks


_SHELL_INFO = {
    "bash",
    "sh",
    "shell",
    "console",
    "zsh",
    "powershell",
    "ps",
    "cmd",
    "bat",
    "text",
    "txt",
    "output",
    "pycon",
    "shell-session",
    "terminal",
}
_PROMPTS = (">>>", "$ ", "% ", "PS>", "PS ")


def is_example(code: str, info: str = "") -> bool:
    """A REPL session, shell commands or program output: shown to the reader, never code to apply."""
    if info.split()[0].lower() in _SHELL_INFO if info.split() else False:
        return True
    written = [line.strip() for line in code.splitlines() if line.strip()]
    return bool(written) and written[0].startswith(_PROMPTS)


def _dedupe(blocks: list[EditBlock]) -> ParsedAnswer:
    seen: dict[tuple[object, ...], int] = {}
    kept: list[EditBlock] = []
    notes: list[str] = []
    for block in blocks:
        first = seen.get(block.key())
        if first is not None:
            notes.append(f"block {block.number} repeats block {first} exactly; the repeat was ignored")
            continue
        seen[block.key()] = block.number
        kept.append(block)
    return ParsedAnswer(tuple(kept), tuple(notes))
