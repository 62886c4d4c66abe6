"""The bubblewrap runner: one command in a throw-away mount/pid/net/ipc/uts namespace with time, output and rlimits.

Only the system's ``/usr/bin/bwrap`` is used (never one found on PATH or in a workspace). A probe run decides whether
the sandbox works on this machine; when it does not, nothing runs — there is no unsandboxed fallback.

Inside: the system directories and the given environment folders read-only, one writable folder (the workspace
copy), a private ``/tmp``, no network (a fresh loopback only), a cleared environment, a new session (no TIOCSTI on
the caller's terminal), no capabilities, ``prlimit`` on processes, data size, file size, open files and CPU time.
When the caller is root the command drops to ``nobody`` first, because the kernel does not apply RLIMIT_NPROC to root.
"""

from __future__ import annotations

import contextlib
import math
import os
import selectors
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

SYSTEM_BWRAP = Path("/usr/bin/bwrap")
PRLIMIT = "/usr/bin/prlimit"
SETPRIV = "/usr/bin/setpriv"
NOBODY = 65534
FIX = (
    "fix: install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces "
    "(sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0 "
    "or the bwrap-userns-restrict AppArmor profile)"
)
# Read-only system folders; merged-/usr systems have /bin, /lib … as symlinks, recreated as symlinks inside.
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Only what programs need from /etc: the dynamic loader, users/groups, time zone, hosts (tests bind localhost).
# Never all of /etc: it may hold credentials (shadow, ssh keys, cloud configs) that output could carry to a model.
_ETC_ENTRIES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "group",
    "hosts",
    "ssl/certs",
    "mime.types",
)


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float = 120.0
    """Wall-clock seconds; then the whole sandbox is killed."""
    output_bytes: int = 4_000_000
    """Stop reading and kill the sandbox after this many bytes of output."""
    keep_bytes: int = 64_000
    """Output kept for the report: the first and last halves of this when the output is longer."""
    memory_bytes: int = 4 << 30
    """RLIMIT_DATA per process (not RLIMIT_AS: V8 and Go reserve far more address space than they use)."""
    processes: int = 256
    file_bytes: int = 256 << 20
    open_files: int = 1024
    tmp_bytes: int = 512 << 20
    """Size of the private /tmp (a tmpfs, counted against memory)."""


class Ending(StrEnum):
    EXITED = "exited"
    TIMEOUT = "timeout"
    OUTPUT_LIMIT = "output_limit"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class SandboxRun:
    ending: Ending
    exit_code: int | None
    """The command's exit status (128+N when killed by signal N inside); None when we killed the sandbox."""
    output: str
    """stdout and stderr interleaved, bounded by ``Limits.keep_bytes``."""
    truncated: bool
    output_total: int
    duration: float


@dataclass(frozen=True, slots=True)
class Mounts:
    """What the command sees besides the system: one writable folder and read-only extras, each at a fixed path."""

    writable: Path
    """Host folder (the workspace copy) …"""
    writable_at: Path
    """… and where it appears inside; also the working directory."""
    read_only: tuple[tuple[Path, Path], ...] = ()
    """(host path, path inside) pairs: virtualenvs, node_modules, interpreter prefixes."""


class SandboxUnavailable(Exception):
    """The sandbox cannot run here; the message says why and how to fix it."""


