"""query_parts: the rooted part (run with max start depth 0) plus the rest find exactly the full query's matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from splice.index.languages import language_for_path
from splice.index.parser import Node, QueryCursor, parse, query, query_parts

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
SAMPLES = sorted(p for p in GOLDEN.rglob("*") if p.is_file() and not p.name.endswith(".txt"))


def _key(caps: dict[str, list[Node]]) -> tuple[tuple[str, int, int], ...]:
    return tuple(sorted((k, n.start_byte, n.end_byte) for k, nodes in caps.items() for n in nodes))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parts_match_what_the_whole_query_matches(sample: Path) -> None:
    lang = language_for_path(sample.name)
    assert lang is not None
    full = query(lang, "tags")
    assert full is not None
    root = parse(lang, sample.read_bytes()).root_node
    expected = sorted(_key(caps) for _, caps in QueryCursor(full).matches(root))
    found = []
    for compiled, depth in query_parts(lang, "tags"):
        cursor = QueryCursor(compiled)
        if depth is not None:
            cursor.set_max_start_depth(depth)
        found.extend(_key(caps) for _, caps in cursor.matches(root))
    assert sorted(found) == expected


def test_python_module_level_patterns_are_split_off() -> None:
    parts = query_parts("python", "tags")
    assert [depth for _, depth in parts] == [0, None]
    rooted = QueryCursor(parts[0][0])
    rooted.set_max_start_depth(0)
    root = parse("python", b"X = 1\n\ndef f():\n    Y = 2\n").root_node
    names = [caps["name"][0].text for _, caps in rooted.matches(root) if "name" in caps]
    assert names == [b"X"]


def test_no_query_gives_no_parts() -> None:
    assert query_parts("python", "no-such-query") == ()
