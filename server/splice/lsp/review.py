"""Getting the user's approval for a proposal, in the best way the client supports, then applying exactly what was
approved through ``workspace/applyEdit``.

Paths (``review.mode``; ``auto`` picks by capability):
- ``refactorPreview``: every edit is an ``AnnotatedTextEdit`` whose ``ChangeAnnotation`` has ``needsConfirmation``
  — VS Code opens its Refactor Preview with a checkbox per edit; the client's answer is the decision.
- ``message`` (clients without change-annotation support, e.g. Neovim 0.11, eglot): ``window/showMessageRequest``
  Apply / Show diff / Discard; "Show diff" opens the proposal's unified diff (``.splice/proposals/<id>.diff``) with
  ``window/showDocument`` and asks again; "Apply" sends a plain edit.
- ``inline``: the VS Code client's own diff review — the server announces the proposal (``splice/proposalReady``)
  and applies the hunks the client sends back with ``splice.applyProposal``.
Protected paths (editor configs, CI, git, conftest.py, *.pth …) are confirmed separately before any of these.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from splice.edits.diff import compute_hunks, text_edits
from splice.edits.errors import EditRefused
from splice.edits.proposal import ChangeKind, FlagKind, Proposal
from splice.edits.review import ApplyPlan, FileState, FinalFile, mark_applied, mark_rejected, plan_apply
from splice.edits.store import ProposalStore
from splice.edits.validate import printable
from splice.lsp.convert import Lines
from splice.lsp.protocol import Methods
from splice.lsp.rpc import ClientRequestFailed
from splice.lsp.server import SpliceServer

log = logging.getLogger(__name__)

APPLY, SHOW_DIFF, DISCARD = "Apply", "Show diff", "Discard"
INCLUDE, LEAVE_OUT, CANCEL = "Apply this file", "Leave it out", "Cancel"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to a proposal; returned to the command's caller as JSON."""

    id: str
    applied: bool
    status: str
    message: str
    choices: tuple[str, ...] = ()
    """For a refusal among several candidate blocks: one preview per block, for the client to offer a pick
    (then ``splice.proposeEdit`` again with ``block``: the 1-based number)."""

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["message"] = printable(self.message)
        out["choices"] = [printable(c) for c in self.choices]
        return out


def store_of(ls: SpliceServer) -> ProposalStore:
    return ProposalStore.for_workspace(ls.require_ws().root)


def reader_for(ls: SpliceServer) -> Any:
    """Current file state for the edits layer: the open buffer (with its version) wins over the disk."""

    def read(root: str, rel: str) -> FileState:
        uri = ls.uri_for(rel)
        doc = ls.workspace.text_documents.get(uri)
        if doc is not None:
            return FileState.from_buffer(doc.source, doc.version, rel)
        path = ls.require_ws().abspath(rel)
        try:
            return FileState.from_bytes(path.read_bytes(), rel)
        except FileNotFoundError:
            return FileState(None)

    return read


def choose_mode(ls: SpliceServer) -> str:
    mode = ls.require_ws().settings.review_mode
    if mode != "auto":
        return mode
    experimental = ls.client_capabilities.experimental
    if isinstance(experimental, dict) and (experimental.get("splice") or {}).get("inlineReview"):
        return "inline"  # the Splice VS Code client reviews hunk by hunk in its own diff view
    caps = ls.client_capabilities.workspace
    edit_caps = caps.workspace_edit if caps is not None else None
    if edit_caps is not None and edit_caps.document_changes and edit_caps.change_annotation_support is not None:
        return "refactorPreview"
    return "message"


# -- building the WorkspaceEdit -------------------------------------------------------------------------------------


def _can(ls: SpliceServer, what: str) -> bool:
    caps = ls.client_capabilities.workspace
    edit = caps.workspace_edit if caps is not None else None
    if edit is None:
        return False
    if what == "documentChanges":
        return bool(edit.document_changes)
    # Resource operations only exist inside documentChanges; a client that lists them (Neovim 0.11 does, without
    # setting documentChanges) handles documentChanges.
    return what in [str(op.value) for op in edit.resource_operations or ()]


