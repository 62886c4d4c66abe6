"""Parsing details per format that the fixture table does not pin down."""

from __future__ import annotations

from tests.unit.explain.explain_support import fixture_text

from splice.features.explain.model import ParsedTraces, Trace, TraceFormat
from splice.features.explain.traces import find_traces, parse_traces


def only(text: str) -> Trace:
    parsed = parse_traces(text)
    assert isinstance(parsed, ParsedTraces), parsed
    return parsed.primary


PY_GROUP = """\
  + Exception Group Traceback (most recent call last):
  |   File "/w/app.py", line 16, in <module>
  |     main()
  |   File "/w/app.py", line 15, in main
  |     raise ExceptionGroup("many", errs)
  | ExceptionGroup: many (2 sub-exceptions)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/w/app.py", line 12, in main
    |     fn()
    |   File "/w/app.py", line 2, in f
    |     raise ValueError("bad 1")
    | ValueError: bad 1
    +---------------- 2 ----------------
    | TypeError: no traceback here
    +------------------------------------
"""


def test_python_exception_group_members_become_related_traces() -> None:
    trace = only(PY_GROUP)
    assert (trace.exception_type, trace.message) == ("ExceptionGroup", "many (2 sub-exceptions)")
    assert [f.function for f in trace.frames] == ["main", "<module>"]
    assert [(r.exception_type, r.message) for r in trace.related] == [
        ("ValueError", "bad 1"),
        ("TypeError", "no traceback here"),
    ]
    assert [f.line for f in trace.related[0].frames] == [2, 12]


def test_python_previous_line_repeated_folds_into_one_frame() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/w/r.py", line 3, in <module>\n    r(0)\n'
        + '  File "/w/r.py", line 2, in r\n    return r(n + 1)\n'
        * 3
        + "  [Previous line repeated 996 more times]\n"
        "RecursionError: maximum recursion depth exceeded\n"
    )
    trace = only(text)
    assert [(f.function, f.repeat) for f in trace.frames] == [("r", 998), ("<module>", 0)]


def test_python_caret_columns_and_multiline_message() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/w/m.py", line 3, in m\n'
        '    return d["x"]["y"] + 1\n'
        "           ~~~~~~^^^^^\n"
        "pydantic_core.ValidationError: 1 validation error for Item\n"
        "price\n"
        "  Input should be a valid number\n"
        "\n"
        "some unrelated line\n"
    )
    trace = only(text)
    assert trace.exception_type == "pydantic_core.ValidationError"
    assert trace.message == "1 validation error for Item\nprice\n  Input should be a valid number"
    frame = trace.frames[0]
    assert (frame.col, frame.col_from_indent, frame.source_line) == (14, True, 'return d["x"]["y"] + 1')


def test_python_exception_without_message_and_crlf_and_ansi() -> None:
    text = (
        "\x1b[31mTraceback (most recent call last):\r\n"
        '  File "/w/a.py", line 1, in <module>\r\n'
        "    f()\r\nKeyboardInterrupt\x1b[0m\r\n"
    )
    trace = only(text)
    assert (trace.exception_type, trace.message) == ("KeyboardInterrupt", "")
    assert trace.frames[0].source_line == "f()"


def test_pytest_summary_only_gives_frameless_test_traces() -> None:
    text = "FAILED tests/test_a.py::TestX::test_y[param-1] - AssertionError: boom\nFAILED tests/test_a.py::test_z\n"
    traces = find_traces(text)
    assert [t.test_id for t in traces] == ["tests/test_a.py::TestX::test_y[param-1]", "tests/test_a.py::test_z"]
    first = traces[0]
    assert (first.exception_type, first.message) == ("AssertionError", "boom")
    assert (first.frames[0].path, first.frames[0].name, first.frames[0].line) == ("tests/test_a.py", "test_y", None)


