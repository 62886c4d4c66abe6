"""Python tracebacks: plain, chained (``raise … from`` / during handling), ``SyntaxError`` carets, exception groups.

A traceback printed by a logger or a container runtime may carry the same prefix on every line
(``web_1  | Traceback …``); the prefix in front of ``Traceback`` is stripped from the lines that follow.
"""

from __future__ import annotations

import re
from dataclasses import replace

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import ChainKind, Frame, Trace, TraceFormat

_HEADER = re.compile(r"^(?P<prefix>.*?)Traceback \(most recent call last\):\s*$")
_GROUP_HEADER = re.compile(r"^(?P<indent>\s*)\+ Exception Group Traceback \(most recent call last\):\s*$")
_GROUP_SEPARATOR = re.compile(r"^\s*\+(?:-\+)?-+ (?:\d+|\.\.\.) -+\s*$")
_GROUP_END = re.compile(r"^\s*\+-{10,}\s*$")
FRAME = re.compile(r'^(?P<indent>\s*)File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.+?))?\s*$')
_REPEAT = re.compile(r"^\s*\[Previous line repeated (\d+) more times?\]\s*$")
_CARET = re.compile(r"^\s*[~^]*\^[~^]*\s*$")
_ELIDED = re.compile(r"^\s*\.\.\.<\d+ lines>\.\.\.\s*$")
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::(?: ?(?P<msg>.*))?)?\s*$")
# Lines that end a multi-line exception message: log records and shell prompts.
LOG_LINE = re.compile(
    r"^\s*(\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d|\[?(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\b|[A-Z]+:[\w.]+:)"
    r"|^(\$|>|#|PS [A-Za-z]:\\\S*>|[A-Za-z]:\\\S*>) "
)
CHAIN_MARKERS: dict[str, ChainKind] = {
    "The above exception was the direct cause of the following exception:": "cause",
    "During handling of the above exception, another exception occurred:": "context",
}
MAX_MESSAGE_LINES = 30
MAX_TEXT = 2000


def starts_python(line: str) -> bool:
    return bool(_HEADER.match(line) or _GROUP_HEADER.match(line) or FRAME.match(line))


def parse_python(lines: list[str], start: int) -> tuple[Trace, int] | None:
    """Parse the traceback (and everything chained after it) starting at ``lines[start]``."""
    m = None if _GROUP_HEADER.match(lines[start]) else _HEADER.match(lines[start])
    prefix = m.group("prefix") if m and m.group("prefix").strip() else ""
    if not prefix:
        return _parse_chain(lines, start)
    # Strip the prefix from the run of lines that carry it; a line without it ends the trace.
    bare = prefix.rstrip()
    stripped: list[str] = []
    k = start
    while k < len(lines) and lines[k].startswith(bare):
        stripped.append(lines[k][len(prefix) :] if lines[k].startswith(prefix) else "")
        k += 1
    parsed = _parse_chain(stripped, 0)
    return None if parsed is None else (parsed[0], start + parsed[1])


def _parse_chain(view: list[str], start: int) -> tuple[Trace, int] | None:
    parsed = _parse_block(view, start)
    if parsed is None:
        return None
    trace, end = parsed
    while True:
        j = _skip_blank(view, end)
        kind = CHAIN_MARKERS.get(view[j].strip()) if j < len(view) else None
        if kind is None:
            return trace, end
        k = _skip_blank(view, j + 1)
        if k >= len(view):
            return trace, end
        following = _parse_block(view, k)
        if following is None:
            return trace, end
        nxt, end = following
        trace = replace(nxt, cause=trace, context_kind=kind)


def _skip_blank(view: list[str], i: int) -> int:
    while i < len(view) and not view[i].strip():
        i += 1
    return i


def _parse_block(view: list[str], start: int) -> tuple[Trace, int] | None:
    first = view[start]
    if _GROUP_HEADER.match(first):
        return _parse_group(view, start)
    i = start + 1 if _HEADER.match(first) else start
    collector = FrameCollector(innermost_first=False)
    i = _parse_frames(view, i, collector)
    exc = _parse_exception(view, i) if i < len(view) else None  # the paste may stop before the exception
    if exc is None and len(collector) == 0:
        return None
    exc_type, message, end = exc if exc is not None else ("", "", i)
    frames, dropped, gap = collector.result()
    trace = Trace(
        format=TraceFormat.PYTHON,
        language="python",
        exception_type=exc_type,
        message=message,
        frames=frames,
        truncated_frames=dropped,
        gap_index=gap,
    )
    return trace, end