def build_edit(
    ls: SpliceServer, plan: ApplyPlan, annotation: str | None, label: str, description: str | None = None
) -> types.WorkspaceEdit:
    """The exact edits of an approved plan; with ``annotation`` every edit requires confirmation in the client."""
    doc_changes: list[Any] = []
    plain: dict[str, list[types.TextEdit]] = {}
    file_ops = any(f.kind is not ChangeKind.MODIFY for f in plan.files)
    use_doc_changes = _can(ls, "documentChanges") or file_ops
    for f in plan.files:
        uri = ls.uri_for(f.path)
        if f.kind is ChangeKind.MODIFY:
            edits = _text_edits(f, annotation, ls.encoding)
            if use_doc_changes:
                ident = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=f.before_version)
                doc_changes.append(types.TextDocumentEdit(text_document=ident, edits=edits))
            else:
                plain[uri] = [types.TextEdit(range=e.range, new_text=e.new_text) for e in edits]
            continue
        op = {ChangeKind.CREATE: "create", ChangeKind.DELETE: "delete", ChangeKind.RENAME: "rename"}[f.kind]
        if not _can(ls, op):
            raise EditRefused(
                f"your editor cannot {op} files through LSP ({f.path}); apply this proposal with "
                f"`splice edit` on the command line instead"
            )
        if f.kind is ChangeKind.CREATE:
            doc_changes.append(
                types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False), annotation_id=annotation)
            )
            doc_changes.append(_whole_text(uri, f.after or "", f.newline, annotation))
        elif f.kind is ChangeKind.DELETE:
            doc_changes.append(types.DeleteFile(uri=uri, annotation_id=annotation))
        else:
            new_uri = ls.uri_for(f.new_path or f.path)
            doc_changes.append(types.RenameFile(old_uri=uri, new_uri=new_uri, annotation_id=annotation))
            if f.after is not None and f.after != f.before:
                doc_changes.append(_replace_all(new_uri, f.before or "", f.after, f.newline, annotation, ls.encoding))
    annotations = None
    if annotation is not None:
        annotations = {
            annotation: types.ChangeAnnotation(
                label=label,
                needs_confirmation=True,
                description=description or "Proposed by Splice — review before applying",
            )
        }
    if use_doc_changes:
        return types.WorkspaceEdit(document_changes=doc_changes, change_annotations=annotations)
    return types.WorkspaceEdit(changes=plain)


def _text_edits(f: FinalFile, annotation: str | None, encoding: str) -> list[types.TextEdit | types.AnnotatedTextEdit]:
    before, after = f.before or "", f.after or ""
    lines = Lines(before, encoding)
    out: list[types.TextEdit | types.AnnotatedTextEdit] = []
    for edit in text_edits(before, compute_hunks(f.path, before, after)):
        rng = types.Range(start=lines.to_client(edit.start), end=lines.to_client(edit.end))
        new_text = edit.new_text.replace("\n", f.newline) if f.newline != "\n" else edit.new_text
        if annotation is None:
            out.append(types.TextEdit(range=rng, new_text=new_text))
        else:
            out.append(types.AnnotatedTextEdit(range=rng, new_text=new_text, annotation_id=annotation))
    return out


def _whole_text(uri: str, text: str, newline: str, annotation: str | None) -> types.TextDocumentEdit:
    body = text.replace("\n", newline) if newline != "\n" else text
    rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    edit: types.TextEdit | types.AnnotatedTextEdit = (
        types.TextEdit(range=rng, new_text=body)
        if annotation is None
        else types.AnnotatedTextEdit(range=rng, new_text=body, annotation_id=annotation)
    )
    ident = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    return types.TextDocumentEdit(text_document=ident, edits=[edit])


def _replace_all(
    uri: str, before: str, after: str, newline: str, annotation: str | None, encoding: str
) -> types.TextDocumentEdit:
    lines = Lines(before, encoding)
    end = lines.to_client(lines.from_client(types.Position(line=len(lines.lines), character=0)))
    body = after.replace("\n", newline) if newline != "\n" else after
    rng = types.Range(start=types.Position(line=0, character=0), end=end)
    edit: types.TextEdit | types.AnnotatedTextEdit = (
        types.TextEdit(range=rng, new_text=body)
        if annotation is None
        else types.AnnotatedTextEdit(range=rng, new_text=body, annotation_id=annotation)
    )
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None), edits=[edit]
    )


# -- the flows ------------------------------------------------------------------------------------------------------


async def ask(ls: SpliceServer, kind: types.MessageType, message: str, actions: list[str]) -> str | None:
    window = ls.client_capabilities.window
    if window is None or window.show_message is None:
        return None
    item = await ls.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=kind, message=message, actions=[types.MessageActionItem(title=a) for a in actions]
        )
    )
    if item is None:
        return None
    if not isinstance(item, types.MessageActionItem) or item.title not in actions:
        raise ClientRequestFailed(f"the editor's answer to the question is not one of {', '.join(actions)}")
    return item.title


