"""Very deep stacks: the innermost and outermost frames survive, the middle is counted, memory stays bounded."""

from __future__ import annotations

from splice.features.explain.collect import HEAD, TAIL
from splice.features.explain.model import ParsedTraces, Trace
from splice.features.explain.traces import parse_traces

DEPTH = 10_000


def only(text: str) -> Trace:
    parsed = parse_traces(text)
    assert isinstance(parsed, ParsedTraces), parsed
    return parsed.primary


def python_mutual_recursion(depth: int) -> str:
    """depth() → <genexpr> → depth() … as CPython prints it: no two consecutive frames are the same line."""
    lines = ["Traceback (most recent call last):", '  File "/w/app.py", line 3, in <module>', "    depth(tree)"]
    for level in range(depth):
        if level % 2 == 0:
            lines += ['  File "/w/tree.py", line 6, in depth', "    return 1 + max(depth(c) for c in children)"]
        else:
            lines += ['  File "/w/tree.py", line 6, in <genexpr>', "    return 1 + max(depth(c) for c in children)"]
    lines += ['  File "/w/tree.py", line 5, in depth', "    children = node['children']"]
    lines.append("RecursionError: maximum recursion depth exceeded")
    return "\n".join(lines) + "\n"


def test_python_10000_frames_keep_both_ends() -> None:
    trace = only(python_mutual_recursion(DEPTH))
    total = DEPTH + 2
    assert len(trace.frames) == HEAD + TAIL
    assert trace.truncated_frames == total - HEAD - TAIL
    assert trace.frames[0].line == 5  # the frame that raised
    assert trace.frames[-1].function == "<module>"  # the entry point
    assert trace.gap_index == TAIL
    assert trace.exception_type == "RecursionError"


def test_identical_consecutive_frames_fold_into_a_repeat_count() -> None:
    frame = '  File "/w/r.py", line 2, in r\n    return r(n + 1)\n'
    text = "Traceback (most recent call last):\n" + frame * DEPTH + "RecursionError: too deep\n"
    trace = only(text)
    assert len(trace.frames) == 1
    assert trace.frames[0].repeat == DEPTH - 1
    assert trace.truncated_frames == 0


def test_node_10000_frames() -> None:
    body = "".join(f"    at f{k % 3} (/w/a.js:{k % 3 + 1}:5)\n" for k in range(DEPTH))
    trace = only("RangeError: Maximum call stack size exceeded\n" + body)
    assert len(trace.frames) == HEAD + TAIL
    assert trace.truncated_frames == DEPTH - HEAD - TAIL
    assert trace.frames[0].function == "f0"
    assert trace.frames[-1].function == f"f{(DEPTH - 1) % 3}"


def test_java_10000_frames() -> None:
    body = "".join(f"\tat com.acme.T.f{k % 2}(T.java:{k % 2 + 3})\n" for k in range(DEPTH))
    trace = only('Exception in thread "main" java.lang.StackOverflowError\n' + body)
    assert len(trace.frames) == HEAD + TAIL
    assert trace.truncated_frames == DEPTH - HEAD - TAIL
    assert trace.exception_type == "java.lang.StackOverflowError"


def test_go_10000_frames() -> None:
    body = "".join(f"main.f{k % 2}(...)\n\t/w/main.go:{k % 2 + 3} +0x1d\n" for k in range(DEPTH))
    text = "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\n"
    trace = only(text + "goroutine 1 [running]:\n" + body + "...additional frames elided...\n")
    assert len(trace.frames) == HEAD + TAIL
    assert trace.truncated_frames == DEPTH - HEAD - TAIL + 1
    assert (trace.exception_type, trace.message) == ("fatal error", "stack overflow")


def test_rust_10000_frames() -> None:
    body = "".join(f"  {k}: app::walk\n             at ./src/tree.rs:{k % 2 + 8}:5\n" for k in range(DEPTH))
    trace = only(
        "thread 'main' has overflowed\nthread 'main' panicked at src/tree.rs:8:5:\ndeep\nstack backtrace:\n" + body
    )
    assert len(trace.frames) == HEAD + TAIL
    assert trace.truncated_frames == DEPTH - HEAD - TAIL
