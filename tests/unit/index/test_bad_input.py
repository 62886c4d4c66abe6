"""Bad input never crashes indexing and loses nothing: each case gives a clear skip reason or still indexes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from splice.config import Settings
from splice.index.indexer import Indexer
from splice.index.store import Store
from splice.index.walker import SkipReason

REPO = Path(__file__).resolve().parents[3]


def index(root: Path, **kw: object) -> tuple[Indexer, dict[str, SkipReason]]:
    ix = Indexer(root, Settings(), persist=False)
    summary = ix.index_all(**kw)  # type: ignore[arg-type]
    return ix, {s.path: s.reason for s in summary.skipped}


def test_syntax_errors_are_still_indexed(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def ok():\n    pass\n\ndef broken(:\n    return (\n\nclass After:\n    pass\n")
    ix = Indexer(tmp_path, Settings(), persist=False)
    summary = ix.index_all()
    assert summary.files == 1 and summary.syntax_errors == 1
    assert {"ok", "After"} <= {s.name for s in ix.graph.symbols_in("broken.py")}


def test_non_utf8_bytes_are_indexed(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(
        b"# caf\xe9\nNAME = '\xff\xfe'\n\ndef r\xe9sum\xe9():\n    pass\n\ndef plain():\n    pass\n"
    )
    ix, skipped = index(tmp_path)
    assert skipped == {}
    assert "plain" in {s.name for s in ix.graph.symbols_in("latin.py")}


def test_binary_file_with_a_source_extension_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x7fELF\x00\x01\x02" + bytes(range(256)) * 10)
    (tmp_path / "ok.py").write_text("x = 1\n")
    ix, skipped = index(tmp_path)
    assert skipped == {"blob.py": SkipReason.BINARY}
    assert list(ix.graph.files) == ["ok.py"]


def test_a_20_mb_file_is_skipped_without_reading_it(tmp_path: Path) -> None:
    line = b"value = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"
    (tmp_path / "huge.py").write_bytes(line * (20_000_000 // len(line)))
    (tmp_path / "ok.py").write_text("x = 1\n")
    tracemalloc.start()
    try:
        ix, skipped = index(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert skipped == {"huge.py": SkipReason.TOO_LARGE}
    assert peak < 5_000_000, f"peak Python allocation {peak:,} bytes: the file was read"
    skip = ix.update_text("huge.py", (tmp_path / "huge.py").read_bytes())
    assert skip is not None and skip.reason is SkipReason.TOO_LARGE and "huge.py" not in ix.graph.files


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "up")
    os.symlink(tmp_path / "pkg" / "a", tmp_path / "pkg" / "b")
    os.symlink(tmp_path / "pkg" / "b", tmp_path / "pkg" / "a")  # a ↔ b: a cycle of dangling links
    ix, skipped = index(tmp_path)
    assert list(ix.graph.files) == ["pkg/m.py"]
    assert skipped["pkg/up"] is SkipReason.SYMLINK_LOOP
    assert skipped["pkg/a"] in (SkipReason.BROKEN_SYMLINK, SkipReason.SYMLINK_OUTSIDE)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "ok.py").write_text("y = 2\n")
    if os.geteuid() != 0:
        (tmp_path / "secret.py").chmod(0)
    else:
        # root reads through chmod 000: simulate the PermissionError the walk would get as a normal user.
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self.name == "secret.py":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    ix, skipped = index(tmp_path)
    assert skipped == {"secret.py": SkipReason.UNREADABLE}
    assert list(ix.graph.files) == ["ok.py"]


def test_file_deleted_while_indexing(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text(f"def {name}():\n    pass\n")

    def progress(done: int, _total: int, _path: str) -> None:
        if done == 0:
            (tmp_path / "c.py").unlink()

    ix, skipped = index(tmp_path, progress=progress)
    assert skipped == {"c.py": SkipReason.VANISHED}
    assert sorted(ix.graph.files) == ["a.py", "b.py"]


def test_index_from_an_older_schema_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    pass\n")
    first = Indexer(tmp_path, Settings())
    first.index_all()
    first.close()
    store = Store(tmp_path, Settings())
    store._write_meta({"schema": "0.0"})
    store.close()
    again = Indexer(tmp_path, Settings())
    summary = again.index_all()
    again.close()
    assert summary.files == 1 and summary.reparsed == 1
    assert any("rebuilding" in m for m in summary.messages)


_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import splice.index.persist as persist
    from splice.config import Settings
    from splice.index.indexer import Indexer
    persist.BATCH = 5  # many small commits, so the kill lands between them
    ix = Indexer(Path(sys.argv[1]), Settings())
    ix.index_all()
    print("finished", flush=True)
    """
)