async def confirm_protected(
    ls: SpliceServer, proposal: Proposal, accepted: list[str]
) -> tuple[list[str], set[FlagKind | tuple[FlagKind, str]]]:
    """Each protected file and each file with invisible characters is asked about on its own, with its reason;
    returns the hunk ids still to apply and the per-file confirmations (empty ids = cancelled)."""
    confirmed: set[FlagKind | tuple[FlagKind, str]] = set()
    for flag in proposal.needs_confirmation():
        flagged = {i for c in proposal.changes if flag.path in (c.path, c.new_path) for i in c.review_ids()}
        if not flagged & set(accepted) or flag.path is None:
            continue
        answer = await ask(
            ls,
            types.MessageType.Warning,
            f"Splice: {flag.message}. Apply the change to {flag.path}?",
            [INCLUDE, LEAVE_OUT, CANCEL],
        )
        if answer == INCLUDE:
            confirmed.add((flag.kind, flag.path))
        elif answer == LEAVE_OUT or answer is None:
            accepted = [i for i in accepted if i not in flagged]
        else:
            return [], set()
    return accepted, confirmed


NO_ANSWER = (ClientRequestFailed, JsonRpcException)
"""How a request to the editor ends without a usable answer: timed out, malformed, refused, or shut down."""


def still_pending(proposal: Proposal, exc: BaseException) -> Outcome:
    return Outcome(proposal.id, False, "pending", f"The proposal is still pending: {exc}.")


async def apply_plan(
    ls: SpliceServer, proposal: Proposal, accepted: list[str], *, annotated: bool, mode: str
) -> Outcome:
    """Plan the accepted hunks against the current text (rebasing user edits) and send exactly that edit; an
    editor that does not answer (or answers nonsense) leaves the proposal pending, saying why."""
    try:
        return await _apply_plan(ls, proposal, accepted, annotated=annotated, mode=mode)
    except NO_ANSWER as exc:
        return still_pending(proposal, exc)


async def _apply_plan(
    ls: SpliceServer, proposal: Proposal, accepted: list[str], *, annotated: bool, mode: str
) -> Outcome:
    store = store_of(ls)
    accepted, confirmed = await confirm_protected(ls, proposal, accepted)
    if not accepted:
        return Outcome(proposal.id, False, proposal.status.value, "Nothing applied.")
    plan = plan_apply(proposal, reader_for(ls), accepted=accepted, confirmed=confirmed)
    label = f"Splice: {proposal.title}"
    why = rationale_excerpt(proposal.rationale)
    edit = build_edit(ls, plan, "splice" if annotated else None, label, printable(f"Why: {why}") if why else None)
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    if not isinstance(result, types.ApplyWorkspaceEditResult):
        raise ClientRequestFailed("the editor answered workspace/applyEdit without a result")
    if result.applied:
        store.put(mark_applied(proposal, plan))
        rebased = [f.path for f in plan.files if f.rebased]
        note = f" (kept your edits in {', '.join(rebased)})" if rebased else ""
        return Outcome(proposal.id, True, "applied", f"Applied “{proposal.title}”{note}.")
    if result.failure_reason:
        return Outcome(proposal.id, False, "pending", f"The editor did not apply it: {result.failure_reason}")
    if mode == "refactorPreview":  # Discard in the preview is the user's decision
        store.put(mark_rejected(proposal))
        return Outcome(proposal.id, False, "rejected", "Discarded.")
    return Outcome(proposal.id, False, "pending", "The editor did not apply the edit; the proposal is still pending.")


async def present(ls: SpliceServer, proposal: Proposal) -> Outcome:
    """Store a new proposal and take it through the review the client supports."""
    store = store_of(ls)
    diff_path = store.put(proposal)
    mode = choose_mode(ls)
    everything = list(proposal.review_ids())
    try:
        if mode == "inline":
            ls.protocol.notify(Methods.PROPOSAL_READY, {"id": proposal.id, "title": proposal.title, "review": "inline"})
            return Outcome(proposal.id, False, "pending", "Waiting for review in the editor.")
        if mode == "refactorPreview":
            return await apply_plan(ls, proposal, everything, annotated=True, mode=mode)
        return await _message_review(ls, proposal, everything, diff_path.as_uri())
    except EditRefused as exc:
        return Outcome(proposal.id, False, proposal.status.value, str(exc))
    except NO_ANSWER as exc:
        return still_pending(proposal, exc)


