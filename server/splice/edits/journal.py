"""The apply journal: a multi-file write survives SIGKILL and Ctrl-C as all or nothing.

Before the first file changes, ``writer.write_plan`` writes ``.splice/journal/apply.json`` (fsync'd, through
``splice.state``): for every step the path, the bytes it had (or that it did not exist), a hash of the bytes it will
have (or that it will be removed), the folders the apply creates, and the proposal to record as applied. The journal
is removed once every file is written and the proposal recorded.

``recover`` (run before any apply, by ``splice edit`` including ``--undo``, and when the language server opens the
workspace) finds a journal left by a killed apply and settles it:

- every file already has its new bytes → the apply finished; the proposal is recorded (so undo works);
- otherwise → every file that still has either its old or its new bytes gets its old bytes back, created files and
  folders are removed; a file changed since (neither old nor new) is left alone and named in the report.

Either way the writer's temp files (``.<name>.splice-<hex>``) beside the journal's paths are removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splice import state

log = logging.getLogger(__name__)
VERSION = 1


def journal_path(root: Path) -> Path:
    return root / state.STATE / "journal" / "apply.json"


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Step:
    path: Path
    """Absolute."""
    before: bytes | None
    """None: the file did not exist."""
    after: str | None
    """sha256 of the new bytes; None: the step removes the file."""
    mode: int | None


@dataclass(frozen=True)
class Recovery:
    finished: bool
    """True: the interrupted apply had written everything (now recorded); False: it was rolled back."""
    proposal_id: str | None
    files: int
    left_alone: tuple[str, ...]
    """Files changed since the interruption: not touched."""

    def describe(self) -> str:
        what = "completed and recorded" if self.finished else "rolled back"
        text = f"an interrupted apply{f' of proposal {self.proposal_id}' if self.proposal_id else ''} was {what}"
        if self.left_alone:
            text += f"; changed since, left as they are: {', '.join(self.left_alone)}"
        return text


def begin(root: Path, steps: list[Step], created_dirs: list[Path], record: str | None) -> None:
    """Write the journal durably; raises OSError when it cannot be written (then nothing may be applied)."""
    data = {
        "v": VERSION,
        "pid": os.getpid(),
        "steps": [
            {
                "path": str(s.path),
                "before": None if s.before is None else base64.b64encode(s.before).decode("ascii"),
                "after": s.after,
                "mode": s.mode,
            }
            for s in steps
        ],
        "dirs": [str(d) for d in created_dirs],
        "record": record,
    }
    state.write_bytes(journal_path(root), json.dumps(data).encode("utf-8"), fsync=True)


def finish(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        journal_path(root).unlink()


def recover(root: Path) -> Recovery | None:
    """Settle an apply that was interrupted; None when there was none. Never raises for a damaged journal (it is
    moved aside and reported in the log)."""
    path = journal_path(root)
    try:
        raw = state.read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cannot read the apply journal %s: %s", path, exc)
        return None
    try:
        data = json.loads(raw)
        steps = [_step(s) for s in data["steps"]]
        dirs = [Path(d) for d in data.get("dirs", [])]
        record = data.get("record")
    except (ValueError, KeyError, TypeError) as exc:
        log.error("the apply journal %s is damaged (%s); moved aside", path, exc)
        with contextlib.suppress(OSError):
            path.rename(path.with_suffix(".damaged"))
        return None
    for s in steps:
        _remove_temps(s.path)
    proposal_id = _proposal_id(record)
    if all(_current(s.path) == s.after for s in steps):
        if record is not None:
            _record(root, record)
        finish(root)
        log.warning("an interrupted apply had finished writing; recorded it")
        return Recovery(True, proposal_id, len(steps), ())
    left: list[str] = []
    for s in reversed(steps):
        now = _current(s.path)
        if now == digest(s.before):
            continue
        if now != s.after:
            left.append(_rel(root, s.path))
            continue
        _restore(s)
    for folder in reversed(dirs):
        with contextlib.suppress(OSError):
            folder.rmdir()
    finish(root)
    log.warning("an interrupted apply was rolled back (%d files)", len(steps))
    return Recovery(False, proposal_id, len(steps), tuple(left))


def _step(raw: dict[str, Any]) -> Step:
    before = raw["before"]
    return Step(Path(raw["path"]), None if before is None else base64.b64decode(before), raw["after"], raw.get("mode"))


def _current(path: Path) -> str | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return "not a file"
    return digest(path.read_bytes())


def _restore(s: Step) -> None:
    """Put the old bytes back (atomically, beside the file), or remove a file the apply created."""
    if s.before is None:
        with contextlib.suppress(FileNotFoundError):
            s.path.unlink()
        return
    tmp = s.path.parent / f".{s.path.name}.splice-restore"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(s.before)
            handle.flush()
            if s.mode is not None:
                os.fchmod(handle.fileno(), s.mode)
            os.fsync(handle.fileno())
        os.replace(tmp, s.path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _remove_temps(path: Path) -> None:
    with contextlib.suppress(OSError):
        for entry in path.parent.glob(f".{path.name}.splice-*"):
            with contextlib.suppress(OSError):
                entry.unlink()


def _record(root: Path, record: str) -> None:
    from splice.edits.store import ProposalStore, from_json

    try:
        ProposalStore.for_workspace(root).put(from_json(record))
    except Exception as exc:  # the files are right; only undo would miss it
        log.error("could not record the recovered apply for undo: %s", exc)


def _proposal_id(record: str | None) -> str | None:
    if record is None:
        return None
    try:
        value = json.loads(record).get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
