"""The workspace copy for verify runs, applying a proposal to it, and building the command line (no sandbox)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from splice.features.generate.snapshot import SnapshotError, apply_changes, copy_workspace
from splice.features.generate.testplace import related_tests
from splice.features.generate.verify import expand_command


def make(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    make(
        root,
        {
            "pkg/__init__.py": "",
            "pkg/http.py": "x = 1\n",
            "tests/test_http.py": "",
            ".gitignore": "build/\n*.log\n!keep.log\n",
            "build/out.py": "",
            "app.log": "",
            "keep.log": "kept\n",
            "sub/.gitignore": "local.txt\n",
            ".spliceignore": "private/\n",
            "private/notes.md": "",
            "sub/local.txt": "",
            "sub/other.txt": "",
            ".env": "KEY=1\n",
            ".env.production": "KEY=2\n",
            "certs/server.pem": "",
            ".git/config": "[core]\n",
            ".splice/index/x": "",
            "pkg/__pycache__/http.cpython-311.pyc": "",
            "node_modules/lib/index.js": "",
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/lib/site.py": "",
            "script.sh": "#!/bin/sh\n",
        },
    )
    (root / "script.sh").chmod(0o755)
    return root


def test_copy_keeps_sources_and_drops_ignored_secret_and_vcs_files(ws: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    dest.mkdir()
    report = copy_workspace(ws, dest)
    copied = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert copied == {
        "pkg/__init__.py",
        "pkg/http.py",
        "tests/test_http.py",
        ".gitignore",
        ".spliceignore",
        "keep.log",
        "sub/.gitignore",
        "sub/other.txt",
        "script.sh",
    }
    assert report.paths == copied
    assert sorted(report.shared) == [".venv", "node_modules"]
    assert sorted(report.skipped_secrets) == [".env", ".env.production", "certs/server.pem"]
    assert os.access(dest / "script.sh", os.X_OK)


def test_copy_is_not_hardlinked(ws: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    dest.mkdir()
    copy_workspace(ws, dest)
    assert (dest / "pkg/http.py").stat().st_ino != (ws / "pkg/http.py").stat().st_ino
    (dest / "pkg/http.py").write_text("changed\n")
    assert (ws / "pkg/http.py").read_text() == "x = 1\n"


def test_copy_keeps_symlinks_as_links_without_following(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("secret")
    (ws / "link.txt").symlink_to(outside)
    (ws / "loop").symlink_to(ws)
    dest = tmp_path / "copy"
    dest.mkdir()
    copy_workspace(ws, dest)
    assert (dest / "link.txt").is_symlink() and os.readlink(dest / "link.txt") == str(outside)
    assert (dest / "loop").is_symlink()
    assert not any("secret" in p.read_text() for p in dest.rglob("*.txt") if p.is_file() and not p.is_symlink())


def test_copy_extra_excludes_and_size_limit(ws: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    dest.mkdir()
    report = copy_workspace(ws, dest, exclude=["tests/"])
    assert "tests/test_http.py" not in report.paths
    again = tmp_path / "copy2"
    again.mkdir()
    with pytest.raises(SnapshotError, match="too large"):
        copy_workspace(ws, again, max_files=3)


def test_copy_skips_fifos(ws: Path, tmp_path: Path) -> None:
    os.mkfifo(ws / "pipe")
    dest = tmp_path / "copy"
    dest.mkdir()
    copy_workspace(ws, dest)
    assert not (dest / "pipe").exists()


def test_apply_changes_writes_creates_and_deletes(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "old\n", "gone.py": "x\n"})
    changed = apply_changes(tmp_path, {"a.py": "new\n", "new/pkg/b.py": "b\n", "gone.py": None})
    assert changed == ["a.py", "gone.py", "new/pkg/b.py"]
    assert (tmp_path / "a.py").read_text() == "new\n"
    assert (tmp_path / "new/pkg/b.py").read_text() == "b\n"
    assert not (tmp_path / "gone.py").exists()


@pytest.mark.parametrize("bad", ["../x.py", "/etc/passwd", "", ".", "a/../../x", ".git/hooks/pre-commit", "a\0b"])
def test_apply_changes_refuses_paths_outside_the_copy(tmp_path: Path, bad: str) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    with pytest.raises(SnapshotError):
        apply_changes(copy, {bad: "x"})
    assert not (tmp_path / "x.py").exists()


def test_apply_changes_refuses_writing_through_symlinks(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    outside = tmp_path / "outside"
    copy.mkdir()
    outside.mkdir()
    (copy / "linkdir").symlink_to(outside)
    (copy / "linkfile.py").symlink_to(outside / "f.py")
    with pytest.raises(SnapshotError, match="not a plain folder"):
        apply_changes(copy, {"linkdir/f.py": "x"})
    with pytest.raises(SnapshotError, match="symlink"):
        apply_changes(copy, {"linkfile.py": "x"})
    assert list(outside.iterdir()) == []


def test_expand_command_quotes_paths() -> None:
    files = ["a b.py", "x;rm -rf ~.py", "-rf.py", "$(id).py"]
    command = expand_command("ruff check {files} && pytest {tests} ${HOME} {other}", files, ["tests/test_a.py"])
    assert command == (
        "ruff check 'a b.py' 'x;rm -rf ~.py' ./-rf.py '$(id).py' && pytest tests/test_a.py ${HOME} {other}"
    )


def test_expand_command_with_nothing_to_substitute() -> None:
    assert expand_command("pytest -x -q {tests}", ["a.py"], []) == "pytest -x -q "


def test_related_tests_by_naming_convention() -> None:
    files = {
        "pkg/http.py",
        "tests/test_http.py",
        "tests/http_test.py",
        "pkg/http_test.go",
        "web/http.test.ts",
        "web/http.spec.js",
        "tests/test_other.py",
        "src/test/java/HttpTest.java",
    }
    assert related_tests(["pkg/http.py"], files) == [
        "pkg/http_test.go",
        "tests/http_test.py",
        "tests/test_http.py",
        "web/http.spec.js",
        "web/http.test.ts",
    ]
    assert related_tests(["tests/test_other.py", "pkg/none.py"], files) == ["tests/test_other.py"]
    assert related_tests(["pkg/none.py"], files) == []
    assert related_tests(["src/main/java/Http.java"], files) == ["src/test/java/HttpTest.java"]
