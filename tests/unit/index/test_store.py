"""The LanceDB store: per-file replace, commit order, orphans, schema rebuild, one writer, search, vectors, cleanup."""

from __future__ import annotations

import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from splice.config import Settings
from splice.index import codec
from splice.index.extract import extract
from splice.index.model import Edge, EdgeKind, FileRecord
from splice.index.store import FileWrite, ReadOnlyStore, Store, path_predicate, search_text


def file_write(path: str, source: str, digest: str = "h1") -> FileWrite:
    fx = extract(path, "python", source.encode())
    edges = [Edge(s.id, None, s.name, EdgeKind.REFERENCES, path, s.selection, 0.0) for s in fx.symbols[1:]]
    return FileWrite(FileRecord(path, "python", digest, len(source), 1.0, 2.0), fx, edges, ("dep.py",))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path, Settings(), optimize_every=1000, retention=timedelta(0))
    yield s
    s.close()


def test_round_trip_and_gitignore(tmp_path: Path, store: Store) -> None:
    w = file_write(
        "pkg/a.py", 'def parse_config(path):\n    """Read the settings file."""\n\nclass Loader:\n    pass\n'
    )
    store.write([w])
    assert (tmp_path / ".splice" / ".gitignore").read_text().strip().endswith("*")
    loaded = store.load_files()["pkg/a.py"]
    assert loaded.record == w.record
    assert loaded.extract.symbols == w.extract.symbols
    assert loaded.extract.references == w.extract.references
    assert loaded.edges == w.edges
    assert loaded.deps == ("dep.py",)
    assert store.count("symbols") == len(w.extract.symbols)


def test_per_file_replace_leaves_other_files_alone(store: Store) -> None:
    store.write([file_write("a.py", "def f():\n    pass\n\ndef g():\n    pass\n"), file_write("b.py", "X = 1\n")])
    before_b = store.count("symbols") - 3
    store.write([file_write("a.py", "def only():\n    pass\n", "h2")])
    rows = store.load_files()
    assert [s.name for s in rows["a.py"].extract.symbols[1:]] == ["only"]
    assert rows["a.py"].record.hash == "h2"
    assert store.count("symbols") == 2 + before_b
    store.delete(["a.py"])
    assert set(store.load_files()) == {"b.py"}


def test_paths_with_quotes_are_escaped(store: Store) -> None:
    assert path_predicate(["it's.py"]) == "path IN ('it''s.py')"
    store.write([file_write("it's.py", "def f():\n    pass\n"), file_write("its.py", "def g():\n    pass\n")])
    store.write([file_write("it's.py", "def h():\n    pass\n", "h2")])
    files = store.load_files()
    assert [s.name for s in files["it's.py"].extract.symbols[1:]] == ["h"]
    assert [s.name for s in files["its.py"].extract.symbols[1:]] == ["g"]


def test_rows_without_a_committed_files_row_are_dropped_on_open(tmp_path: Path) -> None:
    store = Store(tmp_path, Settings())
    store.write([file_write("kept.py", "def k():\n    pass\n")])
    # Simulate a crash after the symbols/edges commits of a batch, before its ``files`` commit.
    original = store._tables["files"]

    class Crash:
        def merge_insert(self, _key: str) -> object:
            raise KeyboardInterrupt("killed")

    store._tables["files"] = Crash()
    with pytest.raises(KeyboardInterrupt):
        store.write([file_write("lost.py", "def lost():\n    pass\n")])
    store._tables["files"] = original
    assert store.count("symbols") == 4  # the orphan rows are there...
    store.close()
    reopened = Store(tmp_path, Settings())
    assert set(reopened.load_files()) == {"kept.py"}
    assert reopened.count("symbols") == 2, "...and gone after reopening"
    reopened.close()


def test_older_schema_is_rebuilt_with_a_message(tmp_path: Path) -> None:
    store = Store(tmp_path, Settings())
    store.write([file_write("a.py", "def f():\n    pass\n")])
    store._write_meta({"schema": "0.1"})
    store.close()
    reopened = Store(tmp_path, Settings())
    assert reopened.load_files() == {}
    assert any("schema 0.1" in m and "rebuilding" in m for m in reopened.messages)
    reopened.write([file_write("a.py", "def f():\n    pass\n")])
    assert set(reopened.load_files()) == {"a.py"}
    reopened.close()


