"""Writing an approved plan to disk, all or nothing (the CLI's ``--apply``; editors apply through LSP instead).

Every path is re-checked against the workspace right before writing (a symlink swapped in after the proposal was
made is caught). New contents go to a ``mkstemp`` file in the target's own directory — never following a
pre-placed link — with the original mode, then ``os.replace`` moves them in. If any step fails, files already
replaced are restored from the texts read at plan time, created files and directories are removed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace, resolve
from splice.edits.proposal import ChangeKind
from splice.edits.review import ApplyPlan, FinalFile
from splice.edits.text import Decoded, encode_file


@dataclass(slots=True)
class _Step:
    path: Path
    data: bytes | None
    """Bytes to put at ``path``; None removes it."""
    previous: bytes | None
    mode: int | None


def write_plan(workspace: Workspace, plan: ApplyPlan) -> list[Path]:
    """Perform ``plan``; returns the paths written or removed. Raises EditRefused (after rolling back) on failure."""
    steps = [step for f in plan.files for step in _steps(workspace, f)]
    done: list[_Step] = []
    created_dirs: list[Path] = []
    try:
        for step in steps:
            if step.data is not None:
                created_dirs += _make_parents(workspace, step.path)
                _replace(step.path, step.data, step.mode)
            else:
                step.path.unlink()
            done.append(step)
    except OSError as exc:
        _roll_back(done, created_dirs)
        raise EditRefused(f"writing {step.path} failed ({exc.strerror or exc}); every change was rolled back") from exc
    return [s.path for s in steps]


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
    if f.kind is ChangeKind.DELETE:
        return [_Step(path, None, previous, mode)]
    data = encode_file(f.after or "", like)
    if f.kind is ChangeKind.RENAME and f.new_path:
        dest = _checked(workspace, f.root, f.new_path)
        if dest.exists():
            raise EditRefused(f"{f.new_path} already exists; nothing applied")
        return [_Step(dest, data, None, mode), _Step(path, None, previous, mode)]
    if f.kind is ChangeKind.CREATE and os.path.lexists(path):
        raise EditRefused(f"{f.path} now exists; nothing applied")
    return [_Step(path, data, previous, mode)]


def _make_parents(workspace: Workspace, path: Path) -> list[Path]:
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.insert(0, parent)
        parent = parent.parent
    for folder in missing:
        folder.mkdir()
        # Re-check each new level: a concurrent link swap must not carry the write outside.
        resolve(workspace, str(folder / "x"), from_model=False)
    return missing


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.splice-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _roll_back(done: list[_Step], created_dirs: list[Path]) -> None:
    for step in reversed(done):
        try:
            if step.previous is None:
                step.path.unlink(missing_ok=True)
            else:
                _replace(step.path, step.previous, step.mode)
        except OSError:
            continue
    for folder in reversed(created_dirs):
        try:
            folder.rmdir()
        except OSError:
            continue