def test_node_header_block_gives_source_and_column_only_to_matching_frame() -> None:
    text = (
        "/w/web/a.js:2\n  throw new TypeError('boom');\n  ^\n\nTypeError: boom\n"
        "    at f (/w/web/a.js:2:9)\n    at Object.<anonymous> (/w/web/a.js:4:1)\n"
        "    at node:internal/main/run_main_module:28:49\n"
    )
    trace = only(text)
    assert trace.frames[0].source_line == "throw new TypeError('boom');"
    assert trace.frames[1].source_line is None
    assert [f.is_library for f in trace.frames] == [False, False, True]
    assert [f.name for f in trace.frames] == ["f", "", ""]


def test_node_new_async_and_alias_names() -> None:
    text = (
        "Error [ERR_X]: nope\n"
        "    at new Cart (/w/cart.js:5:13)\n"
        "    at async Promise.all (index 0)\n"
        "    at Layer.handle [as handle_request] (/w/node_modules/express/lib/router/layer.js:95:5)\n"
        "    at async main (/w/main.mjs:3:3)\n"
    )
    trace = only(text)
    assert (trace.exception_type, trace.message) == ("Error", "nope")
    assert [f.name for f in trace.frames] == ["Cart", "all", "handle", "main"]
    assert [f.line for f in trace.frames] == [5, None, 95, 3]


def test_java_suppressed_caused_by_and_more() -> None:
    text = (
        'Exception in thread "worker-1" java.lang.RuntimeException: outer\n'
        "\tat com.acme.A.run(A.java:10)\n"
        "\tSuppressed: java.io.IOException: close\n"
        "\t\tat com.acme.R.close(R.java:3)\n"
        "\t\t... 1 more\n"
        "Caused by: java.lang.IllegalArgumentException: inner\n"
        "\tat com.acme.B.check(B.java:7)\n"
        "\tat java.base/java.util.Objects.requireNonNull(Objects.java:233)\n"
        "\t... 2 more\n"
    )
    trace = only(text)
    assert trace.thread == "worker-1"
    assert trace.exception_type == "java.lang.RuntimeException"
    assert [r.exception_type for r in trace.related] == ["java.io.IOException"]
    assert trace.related[0].truncated_frames == 1
    cause = trace.cause
    assert cause is not None and trace.context_kind == "cause"
    assert (cause.exception_type, cause.message, cause.truncated_frames) == (
        "java.lang.IllegalArgumentException",
        "inner",
        2,
    )
    assert [f.is_library for f in cause.frames] == [False, True]


def test_java_native_and_lambda_frames() -> None:
    text = (
        "java.lang.IllegalStateException: x\n"
        "\tat com.acme.Cart.lambda$total$0(Cart.java:21)\n"
        "\tat com.acme.Cart.<init>(Cart.java:9)\n"
        "\tat jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"
    )
    trace = only(text)
    assert [f.name for f in trace.frames] == ["total", "Cart", "invoke0"]
    assert trace.frames[2].path == "" and trace.frames[2].is_library


def test_go_names_and_other_goroutines() -> None:
    text = (
        "panic: boom\n\ngoroutine 1 [running]:\n"
        "main.(*Store).Get(0xc0000, {0x1, 0x2})\n\t/w/store.go:23 +0x9c\n"
        "main.main.func1()\n\t/w/main.go:9 +0x1d\n"
        "created by main.main in goroutine 1\n\t/w/main.go:8 +0x25\n\n"
        "goroutine 6 [chan receive]:\nmain.worker()\n\t/w/main.go:30 +0x40\n"
    )
    trace = only(text)
    assert (trace.exception_type, trace.message, trace.thread) == ("panic", "boom", "goroutine 1")
    assert [f.name for f in trace.frames] == ["Get", "main", "main"]
    assert [r.thread for r in trace.related] == ["goroutine 6"]


def test_rust_old_format_without_backtrace() -> None:
    text = (
        "thread 'main' panicked at 'attempt to divide by zero', src/calc.rs:4:5\n"
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
    )
    trace = only(text)
    assert trace.format is TraceFormat.RUST
    assert trace.message == "attempt to divide by zero"
    assert [(f.path, f.line, f.col) for f in trace.frames] == [("src/calc.rs", 4, 5)]