def test_second_process_opens_read_only(tmp_path: Path, store: Store) -> None:
    store.write([file_write("a.py", "def f():\n    pass\n")])
    # flock locks belong to the open file description, so a second Store in this process contends like another
    # process would.
    second = Store(tmp_path, Settings())
    try:
        assert second.read_only
        assert any("read-only" in m for m in second.messages)
        assert set(second.load_files()) == {"a.py"}
        with pytest.raises(ReadOnlyStore):
            second.write([file_write("b.py", "X = 1\n")])
    finally:
        second.close()
    store.close()
    third = Store(tmp_path, Settings())
    assert not third.read_only, "the lock is released on close"
    third.close()


def test_full_text_search_over_names_and_docs(store: Store) -> None:
    assert "parse config" in search_text("parseConfig", "Loader.parseConfig", "")
    assert "api_key" not in search_text("f", "f", "api_key = 'abcdefghijklmnopqrstu'\nReads things.")
    store.write(
        [
            file_write("a.py", 'def parseConfig(path):\n    """Read the settings file."""\n'),
            file_write("b.py", 'def render_page():\n    """Draw HTML."""\n'),
        ]
    )
    assert store.fts_search("config", 5)[0][0] == "a.py::parseConfig"
    store.ensure_fts()
    hits = store.fts_search("settings", 5)
    assert [h[0] for h in hits] == ["a.py::parseConfig"] and hits[0][1] > 0
    assert store.fts_search("render", 5)[0][0] == "b.py::render_page"
    assert store.fts_search("", 5) == []


def test_vectors_are_keyed_by_model(store: Store) -> None:
    assert store.vector_model() is None
    store.set_vectors("m1", [("a.py::f", [1.0, 0.0, 0.0]), ("a.py::g", [0.0, 1.0, 0.0])])
    assert store.vector_model() == "m1"
    assert dict(store.load_vectors("m1")) == {"a.py::f": pytest.approx([1, 0, 0]), "a.py::g": pytest.approx([0, 1, 0])}
    assert store.vector_search("m1", [0.9, 0.1, 0.0], 1)[0][0] == "a.py::f"
    assert store.load_vectors("other") == []
    store.set_vectors("m2", [("a.py::f", [0.5, 0.5])])  # a new model (and dimension) replaces the old vectors
    assert store.vector_model() == "m2"
    assert store.load_vectors("m1") == []
    assert [sid for sid, _ in store.load_vectors("m2")] == ["a.py::f"]


def test_many_incremental_updates_keep_versions_bounded(tmp_path: Path) -> None:
    store = Store(tmp_path, Settings(), optimize_every=15, retention=timedelta(0))
    counts = []
    for i in range(40):
        store.write([file_write("a.py", f"def f{i}():\n    pass\n", f"h{i}")])
        counts.append(store.version_count())
    assert max(counts[20:]) <= 3 * 10, counts
    assert [s.name for s in store.load_files()["a.py"].extract.symbols[1:]] == ["f39"]
    store.close()


def test_undecodable_rows_are_re_indexed_not_fatal(store: Store) -> None:
    w = file_write("a.py", "def f():\n    pass\n")
    blob = codec.encode(w.extract, w.edges)
    extract, edges = codec.decode("a.py", blob)
    assert extract.symbols == w.extract.symbols and edges == w.edges
    for bad in (b"", b"not zlib", zlib.compress(b"\x05\x00\x00\x00{}"), blob[:-3]):
        with pytest.raises(ValueError, match="cannot decode"):
            codec.decode("a.py", bad)


def test_vectors_of_removed_symbols_are_pruned(store: Store) -> None:
    store.write([file_write("a.py", "def f():\n    pass\n\ndef g():\n    pass\n")])
    store.set_vectors("m", [("a.py::f", [1.0, 0.0]), ("a.py::g", [0.0, 1.0])])
    store.write([file_write("a.py", "def f():\n    return 1\n", "h2")])  # g is gone, f keeps its id
    assert [sid for sid, _ in store.load_vectors("m")] == ["a.py::f"]
    store.delete(["a.py"])
    assert store.load_vectors("m") == []
