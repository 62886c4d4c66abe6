"""Splice's own state under ``<workspace>/.splice``: every write goes through here and never follows a link.

A cloned repository can ship ``.splice/`` — or plant ``.splice`` itself, ``usage.jsonl``, the index or the cache
as symlinks to files outside the workspace. So below the workspace root each folder is opened with ``O_NOFOLLOW``
(``openat`` style, one component at a time), files are created with ``O_EXCL | O_NOFOLLOW`` and renamed into place
inside that folder, appends refuse links and hard-linked files, and ``guard`` (run when a front end opens a workspace)
moves a ``.splice`` that Splice did not create — or links and special files inside it — aside with a warning.
Splice recognises its own folder by ``.splice/.owner``, which records the folder's device and inode: a folder that
came out of a clone or an archive has a different inode, so a shipped marker never matches.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STATE = ".splice"
OWNER = ".owner"
KEEP = frozenset({"config.toml", ".gitignore", OWNER})
"""Entries of a foreign ``.splice`` left in place: the user-level settings file (trust decides what it may set)."""
QUARANTINE = "quarantine"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
GITIGNORE = "# Splice's local data: never commit it.\n*\n"


class UnsafeStatePath(OSError):
    """A path under ``.splice`` is a symlink, a special file or a hard link: Splice does not write through it."""


def _locate(path: Path) -> tuple[Path, list[str]]:
    """(the folder opened normally, the components opened without following links)."""
    parts = path.parts
    if STATE in parts[:-1] or (parts and parts[-1] == STATE):
        i = len(parts) - 1 - parts[::-1].index(STATE)
        return Path(*parts[:i]), list(parts[i:])
    return path.parent, [path.name]


def _open_dirs(base: Path, comps: list[str], create: bool) -> int:
    for comp in comps:
        if comp in ("", ".", ".."):
            raise UnsafeStatePath(errno.EINVAL, f"refusing the path component {comp!r}", str(base))
    if create:
        base.mkdir(parents=True, exist_ok=True)
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    here = base
    try:
        for comp in comps:
            here = here / comp
            try:
                nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(comp, 0o755, dir_fd=fd)
                    if comp == STATE:
                        _init_state(fd)
                nfd = _open_existing_dir(comp, fd, here)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeStatePath(exc.errno, "a symlink or a file where a folder should be", str(here)) from exc
                raise
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_existing_dir(comp: str, fd: int, here: Path) -> int:
    try:
        return os.open(comp, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafeStatePath(exc.errno, "a symlink or a file where a folder should be", str(here)) from exc
        raise


def _init_state(parent_fd: int) -> None:
    """A fresh ``.splice``: its ``.gitignore`` and the ownership marker."""
    sfd = os.open(STATE, _DIR_FLAGS, dir_fd=parent_fd)
    try:
        _write_at(sfd, ".gitignore", GITIGNORE.encode())
        _write_marker(sfd)
    finally:
        os.close(sfd)


def _marker(sfd: int) -> bytes:
    st = os.fstat(sfd)
    return json.dumps({"dev": st.st_dev, "ino": st.st_ino}).encode()


def _write_marker(sfd: int) -> None:
    _write_at(sfd, OWNER, _marker(sfd))


def _write_at(dfd: int, name: str, data: bytes, fsync: bool = False) -> None:
    tmp = f".tmp-{name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dfd)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dfd)
        raise


def _check_regular(fd: int, path: Path) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
        raise UnsafeStatePath(errno.EPERM, "not a plain file of its own (special file or hard link)", str(path))


def mkdirs(path: Path) -> Path:
    """Create ``path`` (a folder) with no link anywhere below the workspace root; returns it."""
    base, comps = _locate(path / "_")
    os.close(_open_dirs(base, comps[:-1], create=True))
    return path


def write_bytes(path: Path, data: bytes, *, fsync: bool = False) -> None:
    """Atomic replace: a temp file created with O_EXCL|O_NOFOLLOW beside it, renamed over it (a link is replaced,
    never followed)."""
    base, comps = _locate(path)
    dfd = _open_dirs(base, comps[:-1], create=True)
    try:
        _write_at(dfd, comps[-1], data, fsync)
    finally:
        os.close(dfd)


def write_text(path: Path, text: str, *, fsync: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), fsync=fsync)


def _open_file(path: Path, flags: int, create: bool) -> int:
    """A descriptor for a plain file of its own under the state folder; links, special files, hard links refused."""
    base, comps = _locate(path)
    dfd = _open_dirs(base, comps[:-1], create=create)
    try:
        fd = os.open(comps[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dfd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeStatePath(exc.errno, "a symlink; Splice does not go through it", str(path)) from exc
        raise
    finally:
        os.close(dfd)
    try:
        _check_regular(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_append(path: Path) -> int:
    """A descriptor for appending (``O_RDWR | O_APPEND``, created when absent)."""
    return _open_file(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, create=True)


def read_bytes(path: Path) -> bytes:
    """Read a state file without following links (FileNotFoundError when absent)."""
    with os.fdopen(_open_file(path, os.O_RDONLY, create=False), "rb") as f:
        return f.read()


def read_text(path: Path) -> str:
    return read_bytes(path).decode("utf-8")


# -- the guard: a .splice Splice did not make, and links planted inside one ------------------------------------------


def unsafe_entries(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in [*dirnames, *filenames]:
            try:
                st = os.lstat(here / name)
            except OSError:
                continue
            special = not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode))  # links, fifos, devices
            if special or (stat.S_ISREG(st.st_mode) and st.st_nlink > 1):
                yield here / name
        dirnames[:] = [d for d in dirnames if not (here / d).is_symlink()]


def _tracked(root: Path) -> list[Path]:
    """Files under ``.splice`` that git tracks (a repository can commit a journal or a cache entry, and a pull puts it
    into the user's own folder), except ``config.toml``; [] when there is no git or no repository."""
    if not (root / ".git").exists():
        return []
    import subprocess

    try:
        # never let the repository's own git config run anything (an archive can ship .git/config)
        safe = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
        done = subprocess.run(
            ["git", *safe, "-C", str(root), "ls-files", "-z", "--", STATE],
            capture_output=True,
            timeout=10,
            check=False,
            env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
        )
    except (OSError, subprocess.SubprocessError):
        return []
    rels = [r for r in done.stdout.decode("utf-8", "replace").split("\0") if r] if done.returncode == 0 else []
    return [root / r for r in rels if r != f"{STATE}/config.toml" and (root / r).is_file()]


def guard(root: Path) -> list[str]:
    """Make ``<root>/.splice`` safe to use; returns warnings for the user (empty when nothing was wrong)."""
    state = root / STATE
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        st = os.lstat(state)
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{state}: cannot inspect ({exc.strerror or exc}); Splice will not write there"]
    if not stat.S_ISDIR(st.st_mode):  # a symlink (to anywhere) or a file: moved aside, never followed
        aside = root / f"{STATE}.quarantined-{stamp}"
        try:
            os.rename(state, aside)
        except OSError as exc:
            return [f"{state} is a link or a file, and it cannot be moved aside ({exc}); Splice will not write there"]
        return [f"{state} was a link or a file, not Splice's folder; moved it to {aside.name} and started a fresh one"]
    warnings: list[str] = []
    try:
        sfd = os.open(state, _DIR_FLAGS)
    except OSError as exc:
        return [f"{state}: cannot open ({exc.strerror or exc}); Splice will not write there"]
    try:
        try:
            ours = read_bytes(state / OWNER) == _marker(sfd)
        except OSError:
            ours = False
        moved: list[str] = []
        target = state / f"{QUARANTINE}-{stamp}-{secrets.token_hex(2)}"
        if not ours:
            for name in sorted(os.listdir(sfd)):
                if name in KEEP and not os.path.islink(state / name):
                    continue
                mkdirs(target)
                os.rename(state / name, target / name)
                moved.append(name)
            if moved:
                warnings.append(
                    f"{state} was not created by Splice here (shipped with the repository or copied): moved "
                    f"{', '.join(moved)} to .splice/{target.name}/ — nothing in it is used"
                )
            _write_at(sfd, ".gitignore", GITIGNORE.encode())
            _write_marker(sfd)
        planted = [p for p in unsafe_entries(state) if not p.relative_to(state).parts[0].startswith(f"{QUARANTINE}-")]
        planted += [p for p in _tracked(root) if p not in planted]  # arrived with a pull into our own folder
        for path in planted:
            mkdirs(target)
            dest = target / "__".join(path.relative_to(state).parts)
            os.rename(path, dest)
        if planted:
            names = ", ".join(str(p.relative_to(root)) for p in planted)
            warnings.append(
                f"links, special files or files committed to git inside {state} moved to .splice/{target.name}/: "
                f"{names} — nothing in them is used"
            )
    except OSError as exc:
        warnings.append(f"{state}: could not make it safe ({exc}); Splice will not write there")
    finally:
        os.close(sfd)
    for w in warnings:
        log.warning("%s", w)
    return warnings