def summary(proposal: Proposal) -> str:
    added = removed = 0
    for change in proposal.changes:
        for line in change.diff().splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
    files = ", ".join(c.new_path or c.path for c in proposal.changes)
    warn = " ⚠ " + "; ".join(f.message for f in proposal.flags) if proposal.flags else ""
    parse = "" if proposal.verification.parses else " ⚠ the result does not parse"
    why = rationale_excerpt(proposal.rationale)
    why = f"\nWhy (the model's words): {why}" if why else ""
    return printable(f"Splice: {proposal.title} — {files} (+{added} −{removed}){parse}{warn}{why}")


_RATIONALE_IN_PROMPT = 600


def rationale_excerpt(rationale: str) -> str:
    """The rationale as one short paragraph for a message prompt (the full text is in ``splice/proposal``)."""
    text = " ".join(rationale.split())
    return text if len(text) <= _RATIONALE_IN_PROMPT else text[: _RATIONALE_IN_PROMPT - 1] + "…"


async def _message_review(ls: SpliceServer, proposal: Proposal, accepted: list[str], diff_uri: str) -> Outcome:
    window = ls.client_capabilities.window
    can_show = bool(window and window.show_document and window.show_document.support)
    actions = [APPLY, SHOW_DIFF, DISCARD] if can_show else [APPLY, DISCARD]
    for _ in range(10):  # "Show diff" asks again; bounded so a confused client cannot loop us forever
        answer = await ask(ls, types.MessageType.Info, summary(proposal), actions)
        if answer == SHOW_DIFF:
            await ls.window_show_document_async(types.ShowDocumentParams(uri=diff_uri, take_focus=True))
            continue
        if answer == APPLY:
            return await apply_plan(ls, proposal, accepted, annotated=False, mode="message")
        if answer == DISCARD:
            store_of(ls).put(mark_rejected(proposal))
            return Outcome(proposal.id, False, "rejected", "Discarded.")
        return Outcome(proposal.id, False, "pending", "No decision; the proposal is still pending.")
    return Outcome(proposal.id, False, "pending", "No decision; the proposal is still pending.")


# -- the custom request --------------------------------------------------------------------------------------------


def proposal_json(ls: SpliceServer, proposal: Proposal) -> dict[str, Any]:
    """``splice/proposal``: everything a rich client needs for inline review, hunk by hunk."""
    files = []
    for change in proposal.changes:
        hunks = []
        for h in change.hunks:
            old_lines = h.old_text.splitlines()
            new_lines = h.new_text.splitlines()
            header = f"@@ -{h.old_start + 1},{len(old_lines)} +{h.new_start + 1},{len(new_lines)} @@"
            text = "".join(f"-{line}\n" for line in old_lines) + "".join(f"+{line}\n" for line in new_lines)
            text = printable(text)
            hunks.append(
                {
                    "id": h.id,
                    "header": header,
                    "oldStart": h.old_start,
                    "oldLines": len(old_lines),
                    "newStart": h.new_start,
                    "newLines": len(new_lines),
                    "text": text,
                }
            )
        if change.kind is not ChangeKind.MODIFY:
            hunks.append(
                {
                    "id": change.whole_file_id,
                    "header": f"{change.kind.value} {change.path}",
                    "oldStart": 0,
                    "oldLines": 0,
                    "newStart": 0,
                    "newLines": 0,
                    "text": change.diff(),
                }
            )
        files.append(
            {
                "uri": ls.uri_for(change.new_path or change.path),
                "path": change.new_path or change.path,
                "kind": change.kind.value,
                "originalText": change.old_text or "",
                "proposedText": change.new_text or "",
                "hunks": hunks,
            }
        )
    v = proposal.verification
    return {
        "id": proposal.id,
        "title": proposal.title,
        "rationale": printable(proposal.rationale),
        "status": proposal.status.value,
        "flags": [printable(f.message) for f in proposal.flags],
        "files": files,
        "verification": {"status": "parses" if v.parses else "does not parse", "summary": "; ".join(v.checks)},
        "cost": {
            "dollars": proposal.cost.dollars,
            "tokens": proposal.cost.prompt_tokens + proposal.cost.completion_tokens,
        },
    }