def _parse_frames(view: list[str], i: int, collector: FrameCollector) -> int:
    n = len(view)
    while i < n:
        line = view[i]
        m = FRAME.match(line)
        if m is None:
            rep = _REPEAT.match(line)
            if rep is None:
                return i
            collector.repeat_last(int(rep.group(1)))
            i += 1
            continue
        indent = len(m.group("indent"))
        i += 1
        source: str | None = None
        source_at = 0
        col: int | None = None
        # The quoted source and caret lines are indented deeper than the ``File`` line.
        while i < n:
            text = view[i]
            body = text.lstrip()
            if not body or len(text) - len(body) <= indent:
                break
            if _CARET.match(text):
                if source is not None and col is None:
                    # Python prints the source dedented; the caret column counts from the same dedent.
                    col = max(1, text.find("^") - source_at + 1)
            elif source is None and not _ELIDED.match(text):
                source, source_at = body.rstrip()[:MAX_TEXT], len(text) - len(body)
            i += 1
        path, func = m.group("path"), (m.group("func") or "")
        collector.add(
            Frame(
                path=path,
                line=int(m.group("line")),
                col=col,
                function=func,
                name=func if func.isidentifier() else "",
                source_line=source,
                is_library=is_library_frame(TraceFormat.PYTHON, path, func),
                col_from_indent=col is not None,
            )
        )
    return i


def _parse_exception(view: list[str], i: int) -> tuple[str, str, int] | None:
    line = view[i]
    if not line.strip() or line.strip() in CHAIN_MARKERS or _HEADER.match(line) or LOG_LINE.match(line):
        return None
    m = _EXCEPTION.match(line.strip())
    exc_type, first = (m.group("type"), m.group("msg") or "") if m else ("", line.strip())
    parts = [first]
    j = i + 1
    while j < len(view) and j - i <= MAX_MESSAGE_LINES:
        nxt = view[j]
        if not nxt.strip() or nxt.strip() in CHAIN_MARKERS or starts_python(nxt) or LOG_LINE.match(nxt):
            break
        parts.append(nxt.rstrip())
        j += 1
    return exc_type, "\n".join(parts).strip()[:MAX_TEXT], j


def _parse_group(view: list[str], start: int) -> tuple[Trace, int] | None:
    """An exception group: its own traceback behind ``|`` bars, then one ``+---- N ----`` section per member."""
    indent = len(_GROUP_HEADER.match(view[start]).group("indent"))  # type: ignore[union-attr]
    own: list[str] = ["Traceback (most recent call last):"]
    members: list[list[str]] = []
    i = start + 1
    while i < len(view):
        line = view[i]
        body = line[indent:] if len(line) > indent else ""
        if _GROUP_SEPARATOR.match(line):
            members.append([])
        elif _GROUP_END.match(line) and members:
            i += 1
            break
        elif members and body.startswith("  |"):
            members[-1].append(body[4:] if body.startswith("  | ") else body[3:])
        elif not members and body.startswith("|"):
            own.append(body[2:] if body.startswith("| ") else body[1:])
        else:
            break
        i += 1
    parsed = _parse_block(own, 0)
    if parsed is None:
        return None
    group, _ = parsed
    related: list[Trace] = []
    for member in members:
        sub = _parse_member(member)
        if sub is not None:
            related.append(sub)
    return replace(group, related=tuple(related)), i


def _parse_member(lines: list[str]) -> Trace | None:
    k = _skip_blank(lines, 0)
    if k >= len(lines):
        return None
    if starts_python(lines[k]):
        parsed = parse_python(lines, k)
        return parsed[0] if parsed else None
    exc = _parse_exception(lines, k)
    if exc is None:
        return None
    return Trace(format=TraceFormat.PYTHON, language="python", exception_type=exc[0], message=exc[1], frames=())
