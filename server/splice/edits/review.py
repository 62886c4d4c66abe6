"""From an approved proposal to the exact final texts: hunk selection, approval digest, staleness and rebase.

``plan_apply`` is the only way to get bytes to write. It checks, in order: the proposal is still pending and not
expired; the approval digest covers exactly the selected hunks; protected paths and invisible characters were
confirmed separately; each file is still what the proposal was computed from — or, if the user edited it, the
edits rebase without overlap. Any failure refuses the whole plan: all or nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from splice.edits.diff import TextEdit, apply_hunks, compute_hunks, text_edits
from splice.edits.errors import EditRefused
from splice.edits.proposal import AppliedFile, ChangeKind, FileChange, FlagKind, Proposal, Status
from splice.edits.rebase import rebase
from splice.edits.text import Decoded, decode_file, sha256_text


@dataclass(frozen=True, slots=True)
class FileState:
    """A file as it is now: LF-normalised text (None when it does not exist) and the editor version if open."""

    text: str | None
    version: int | None = None
    newline: str = "\n"
    bom: bool = False

    @classmethod
    def from_bytes(cls, data: bytes, path: str) -> FileState:
        decoded = decode_file(data, path)
        return cls(decoded.text, None, decoded.newline, decoded.bom)

    @classmethod
    def from_buffer(cls, text: str, version: int | None, path: str) -> FileState:
        """An open editor buffer: the LSP layer's source of truth for unsaved text."""
        return dataclasses.replace(cls.from_bytes(text.encode("utf-8"), path), version=version)

    def decoded(self) -> Decoded | None:
        return None if self.text is None else Decoded(self.text, self.newline, self.bom)


Reader = Callable[[str, str], FileState]
"""``reader(root, rel_path)`` → the file's current state."""


@dataclass(frozen=True, slots=True)
class FinalFile:
    """One file write (or deletion) an approved plan performs."""

    kind: ChangeKind
    root: str
    path: str
    new_path: str | None
    before: str | None
    """The current text the plan was computed against (None for creations)."""
    after: str | None
    """The text to write (None for deletions)."""
    before_version: int | None
    newline: str
    bom: bool
    lang: str | None
    rebased: bool

    def text_edits(self) -> list[TextEdit]:
        """Range replacements turning ``before`` into ``after`` (a modification's ``TextDocumentEdit``, to send
        with ``before_version``); new text uses the document's own line endings."""
        hunks = compute_hunks(self.path, self.before or "", self.after or "")
        edits = text_edits(self.before or "", hunks)
        if self.newline == "\n":
            return edits
        return [TextEdit(e.start, e.end, e.new_text.replace("\n", self.newline)) for e in edits]


@dataclass(frozen=True, slots=True)
class ApplyPlan:
    proposal_id: str
    digest: str
    files: tuple[FinalFile, ...]


def plan_apply(
    proposal: Proposal,
    reader: Reader,
    *,
    accepted: Iterable[str] | None = None,
    digest: str | None = None,
    confirmed: Iterable[FlagKind | tuple[FlagKind, str]] = (),
    now: float | None = None,
) -> ApplyPlan:
    """The final texts for the accepted review ids, or EditRefused. ``digest`` must equal
    ``proposal.digest(accepted)`` as computed when the diff was shown; ``confirmed`` lists what the user confirmed
    separately: ``(FlagKind.PROTECTED, path)`` per protected file (a bare PROTECTED approves none), INVISIBLE as a
    kind or per path."""
    if proposal.status is not Status.PENDING:
        raise EditRefused(f"proposal {proposal.id} is {proposal.status.value}; only pending proposals can be applied")
    if proposal.expires_at is not None and (now if now is not None else time.time()) > proposal.expires_at:
        raise EditRefused(f"proposal {proposal.id} expired; generate it again")
    ids = list(proposal.review_ids()) if accepted is None else list(accepted)
    unknown = sorted(set(ids) - set(proposal.review_ids()))
    if unknown:
        raise EditRefused(f"proposal {proposal.id} has no hunk(s) {', '.join(unknown)}")
    if not ids:
        raise EditRefused("no hunk was accepted; nothing to apply")
    expected = proposal.digest(ids)
    if digest is not None and digest != expected:
        raise EditRefused("the changes to apply differ from the diff that was approved; nothing applied")
    chosen = set(ids)
    changes = [c for c in proposal.changes if chosen & set(c.review_ids())]
    _check_confirmations(proposal, changes, set(confirmed))
    return ApplyPlan(proposal.id, expected, tuple(_final(c, chosen, reader) for c in changes))


