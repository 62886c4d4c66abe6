"""Proposals made by an agent front end (MCP) reach the user's review: the editor's, when a Splice language server
runs for the workspace, or the agent client's own approval prompt — never a write without the user.

Channel to the editor: a running language server holds an exclusive ``flock`` on ``.splice/editor.lock`` (the
kernel drops it when the process dies, so a crashed editor never looks alive) and polls
``.splice/proposals/inbox/``; the MCP server saves the proposal in the proposal store and drops its id into the
inbox, and the language server presents it with its usual review flow. Only ids travel through the inbox; the
proposal itself is re-read from the store and re-validated by ``plan_apply`` at apply time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from splice import state
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import FlagKind, Proposal
from splice.edits.propose import disk_reader, propose
from splice.edits.review import mark_applied, plan_apply
from splice.edits.store import ProposalStore
from splice.edits.writer import write_plan

PRESENCE = Path(".splice") / "editor.lock"
INBOX = Path(".splice") / "proposals" / "inbox"
INBOX_MAX_AGE = 3600.0
"""An inbox entry older than this (seconds) is dropped unseen: the agent that asked has long moved on."""


class EditorPresence:
    """Held by a running language server for its workspace."""

    def __init__(self, root: Path) -> None:
        self.path = root / PRESENCE
        self._fd: int | None = None

    def hold(self) -> bool:
        """Take the lock; False when another editor already holds it or ``.splice`` is not writable."""
        try:
            fd = state.open_append(self.path)  # creates .splice as Splice's own folder; never through a link
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


def editor_running(root: Path) -> bool:
    """Whether a Splice language server holds the workspace's presence lock right now."""
    if not (root / PRESENCE).is_file():
        return False
    try:
        fd = state.open_append(root / PRESENCE)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def post(root: Path, proposal_id: str) -> None:
    """Hand a stored proposal to the running editor's review."""
    if not proposal_id.isalnum():
        raise ValueError(f"invalid proposal id {proposal_id!r}")
    state.write_text(root / INBOX / proposal_id, str(time.time()))


def take(root: Path, now: float | None = None) -> list[str]:
    """Ids waiting in the inbox, oldest first; each is removed as it is taken (stale and malformed ones too)."""
    folder = root / INBOX
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return []
    moment = time.time() if now is None else now
    found: list[tuple[float, str]] = []
    for entry in entries:
        try:
            posted = entry.stat().st_mtime
            entry.unlink()
        except OSError:
            continue
        if entry.name.isalnum() and moment - posted <= INBOX_MAX_AGE:
            found.append((posted, entry.name))
    return [name for _, name in sorted(found)]


@dataclass(frozen=True)
class Applied:
    proposal_id: str
    files: int
    warning: str | None = None


def apply_reviewed(root: Path, proposal: Proposal, *, digest: str, confirm_flags: bool) -> Applied:
    """Write a proposal the user approved after seeing its diff (``digest`` = what was shown); EditRefused when
    the files moved on in a conflicting way, the proposal is no longer pending, or warnings were not confirmed."""
    # One "confirm the warnings" answer may cover one protected file, the one it named; a proposal touching several
    # is refused (each needs its own confirmation: the editor asks per file, the CLI takes --allow-protected FILE).
    protected = sorted({f.path for f in proposal.needs_confirmation() if f.kind is FlagKind.PROTECTED and f.path})
    confirmed: list[FlagKind | tuple[FlagKind, str]] = []
    if confirm_flags:
        confirmed = [FlagKind.INVISIBLE, *((FlagKind.PROTECTED, p) for p in protected[:1] if len(protected) == 1)]
    plan = plan_apply(proposal, disk_reader, digest=digest, confirmed=confirmed)
    written = write_plan(Workspace.of(root), plan, record=mark_applied(proposal, plan))
    try:
        ProposalStore.for_workspace(root).put(mark_applied(proposal, plan))
    except (OSError, EditRefused) as exc:
        return Applied(proposal.id, len(written), f"applied, but not recorded for undo: {exc}")
    return Applied(proposal.id, len(written))


@dataclass(frozen=True)
class Handed:
    proposal: Proposal
    to_editor: bool
    """True when a running language server was told to show it in the editor's review."""


def propose_for_review(
    root: Path, answer: str, *, target: str | None, symbol: str | None, is_excluded: Callable[[str], bool]
) -> Handed:
    """An agent's answer → a stored, pending proposal (validated exactly like ``splice edit --answer``), handed to
    the editor's review when one runs. EditRefused when the edit layer refuses or a change touches an excluded
    file (whose text must not come back in the diff)."""
    proposal = propose(answer, Workspace.of(root), target=target, symbol=symbol)
    touched = [p for c in proposal.changes for p in (c.path, c.new_path) if p is not None and is_excluded(p)]
    if touched:
        raise EditRefused(f"{touched[0]} is excluded from Splice; an edit to it cannot be proposed here")
    ProposalStore.for_workspace(root).put(proposal)
    to_editor = editor_running(root)
    if to_editor:
        post(root, proposal.id)
    return Handed(proposal, to_editor)