def test_rust_new_format_without_backtrace_and_closure_names() -> None:
    text = (
        "thread 'tokio-runtime-worker' panicked at crates/api/src/lib.rs:40:9:\n"
        "assertion `left == right` failed\n  left: 1\n right: 2\n"
        "stack backtrace:\n"
        "   0: api::handler::{{closure}}\n             at ./crates/api/src/lib.rs:40:9\n"
        "   1: <api::Server as core::future::Future>::poll\n             at ./crates/api/src/server.rs:12:5\n"
    )
    trace = only(text)
    assert trace.thread == "tokio-runtime-worker"
    assert trace.message == "assertion `left == right` failed\n  left: 1\n right: 2"
    assert [f.name for f in trace.frames] == ["handler", "poll"]


def test_several_traces_primary_is_last_with_own_code() -> None:
    text = (
        'Traceback (most recent call last):\n  File "/w/a.py", line 1, in <module>\n    f()\nValueError: first\n'
        "2026-11-20 10:00:01 INFO retrying\n"
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.12/json/decoder.py", line 355, in raw_decode\n'
        "    raise JSONDecodeError()\njson.decoder.JSONDecodeError: only library frames\n"
    )
    parsed = parse_traces(text)
    assert isinstance(parsed, ParsedTraces)
    assert parsed.primary.message == "first"
    assert [t.message for t in parsed.others] == ["only library frames"]
    assert [t.message for t in parsed.all] == ["first", "only library frames"]


def test_chain_helpers() -> None:
    text = (
        "Traceback (most recent call last):\n  File \"/w/a.py\", line 1, in f\n    g()\nKeyError: 'a'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        'Traceback (most recent call last):\n  File "/w/a.py", line 3, in f\n    h()\nValueError: b\n'
    )
    trace = only(text)
    assert [t.exception_type for t in trace.chain()] == ["ValueError", "KeyError"]
    assert trace.root_cause().exception_type == "KeyError"
    assert trace.context_kind == "context"


def test_jest_code_frame_is_taken_out_of_the_message_and_quoted_on_the_frame() -> None:
    parsed = parse_traces(fixture_text("node_jest"))
    assert isinstance(parsed, ParsedTraces)
    first = parsed.others[0]
    assert (first.exception_type, first.message) == ("Error", "unknown sku: kiwi")
    assert first.frames[0].source_line == "throw new Error(`unknown sku: ${sku}`);"
    assert first.frames[0].col == 13
    assert parsed.primary.frames[0].source_line == "throw new RangeError(`discount over 100%: ${rule.code}`);"


def test_jest_expect_failure_is_an_assertion() -> None:
    text = (
        "  ● Cart › totals\n\n"
        "    expect(received).toBe(expected) // Object.is equality\n\n"
        "    Expected: 3\n    Received: 2\n\n"
        "      at Object.<anonymous> (web/cart.test.js:9:27)\n"
    )
    trace = only(text)
    assert trace.exception_type == "AssertionError"
    assert trace.message.splitlines()[-2:] == ["    Expected: 3", "    Received: 2"]


def test_pytest_collection_error_section_is_named_after_the_module() -> None:
    parsed = parse_traces(fixture_text("pytest_short_chained"))
    assert isinstance(parsed, ParsedTraces)
    collecting = parsed.others[0]
    assert collecting.test_id == "qa/check_prices.py"
    assert collecting.exception_type == "ImportError"
    assert [f.function for f in collecting.frames] == ["<module>", "import_module"]


def test_container_runtime_log_prefixes_are_stripped() -> None:
    stamp = "2026-11-20T10:00:00.123456789Z stderr F "
    text = "".join(
        stamp + line + "\n"
        for line in [
            "Traceback (most recent call last):",
            '  File "/app/src/shop/prices.py", line 9, in price_of',
            "    return PRICES[sku]",
            "KeyError: 'kiwi'",
        ]
    )
    trace = only(text)
    assert (trace.exception_type, trace.message) == ("KeyError", "'kiwi'")
    assert trace.frames[0].source_line == "return PRICES[sku]"
