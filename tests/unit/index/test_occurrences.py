"""Every use site, several per function included: ``splice refs``, the editor's references and call hierarchy and
generate's caller list list the second call in one function too (extraction folds it into the first reference)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from tests.unit.context.support import index, write

from splice.cli import index as cli
from splice.index.occurrences import expand

UTIL = '''def primitive_value_to_str(value):
    """Render a primitive: primitive_value_to_str(True) == "true"."""
    if value is True:
        return "true"
    return str(value)
'''

PARAMS = """from pkg.util import primitive_value_to_str


def encode(key, value):
    # primitive_value_to_str is applied to both halves
    label = "primitive_value_to_str(key)"
    k = primitive_value_to_str(key)
    v = primitive_value_to_str(value)

    def inner(x):
        return primitive_value_to_str(x)

    return f"{k}={v}" + inner(primitive_value_to_str(None)) + label
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/util.py": UTIL, "pkg/params.py": PARAMS})
    return tmp_path


def lines_of_calls() -> set[int]:
    return {i + 1 for i, line in enumerate(PARAMS.splitlines()) if "primitive_value_to_str(" in line}


def test_two_calls_in_one_function_are_two_sites(ws: Path) -> None:
    graph = index(ws)
    sid = "pkg/util.py::primitive_value_to_str"
    folded = [e for e in graph.incoming(sid) if e.kind.value == "calls"]
    sites = expand(graph, folded, lambda rel: (ws / rel).read_bytes())
    lines = {e.span.start.line + 1 for e in sites}
    # both calls in encode, the call in inner and the one in its argument list; never the comment or the string
    assert lines == {7, 8, 11, 13}
    assert lines < lines_of_calls()  # lines 5 and 6 mention the name in a comment and a string
    assert {graph.symbol(e.src).qualname for e in sites} == {"encode", "encode.inner"}  # type: ignore[union-attr]
    for e in sites:
        assert PARAMS.splitlines()[e.span.start.line][e.span.start.col :].startswith("primitive_value_to_str(")


def test_an_unsaved_text_keeps_the_indexed_sites(ws: Path) -> None:
    graph = index(ws)
    edges = graph.incoming("pkg/util.py::primitive_value_to_str")
    moved = ("\n\n" + PARAMS).encode()  # the buffer moved on: the graph's spans are not of this text
    assert expand(graph, edges, lambda rel: moved if rel == "pkg/params.py" else (ws / rel).read_bytes()) == sorted(
        edges, key=lambda e: (e.path, e.span.start_byte)
    )


def test_splice_refs_lists_both_calls(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="splice")
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["refs", "primitive_value_to_str", "--workspace", str(ws), "--json"])
    assert args.handler(args) == 0
    refs = json.loads(capsys.readouterr().out)["references"]
    calls = sorted((r["line"], r["from"]) for r in refs if r["kind"] == "calls")
    assert calls == [(7, "encode"), (8, "encode"), (11, "encode.inner"), (13, "encode")]
