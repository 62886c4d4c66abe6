"""ProposalStore: proposals persisted under ``<workspace>/.splice/proposals/`` until applied, rejected or expired.

Each proposal is ``<id>.json`` (everything, including base and proposed texts) plus ``<id>.diff``, the unified
diff a client without a diff UI opens through ``window/showDocument``. Files are written atomically; a corrupt or
foreign JSON file reads as absent rather than crashing the server.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from splice import redaction, state
from splice.edits.diff import Hunk
from splice.edits.errors import EditRefused
from splice.edits.proposal import (
    AppliedFile,
    ChangeKind,
    Cost,
    FileChange,
    Flag,
    FlagKind,
    Proposal,
    Status,
    Verification,
)

_FORMAT = 1


def to_json(proposal: Proposal) -> str:
    return json.dumps({"format": _FORMAT, **dataclasses.asdict(proposal)}, indent=1, ensure_ascii=False)


def from_json(text: str) -> Proposal:
    raw: dict[str, Any] = json.loads(text)
    if raw.pop("format", None) != _FORMAT:
        raise ValueError("unknown proposal format")
    return Proposal(
        id=raw["id"],
        title=raw["title"],
        changes=tuple(_change(c) for c in raw["changes"]),
        rationale=raw["rationale"],
        context=tuple(raw["context"]),
        cost=Cost(**raw["cost"]),
        verification=Verification(
            parses=raw["verification"]["parses"],
            new_errors=tuple((p, n) for p, n in raw["verification"]["new_errors"]),
            checks=tuple(raw["verification"]["checks"]),
        ),
        flags=tuple(Flag(FlagKind(f["kind"]), f["path"], f["message"], f["needs_confirmation"]) for f in raw["flags"]),
        notes=tuple(raw["notes"]),
        status=Status(raw["status"]),
        created_at=raw["created_at"],
        expires_at=raw["expires_at"],
        inverse_of=raw["inverse_of"],
        applied=tuple(AppliedFile(**{**a, "kind": ChangeKind(a["kind"])}) for a in raw["applied"]),
    )


def _change(c: dict[str, Any]) -> FileChange:
    return FileChange(**{**c, "kind": ChangeKind(c["kind"]), "hunks": tuple(Hunk(**h) for h in c["hunks"])})


class ProposalStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_workspace(cls, workspace: Path) -> ProposalStore:
        return cls(workspace / ".splice" / "proposals")

    def put(self, proposal: Proposal) -> Path:
        """Save (or update) a proposal; returns the path of its ``.diff`` file."""
        # Titles, rationales, notes and context reasons quote trace messages: stored masked (the digest covers only
        # the changes, which must stay exact to be applied).
        proposal = dataclasses.replace(
            proposal,
            title=redaction.masked(proposal.title),
            rationale=redaction.masked(proposal.rationale),
            context=tuple(redaction.masked(c) for c in proposal.context),
            notes=tuple(redaction.masked(n) for n in proposal.notes),
        )
        diff_path = self.folder / f"{_safe_id(proposal.id)}.diff"
        _atomic_write(diff_path, _diff_document(proposal))
        _atomic_write(self.folder / f"{_safe_id(proposal.id)}.json", to_json(proposal))
        return diff_path

    def get(self, proposal_id: str) -> Proposal | None:
        path = self.folder / f"{_safe_id(proposal_id)}.json"
        try:
            return from_json(state.read_text(path))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def require(self, proposal_id: str) -> Proposal:
        proposal = self.get(proposal_id)
        if proposal is None:
            raise EditRefused(f"no proposal {proposal_id!r}")
        return proposal

    def diff_path(self, proposal_id: str) -> Path:
        return self.folder / f"{_safe_id(proposal_id)}.diff"

    def proposals(self, status: Status | None = None) -> list[Proposal]:
        found = [self.get(p.stem) for p in sorted(self.folder.glob("*.json"))] if self.folder.is_dir() else []
        return sorted(
            (p for p in found if p is not None and (status is None or p.status is status)),
            key=lambda p: p.created_at,
        )

    def expire(self, now: float | None = None) -> list[str]:
        """Mark pending proposals past their expiry as EXPIRED; returns their ids."""
        moment = time.time() if now is None else now
        expired = []
        for proposal in self.proposals(Status.PENDING):
            if proposal.expires_at is not None and moment > proposal.expires_at:
                self.put(dataclasses.replace(proposal, status=Status.EXPIRED))
                expired.append(proposal.id)
        return expired

    def latest_applied(self) -> Proposal | None:
        applied = self.proposals(Status.APPLIED)
        return applied[-1] if applied else None

    def latest_undoable(self) -> Proposal | None:
        """What "undo" means next: the latest applied edit that is neither an undo itself nor already undone, so
        undoing twice walks back two edits (instead of undoing the undo)."""
        applied = self.proposals(Status.APPLIED)
        undone = {p.inverse_of for p in applied if p.inverse_of}
        for proposal in reversed(applied):
            if proposal.inverse_of is None and proposal.id not in undone:
                return proposal
        return None


def _safe_id(proposal_id: str) -> str:
    if not proposal_id or not proposal_id.isalnum():
        raise EditRefused(f"invalid proposal id {proposal_id!r}")
    return proposal_id


def _diff_document(proposal: Proposal) -> str:
    lines = [f"# Splice proposal {proposal.id}: {proposal.title}", f"# status: {proposal.status.value}"]
    lines += [f"# {'!' if f.needs_confirmation else '-'} {f.message}" for f in proposal.flags]
    lines += [f"# note: {n}" for n in proposal.notes]
    return "\n".join(lines) + "\n" + proposal.diff()


def _atomic_write(path: Path, text: str) -> None:
    state.write_text(path, text)  # never through a link planted in .splice
