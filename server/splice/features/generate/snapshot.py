"""A throw-away copy of the workspace for a verify run, with a proposal's file texts written into it.

The copy holds what a fresh checkout would hold: no VCS data, nothing .gitignore'd (or .spliceignore'd), no caches,
no secret-bearing files (``.env*``, keys, credential files). Files are copied byte for byte — never hard-linked,
since a hard link would let the sandboxed command modify the real file. Symlinks are copied as symlinks and never
followed, so the copy never reads outside the workspace. Virtualenvs and ``node_modules`` are not copied; they are
listed so the sandbox can mount them read-only.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import pathspec

_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".splice",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".idea",
    ".vscode",
}
_SHARED_DIRS = {"node_modules"}
"""Too big to copy and needed by the tools: mounted read-only instead."""
SECRET_PATTERNS = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_ed25519*",
    "id_ecdsa*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".htpasswd",
    "*.keystore",
    "*.jks",
)


class SnapshotError(Exception):
    """The copy cannot be made or a change cannot be applied (the message says which path and why)."""


@dataclass
class CopyReport:
    files: int = 0
    bytes: int = 0
    shared: list[str] = field(default_factory=list)
    """Workspace-relative folders left out of the copy to be mounted read-only (virtualenvs, node_modules)."""
    skipped_secrets: list[str] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    """Every copied file (relative POSIX paths)."""


def copy_workspace(
    workspace: Path, dest: Path, exclude: Sequence[str] = (), max_files: int = 100_000, max_bytes: int = 2 << 30
) -> CopyReport:
    """Copy ``workspace`` into the empty folder ``dest``; raises SnapshotError past the size limits."""
    root = workspace.resolve()
    report = CopyReport()
    extra = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    _copy_dir(root, dest, "", [], extra, report, max_files, max_bytes)
    return report


def _copy_dir(
    src: Path,
    dest: Path,
    rel: str,
    specs: list[tuple[str, pathspec.GitIgnoreSpec]],
    extra: pathspec.GitIgnoreSpec | None,
    report: CopyReport,
    max_files: int,
    max_bytes: int,
) -> None:
    own = _gitignore(src)
    if own is not None:
        specs = [*specs, (rel, own)]
    try:
        entries = sorted(os.scandir(src), key=lambda e: e.name)
    except OSError as exc:
        raise SnapshotError(f"cannot read {rel or '.'}: {exc}") from exc
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        info = entry.stat(follow_symlinks=False)
        is_dir = stat.S_ISDIR(info.st_mode)
        if entry.name in _SKIP_DIRS:  # a `.git` file (worktrees) is skipped like the folder
            continue
        if _ignored(child, is_dir, specs, extra):
            continue
        if not is_dir and any(fnmatch(entry.name, p) for p in SECRET_PATTERNS):
            report.skipped_secrets.append(child)
            continue
        target = dest / entry.name
        if is_dir:
            if entry.name in _SHARED_DIRS or (Path(entry.path) / "pyvenv.cfg").is_file():
                report.shared.append(child)
                continue
            target.mkdir()
            _copy_dir(Path(entry.path), target, child, specs, extra, report, max_files, max_bytes)
        elif stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(entry.path), target)
        elif stat.S_ISREG(info.st_mode):
            report.files += 1
            report.bytes += info.st_size
            if report.files > max_files or report.bytes > max_bytes:
                raise SnapshotError(
                    f"the workspace is too large to copy for verification (limit {max_files} files / "
                    f"{max_bytes >> 20} MB); exclude folders with splice.exclude or .gitignore"
                )
            shutil.copyfile(entry.path, target, follow_symlinks=False)
            os.chmod(target, (info.st_mode & 0o777) | 0o600)
            report.paths.add(child)
        # FIFOs, sockets and devices are never copied: reading one could block or touch hardware.


def _gitignore(folder: Path) -> pathspec.GitIgnoreSpec | None:
    """The folder's .gitignore plus .spliceignore: what Splice never shows a model stays out of the copy too, since
    the command's output goes back to the model."""
    lines: list[str] = []
    for name in (".gitignore", ".spliceignore"):
        try:
            lines += (folder / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _ignored(
    rel: str, is_dir: bool, specs: list[tuple[str, pathspec.GitIgnoreSpec]], extra: pathspec.GitIgnoreSpec | None
) -> bool:
    suffix = "/" if is_dir else ""
    if extra is not None and extra.match_file(rel + suffix):
        return True
    verdict: bool | None = None
    for base, spec in specs:  # deeper .gitignore files override shallower ones, as in git
        sub = rel[len(base) + 1 :] if base else rel
        result = spec.check_file(sub + suffix)
        if result.include is not None:
            verdict = result.include
    return bool(verdict)


def apply_changes(copy: Path, changes: Mapping[str, str | None]) -> list[str]:
    """Write each ``path -> text`` (None deletes) into the copy; returns the changed paths, sorted.

    Paths are workspace-relative. Absolute paths, ``..``, and writing through a symlink are refused, because this
    write happens outside the sandbox.
    """
    root = copy.resolve()
    changed = []
    for raw, content in changes.items():
        rel = _safe_relative(raw)
        target = root
        for part in rel.parts[:-1]:
            target = target / part
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                raise SnapshotError(f"refusing to write {raw}: {target.relative_to(root)} is not a plain folder")
            target.mkdir(exist_ok=True)
        target = target / rel.parts[-1]
        if target.is_symlink():
            raise SnapshotError(f"refusing to write {raw}: it is a symlink")
        if content is None:
            if target.is_dir():
                raise SnapshotError(f"refusing to delete {raw}: it is a folder")
            target.unlink(missing_ok=True)
        else:
            target.write_text(content, encoding="utf-8")
        changed.append(rel.as_posix())
    return sorted(changed)


def _safe_relative(raw: str) -> PurePosixPath:
    rel = PurePosixPath(raw.replace("\\", "/"))
    if not raw or rel.is_absolute() or ".." in rel.parts or "\0" in raw or rel.as_posix() in ("", "."):
        raise SnapshotError(f"refusing the path {raw!r}: changes must use workspace-relative paths")
    if rel.parts[0] in _SKIP_DIRS:
        raise SnapshotError(f"refusing the path {raw!r}: {rel.parts[0]} is not part of the copy")
    return rel
