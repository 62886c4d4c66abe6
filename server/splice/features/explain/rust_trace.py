"""Rust panics: ``thread 'main' panicked at src/x.rs:10:5:`` (1.73+; older ``panicked at 'msg', src/x.rs:10:5``),
the message, and with RUST_BACKTRACE=1/full the numbered ``N: crate::mod::fn`` frames with ``at path:line:col``.
"""

from __future__ import annotations

import re

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import Frame, Trace, TraceFormat

_PANIC = re.compile(r"^thread '(?P<thread>[^']*)'(?: \(\d+\))? panicked at (?P<rest>.*?)\s*$")
_NEW_LOC = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+):$")
_OLD = re.compile(r"^'(?P<msg>.*)', (?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+)$")
_BACKTRACE = re.compile(r"^\s*stack backtrace:\s*$")
_NUMBERED = re.compile(r"^\s*(?P<n>\d+):\s+(?:0x[0-9a-fA-F]+ - )?(?P<func>\S.*?)\s*$")
_AT = re.compile(r"^\s+at (?P<path>\S.*?):(?P<line>\d+)(?::(?P<col>\d+))?\s*$")
_HASH = re.compile(r"::h[0-9a-f]{16}$")
_CRATE_DISAMBIGUATOR = re.compile(r"\[[0-9a-f]{8,}\]")
_END = re.compile(r"^\s*(note: |stack backtrace:|thread '|error: |test result:|----)")
MAX_MESSAGE_LINES = 30
MAX_TEXT = 2000


def starts_rust(line: str) -> bool:
    return bool(_PANIC.match(line))


def parse_rust(lines: list[str], start: int) -> tuple[Trace, int] | None:
    head = _PANIC.match(lines[start])
    if head is None:
        return None
    rest = head.group("rest")
    i = start + 1
    parts: list[str] = []
    if (old := _OLD.match(rest)) is not None:
        parts.append(old.group("msg"))
        loc = old
    elif (new := _NEW_LOC.match(rest)) is not None:
        loc = new
        while i < len(lines) and not _END.match(lines[i]) and lines[i].strip() and len(parts) < MAX_MESSAGE_LINES:
            parts.append(lines[i].rstrip())
            i += 1
    else:
        return None
    panic_frame = Frame(
        path=loc.group("path"),
        line=int(loc.group("line")),
        col=int(loc.group("col")),
        function="",
        name="",
        source_line=None,
        is_library=is_library_frame(TraceFormat.RUST, loc.group("path"), "user"),
    )
    frames: tuple[Frame, ...] = (panic_frame,)
    dropped, gap = 0, None
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j < len(lines) and lines[j].startswith("note: run with `RUST_BACKTRACE"):
        i = j + 1
    elif j < len(lines) and _BACKTRACE.match(lines[j]):
        collected, i = _backtrace(lines, j + 1)
        frames, dropped, gap = collected.result()
        if not frames:
            frames = (panic_frame,)
    trace = Trace(
        format=TraceFormat.RUST,
        language="rust",
        exception_type="panic",
        message="\n".join(parts).strip()[:MAX_TEXT],
        frames=frames,
        truncated_frames=dropped,
        gap_index=gap,
        thread=head.group("thread"),
    )
    return trace, i


def _backtrace(lines: list[str], i: int) -> tuple[FrameCollector, int]:
    collector = FrameCollector(innermost_first=True)
    while i < len(lines):
        m = _NUMBERED.match(lines[i])
        if m is None:
            break
        func = _CRATE_DISAMBIGUATOR.sub("", _HASH.sub("", m.group("func")))
        i += 1
        at = _AT.match(lines[i]) if i < len(lines) else None
        if at is not None:
            i += 1
            # Inlined frames print further ``at`` lines; the first one is the frame's own location.
            while i < len(lines) and _AT.match(lines[i]):
                i += 1
        path = at.group("path") if at else ""
        collector.add(
            Frame(
                path=path,
                line=int(at.group("line")) if at else None,
                col=int(at.group("col")) if at and at.group("col") else None,
                function=func,
                name=_bare_name(func),
                source_line=None,
                is_library=is_library_frame(TraceFormat.RUST, path, func),
            )
        )
    if i < len(lines) and lines[i].startswith("note: Some details are omitted"):
        i += 1
    return collector, i


def _bare_name(func: str) -> str:
    """``app::store::Store::get`` → ``get``; ``app::main::{{closure}}`` → ``main``; ``<T as Tr>::fmt`` → ``fmt``."""
    name = re.sub(r"(::\{(?:\{closure\}|closure#\d+)\}?)+$", "", func)
    depth = 0
    cut = 0
    for k, ch in enumerate(name):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == ":" and depth == 0 and name[k : k + 2] == "::":
            cut = k + 2
    tail = name[cut:]
    return tail if re.fullmatch(r"\w+", tail) else ""
