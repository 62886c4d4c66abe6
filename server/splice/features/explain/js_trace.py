"""Node.js / JavaScript / TypeScript (ts-node, tsx) stack traces: ``at fn (path:line:col)`` frames under an
``Error: message`` header, the ``path:line`` + source + caret block Node prints above an uncaught error, and
``[cause]:`` sub-traces inside the ``{ … }`` property block.
"""

from __future__ import annotations

import re
from dataclasses import replace

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import Frame, Trace, TraceFormat

_AT_CALL = re.compile(r"^(?P<indent>\s*)at (?P<func>.+?) \((?P<loc>.*)\)(?P<open> \{)?\s*$")
_AT_BARE = re.compile(r"^(?P<indent>\s*)at (?:async )?(?P<loc>\S+:\d+:\d+)(?P<open> \{)?\s*$")
_LOC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+)$")
_NO_LOC = re.compile(r"^(<anonymous>|native|index \d+)$")
_HEADER = re.compile(
    r"^\s*(?:Uncaught\s+)?(?:\[cause\]:\s*)?(?P<type>[A-Za-z_$][\w$.]*?(?:Error|Exception|Rejection|Failure)|Error)"
    r"(?:\s\[(?P<code>[^\]]+)\])?(?::\s?(?P<msg>.*))?\s*$"
)
_GENERIC_HEADER = re.compile(r"^\s*(?:Uncaught\s+)?(?P<type>[A-Za-z_$][\w$.]*)(?::\s?(?P<msg>.*))?\s*$")
_SKIPPED = re.compile(r"^\s*\.\.\. (\d+) lines? matching cause stack trace \.\.\.\s*$")
_CAUSE = re.compile(r"^\s*\[cause\]:\s*(?P<rest>.*)$")
_SOURCE_LOCATION = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+)\s*$")
_CARET = re.compile(r"^\s*\^+\s*$")
# Jest/Vitest/Babel code frames between the message and the stack: ``> 18 |   code`` and ``   |   ^``
_CODE_LINE = re.compile(r"^\s*(?P<mark>>)?\s*(?P<line>\d+) \|(?: (?P<src>.*))?$")
_CODE_CARET = re.compile(r"^(?P<lead>\s*\| )(?P<pad>[ \t]*)\^")
_BULLET = re.compile(r"^\s*● ")
_CodeFrame = tuple[int, str, int | None]
"""A quoted line from a code frame: (1-based line, source text, 1-based caret column)."""
_TS = (".ts", ".tsx", ".mts", ".cts")
LOOKBACK = 30
MAX_TEXT = 2000


def is_js_frame(line: str) -> bool:
    m = _AT_CALL.match(line)
    if m:
        return bool(_LOC.match(m.group("loc")) or _NO_LOC.match(m.group("loc")))
    return bool(_AT_BARE.match(line))


def parse_js(lines: list[str], start: int, floor: int) -> tuple[Trace, int] | None:
    """Parse the trace whose first ``at`` line is ``lines[start]``; its header lies above, not before ``floor``."""
    header_at = _find_header(lines, start, floor)
    code: _CodeFrame | None = None
    bullet = _find_bullet(lines, start, floor) if header_at is None else None
    if bullet is not None:
        # Jest prints a plain Error's message without its type under the ``● suite › test`` line.
        message, code = _message(lines, "", bullet + 1, start)
        exc_type = "AssertionError" if message.startswith("expect(") else "Error"
        top = bullet
    elif header_at is None:
        exc_type, message = "Error", ""
        top = start
    else:
        exc_type, message, code = _header(lines, header_at, start)
        top = header_at
    trace, end = _parse_frames(lines, start, exc_type, message)
    located = _source_block(lines, top, floor)
    if located is not None and trace.frames:
        trace = _attach_source(trace, *located)
    elif code is not None and trace.frames:
        trace = _attach_code_frame(trace, *code)
    return trace, end


def _find_header(lines: list[str], start: int, floor: int) -> int | None:
    for j in range(start - 1, max(floor, start - LOOKBACK) - 1, -1):
        if _HEADER.match(lines[j]):
            return j
    if start - 1 >= floor and _GENERIC_HEADER.match(lines[start - 1]):
        return start - 1
    return None


def _find_bullet(lines: list[str], start: int, floor: int) -> int | None:
    for j in range(start - 1, max(floor, start - LOOKBACK) - 1, -1):
        if _BULLET.match(lines[j]):
            return j
    return None


def _header(lines: list[str], at: int, first_frame: int) -> tuple[str, str, _CodeFrame | None]:
    """(type, message, code frame) from the header line down to the first ``at`` line."""
    m = _HEADER.match(lines[at]) or _GENERIC_HEADER.match(lines[at])
    assert m is not None
    message, code = _message(lines, m.group("msg") or "", at + 1, first_frame)
    return m.group("type"), message, code


