"""The CLI's ``--apply``: write exactly the diff that was printed and record it for ``splice edit --undo``.

Shared by ``splice edit``, ``splice explain`` and ``splice generate`` so every command applies under the same rules:
the approval digest is re-checked, protected paths and invisible characters need their own flag, writes are atomic
and all-or-nothing, and the applied proposal is stored under ``.splice/proposals/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import FlagKind, Proposal
from splice.edits.propose import disk_reader
from splice.edits.review import mark_applied, plan_apply
from splice.edits.store import ProposalStore
from splice.edits.writer import write_plan


@dataclass(frozen=True)
class Applied:
    files: int
    warning: str | None = None
    """Set when the files were written but the proposal could not be recorded for undo."""


def apply_approved(
    proposal: Proposal, workspace: Workspace, *, digest: str, allow_protected: bool, allow_invisible: bool = False
) -> Applied:
    """Write the proposal as approved (``digest`` = what was shown); EditRefused, with the flag to pass, otherwise."""
    confirmed = [FlagKind.PROTECTED] if allow_protected else []
    confirmed += [FlagKind.INVISIBLE] if allow_invisible else []
    try:
        plan = plan_apply(proposal, disk_reader, digest=digest, confirmed=confirmed)
        written = write_plan(workspace, plan, record=mark_applied(proposal, plan))
    except EditRefused as exc:
        reason = str(exc)
        if "protected path" in reason:
            reason += " — re-run with --allow-protected to confirm"
        elif "invisible characters" in reason:
            reason += " — re-run with --allow-invisible to confirm"
        raise EditRefused(reason) from exc
    try:
        ProposalStore.for_workspace(workspace.roots[0].path).put(mark_applied(proposal, plan))
    except (OSError, EditRefused) as exc:
        return Applied(len(written), f"the change was applied but could not be recorded for undo: {exc}")
    return Applied(len(written))


def apply_from_cli(proposal: Proposal, root: Path, allow_protected: bool, say: Callable[[str], None]) -> int:
    """``--apply`` for explain and generate, after their diff was printed: 0 written, 2 refused."""
    if not proposal.verification.parses:
        say("the change does not parse (new syntax errors); not applied")
        return 2
    try:
        applied = apply_approved(
            proposal, Workspace.of(root), digest=proposal.digest(), allow_protected=allow_protected
        )
    except EditRefused as exc:
        say(f"refused: {exc}")
        return 2
    say(f"applied proposal {proposal.id}: {applied.files} file(s) changed")
    if applied.warning:
        say(f"warning: {applied.warning}")
    return 0
