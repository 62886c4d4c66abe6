"""Find and parse every stack trace in a piece of text (a terminal paste, a log, a CI page).

Each line is offered to the format whose start it looks like; a trace parser consumes its lines and returns where
it stopped, so prose and log lines around and between traces are skipped. Node and Java traces are recognised by
their ``at`` lines and search a few lines back for their header. Pure and total: any input gives ``ParsedTraces``
or a ``ParseError``, never an exception (a parser bug degrades to ``ParseError`` too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from splice.features.explain.go_trace import parse_go, starts_go
from splice.features.explain.java_trace import is_java_frame, parse_java
from splice.features.explain.js_trace import is_js_frame, parse_js
from splice.features.explain.model import ParsedTraces, ParseError, Trace
from splice.features.explain.pytest_trace import merge_summaries, parse_pytest, starts_pytest
from splice.features.explain.python_trace import parse_python, starts_python
from splice.features.explain.rust_trace import parse_rust, starts_rust
from splice.features.explain.untrusted import reveal_invisible

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 4_000_000
"""Longer input keeps only its end: the failure is printed last, and memory must stay bounded."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# Container runtime (CRI) log lines, as a Kubernetes node stores them: ``<RFC3339> stderr F <text>``.
_CRI_PREFIX = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [FP] ", re.MULTILINE)

_Forward = Callable[[list[str], int], tuple[Trace, int] | None]
_Backward = Callable[[list[str], int, int], tuple[Trace, int] | None]
_FORWARD: tuple[tuple[Callable[[str], bool], _Forward], ...] = (
    (starts_python, parse_python),
    (starts_pytest, parse_pytest),
    (starts_go, parse_go),
    (starts_rust, parse_rust),
)
_BACKWARD: tuple[tuple[Callable[[str], bool], _Backward], ...] = (
    (is_java_frame, parse_java),
    (is_js_frame, parse_js),
)
SUPPORTED = "Python tracebacks, pytest failures, Node/TypeScript stacks, Go panics, Rust panics, Java stack traces"


def parse_traces(text: str) -> ParsedTraces | ParseError:
    """Every trace in ``text``; the primary one is the last trace that reaches non-library code."""
    if not text or not text.strip():
        return ParseError(f"The input is empty. Paste a stack trace ({SUPPORTED}).")
    notes: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        notes.append(f"Only the last {MAX_INPUT_CHARS:,} characters of the input were read.")
    text, hidden = reveal_invisible(text)
    if hidden:
        notes.append(f"The input contained {hidden} invisible or direction-changing characters, shown as <U+XXXX>.")
    try:
        traces = find_traces(text)
    except Exception:  # a parser bug must not take the feature down; the input is reported, not lost
        log.exception("trace parser failed")
        return ParseError("The trace parser failed on this input; please report it with the text.")
    if not traces:
        return ParseError(f"No stack trace found in the input. Supported: {SUPPORTED}.")
    primary = _primary(traces)
    others = tuple(t for t in traces if t is not primary)
    return ParsedTraces(primary=primary, others=others, notes=tuple(notes))


def find_traces(text: str) -> list[Trace]:
    """All traces in order of appearance."""
    if len(text) > MAX_INPUT_CHARS:
        text = text[-MAX_INPUT_CHARS:]
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = _CRI_PREFIX.sub("", text).split("\n")
    traces: list[Trace] = []
    i = 0
    floor = 0
    while i < len(lines):
        parsed = _parse_at(lines, i, floor)
        if parsed is None:
            i += 1
            continue
        trace, end = parsed
        traces.append(trace)
        i = floor = max(end, i + 1)
    return merge_summaries(traces)


def _parse_at(lines: list[str], i: int, floor: int) -> tuple[Trace, int] | None:
    line = lines[i]
    for starts, forward in _FORWARD:
        if starts(line) and (parsed := forward(lines, i)) is not None:
            return parsed
    for is_frame, backward in _BACKWARD:
        if is_frame(line) and (parsed := backward(lines, i, floor)) is not None:
            return parsed
    return None


def _primary(traces: list[Trace]) -> Trace:
    for trace in reversed(traces):
        if any(not f.is_library for t in trace.chain() for f in t.frames if f.line is not None):
            return trace
    for trace in reversed(traces):
        if trace.frames:
            return trace
    return traces[-1]
