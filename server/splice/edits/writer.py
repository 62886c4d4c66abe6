"""Writing an approved plan to disk, all or nothing (the CLI's ``--apply``; editors apply through LSP instead).

Every path is re-checked against the workspace right before writing. Each target directory is then opened once
(``O_NOFOLLOW``) and the descriptor's real path checked to be inside the workspace; from then on every operation
is relative to that descriptor, so swapping a symlink into the path after the check cannot redirect a write. New
contents go to an exclusive temp file in the same directory with the original mode, then ``os.replace`` — which
replaces a link itself rather than following it. If any step fails — an error, or Ctrl-C — files already replaced
are restored from the bytes read at plan time and created files and directories are removed. Across SIGKILL the
apply journal (``edits/journal.py``) does the same on the next start, or completes the record when every file had
been written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from splice.edits import journal
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace, resolve
from splice.edits.proposal import ChangeKind, Proposal
from splice.edits.review import ApplyPlan, FinalFile
from splice.edits.text import Decoded, encode_file

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


@dataclass(slots=True)
class _Step:
    path: Path
    data: bytes | None
    """Bytes to put at ``path``; None removes it."""
    previous: bytes | None
    mode: int | None


def write_plan(workspace: Workspace, plan: ApplyPlan, *, record: Proposal | None = None) -> list[Path]:
    """Perform ``plan``; returns the paths written or removed. Raises EditRefused (after rolling back) on failure.

    ``record`` (the proposal marked applied) is stored before the journal is closed, so a kill after the last write
    still leaves the apply recorded for undo."""
    root = workspace.roots[0].path
    journal.recover(root)  # an earlier apply killed mid-way is settled before this one starts
    try:
        steps = [step for f in plan.files for step in _steps(workspace, f)]
    except OSError as exc:
        raise EditRefused(f"cannot read {exc.filename} before writing ({exc.strerror}); nothing applied") from exc
    try:
        journal.begin(root, _journaled(steps), _missing_parents(steps), _record_json(record))
    except OSError as exc:
        raise EditRefused(f"cannot write the apply journal ({exc}); nothing applied") from exc
    done: list[_Step] = []
    created_dirs: list[Path] = []
    current = steps[0].path if steps else None
    try:
        for step in steps:
            current = step.path
            if step.previous is None and step.data is not None:
                created_dirs += _make_parents(workspace, step.path)
            with _Dir(workspace, step.path.parent) as folder:
                if step.data is not None:
                    folder.replace(step.path.name, step.data, step.mode)
                else:
                    folder.unlink(step.path.name)
            done.append(step)
    except BaseException as exc:  # Ctrl-C too: roll back, then let it propagate
        _roll_back(workspace, done, created_dirs)
        journal.finish(root)
        if not isinstance(exc, OSError | EditRefused):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise EditRefused(f"writing {current} failed ({reason}); every change was rolled back") from exc
    if record is not None:
        _store(root, record)
    journal.finish(root)
    return [s.path for s in steps]


def _journaled(steps: list[_Step]) -> list[journal.Step]:
    return [journal.Step(s.path, s.previous, journal.digest(s.data), s.mode) for s in steps]


def _missing_parents(steps: list[_Step]) -> list[Path]:
    missing: list[Path] = []
    for step in steps:
        parent = step.path.parent
        chain: list[Path] = []
        while not os.path.lexists(parent) and parent not in missing:
            chain.insert(0, parent)
            parent = parent.parent
        missing += chain
    return missing


def _record_json(record: Proposal | None) -> str | None:
    if record is None:
        return None
    from splice.edits.store import to_json

    return to_json(record)


def _store(root: Path, record: Proposal) -> None:
    from splice.edits.store import ProposalStore

    with contextlib.suppress(OSError, EditRefused):  # the caller records again and reports a failure
        ProposalStore.for_workspace(root).put(record)


class _Dir:
    """An open, checked directory: all file operations go through its descriptor."""

    def __init__(self, workspace: Workspace, folder: Path) -> None:
        self.fd = os.open(folder, _DIR_FLAGS)
        try:
            real = _fd_path(self.fd, folder)
            resolve(workspace, str(real / "probe"), from_model=False)
        except BaseException:
            os.close(self.fd)
            raise

    def __enter__(self) -> _Dir:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self.fd)

    def replace(self, name: str, data: bytes, mode: int | None) -> None:
        tmp = f".{name}.splice-{secrets.token_hex(6)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode if mode is not None else 0o666 & ~_umask())
                os.fsync(handle.fileno())
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.fd)
            raise

    def unlink(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)


def _fd_path(fd: int, fallback: Path) -> Path:
    # Linux exposes what a descriptor really points at; elsewhere fall back to realpath (checked just before).
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return Path(os.path.realpath(fallback))


def _checked(workspace: Workspace, root: str, rel: str) -> Path:
    target = resolve(workspace, str(Path(root) / rel), from_model=False)
    if target.rel != rel:
        raise EditRefused(f"{rel} now resolves to {target.rel} (a link changed); nothing applied")
    return target.abs


def _steps(workspace: Workspace, f: FinalFile) -> list[_Step]:
    path = _checked(workspace, f.root, f.path)
    previous = path.read_bytes() if path.exists() else None
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    like = Decoded("", f.newline, f.bom)
    if f.kind is not ChangeKind.CREATE and previous is None:
        raise EditRefused(f"{f.path} disappeared before it could be written; nothing applied")
    if f.kind is ChangeKind.DELETE:
        return [_Step(path, None, previous, mode)]
    data = encode_file(f.after or "", like)
    if f.kind is ChangeKind.RENAME and f.new_path:
        dest = _checked(workspace, f.root, f.new_path)
        if os.path.lexists(dest):
            raise EditRefused(f"{f.new_path} already exists; nothing applied")
        return [_Step(dest, data, None, mode), _Step(path, None, previous, mode)]
    if f.kind is ChangeKind.CREATE and os.path.lexists(path):
        raise EditRefused(f"{f.path} now exists; nothing applied")
    return [_Step(path, data, previous, mode)]


def _make_parents(workspace: Workspace, path: Path) -> list[Path]:
    missing: list[Path] = []
    parent = path.parent
    while not os.path.lexists(parent):
        missing.insert(0, parent)
        parent = parent.parent
    for folder in missing:
        with _Dir(workspace, folder.parent) as above:
            os.mkdir(folder.name, dir_fd=above.fd)
    return missing


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _roll_back(workspace: Workspace, done: list[_Step], created_dirs: list[Path]) -> None:
    for step in reversed(done):
        try:
            with _Dir(workspace, step.path.parent) as folder:
                if step.previous is None:
                    folder.unlink(step.path.name)
                else:
                    folder.replace(step.path.name, step.previous, step.mode)
        except (OSError, EditRefused):
            continue
    for created in reversed(created_dirs):
        try:
            created.rmdir()
        except OSError:
            continue