@pytest.mark.parametrize("commits_before_kill", [1, 4])
def test_kill_9_mid_indexing_is_recovered(tmp_path: Path, commits_before_kill: int) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    for i in range(60):
        (ws / f"m{i:02}.py").write_text(f"from m{(i + 1) % 60:02} import f{(i + 1) % 60}\n\ndef f{i}():\n    pass\n")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ws)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "server")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    versions = ws / ".splice" / "index" / "files.lance" / "_versions"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if versions.is_dir() and len(list(versions.glob("*.manifest"))) > commits_before_kill:
            break
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    out = child.stdout.read().decode() if child.stdout else ""
    assert "finished" not in out, "the child finished before it could be killed; make the workspace bigger"

    survivor = Store(ws, Settings())
    committed = set(survivor.load_files())
    survivor.close()
    assert 0 < len(committed) < 60, f"{len(committed)} files committed before the kill"

    ix = Indexer(ws, Settings())
    summary = ix.index_all()
    ix.close()
    assert not any("read-only" in m for m in summary.messages), "the dead writer's lock was released"
    assert (summary.files, summary.reused, summary.reparsed) == (60, len(committed), 60 - len(committed))
    assert summary.resolved == summary.edges, "every import and call resolves after recovery"

    final = Store(ws, Settings())
    try:
        files = final.load_files()
        assert sorted(files) == [f"m{i:02}.py" for i in range(60)]
        assert final.count("symbols") == sum(len(f.extract.symbols) for f in files.values())
        assert final.count("edges") == sum(len(f.edges) for f in files.values())
    finally:
        final.close()