def _check_confirmations(
    proposal: Proposal, changes: list[FileChange], confirmed: set[FlagKind | tuple[FlagKind, str]]
) -> None:
    """Every flagged file needs its own confirmation: one "yes" never covers a protected file it did not name."""
    paths = {p for c in changes for p in (c.path, c.new_path) if p}
    missing = [
        flag
        for flag in proposal.needs_confirmation()
        if flag.path in paths
        and (flag.kind, flag.path) not in confirmed
        and (flag.kind is FlagKind.PROTECTED or flag.kind not in confirmed)
    ]
    if missing:
        listed = "; ".join(f.message for f in missing)
        raise EditRefused(f"{listed}; confirm each explicitly to apply (nothing applied)", path=missing[0].path)


def _final(change: FileChange, chosen: set[str], reader: Reader) -> FinalFile:
    current = reader(change.root, change.path)
    if change.kind is ChangeKind.CREATE:
        if current.text is not None:
            raise EditRefused(
                f"{change.path} now exists; the proposal would create it. Nothing applied", path=change.path
            )
        return _file(change, current, None, change.new_text, rebased=False)
    if current.text is None:
        raise EditRefused(f"{change.path} was deleted since the proposal was made; nothing applied", path=change.path)
    unchanged = sha256_text(current.text) == change.base_hash
    if change.kind is ChangeKind.MODIFY:
        proposed = apply_hunks(change.old_text or "", [h for h in change.hunks if h.id in chosen])
        if unchanged:
            return _file(change, current, current.text, proposed, rebased=False)
        merged = rebase(change.old_text or "", current.text, proposed, change.path)
        return _file(change, current, current.text, merged, rebased=True)
    if not unchanged:
        raise EditRefused(
            f"{change.path} changed since the proposal was made; the proposal would {change.kind.value} it. "
            "Nothing applied",
            path=change.path,
        )
    if change.kind is ChangeKind.RENAME and change.new_path and reader(change.root, change.new_path).text is not None:
        raise EditRefused(f"{change.new_path} already exists; nothing applied", path=change.new_path)
    return _file(change, current, current.text, change.new_text, rebased=False)


def _file(change: FileChange, current: FileState, before: str | None, after: str | None, *, rebased: bool) -> FinalFile:
    return FinalFile(
        kind=change.kind,
        root=change.root,
        path=change.path,
        new_path=change.new_path,
        before=before,
        after=after,
        before_version=current.version,
        newline=change.newline if current.text is None else current.newline,
        bom=change.bom if current.text is None else current.bom,
        lang=change.lang,
        rebased=rebased,
    )


def mark_applied(proposal: Proposal, plan: ApplyPlan) -> Proposal:
    """The proposal after its plan was written: APPLIED, remembering before/after texts for undo."""
    applied = tuple(
        AppliedFile(f.kind, f.path, f.new_path, f.before, f.after, f.lang, f.newline, f.bom, f.root) for f in plan.files
    )
    return dataclasses.replace(proposal, status=Status.APPLIED, applied=applied)


def mark_rejected(proposal: Proposal) -> Proposal:
    if proposal.status is not Status.PENDING:
        raise EditRefused(f"proposal {proposal.id} is {proposal.status.value}; it cannot be rejected")
    return dataclasses.replace(proposal, status=Status.REJECTED)
