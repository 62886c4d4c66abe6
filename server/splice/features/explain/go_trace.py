"""Go panics: ``panic: msg`` (or ``fatal error:``), then ``goroutine N [state]:`` blocks of ``pkg.fn(args)`` lines,
each followed by a tab-indented ``path:line +0x…`` location. The first goroutine is the one that panicked; the
others (GOTRACEBACK=all) become related traces.
"""

from __future__ import annotations

import re

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import Frame, Trace, TraceFormat

_PANIC = re.compile(r"^(?P<kind>panic|fatal error): (?P<msg>.*?)\s*$")
_GOROUTINE = re.compile(r"^goroutine (?P<id>\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(?P<state>[^\]]*)\]:\s*$")
_CALL = re.compile(r"^(?P<func>\S.*?)\((?P<args>[^()]*|\.\.\.)\)\s*$")
_CREATED = re.compile(r"^created by (?P<func>\S+?)(?: in goroutine \d+)?\s*$")
_LOCATION = re.compile(r"^\s+(?P<path>\S.*?):(?P<line>\d+)(?: \+0x[0-9a-fA-F]+)?\s*$")
_ELIDED = re.compile(r"^\.\.\.(?:additional frames elided|\d+ frames elided)\.\.\.\s*$")
MAX_MESSAGE_LINES = 10
MAX_TEXT = 2000


def starts_go(line: str) -> bool:
    return bool(_PANIC.match(line) or _GOROUTINE.match(line))


def parse_go(lines: list[str], start: int) -> tuple[Trace, int] | None:
    m = _PANIC.match(lines[start])
    i = start
    parts: list[str] = []
    kind = "panic"
    if m:
        kind = m.group("kind")
        parts.append(m.group("msg"))
        i += 1
        while i < len(lines) and not _GOROUTINE.match(lines[i]) and len(parts) < MAX_MESSAGE_LINES:
            if lines[i].strip():
                parts.append(lines[i].strip())
            i += 1
    if i >= len(lines) or not _GOROUTINE.match(lines[i]):
        return None
    blocks: list[Trace] = []
    while i < len(lines) and (g := _GOROUTINE.match(lines[i])) is not None:
        block, i = _goroutine(lines, i + 1, f"goroutine {g.group('id')}")
        blocks.append(block)
        while i < len(lines) and not lines[i].strip():
            i += 1
    message = "\n".join(parts).strip()
    exc_type = "fatal error" if kind == "fatal error" else "panic"
    if message.startswith("runtime error: "):
        exc_type, message = "runtime error", message.removeprefix("runtime error: ")
    first, *rest = blocks
    trace = Trace(
        format=TraceFormat.GO,
        language="go",
        exception_type=exc_type,
        message=message[:MAX_TEXT],
        frames=first.frames,
        truncated_frames=first.truncated_frames,
        gap_index=first.gap_index,
        related=tuple(rest),
        thread=first.thread,
    )
    return trace, i


def _goroutine(lines: list[str], i: int, thread: str) -> tuple[Trace, int]:
    collector = FrameCollector(innermost_first=True)
    elided = 0
    while i < len(lines):
        line = lines[i]
        call = _CALL.match(line) or _CREATED.match(line)
        if call is None:
            if _ELIDED.match(line):
                elided += 1
                i += 1
                continue
            break
        func = call.group("func")
        loc = _LOCATION.match(lines[i + 1]) if i + 1 < len(lines) else None
        path = loc.group("path") if loc else ""
        collector.add(
            Frame(
                path=path,
                line=int(loc.group("line")) if loc else None,
                col=None,
                function=func,
                name=_bare_name(func),
                source_line=None,
                is_library=is_library_frame(TraceFormat.GO, path, func),
            )
        )
        i += 2 if loc else 1
    frames, dropped, gap = collector.result()
    trace = Trace(
        format=TraceFormat.GO,
        language="go",
        exception_type="",
        message="",
        frames=frames,
        truncated_frames=dropped + elided,
        gap_index=gap,
        thread=thread,
    )
    return trace, i


def _bare_name(func: str) -> str:
    """``github.com/a/b/pkg.(*T).Method`` → ``Method``; ``main.main.func1`` → ``main``; ``pkg.F[...]`` → ``F``."""
    tail = func.rsplit("/", 1)[-1]
    tail = re.sub(r"\[[^\]]*\]", "", tail)
    parts = [p for p in tail.split(".")[1:] if p]
    while parts and re.fullmatch(r"(func|gowrap)\d+", parts[-1]):
        parts.pop()
    name = parts[-1].strip("()*") if parts else ""
    return name if re.fullmatch(r"\w+", name) else ""
