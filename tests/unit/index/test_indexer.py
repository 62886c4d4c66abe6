"""The indexer: cold and warm runs, unsaved text, lazy dependants, remove/rename, debouncing, cancellation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from splice.config import Settings
from splice.index.indexer import Indexer
from splice.index.store import Store
from splice.index.walker import SkipReason

FILES = {
    "pkg/__init__.py": "",
    "pkg/a.py": "def f():\n    return 1\n\nclass K:\n    def m(self):\n        pass\n",
    "pkg/b.py": "from pkg.a import f, K\n\ndef g():\n    f()\n    K().m()\n",
    "notes.txt": "not code\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def targets(ix: Indexer, path: str, name: str) -> set[str | None]:
    return {e.dst for e in ix.graph.edges_in_file(path) if e.name == name}


@pytest.fixture
def memory(tmp_path: Path) -> Indexer:
    write(tmp_path, FILES)
    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    ix.index_all()
    yield ix
    ix.close()


def test_cold_then_warm_start_reuses_unchanged_files(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    seen: list[tuple[int, int]] = []
    cold_ix = Indexer(tmp_path, Settings())
    cold = cold_ix.index_all(lambda done, total, _path: seen.append((done, total)))
    cold_ix.close()
    assert (cold.files, cold.reparsed, cold.reused) == (3, 3, 0)
    assert cold.symbols == 3 + 3 + 1  # three module symbols; f, K, K.m; g
    assert cold.resolved_pct > 0 and cold.seconds_total >= cold.seconds_graph
    assert [s.path for s in cold.skipped] == ["notes.txt"]
    assert seen[-1] == (3, 3) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert ".splice" in cold.store

    warm_ix = Indexer(tmp_path, Settings())
    warm = warm_ix.index_all()
    assert (warm.files, warm.reparsed, warm.reused, warm.symbols, warm.edges) == (3, 0, 3, cold.symbols, cold.edges)
    assert targets(warm_ix, "pkg/b.py", "f") == {"pkg/a.py::f"}
    warm_ix.close()

    (tmp_path / "pkg" / "a.py").write_text("def f():\n    return 2\n")  # K is gone
    (tmp_path / "pkg" / "c.py").write_text("from pkg.b import g\n")
    third_ix = Indexer(tmp_path, Settings())
    third = third_ix.index_all()
    assert (third.files, third.reparsed, third.reused) == (4, 2, 2)
    assert targets(third_ix, "pkg/b.py", "K") == {None}, "b.py was re-resolved: its dependency changed"
    third_ix.close()
    (tmp_path / "pkg" / "c.py").unlink()
    fourth_ix = Indexer(tmp_path, Settings())
    fourth = fourth_ix.index_all()
    assert (fourth.files, fourth.removed) == (3, 1)
    fourth_ix.close()


def test_unsaved_text_wins_until_the_disk_is_read(memory: Indexer) -> None:
    assert memory.update_text("pkg/a.py", b"def f():\n    pass\n\ndef brand_new():\n    pass\n") is None
    assert [s.name for s in memory.graph.find("brand_new")] == ["brand_new"]
    assert memory.graph.find("K") == []
    assert "brand_new" not in (memory.workspace / "pkg" / "a.py").read_text()
    memory.update_from_disk("pkg/a.py")
    assert memory.graph.find("brand_new") == [] and len(memory.graph.find("K")) == 1


def test_dependants_are_re_resolved_lazily(memory: Indexer) -> None:
    assert targets(memory, "pkg/b.py", "f") == {"pkg/a.py::f"}
    memory.update_text("pkg/a.py", b"def renamed():\n    pass\n\nclass K:\n    def m(self):\n        pass\n")
    memory.settle()
    assert targets(memory, "pkg/b.py", "f") == {None}
    memory.update_text("pkg/a.py", b"def f():\n    pass\n\nclass K:\n    def m(self):\n        pass\n")
    memory.settle()
    assert targets(memory, "pkg/b.py", "f") == {"pkg/a.py::f"}


def test_remove_and_rename(memory: Indexer) -> None:
    ws = memory.workspace
    (ws / "pkg" / "a.py").rename(ws / "pkg" / "moved.py")
    memory.rename("pkg/a.py", ws / "pkg" / "moved.py")
    memory.settle()
    assert "pkg/a.py" not in memory.graph.files and "pkg/moved.py" in memory.graph.files
    assert [s.id for s in memory.graph.find("f")] == ["pkg/moved.py::f"]
    assert targets(memory, "pkg/b.py", "f") == {None}, "the import named the old module"
    (ws / "pkg" / "moved.py").unlink()
    assert memory.update_from_disk("pkg/moved.py") is not None  # a vanished file is removed
    assert memory.graph.find("f") == []


def test_new_file_satisfies_an_unresolved_import(memory: Indexer) -> None:
    memory.update_text("pkg/d.py", b"from pkg.e import helper\n\ndef use():\n    helper()\n")
    assert targets(memory, "pkg/d.py", "helper") == {None}
    memory.update_text("pkg/e.py", b"def helper():\n    pass\n")
    memory.settle()
    assert targets(memory, "pkg/d.py", "helper") == {"pkg/e.py::helper"}


def test_updates_respect_exclusions_and_limits(memory: Indexer) -> None:
    skip = memory.update_text("node_modules/x.js", b"function a() {}\n")
    assert skip is not None and skip.reason is SkipReason.IGNORED
    skip = memory.update_text("../outside.py", b"x = 1\n")
    assert skip is not None and "outside" in skip.detail
    memory.settings = Settings(max_file_size=10)
    skip = memory.update_text("pkg/a.py", b"x = 1\n" * 10)
    assert skip is not None and skip.reason is SkipReason.TOO_LARGE
    assert "pkg/a.py" not in memory.graph.files


def test_schedule_debounces_to_the_last_text(memory: Indexer) -> None:
    applied: list[str] = []
    done = threading.Event()

    def on_applied(path: str) -> None:
        applied.append(path)
        done.set()

    for i in range(5):
        memory.schedule("pkg/a.py", f"def v{i}():\n    pass\n".encode(), delay=0.05, on_applied=on_applied)
    assert done.wait(5)
    memory.settle()
    assert applied == ["pkg/a.py"]
    assert [s.name for s in memory.graph.symbols_in("pkg/a.py")][1:] == ["v4"]


def test_cancel_returns_a_partial_summary(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    cancel = threading.Event()
    cancel.set()
    ix = Indexer(tmp_path, Settings(), persist=False)
    summary = ix.index_all(cancel=cancel)
    assert summary.cancelled and summary.files == 0
    ix.close()


def test_store_failure_keeps_the_graph(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    (tmp_path / "blocked").write_text("a file where the index folder should be\n")
    ix = Indexer(tmp_path, Settings(index_uri=str(tmp_path / "blocked" / "index")))
    summary = ix.index_all()
    assert summary.files == 3 and summary.store.startswith("not persisted")
    assert any("not persisted" in m for m in summary.messages)
    ix.close()


def test_body_edits_do_not_re_resolve_dependants(memory: Indexer) -> None:
    memory.settle()
    body_only = b"def f():\n    return 42  # a body edit\n\nclass K:\n    def m(self):\n        pass\n"
    memory.update_text("pkg/a.py", body_only)
    assert memory._dirty == set(), "symbol ids are unchanged: b.py's edges stay valid"
    memory.update_text(
        "pkg/a.py", b"def f():\n    pass\n\ndef extra():\n    pass\n\nclass K:\n    def m(self):\n        pass\n"
    )
    assert memory._dirty == {"pkg/b.py"}, "a new definition can change what b.py resolves to"
    memory.settle()
    assert memory._dirty == set()


def test_background_worker_settles_dependants_and_persists(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    ix = Indexer(tmp_path, Settings())
    ix.index_all()
    ix.update_text("pkg/a.py", b"def renamed():\n    pass\n")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and targets(ix, "pkg/b.py", "f") != {None}:
        time.sleep(0.05)
    assert targets(ix, "pkg/b.py", "f") == {None}, "b.py re-resolved without an explicit settle()"
    ix.close()  # writes what is pending
    reader = Store(tmp_path, Settings())
    try:
        stored = reader.load_files()
        assert [s.name for s in stored["pkg/a.py"].extract.symbols[1:]] == ["renamed"]
        assert {e.dst for e in stored["pkg/b.py"].edges if e.name == "f"} == {None}
    finally:
        reader.close()


def test_open_buffers_before_the_first_run_keep_the_warm_start(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    first = Indexer(tmp_path, Settings())
    first.index_all()
    first.close()
    ix = Indexer(tmp_path, Settings())
    ix.update_text("pkg/a.py", b"def from_buffer():\n    pass\n")  # didOpen before indexing starts
    ix.update_text("pkg/new.py", b"def unsaved():\n    pass\n")  # a new file that exists only in the editor
    summary = ix.index_all()
    ix.close()
    assert (summary.reused, summary.reparsed) == (3, 0), "b.py and __init__.py from the store, a.py from memory"
    assert [s.name for s in ix.graph.symbols_in("pkg/a.py")][1:] == ["from_buffer"]
    assert "pkg/new.py" in ix.graph.files


def test_a_cancelled_run_is_completed_by_the_next(tmp_path: Path) -> None:
    write(tmp_path, FILES)
    cancel = threading.Event()

    def progress(done: int, _total: int, _path: str) -> None:
        if done == 1:
            cancel.set()  # the user cancels while the second file is being parsed

    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    first = ix.index_all(progress, cancel)
    assert first.cancelled and first.files == 2 and first.edges == 0
    second = ix.index_all()
    assert not second.cancelled and second.files == 3
    assert targets(ix, "pkg/b.py", "f") == {"pkg/a.py::f"}, "files parsed by the cancelled run were resolved too"


def test_position_only_edits_move_edges_without_resolving(memory: Indexer, monkeypatch: pytest.MonkeyPatch) -> None:
    b = (memory.workspace / "pkg" / "b.py").read_bytes()
    memory.update_text("pkg/b.py", b"# a comment that shifts every line\n\n" + b)
    moved = sorted((e.name, e.dst, e.span.start.line) for e in memory.graph.edges_in_file("pkg/b.py"))
    fresh = Indexer(memory.workspace, Settings(), persist=False, background=False)
    fresh.update_text("pkg/a.py", (memory.workspace / "pkg" / "a.py").read_bytes())
    fresh.update_text("pkg/b.py", b"# a comment that shifts every line\n\n" + b)
    assert moved == sorted((e.name, e.dst, e.span.start.line) for e in fresh.graph.edges_in_file("pkg/b.py"))
    assert ("f", "pkg/a.py::f", 5) in moved, "spans follow the text"

    calls: list[object] = []
    real = memory.resolver.resolve
    monkeypatch.setattr(memory.resolver, "resolve", lambda paths: calls.append(paths) or real(paths))
    memory.update_text("pkg/b.py", b"\n\n\n" + b)
    assert calls == [], "nothing resolution reads changed"
    added = b + b"\ndef h():\n    g()\n"
    memory.update_text("pkg/b.py", added)
    assert calls == [], "a new definition: only the references it could answer are resolved (resolve_changed)"
    again = Indexer(memory.workspace, Settings(), persist=False, background=False)
    again.update_text("pkg/a.py", (memory.workspace / "pkg" / "a.py").read_bytes())
    again.update_text("pkg/b.py", added)
    assert memory.graph.edges_in_file("pkg/b.py") == again.graph.edges_in_file("pkg/b.py")
    assert any(e.name == "g" and e.src == "pkg/b.py::h" for e in memory.graph.edges_in_file("pkg/b.py"))
    memory.update_text("pkg/b.py", b"import os\n" + b)
    assert calls == [["pkg/b.py"]], "an import changed: the whole file is resolved"


def test_extraction_in_worker_processes_builds_the_same_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import splice.index.indexer as indexer_module

    for i in range(12):
        (tmp_path / "pkg").mkdir(exist_ok=True)
        (tmp_path / "pkg" / f"m{i}.py").write_text(
            f"from pkg.m{(i + 1) % 12} import f{(i + 1) % 12}\n\n\nclass C{i}:\n    def run(self):\n"
            f"        return f{(i + 1) % 12}()\n\n\ndef f{i}():\n    '''Doc {i}.'''\n    return C{i}().run()\n"
        )
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "a.ts").write_text("import { b } from './b';\nexport function a(): number { return b(); }\n")
    (tmp_path / "web" / "b.ts").write_text("export function b(): number { return 1; }\n")
    (tmp_path / "broken.py").write_text("def broken(:\n    return (\n")

    def graph_of(min_files: int) -> tuple[object, ...]:
        monkeypatch.setattr(indexer_module, "POOL_MIN_FILES", min_files)
        ix = Indexer(tmp_path, Settings(), persist=False)
        summary = ix.index_all()
        symbols = sorted((s.id, s.kind, s.span, s.signature, s.doc) for s in ix.graph.symbols.values())
        edges = sorted(
            (e.src, e.dst or "", e.name, e.kind, e.span, e.confidence)
            for p in ix.graph.files
            for e in ix.graph.edges_in_file(p)
        )
        return summary.files, summary.syntax_errors, symbols, edges

    pooled, sequential = graph_of(1), graph_of(10_000)
    assert pooled == sequential and pooled[0] == 15 and pooled[1] == 1
    assert "in this process" not in caplog.text  # the workers really ran
