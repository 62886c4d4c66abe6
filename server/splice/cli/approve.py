"""Writing an approved proposal from the command line: the `--apply` step shared by explain and generate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import FlagKind, Proposal
from splice.edits.propose import disk_reader
from splice.edits.review import plan_apply
from splice.edits.writer import write_plan


def apply_proposal(proposal: Proposal, root: Path, *, allow_protected: bool, say: Callable[[str], None]) -> int:
    """Write exactly the diff that was printed (its digest is re-checked); 0 written, 2 refused."""
    if not proposal.verification.parses:
        say("the change does not parse (new syntax errors); not applied")
        return 2
    confirmed = [FlagKind.PROTECTED] if allow_protected else []
    try:
        plan = plan_apply(proposal, disk_reader, digest=proposal.digest(), confirmed=confirmed)
        written = write_plan(Workspace.of(root), plan)
    except EditRefused as exc:
        hint = " — re-run with --allow-protected to confirm" if "protected path" in str(exc) else ""
        say(f"refused: {exc}{hint}")
        return 2
    say(f"applied: {len(written)} file(s) changed")
    return 0
