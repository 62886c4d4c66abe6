"""The plain-text rendering of resolved traces."""

from __future__ import annotations

from tests.unit.explain.explain_support import build_graph, fixture_text, read_workspace_text

from splice.features.explain.render import render
from splice.features.explain.resolve import Resolution, resolve_text

GRAPH = build_graph()


def resolved(text: str, **kwargs: object) -> Resolution:
    result = resolve_text(text, GRAPH, read_text=read_workspace_text, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Resolution), result
    return result


def test_chain_is_rendered_root_cause_first() -> None:
    assert render(resolved(fixture_text("python_cause_chain"))) == (
        "FileNotFoundError:\n"
        "    | [Errno 2] No such file or directory: 'shop.cfg'\n"
        "  - load at src/shop/config.py:16\n"
        "\n"
        "while handling that:\n"
        "ValueError:\n"
        "    | bad config line: owner\n"
        "  - parse_config at src/shop/config.py:8\n"
        "  - load at src/shop/config.py:19\n"
        "\n"
        "which caused:\n"
        "RuntimeError:\n"
        "    | cannot start without a configuration\n"
        "  - main at app.py:10"
    )


def test_drift_library_runs_and_test_ids() -> None:
    assert render(resolved(fixture_text("python_drifted"))).splitlines()[2] == (
        "  - price_of at src/shop/prices.py:9 (the trace says line 4)"
    )
    assert render(resolved(fixture_text("node_plain"))).splitlines()[2:] == [
        "  - handler at web/server.js:13",
        "  - 8 frames in express",
    ]
    assert render(resolved(fixture_text("pytest_short"))).splitlines()[0] == (
        "KeyError in test qa/check_cart.py::test_total:"
    )


def test_unmapped_excluded_unsure_repeated_and_notes() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/elsewhere/tools/run.py", line 3, in <module>\n    go()\n'
        '  File "/x/src/shop/config.py", line 8, in parse_config\n    raise ValueError()\n'
        '  File "/x/src/shop/prices.py", line 9, in price_of\n    return COSTS[sku]\n'
        '  File "/x/src/shop/prices.py", line 9, in price_of\n    return COSTS[sku]\n'
        "  [Previous line repeated 5 more times]\n"
        "ValueError: hidden\u202e\n"
    )
    out = render(resolved(text, is_excluded=lambda p: p.endswith("config.py"))).splitlines()
    assert out == [
        "ValueError:",
        "    | hidden<U+202E>",
        "  - price_of at src/shop/prices.py:9 (repeated 6 more times) (unsure: the trace's path ends with "
        "src/shop/prices.py; quoted source not found within 30 lines of line 9; enclosing symbol is price_of)",
        "  - parse_config at src/shop/config.py (excluded: source not shared)",
        "  - <module> at /elsewhere/tools/run.py (not in this workspace)",
        "note: The input contained 1 invisible or direction-changing characters, shown as <U+XXXX>.",
    ]
