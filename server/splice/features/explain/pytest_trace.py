"""pytest failure output: long (``>``/``E`` lines with ``path:line: Exc``) and short (``path:line: in f``) styles,
and the ``FAILED nodeid - Exc: msg`` summary lines (which name the test even when no traceback was printed).
"""

from __future__ import annotations

import re
from dataclasses import replace

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import ChainKind, Frame, Trace, TraceFormat
from splice.features.explain.python_trace import CHAIN_MARKERS

_SECTION = re.compile(r"^_{3,} (?P<name>.+?) _{3,}\s*$")
_BLOCK_END = re.compile(r"^(={3,}|-{3,} Captured |_{3,} .+ _{3,}\s*$)")
_LOCATION = re.compile(
    r"^(?P<path>(?:[A-Za-z]:)?[^\s:][^:]*?\.\w+):(?P<line>\d+):(?: in (?P<func>\S+)| (?P<exc>[\w.]+))?\s*$"
)
_SUMMARY = re.compile(r"^(?P<kind>FAILED|ERROR) (?P<nodeid>\S+?\.\w+::\S+)(?: - (?P<rest>.*))?\s*$")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(?P<name>\w+)\s*\(")
_TYPED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): ?(?P<msg>.*)$")
_BARE_TYPE = re.compile(r"^[A-Z][\w.]*$")
_STAGE = re.compile(r"^ERROR (?:at (?:setup|teardown) of |collecting )")
_CARET = re.compile(r"^\s*[~^]*\^[~^]*\s*$")
MAX_MESSAGE_LINES = 30
MAX_TEXT = 2000


def starts_pytest(line: str) -> bool:
    return bool(_SECTION.match(line) or _SUMMARY.match(line))


def parse_pytest(lines: list[str], start: int) -> tuple[Trace, int] | None:
    m = _SUMMARY.match(lines[start])
    if m:
        return _summary_trace(m), start + 1
    section = _SECTION.match(lines[start])
    if section is None:
        return None
    return _parse_section(lines, start, _STAGE.sub("", section.group("name")))


class _Segment:
    """One exception inside a failure section; pytest prints chained exceptions as consecutive segments."""

    def __init__(self) -> None:
        self.collector = FrameCollector(innermost_first=False)
        self.errors: list[str] = []
        self.last_exc = ""
        self.pending_source: str | None = None
        self.pending_def = ""
        self.awaiting_short_source = False

    def feed(self, line: str) -> None:
        loc = _LOCATION.match(line)
        if loc:
            self._location(loc)
        elif line.startswith("E ") or line == "E":
            if len(self.errors) < MAX_MESSAGE_LINES:
                self.errors.append(line[1:].strip())
        elif line.startswith(">"):
            self.pending_source = line[1:].strip()[:MAX_TEXT]
        elif self.awaiting_short_source and line.startswith("    ") and line.strip() and not _CARET.match(line):
            self.collector.set_last_source(line.strip()[:MAX_TEXT])
            self.awaiting_short_source = False
        elif (d := _DEF.match(line)) is not None and not self.pending_def:
            self.pending_def = d.group("name")

    def _location(self, loc: re.Match[str]) -> None:
        path, func = loc.group("path"), loc.group("func")
        source = None
        if func is None:
            # Long style: the frame's source (``>`` line and its ``def``) came before its location line.
            func, source = self.pending_def, self.pending_source
        self.collector.add(
            Frame(
                path=path,
                line=int(loc.group("line")),
                col=None,
                function=func,
                name=func if func.isidentifier() else "",
                source_line=source,
                is_library=is_library_frame(TraceFormat.PYTEST, path, func),
            )
        )
        self.last_exc = loc.group("exc") or self.last_exc
        self.awaiting_short_source = loc.group("func") is not None
        self.pending_source, self.pending_def = None, ""

    def empty(self) -> bool:
        return len(self.collector) == 0 and not self.errors

    def trace(self, name: str, cause: Trace | None, kind: ChainKind | None) -> Trace:
        exc_type, message = _exception(self.errors, self.last_exc)
        frames, dropped, gap = self.collector.result()
        return Trace(
            format=TraceFormat.PYTEST,
            language="python",
            exception_type=exc_type,
            message=message,
            frames=frames,
            cause=cause,
            context_kind=kind if cause is not None else None,
            truncated_frames=dropped,
            gap_index=gap,
            test_id=name,
        )


def _parse_section(lines: list[str], start: int, name: str) -> tuple[Trace, int] | None:
    segments: list[tuple[_Segment, ChainKind | None]] = [(_Segment(), None)]
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if _BLOCK_END.match(line):
            break
        kind = CHAIN_MARKERS.get(line.strip())
        if kind is not None:
            segments.append((_Segment(), kind))
        else:
            segments[-1][0].feed(line)
        i += 1
    trace: Trace | None = None
    for k, (segment, _) in enumerate(segments):
        if segment.empty():
            continue
        # The marker printed before a segment says how the previous exception relates to it.
        trace = segment.trace(name, trace, segments[k][1])
    return None if trace is None else (trace, i)


def _exception(errors: list[str], location_type: str) -> tuple[str, str]:
    if not errors:
        return location_type, ""
    first = errors[0]
    typed = _TYPED.match(first)
    if typed and " " not in typed.group("type"):
        return typed.group("type"), "\n".join([typed.group("msg"), *errors[1:]]).strip()[:MAX_TEXT]
    if _BARE_TYPE.match(first):
        return first, "\n".join(errors[1:]).strip()[:MAX_TEXT]
    message = "\n".join(errors).strip()[:MAX_TEXT]
    if location_type:
        return location_type, message
    return ("AssertionError" if first.startswith("assert") else ""), message


def _summary_trace(m: re.Match[str]) -> Trace:
    nodeid = m.group("nodeid")
    path, _, rest = nodeid.partition("::")
    function = rest.replace("::", ".")
    bare = re.sub(r"\[.*\]$", "", function.rsplit(".", 1)[-1])
    exc_type, message = _exception([m.group("rest") or ""], "") if m.group("rest") else ("", "")
    frame = Frame(
        path=path,
        line=None,
        col=None,
        function=function,
        name=bare,
        source_line=None,
        is_library=False,
    )
    return Trace(
        format=TraceFormat.PYTEST,
        language="python",
        exception_type=exc_type,
        message=message,
        frames=(frame,),
        test_id=nodeid,
    )


def merge_summaries(traces: list[Trace]) -> list[Trace]:
    """Give each failure section the node id of the summary line that names it, and drop that summary trace.

    A summary line matches the nearest earlier section with the same test name that has no node id yet.
    """
    merged: list[Trace] = []
    pending: list[int] = []
    for trace in traces:
        test_id = trace.test_id if trace.format is TraceFormat.PYTEST else None
        if test_id is None:
            merged.append(trace)
        elif "::" not in test_id:
            pending.append(len(merged))
            merged.append(trace)
        else:
            name = test_id.partition("::")[2].replace("::", ".")
            match = next((k for k in reversed(pending) if merged[k].test_id == name), None)
            if match is None:
                merged.append(trace)
            else:
                pending.remove(match)
                merged[match] = replace(merged[match], test_id=test_id)
    return merged
