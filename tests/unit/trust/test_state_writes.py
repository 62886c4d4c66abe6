"""Splice's own state: no write under .splice follows a planted link; a foreign .splice is moved aside."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import pytest

from splice import state
from splice.edits.store import ProposalStore
from splice.llm.cache import DiskCache
from splice.llm.usage import UsageLog, UsageRecord


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file() and not p.is_symlink():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    (out / "dir").mkdir(parents=True)
    (out / "bashrc").write_text("# the user's shell rc\n")
    return out


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


def _record() -> UsageRecord:
    return UsageRecord(
        ts="2026-01-01T00:00:00Z", feature="x", model="m", prompt_tokens=1, completion_tokens=1, cost=0.0,
        latency_ms=1.0, cache_hit=False, outcome="ok",
    )  # fmt: skip


WRITERS = {
    "usage.jsonl": lambda ws: UsageLog(ws / ".splice" / "usage.jsonl").append(_record()),
    "cache": lambda ws: state.write_bytes(ws / ".splice" / "cache" / "ab" / "abcd.json", b"{}"),
    "proposals": lambda ws: state.write_text(ws / ".splice" / "proposals" / "p1.json", "{}"),
    "explanations": lambda ws: state.write_text(ws / ".splice" / "explanations" / "e.md", "x"),
    "sessions": lambda ws: state.write_text(ws / ".splice" / "sessions" / "s.json", "{}"),
    "context": lambda ws: state.write_text(ws / ".splice" / "context" / "c.md", "x"),
    "index": lambda ws: state.mkdirs(ws / ".splice" / "index" / "files.lance"),
    ".gitignore": lambda ws: state.write_text(ws / ".splice" / ".gitignore", "*\n"),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_no_writer_follows_a_planted_link(root: Path, outside: Path, name: str) -> None:
    (root / ".splice").mkdir()
    target = outside / "bashrc" if name in ("usage.jsonl", ".gitignore") else outside / "dir"
    (root / ".splice" / name).symlink_to(target)
    before = _tree_digest(outside)
    with contextlib.suppress(OSError):  # refusing is one right answer; writing outside is the wrong one
        WRITERS[name](root)
    assert _tree_digest(outside) == before
    if name == "usage.jsonl":  # the usage log says why it could not write
        log = UsageLog(root / ".splice" / "usage.jsonl")
        log.append(_record())
        assert log.problem and "symlink" in log.problem


def test_the_state_folder_itself_as_a_link(root: Path, outside: Path) -> None:
    (root / ".splice").symlink_to(outside / "dir")
    before = _tree_digest(outside)
    with pytest.raises(state.UnsafeStatePath):
        state.write_text(root / ".splice" / "proposals" / "p.json", "{}")
    UsageLog(root / ".splice" / "usage.jsonl").append(_record())
    assert _tree_digest(outside) == before
    warnings = state.guard(root)
    assert warnings and "link" in warnings[0]
    assert not (root / ".splice").exists() and list(root.glob(".splice.quarantined-*"))
    ProposalStore.for_workspace(root)  # a fresh folder is made on the next write
    state.write_text(root / ".splice" / "proposals" / "p.json", "{}")
    assert (root / ".splice" / "proposals" / "p.json").read_text() == "{}"
    assert _tree_digest(outside) == before


def test_a_hard_link_is_not_appended_to(root: Path, outside: Path) -> None:
    (root / ".splice").mkdir()
    os.link(outside / "bashrc", root / ".splice" / "usage.jsonl")
    before = (outside / "bashrc").read_text()
    log = UsageLog(root / ".splice" / "usage.jsonl")
    log.append(_record())
    assert (outside / "bashrc").read_text() == before and log.problem


def test_guard_quarantines_a_shipped_state_folder(root: Path) -> None:
    shipped = root / ".splice"
    (shipped / "cache" / "ab").mkdir(parents=True)
    (shipped / "cache" / "ab" / "poisoned.json").write_text('{"answer": "rm -rf ~"}')
    (shipped / "proposals").mkdir()
    (shipped / "config.toml").write_text('model = "openai/x"\n')
    warnings = state.guard(root)
    assert len(warnings) == 1 and "not created by Splice" in warnings[0] and "cache" in warnings[0]
    assert not (shipped / "cache").exists() and not (shipped / "proposals").exists()
    assert (shipped / "config.toml").exists()  # kept: trust decides what it may set
    [aside] = list(shipped.glob("quarantine-*"))
    assert (aside / "cache" / "ab" / "poisoned.json").exists()
    assert state.guard(root) == []  # now it is Splice's own: nothing more to say


def test_guard_moves_links_planted_in_our_own_folder(root: Path, outside: Path) -> None:
    state.write_text(root / ".splice" / "proposals" / "p.json", "{}")  # Splice's own folder, marker written
    assert state.guard(root) == []
    (root / ".splice" / "cache").symlink_to(outside / "dir")
    (root / ".splice" / "proposals" / "evil.json").symlink_to(outside / "bashrc")
    warnings = state.guard(root)
    assert len(warnings) == 1 and "cache" in warnings[0] and "evil.json" in warnings[0]
    assert not (root / ".splice" / "cache").is_symlink() and (root / ".splice" / "proposals" / "p.json").exists()


def test_a_copied_marker_does_not_make_a_folder_ours(root: Path, tmp_path: Path) -> None:
    state.write_text(root / ".splice" / "usage.jsonl", "")
    clone = tmp_path / "clone"
    (clone / ".splice").mkdir(parents=True)
    for name in (".owner", "usage.jsonl"):
        (clone / ".splice" / name).write_bytes((root / ".splice" / name).read_bytes())
    assert state.guard(clone) and not (clone / ".splice" / "usage.jsonl").exists()


def test_writers_still_work(root: Path) -> None:
    cache = DiskCache(root / ".splice" / "cache")
    assert cache.problem is None
    UsageLog(root / ".splice" / "usage.jsonl").append(_record())
    assert (root / ".splice" / "usage.jsonl").read_text().count("\n") == 1
    assert (root / ".splice" / ".gitignore").read_text().strip().endswith("*")


def test_state_committed_to_git_is_moved_aside_even_in_our_own_folder(root: Path) -> None:
    import subprocess

    state.write_text(root / ".splice" / "usage.jsonl", "")  # our own folder (marker written)
    journal = root / ".splice" / "journal" / "apply.json"
    state.write_text(journal, '{"steps": []}')
    state.write_text(root / ".splice" / "config.toml", "temperature = 0.1\n")
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=a", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-f", ".splice/journal/apply.json", ".splice/config.toml"], check=True)
    warnings = state.guard(root)
    assert len(warnings) == 1 and "committed to git" in warnings[0] and "journal/apply.json" in warnings[0]
    assert not journal.exists() and (root / ".splice" / "config.toml").exists()
