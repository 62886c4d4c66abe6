"""Incremental re-parse: an edited old tree re-parsed gives the same tree and extract as a fresh parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from splice.config import Settings
from splice.index.extract import extract
from splice.index.indexer import Indexer
from splice.index.parser import Node, parse, parse_shared, reparse

BASE = b'''"""Doc."""
import os


class Client:
    def send(self, x):
        return os.path.join(x, "y")


def helper():
    return Client().send("a")
'''


def _shape(node: Node) -> list[tuple[str, int, int, tuple[int, int], tuple[int, int]]]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append((n.type, n.start_byte, n.end_byte, n.start_point, n.end_point))
        stack.extend(n.children)
    return out


EDITS = [
    BASE.replace(b"def helper", b"def helper2"),  # rename inside a line
    BASE + b"\ndef added():\n    pass\n",  # append
    b"# head\n" + BASE,  # insert at the start: every later point moves one line
    BASE.replace(b'        return os.path.join(x, "y")\n', b""),  # delete a line
    BASE.replace(b"class Client", b"class Client(Base").replace(b"Base:", b"Base):"),
    b"",  # everything deleted
    BASE.replace(b"x", b"xx"),  # several far-apart changes: one wide edit
    BASE.replace(b"def send", b"def send(("),  # a syntax error
]


@pytest.mark.parametrize("new", EDITS)
def test_reparse_matches_a_fresh_parse(new: bytes) -> None:
    tree = reparse("python", parse("python", BASE), BASE, new)
    assert _shape(tree.root_node) == _shape(parse("python", new).root_node)


@pytest.mark.parametrize("new", EDITS)
def test_extract_from_a_reparsed_tree_equals_a_fresh_extract(new: bytes) -> None:
    tree = reparse("python", parse("python", BASE), BASE, new)
    assert extract("m.py", "python", new, tree) == extract("m.py", "python", new)


def test_reparse_of_identical_text_and_growth_by_a_repeated_byte() -> None:
    for old, new in [(b"x = 1\n", b"x = 1\n"), (b"aa = 1\n", b"aaa = 1\n"), (b"a\n", b"")]:
        tree = reparse("python", parse("python", old), old, new)
        assert _shape(tree.root_node) == _shape(parse("python", new).root_node)


def test_successive_buffer_edits_keep_the_graph_equal_to_a_fresh_index(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(BASE)
    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    ix.index_all()
    for new in EDITS:
        ix.update_text(tmp_path / "m.py", new)
        assert ix.graph.extracts["m.py"] == extract("m.py", "python", new)
    ix.update_from_disk(tmp_path / "m.py")
    assert ix.graph.extracts["m.py"] == extract("m.py", "python", BASE)
    ix.close()


def test_shared_parses_are_reused_and_match_fresh_ones() -> None:
    first = parse_shared("python", BASE)
    shape = _shape(first.root_node)
    assert parse_shared("python", BASE) is first  # the same text is not parsed again
    for edited in EDITS:
        tree = parse_shared("python", edited)  # parsed incrementally from a kept tree of a similar text
        assert _shape(tree.root_node) == _shape(parse("python", edited).root_node)
    assert _shape(first.root_node) == shape  # kept trees are never edited by later parses
    assert parse_shared("javascript", b"let x = 1;\n").root_node.type == "program"  # one cache, per language
    assert _shape(parse_shared("python", b"x = (\n").root_node) == _shape(parse("python", b"x = (\n").root_node)
