"""Undo: the inverse of an applied proposal, as a new proposal that goes through the same review.

The inverse is computed from what was actually written (``Proposal.applied``), not from the original proposal, so
a rebased apply is undone exactly. If the user edited the files after the apply, the inverse rebases like any
other proposal, and refuses where their edits overlap.
"""

from __future__ import annotations

from splice.edits.build import Draft, build_proposal
from splice.edits.errors import EditRefused
from splice.edits.proposal import ChangeKind, Proposal, Status

_INVERSE_KIND = {
    ChangeKind.CREATE: ChangeKind.DELETE,
    ChangeKind.DELETE: ChangeKind.CREATE,
    ChangeKind.MODIFY: ChangeKind.MODIFY,
    ChangeKind.RENAME: ChangeKind.RENAME,
}


def inverse(proposal: Proposal) -> Proposal:
    if proposal.status is not Status.APPLIED or not proposal.applied:
        raise EditRefused(f"proposal {proposal.id} was not applied; there is nothing to undo")
    drafts: list[Draft] = []
    for f in proposal.applied:
        kind = _INVERSE_KIND[f.kind]
        if f.kind is ChangeKind.RENAME:
            path, new_path = f.new_path or f.path, f.path
        else:
            path, new_path = f.path, None
        drafts.append(
            Draft(
                kind=kind,
                path=path,
                old_text=f.after,
                new_text=f.before,
                new_path=new_path,
                lang=f.lang,
                newline=f.newline,
                bom=f.bom,
                root=f.root,
            )
        )
    return build_proposal(
        f"Undo: {proposal.title}",
        drafts,
        rationale=f"Reverts proposal {proposal.id}.",
        inverse_of=proposal.id,
    )