@dataclass
class Sandbox:
    """A bubblewrap configuration; ``problem()`` probes once and caches the verdict."""

    bwrap: Path = SYSTEM_BWRAP
    forbidden_roots: tuple[Path, ...] = ()
    """Folders the bwrap binary must not live in (the workspace): a repository cannot supply its own sandbox."""
    _verdict: list[str | None] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def drops_root(self) -> bool:
        return os.geteuid() == 0

    def problem(self) -> str | None:
        """None when the sandbox works; otherwise why it cannot run, with the fix."""
        with self._lock:
            if not self._verdict:
                self._verdict.append(self._probe())
            return self._verdict[0]

    def run(
        self,
        argv: Sequence[str],
        mounts: Mounts,
        limits: Limits,
        env: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
    ) -> SandboxRun:
        """Run ``argv`` inside the sandbox; raises SandboxUnavailable instead of ever running it outside."""
        problem = self.problem()
        if problem is not None:
            raise SandboxUnavailable(problem)
        if self.drops_root:
            _chown_tree(mounts.writable, NOBODY, NOBODY)
        return self._spawn(self.command_line(argv, mounts, limits, env), limits, cancel)

    # -- building the command line -----------------------------------------------------------------------------

    def command_line(
        self, argv: Sequence[str], mounts: Mounts, limits: Limits, env: Mapping[str, str] | None = None
    ) -> list[str]:
        args = [str(self.bwrap), "--die-with-parent", "--new-session"]
        args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        if self.drops_root:
            # Root keeps the host user namespace so the command can become nobody (whose process count is limited);
            # these two capabilities exist only until setpriv has switched users and cleared every capability.
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-user", "--disable-userns"]
        for path in _SYSTEM_DIRS:
            system = Path(path)
            if system.is_symlink():
                args += ["--symlink", os.readlink(system), path]
            elif system.is_dir():
                args += ["--ro-bind", path, path]
        mounted = list(_SYSTEM_DIRS)  # host folders: whatever lies below them exists already
        made: set[str] = {"/", "/tmp"}  # /tmp is an empty tmpfs: folders below it must be created
        args += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(limits.tmp_bytes),
            "--perms",
            "1777",
            "--tmpfs",
            "/tmp",
        ]
        binds = [(f"/etc/{e}", f"/etc/{e}", "--ro-bind") for e in _ETC_ENTRIES if os.path.lexists(f"/etc/{e}")]
        binds.append((str(mounts.writable), str(mounts.writable_at), "--bind"))
        binds += [(str(source), str(inside), "--ro-bind") for source, inside in mounts.read_only]
        for source_path, inside_path, how in binds:
            args += [*_parents(inside_path, mounted, made), how, source_path, inside_path]
            mounted.append(inside_path)
        args += ["--chdir", str(mounts.writable_at), "--clearenv"]
        for key, value in _environment(mounts, env).items():
            args += ["--setenv", key, value]
        args.append("--")
        if self.drops_root:
            args += [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            args += ["--bounding-set=-all", "--inh-caps=-all", "--"]
        cpu = math.ceil(limits.timeout) + 5  # a backstop: the wall clock normally ends it first
        args += [
            PRLIMIT,
            f"--nproc={limits.processes}",
            f"--data={limits.memory_bytes}",
            f"--fsize={limits.file_bytes}",
            f"--nofile={limits.open_files}",
            f"--cpu={cpu}",
            "--core=0",
            "--",
        ]
        args += list(argv)
        return args

    # -- probing and running -----------------------------------------------------------------------------------

    def _probe(self) -> str | None:
        problem = _check_binary(self.bwrap, self.forbidden_roots)
        if problem is not None:
            return f"sandbox unavailable: {problem} — {FIX}"
        for tool in (PRLIMIT, *((SETPRIV,) if self.drops_root else ())):
            if not os.access(tool, os.X_OK):
                return f"sandbox unavailable: {tool} is missing (util-linux) — install util-linux"
        try:
            with tempfile.TemporaryDirectory(prefix="splice-sandbox-probe-") as empty:
                # Exactly the mounts, namespaces and user switch a real run uses, around a command that does nothing.
                mounts = Mounts(writable=Path(empty), writable_at=Path("/sandbox"))
                argv = self.command_line(["/bin/sh", "-c", "exit 0"], mounts, Limits(timeout=10))
                done = subprocess.run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=20,
                    env={"PATH": "/usr/bin:/bin"},
                    check=False,
                )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"sandbox unavailable: bubblewrap probe failed ({exc}) — {FIX}"
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", errors="replace").strip() or f"exit status {done.returncode}"
            return f"sandbox unavailable: bubblewrap probe failed ({detail}) — {FIX}"
        return None

    def _spawn(self, argv: list[str], limits: Limits, cancel: threading.Event | None) -> SandboxRun:
        start = time.monotonic()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin"},  # bwrap itself never sees the server's environment (API keys)
            cwd="/",
            start_new_session=True,  # our own process group, so a kill reaches bwrap and its namespace
            close_fds=True,
        )
        assert proc.stdout is not None
        output = _BoundedOutput(limits.keep_bytes)
        ending = Ending.EXITED
        deadline = start + limits.timeout
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while True:
                if cancel is not None and cancel.is_set():
                    ending = Ending.CANCELLED
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    ending = Ending.TIMEOUT
                    break
                if not selector.select(min(remaining, 0.2)):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                output.add(chunk)
                if output.total >= limits.output_bytes:
                    ending = Ending.OUTPUT_LIMIT
                    break
        # The output may end (stdout closed) while the command runs on: the deadline and cancel still apply.
        while ending is Ending.EXITED and proc.poll() is None:
            if cancel is not None and cancel.is_set():
                ending = Ending.CANCELLED
            elif time.monotonic() >= deadline:
                ending = Ending.TIMEOUT
            else:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=min(0.1, max(deadline - time.monotonic(), 0.001)))
        if ending is not Ending.EXITED:
            _kill_group(proc)
        code = proc.wait()
        proc.stdout.close()
        exit_code = code if ending is Ending.EXITED else None
        if exit_code is not None and exit_code < 0:
            exit_code = 128 - exit_code  # bwrap itself died of a signal
        return SandboxRun(ending, exit_code, output.text(), output.truncated, output.total, time.monotonic() - start)


class _BoundedOutput:
    """Keeps the first and last ``keep/2`` bytes of a stream of any length."""

    def __init__(self, keep: int) -> None:
        self.half = max(keep // 2, 1)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.half - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(len(self.tail) - self.half, 0)]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        if not self.truncated:
            return head + tail
        omitted = self.total - len(self.head) - len(self.tail)
        return f"{head}\n… [{omitted} bytes of output omitted] …\n{tail}"


def _parents(target: str, mounted: list[str], made: set[str]) -> list[str]:
    """``--dir`` for each missing ancestor of a mount point, world-traversable (bwrap would make them 0700)."""
    args: list[str] = []
    for parent in reversed(Path(target).parents):
        name = str(parent)
        inside_mount = any(name == m or name.startswith(m.rstrip("/") + "/") for m in mounted)
        if name not in made and not inside_mount:
            args += ["--perms", "0755", "--dir", name]
            made.add(name)
    return args


def _environment(mounts: Mounts, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "CI": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra or {})
    return env


def _check_binary(path: Path, forbidden_roots: tuple[Path, ...]) -> str | None:
    if not path.is_absolute():
        return f"the bubblewrap path {path} is not absolute"
    try:
        info = path.stat()
    except OSError:
        return f"bubblewrap is not installed ({path} not found)"
    real = path.resolve()
    for root in forbidden_roots:
        if real.is_relative_to(root.resolve()):
            return f"refusing {path}: a sandbox binary inside the workspace is not trusted"
    if not stat.S_ISREG(info.st_mode) or not os.access(path, os.X_OK):
        return f"{path} is not an executable file"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"refusing {path}: it is writable by other users"
    return None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # bwrap runs with --die-with-parent and owns a pid namespace: killing it tears the whole namespace down.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.lchown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)