def _message(lines: list[str], first: str, begin: int, end: int) -> tuple[str, _CodeFrame | None]:
    """The message lines in ``lines[begin:end]`` after ``first``, minus any code frame, which is returned apart."""
    parts = [first]
    code: _CodeFrame | None = None
    for line in lines[begin:end]:
        numbered = _CODE_LINE.match(line)
        caret = _CODE_CARET.match(line)
        if numbered is not None:
            if numbered.group("mark"):
                code = (int(numbered.group("line")), (numbered.group("src") or "").strip()[:MAX_TEXT], None)
        elif caret is not None:
            if code is not None and code[2] is None:
                code = (code[0], code[1], len(caret.group("pad")) + 1)
        else:
            parts.append(line.rstrip())
    return "\n".join(parts).strip()[:MAX_TEXT], code


def _parse_frames(lines: list[str], start: int, exc_type: str, message: str) -> tuple[Trace, int]:
    collector = FrameCollector(innermost_first=True)
    skipped = 0
    cause: Trace | None = None
    property_block = False
    i = start
    while i < len(lines):
        line = lines[i]
        frame = _frame(line)
        if frame is not None:
            collector.add(frame)
            property_block = property_block or line.rstrip().endswith("{")
        elif m := _SKIPPED.match(line):
            skipped += int(m.group(1))
        elif property_block and (c := _CAUSE.match(line)):
            sub = _parse_cause(lines, i, c.group("rest"))
            if sub is not None:
                cause, i = sub
                continue
        elif property_block and line.strip() != "}":
            pass  # error properties (code: 'ERR_X', errno …) printed inside the braces
        else:
            if property_block and line.strip() == "}":
                i += 1
            break
        i += 1
    frames, dropped, gap = collector.result()
    language = "typescript" if any(f.path.endswith(_TS) for f in frames if not f.is_library) else "javascript"
    trace = Trace(
        format=TraceFormat.NODE,
        language=language,
        exception_type=exc_type,
        message=message,
        frames=frames,
        cause=cause,
        context_kind="cause" if cause is not None else None,
        truncated_frames=dropped + skipped,
        gap_index=gap,
    )
    return trace, i


def _parse_cause(lines: list[str], at: int, rest: str) -> tuple[Trace, int] | None:
    m = _HEADER.match(rest) or _GENERIC_HEADER.match(rest)
    if m is None:
        return None
    j = at + 1
    while j < len(lines) and not is_js_frame(lines[j]) and j - at < LOOKBACK:
        j += 1
    if j >= len(lines) or not is_js_frame(lines[j]):
        return None
    exc_type, message = m.group("type"), "\n".join([m.group("msg") or "", *lines[at + 1 : j]]).strip()
    return _parse_frames(lines, j, exc_type, message[:MAX_TEXT])


def _frame(line: str) -> Frame | None:
    m = _AT_CALL.match(line)
    if m:
        func, loc = m.group("func"), m.group("loc")
    else:
        m = _AT_BARE.match(line)
        if m is None:
            return None
        func, loc = "", m.group("loc")
    lm = _LOC.match(loc)
    if lm is None and not _NO_LOC.match(loc):
        return None
    path = lm.group("path") if lm else loc
    return Frame(
        path=path,
        line=int(lm.group("line")) if lm else None,
        col=int(lm.group("col")) if lm else None,
        function=func,
        name=_bare_name(func),
        source_line=None,
        is_library=is_library_frame(TraceFormat.NODE, path if lm else "", func),
    )


def _bare_name(func: str) -> str:
    name = re.sub(r"\s*\[as [^\]]+\]$", "", func)
    name = re.sub(r"^(async|new)\s+", "", name)
    name = name.rsplit(".", 1)[-1]
    return name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else ""


def _source_block(lines: list[str], header_at: int, floor: int) -> tuple[str, int, str, int | None] | None:
    """Node's ``path:line`` / source / caret / blank block above the error header, as (path, line, source, col)."""
    k = header_at - 1
    if k >= floor and not lines[k].strip():
        k -= 1
    if k - 2 < floor or not _CARET.match(lines[k]):
        return None
    loc = _SOURCE_LOCATION.match(lines[k - 2])
    if loc is None:
        return None
    col = lines[k].index("^") + 1
    return loc.group("path"), int(loc.group("line")), lines[k - 1].strip()[:MAX_TEXT], col


def _attach_source(trace: Trace, path: str, line: int, source: str, col: int | None) -> Trace:
    first = trace.frames[0]
    same = first.line == line and (first.path == path or path.endswith(first.path) or first.path.endswith(path))
    if not same:
        return trace
    frame = replace(first, source_line=source, col=first.col or col)
    return replace(trace, frames=(frame, *trace.frames[1:]))


def _attach_code_frame(trace: Trace, line: int, source: str, col: int | None) -> Trace:
    """Give the quoted line to the first own-code frame at that line (test runners quote the failing line)."""
    frames = list(trace.frames)
    for k, frame in enumerate(frames):
        if not frame.is_library and frame.line == line:
            frames[k] = replace(frame, source_line=source, col=frame.col or col)
            return replace(trace, frames=tuple(frames))
    return trace
