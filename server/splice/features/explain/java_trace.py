"""Java (and Kotlin/Scala) stack traces: ``Exception in thread "main" pkg.Cls: msg`` headers,
``at pkg.Cls.m(File.java:42)`` frames, ``... N more``, ``Caused by:`` chains and ``Suppressed:`` blocks
(indented one level deeper).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import Frame, Trace, TraceFormat

_FRAME = re.compile(r"^\s*at (?P<func>[^\s()]+)\((?P<loc>[^()]*)\)(?:\s*~?\[[^\]]*\])?\s*$")
_LOC = re.compile(r"^(?P<file>[^:]+?)(?::(?P<line>\d+))?$")
# Possessive quantifiers: the header is searched anywhere in a log line, and a long run of dotted words must not
# make the search backtrack (it did: 2,000 ``a.`` took seconds).
_HEADER = re.compile(
    r"(?:Exception in thread \"(?P<thread>[^\"]*+)\" )?"
    r"(?P<type>(?:[A-Za-z_$][\w$]*+\.)++[A-Za-z_$][\w$]*+(?:\$[\w$]++)*+)(?::\s?(?P<msg>.*))?\s*$"
)
MAX_HEADER_SCAN = 1000
"""A header's exception type starts within this many characters of its line; only that much is searched."""
_ERRORISH = re.compile(r"(Exception|Error|Throwable|Failure|Fault)\w*$")
_MORE = re.compile(r"^\s*\.\.\. (\d+) (?:more|common frames omitted)\s*$")
_CAUSED = re.compile(r"^(?P<indent>\s*)Caused by: (?P<rest>.*)$")
_SUPPRESSED = re.compile(r"^(?P<indent>\s*)Suppressed: (?P<rest>.*)$")
LOOKBACK = 10
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class _Header:
    thread: str | None
    type: str
    msg: str | None


def is_java_frame(line: str) -> bool:
    return bool(_FRAME.match(line))


def parse_java(lines: list[str], start: int, floor: int) -> tuple[Trace, int] | None:
    header_at, m = _find_header(lines, start, floor)
    if m is None or header_at is None:
        return None
    trace, end = _parse_block(lines, header_at, m, _indent(lines[header_at]))
    return trace, end


def _find_header(lines: list[str], start: int, floor: int) -> tuple[int | None, _Header | None]:
    fallback: tuple[int | None, _Header | None] = (None, None)
    for j in range(start - 1, max(floor, start - LOOKBACK) - 1, -1):
        m = _search_header(lines[j])
        if m and (m.thread is not None or _ERRORISH.search(m.type)):
            return j, m
        if m and fallback[0] is None:
            fallback = (j, m)
    return fallback


def _search_header(line: str) -> _Header | None:
    m = _HEADER.search(line[:MAX_HEADER_SCAN])
    if m is None:
        return None
    msg = line[m.start("msg") :] if m.group("msg") is not None else None
    return _Header(m.group("thread"), m.group("type"), msg)


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def _parse_block(lines: list[str], at: int, header: _Header, base: int) -> tuple[Trace, int]:
    i = at + 1
    extra: list[str] = []
    while i < len(lines) and not _FRAME.match(lines[i]) and len(extra) < LOOKBACK:
        if _CAUSED.match(lines[i]) or _SUPPRESSED.match(lines[i]):
            break
        extra.append(lines[i].rstrip())
        i += 1
    if i < len(lines) and not _FRAME.match(lines[i]) and not _CAUSED.match(lines[i]):
        i = at + 1  # the lines after the header were not a message continuation
        extra = []
    collector = FrameCollector(innermost_first=True)
    more = 0
    cause: Trace | None = None
    related: list[Trace] = []
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            break
        if _indent(line) <= base and not _CAUSED.match(line):
            break
        if (f := _FRAME.match(line)) is not None:
            collector.add(_frame(f))
        elif (m := _MORE.match(line)) is not None:
            more += int(m.group(1))
        elif (s := _SUPPRESSED.match(line)) is not None and _indent(line) > base:
            h = _search_header(s.group("rest"))
            if h is None:
                break
            sub, i = _parse_block(lines, i, h, _indent(line))
            related.append(sub)
            continue
        elif (c := _CAUSED.match(line)) is not None and _indent(line) == base:
            h = _search_header(c.group("rest"))
            if h is None:
                break
            cause, i = _parse_block(lines, i, h, base)
            break
        else:
            break
        i += 1
    frames, dropped, gap = collector.result()
    message = "\n".join([header.msg or "", *extra]).strip()[:MAX_TEXT]
    trace = Trace(
        format=TraceFormat.JAVA,
        language="java",
        exception_type=header.type,
        message=message,
        frames=frames,
        cause=cause,
        context_kind="cause" if cause is not None else None,
        truncated_frames=dropped + more,
        gap_index=gap,
        related=tuple(related),
        thread=header.thread,
    )
    return trace, i


def _frame(m: re.Match[str]) -> Frame:
    func = m.group("func")
    loc = _LOC.match(m.group("loc"))
    file = loc.group("file") if loc and loc.group("file").endswith((".java", ".kt", ".scala", ".groovy")) else ""
    line = int(loc.group("line")) if loc and loc.group("line") else None
    method = func.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    if method in ("<init>", "<clinit>"):
        method = func.rsplit(".", 2)[-2].split("$")[0] if func.count(".") >= 1 else ""
    elif lam := re.match(r"lambda\$(\w+?)\$\d+$", method):
        method = lam.group(1)
    return Frame(
        path=file,
        line=line,
        col=None,
        function=func,
        name=method if re.fullmatch(r"[\w$]+", method) else "",
        source_line=None,
        is_library=is_library_frame(TraceFormat.JAVA, file, func) or not file,
    )
