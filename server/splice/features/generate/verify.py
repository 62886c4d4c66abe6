"""Verify a proposal: run the configured check on a sandboxed copy of the workspace with the proposal applied.

Order of refusal, cheapest first: an untrusted workspace or no command → REFUSED; no working sandbox → UNAVAILABLE
(the command never runs). Otherwise the workspace is copied to a temp folder, the proposal's texts are written into
the copy, and ``splice.verify.command`` runs there under bubblewrap. The copy appears at the workspace's own path
inside the sandbox, so editable installs and absolute paths in project config resolve to the copy — the real
workspace is not mounted at all. The copy is deleted afterwards; nothing is ever written to the real workspace.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from splice.config import Settings
from splice.features.generate.sandbox import Ending, Limits, Mounts, Sandbox, SandboxUnavailable
from splice.features.generate.snapshot import SnapshotError, apply_changes, copy_workspace
from splice.features.generate.testplace import related_tests

_PLACEHOLDER = re.compile(r"\{(files|tests)\}")
_LIMIT_SIGNALS = {128 + signal.SIGKILL, 128 + signal.SIGXCPU, 128 + signal.SIGXFSZ}
_SYSTEM_PREFIXES = ("/usr/", "/bin/", "/lib/", "/lib64/")


class VerifyStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    KILLED = "killed"
    """Stopped for flooding output, by a resource limit, or cancelled."""
    UNAVAILABLE = "unavailable"
    """No usable sandbox: the command did not run."""
    REFUSED = "refused"
    """Untrusted workspace, no command, or a change/copy that cannot be made: the command did not run."""


@dataclass(frozen=True, slots=True)
class VerifyResult:
    status: VerifyStatus
    command: str
    """The command after placeholder substitution (empty when it was never built)."""
    exit_code: int | None
    output: str
    """Bounded: head and tail of the combined stdout/stderr."""
    duration: float
    reason: str = ""
    """Why it did not pass cleanly, in words (timeouts, limits, refusals, the sandbox problem and its fix)."""
    truncated: bool = False

    @property
    def ran(self) -> bool:
        return self.status not in (VerifyStatus.UNAVAILABLE, VerifyStatus.REFUSED)


def verify_with_settings(
    workspace: Path,
    changes: Mapping[str, str | None],
    settings: Settings,
    *,
    trusted: bool,
    sandbox: Sandbox | None = None,
    cancel: threading.Event | None = None,
) -> VerifyResult:
    """``verify`` with ``splice.verify.command``, ``splice.verify.timeout`` and ``splice.exclude``."""
    return verify(
        workspace,
        changes,
        settings.verify_command or "",
        trusted=trusted,
        limits=Limits(timeout=settings.verify_timeout),
        exclude=settings.exclude,
        sandbox=sandbox,
        cancel=cancel,
    )


def verify(
    workspace: Path,
    changes: Mapping[str, str | None],
    command: str,
    *,
    trusted: bool,
    limits: Limits | None = None,
    tests: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    sandbox: Sandbox | None = None,
    cancel: threading.Event | None = None,
    envs: Sequence[Path] = (),
) -> VerifyResult:
    """Run ``command`` on a copy of ``workspace`` with ``changes`` (relative path → new text, None = delete).

    ``envs`` are extra virtualenvs outside the workspace to mount read-only and put first on PATH (virtualenvs
    inside the workspace and the server's ``$VIRTUAL_ENV`` are found without it).
    """
    start = time.monotonic()
    limits = limits or Limits()
    if not trusted:
        return _not_run(
            VerifyStatus.REFUSED, "", start, "the workspace is not trusted: verify commands never run in it"
        )
    if not command.strip():
        return _not_run(VerifyStatus.REFUSED, "", start, "no verify command configured (splice.verify.command)")
    root = workspace.resolve()
    sandbox = sandbox or Sandbox(forbidden_roots=(root,))
    problem = sandbox.problem()
    if problem is not None:
        return _not_run(VerifyStatus.UNAVAILABLE, "", start, problem)
    with tempfile.TemporaryDirectory(prefix="splice-verify-", ignore_cleanup_errors=True) as temp:
        copy = Path(temp) / "workspace"
        copy.mkdir()
        try:
            report = copy_workspace(root, copy, exclude)
            changed = apply_changes(copy, changes)
        except (SnapshotError, OSError) as exc:
            return _not_run(VerifyStatus.REFUSED, "", start, f"cannot prepare the copy: {exc}")
        chosen = list(tests) if tests is not None else related_tests(changed, report.paths)
        expanded = expand_command(command, [c for c in changed if (copy / c).exists()], chosen)
        read_only, env = _environments(root, report.shared, envs)
        mounts = Mounts(writable=copy, writable_at=root, read_only=read_only)
        try:
            run = sandbox.run(["/bin/sh", "-c", expanded], mounts, limits, env, cancel)
        except SandboxUnavailable as exc:
            return _not_run(VerifyStatus.UNAVAILABLE, expanded, start, str(exc))
        except OSError as exc:  # bwrap vanished after the probe, or the copy could not be handed over
            return _not_run(VerifyStatus.UNAVAILABLE, expanded, start, f"sandbox unavailable: {exc}")
    status, reason = _verdict(run.ending, run.exit_code, limits)
    return VerifyResult(status, expanded, run.exit_code, run.output, time.monotonic() - start, reason, run.truncated)


def expand_command(template: str, files: Sequence[str], tests: Sequence[str]) -> str:
    """Substitute ``{files}`` and ``{tests}`` with shell-quoted paths; other braces are left alone.

    A path starting with ``-`` gets a ``./`` prefix so no file name can turn into an option.
    """
    values = {"files": _quoted(files), "tests": _quoted(tests)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _quoted(paths: Sequence[str]) -> str:
    return " ".join(shlex.quote(f"./{p}" if p.startswith("-") else p) for p in paths)


def _environments(
    root: Path, shared: Sequence[str], extra: Sequence[Path]
) -> tuple[tuple[tuple[Path, Path], ...], dict[str, str]]:
    """Read-only mounts for virtualenvs/node_modules (at their own paths) and their interpreters; PATH for them."""
    mounts: list[tuple[Path, Path]] = []
    path_entries: list[str] = []
    env: dict[str, str] = {}
    venvs = [p.resolve() for p in extra if (p / "pyvenv.cfg").is_file()]
    venvs += [root / rel for rel in shared if (root / rel / "pyvenv.cfg").is_file()]
    # The project's virtualenv; failing that, the one Splice itself runs from (editors rarely export VIRTUAL_ENV).
    outside = os.environ.get("VIRTUAL_ENV") or (sys.prefix if sys.prefix != sys.base_prefix else None)
    if outside and Path(outside, "pyvenv.cfg").is_file() and not Path(outside).resolve().is_relative_to(root):
        venvs.append(Path(outside).resolve())
    for rel in shared:
        if PurePosixPath(rel).name == "node_modules":
            mounts.append((root / rel, root / rel))
            if "/" not in rel:
                path_entries.append(str(root / rel / ".bin"))
    for venv in dict.fromkeys(venvs):
        mounts.append((venv, venv))
        path_entries.append(str(venv / "bin"))
        env.setdefault("VIRTUAL_ENV", str(venv))
        base = _base_prefix(venv)
        if (
            base is not None
            and not any(str(base).startswith(p) for p in _SYSTEM_PREFIXES)
            and (base, base) not in mounts
        ):
            mounts.append((base, base))
    if path_entries:
        env["PATH"] = ":".join([*path_entries, "/usr/local/bin", "/usr/bin", "/bin"])
    return tuple(mounts), env


def _base_prefix(venv: Path) -> Path | None:
    """The interpreter installation a virtualenv points at (``home = …/bin`` in pyvenv.cfg)."""
    try:
        lines = (venv / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            home = Path(value.strip()).resolve()
            return home.parent if home.name == "bin" else home
    return None


def _verdict(ending: Ending, exit_code: int | None, limits: Limits) -> tuple[VerifyStatus, str]:
    if ending is Ending.TIMEOUT:
        return (
            VerifyStatus.TIMEOUT,
            f"timed out after {limits.timeout:g} s; the sandbox and every process in it were killed",
        )
    if ending is Ending.OUTPUT_LIMIT:
        return VerifyStatus.KILLED, f"output exceeded {limits.output_bytes} bytes; the sandbox was killed"
    if ending is Ending.CANCELLED:
        return VerifyStatus.KILLED, "cancelled; the sandbox was killed"
    if exit_code == 0:
        return VerifyStatus.PASSED, ""
    if exit_code in _LIMIT_SIGNALS:
        return VerifyStatus.KILLED, f"killed by signal {exit_code - 128} (a resource limit: CPU, file size or memory)"
    return VerifyStatus.FAILED, f"exit status {exit_code}"


def _not_run(status: VerifyStatus, command: str, start: float, reason: str) -> VerifyResult:
    return VerifyResult(status, command, None, "", time.monotonic() - start, reason)
