"""The CLI's ``--apply``: write exactly the diff that was printed and record it for ``splice edit --undo``.

Shared by ``splice edit``, ``splice explain`` and ``splice generate`` so every command applies under the same rules:
the approval digest is re-checked, protected paths and invisible characters need their own flag, writes are atomic
and all-or-nothing, and the applied proposal is stored under ``.splice/proposals/``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from splice.cli.common import ASK_EACH
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


def protected_confirmations(
    proposal: Proposal, allowed: Sequence[str], ask: Callable[[str], bool] | None = None
) -> list[tuple[FlagKind, str]]:
    """One confirmation per protected file: named with ``--allow-protected FILE``, or answered yes when asked."""
    named = {PurePosixPath(a.removeprefix("./")).as_posix().casefold() for a in allowed if a != ASK_EACH}
    interactive = ASK_EACH in allowed
    out: list[tuple[FlagKind, str]] = []
    for flag in proposal.needs_confirmation():
        if flag.kind is not FlagKind.PROTECTED or flag.path is None:
            continue
        if flag.path.casefold() in named or (interactive and (ask or ask_terminal)(f"{flag.message}. Apply it?")):
            out.append((FlagKind.PROTECTED, flag.path))
    return out


def ask_terminal(question: str) -> bool:
    """y/N on the terminal; never yes without one (a pipe or CI answers no)."""
    if not sys.stdin.isatty():
        return False
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def apply_approved(
    proposal: Proposal,
    workspace: Workspace,
    *,
    digest: str,
    allow_protected: Sequence[str] = (),
    allow_invisible: bool = False,
    ask: Callable[[str], bool] | None = None,
) -> Applied:
    """Write the proposal as approved (``digest`` = what was shown); EditRefused, with the flag to pass, otherwise."""
    confirmed: list[FlagKind | tuple[FlagKind, str]] = [*protected_confirmations(proposal, allow_protected, ask)]
    confirmed += [FlagKind.INVISIBLE] if allow_invisible else []
    try:
        plan = plan_apply(proposal, disk_reader, digest=digest, confirmed=confirmed)
        written = write_plan(workspace, plan, record=mark_applied(proposal, plan))
    except EditRefused as exc:
        reason = str(exc)
        if "protected path" in reason:
            pending = [
                f.path
                for f in proposal.needs_confirmation()
                if f.kind is FlagKind.PROTECTED and f.path and (FlagKind.PROTECTED, f.path) not in confirmed
            ]
            named = " ".join(f"--allow-protected {p}" for p in pending)
            reason += f" — re-run with {named} to confirm each file" if pending else ""
        elif "invisible characters" in reason:
            reason += " — re-run with --allow-invisible to confirm"
        raise EditRefused(reason) from exc
    try:
        ProposalStore.for_workspace(workspace.roots[0].path).put(mark_applied(proposal, plan))
    except (OSError, EditRefused) as exc:
        return Applied(len(written), f"the change was applied but could not be recorded for undo: {exc}")
    return Applied(len(written))


def apply_from_cli(proposal: Proposal, root: Path, allow_protected: Sequence[str], say: Callable[[str], None]) -> int:
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