_EDITOR = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from pathlib import Path
    from splice.config import Settings
    from splice.index.indexer import Indexer
    ix = Indexer(Path(sys.argv[1]), Settings(), background=False)
    ix.index_all()
    store = ix.store.get()
    store.optimize_every, store.retention = 4, timedelta(0)  # compaction and cleanup all the time
    print("indexed", flush=True)
    i = 0
    while True:  # saves and edits until killed, mid-commit or mid-optimize
        i += 1
        path = f"m{i % 20:02}.py"
        text = f"def f{i % 20}():\\n    return {i}\\n\\ndef extra{i}():\\n    pass\\n"
        (Path(sys.argv[1]) / path).write_text(text)
        ix.update_from_disk(path)
        ix.settle()
    """
)


def test_kill_9_during_incremental_commits_and_compaction(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    for i in range(20):
        (ws / f"m{i:02}.py").write_text(f"def f{i}():\n    pass\n")
    child = subprocess.Popen(
        [sys.executable, "-c", _EDITOR, str(ws)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "server")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"indexed"
    time.sleep(2.0)  # dozens of commits and several optimize() runs
    child.send_signal(signal.SIGKILL)
    child.wait(10)

    ix = Indexer(ws, Settings())
    summary = ix.index_all()
    ix.close()
    assert summary.files == 20 and not summary.messages
    final = Store(ws, Settings())
    try:
        files = final.load_files()
        assert sorted(files) == [f"m{i:02}.py" for i in range(20)]
        for path, row in files.items():
            disk = (ws / path).read_bytes()
            assert row.record.hash == hashlib.sha256(disk).hexdigest(), f"{path} is stored as it is on disk"
        assert final.count("symbols") == sum(len(f.extract.symbols) for f in files.values())
    finally:
        final.close()


def test_a_file_whose_extraction_crashes_is_left_out_with_its_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import argparse

    import splice.index.indexer as indexer_module
    from splice.cli import index as cli

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .good import helper\n")
    (tmp_path / "pkg" / "good.py").write_text("def helper():\n    pass\n")
    (tmp_path / "pkg" / "cursed.py").write_text("from .good import helper\n\ndef run():\n    helper()\n")
    (tmp_path / "pkg" / "user.py").write_text("from pkg import helper\n\ndef go():\n    helper()\n")
    real = indexer_module.extract

    def extract(path: str, lang: str, source: bytes) -> object:
        if path.endswith("cursed.py"):
            raise RecursionError("maximum recursion depth exceeded while walking the tree")
        return real(path, lang, source)

    monkeypatch.setattr(indexer_module, "extract", extract)
    ix, skipped = index(tmp_path)
    assert skipped == {"pkg/cursed.py": SkipReason.EXTRACT_FAILED}
    assert sorted(ix.graph.files) == ["pkg/__init__.py", "pkg/good.py", "pkg/user.py"]
    calls = [e for e in ix.graph.edges_in_file("pkg/user.py") if e.name == "helper" and e.kind.value == "calls"]
    assert [e.dst for e in calls] == ["pkg/good.py::helper"]
    assert "pkg/cursed.py" in caplog.text and "RecursionError" in caplog.text
    # The CLI's --verbose lists it with the error; the exit code says the index is usable.
    parser = argparse.ArgumentParser(prog="splice")
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["index", str(tmp_path), "--verbose"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "extraction failed" in out and "pkg/cursed.py" in out and "RecursionError" in out
    # The status line the server shows names it too.
    summary = Indexer(tmp_path, Settings(), persist=False).index_all()
    assert "pkg/cursed.py (extraction failed: RecursionError" in summary.describe()
    # A save of the file while it still crashes keeps the rest of the graph, and says why.
    skip = ix.update_from_disk(tmp_path / "pkg" / "cursed.py")
    assert skip is not None and skip.reason is SkipReason.EXTRACT_FAILED
    assert "pkg/cursed.py" not in ix.graph.files


def test_a_file_whose_resolution_crashes_keeps_its_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from splice.index import resolve

    (tmp_path / "a.py").write_text("def helper():\n    pass\n")
    (tmp_path / "b.py").write_text("from a import helper\n\ndef b():\n    helper()\n")
    (tmp_path / "c.py").write_text("from a import helper\n\ndef c():\n    helper()\n")
    real = resolve._Pass.resolve_file

    def resolve_file(self: resolve._Pass, path: str) -> list[object]:
        if path == "b.py":
            raise KeyError("scope")
        return real(self, path)  # type: ignore[return-value]

    monkeypatch.setattr(resolve._Pass, "resolve_file", resolve_file)
    ix = Indexer(tmp_path, Settings(), persist=False)
    summary = ix.index_all()
    assert [(s.path, s.reason) for s in summary.skipped] == [("b.py", SkipReason.RESOLVE_FAILED)]
    assert "KeyError" in summary.skipped[0].detail and "b.py (references not resolved" in summary.describe()
    assert "b.py::b" in {s.id for s in ix.graph.symbols_in("b.py")} and ix.graph.edges_in_file("b.py") == []
    assert [e.dst for e in ix.graph.edges_in_file("c.py") if e.kind.value == "calls"] == ["a.py::helper"]


def test_an_edit_whose_partial_resolution_crashes_is_resolved_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from splice.index.resolve import Resolver

    (tmp_path / "a.py").write_text("def helper():\n    pass\n")
    (tmp_path / "b.py").write_text("from a import helper\n\ndef b():\n    helper()\n")
    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    ix.index_all()

    def broken(self: Resolver, *args: object) -> None:
        raise AssertionError("a bug in the partial path")

    monkeypatch.setattr(Resolver, "resolve_changed", broken)
    # A new definition: the partial path would run; the edit still lands, its edges resolved in full.
    assert ix.update_text("b.py", b"from a import helper\n\ndef b():\n    helper()\n\ndef c():\n    helper()\n") is None
    calls = sorted((e.src, e.dst) for e in ix.graph.edges_in_file("b.py") if e.kind.value == "calls")
    assert calls == [("b.py::b", "a.py::helper"), ("b.py::c", "a.py::helper")]
