"""pytest failure output: long (``>``/``E`` lines with ``path:line: Exc``) and short (``path:line: in f``) styles,
and the ``FAILED nodeid - Exc: msg`` summary lines (which name the test even when no traceback was printed).
"""

from __future__ import annotations

import re
from dataclasses import replace

from splice.features.explain.collect import FrameCollector
from splice.features.explain.library import is_library_frame
from splice.features.explain.model import Frame, Trace, TraceFormat

_SECTION = re.compile(r"^_{3,} (?P<name>.+?) _{3,}\s*$")
_BLOCK_END = re.compile(r"^(={3,}|-{3,} Captured |_{3,} .+ _{3,}\s*$)")
_LOCATION = re.compile(
    r"^(?P<path>(?:[A-Za-z]:)?[^\s:][^:]*?\.\w+):(?P<line>\d+):(?: in (?P<func>\S+)| (?P<exc>[\w.]+))?\s*$"
)
_SUMMARY = re.compile(r"^(?P<kind>FAILED|ERROR) (?P<nodeid>\S+?\.\w+::\S+)(?: - (?P<rest>.*))?\s*$")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(?P<name>\w+)\s*\(")
_TYPED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): ?(?P<msg>.*)$")
_BARE_TYPE = re.compile(r"^[A-Z][\w.]*$")
_STAGE = re.compile(r"^ERROR at (?:setup|teardown) of ")
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


def _parse_section(lines: list[str], start: int, name: str) -> tuple[Trace, int] | None:
    collector = FrameCollector(innermost_first=False)
    pending_source: str | None = None
    pending_def = ""
    errors: list[str] = []
    last_exc = ""
    awaiting_short_source = False
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if _BLOCK_END.match(line):
            break
        loc = _LOCATION.match(line)
        if loc:
            path, func = loc.group("path"), loc.group("func")
            if func is None:
                # Long style: the frame's source (``>`` line and its ``def``) came before its location line.
                func = pending_def
                source = pending_source
            else:
                source = None
            collector.add(
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
            last_exc = loc.group("exc") or last_exc
            awaiting_short_source = loc.group("func") is not None
            pending_source, pending_def = None, ""
        elif line.startswith("E ") or line == "E":
            if len(errors) < MAX_MESSAGE_LINES:
                errors.append(line[1:].strip())
        elif line.startswith(">"):
            pending_source = line[1:].strip()[:MAX_TEXT]
        elif awaiting_short_source and line.startswith("    ") and line.strip() and not _CARET.match(line):
            collector.set_last_source(line.strip()[:MAX_TEXT])
            awaiting_short_source = False
        else:
            d = _DEF.match(line)
            if d and not pending_def:
                pending_def = d.group("name")
        i += 1
    if len(collector) == 0 and not errors:
        return None
    exc_type, message = _exception(errors, last_exc)
    frames, dropped, gap = collector.result()
    trace = Trace(
        format=TraceFormat.PYTEST,
        language="python",
        exception_type=exc_type,
        message=message,
        frames=frames,
        truncated_frames=dropped,
        gap_index=gap,
        test_id=name,
    )
    return trace, i


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
