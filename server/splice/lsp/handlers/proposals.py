"""Proposal commands and requests: apply (all or chosen hunks), reject, undo, turn a pasted model answer into a
proposal, ``splice/proposal`` for inline review and the ``splice-proposal:`` virtual documents."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from lsprotocol import types

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.propose import propose
from splice.edits.review import mark_rejected
from splice.edits.undo import inverse
from splice.edits.validate import printable
from splice.lsp import review
from splice.lsp.protocol import PROPOSAL_SCHEME, Commands, Methods
from splice.lsp.server import SpliceServer


def _arg(args: tuple[Any, ...]) -> dict[str, Any]:
    if args and isinstance(args[0], dict):
        return args[0]
    raise ValueError("expected one object argument")


def _id(args: tuple[Any, ...]) -> str:
    pid = _arg(args).get("id")
    if not isinstance(pid, str) or not pid:
        raise ValueError("expected {id: string}")
    return pid


def register(server: SpliceServer) -> None:
    @server.feature(Methods.PROPOSAL)
    def get_proposal(ls: SpliceServer, params: Any) -> dict[str, Any]:
        pid = params.get("id") if isinstance(params, dict) else getattr(params, "id", None)
        if not isinstance(pid, str):
            raise ValueError("splice/proposal expects {id: string}")
        return review.proposal_json(ls, review.store_of(ls).require(pid))

    @server.command(Commands.APPLY_PROPOSAL)
    async def apply_proposal(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        pid = _id(args)
        hunks = _arg(args).get("hunks")
        proposal = review.store_of(ls).require(pid)
        accepted = list(proposal.review_ids()) if hunks is None else [str(h) for h in hunks]
        if not accepted:  # rejecting every hunk is rejecting the proposal
            review.store_of(ls).put(mark_rejected(proposal))
            return review.Outcome(pid, False, "rejected", "Every hunk was rejected; nothing applied.").to_json()
        try:
            outcome = await review.apply_plan(ls, proposal, accepted, annotated=False, mode="inline")
        except EditRefused as exc:
            outcome = review.Outcome(pid, False, proposal.status.value, str(exc))
        return _tell(ls, outcome)

    @server.command(Commands.REJECT_PROPOSAL)
    def reject_proposal(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        pid = _id(args)
        store = review.store_of(ls)
        try:
            store.put(mark_rejected(store.require(pid)))
        except EditRefused as exc:
            return review.Outcome(pid, False, "unchanged", str(exc)).to_json()
        return review.Outcome(pid, False, "rejected", "Rejected; nothing applied.").to_json()

    @server.command(Commands.UNDO)
    async def undo(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        last = review.store_of(ls).latest_undoable()
        if last is None:
            message = "Nothing to undo: no applied Splice proposal that is not undone already."
            return _tell(ls, review.Outcome("", False, "none", message))
        try:
            undo_proposal = inverse(last)
        except EditRefused as exc:
            return _tell(ls, review.Outcome(last.id, False, "applied", str(exc)))
        return _tell(ls, await review.present(ls, undo_proposal))

    @server.command(Commands.PROPOSE_EDIT)
    async def propose_edit(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        """A model answer pasted by the user (from any chat) becomes a reviewed proposal — like ``splice edit``."""
        arg = _arg(args)
        answer = arg.get("answer")
        if not isinstance(answer, str):
            raise ValueError("expected {answer: string, uri?: string, symbol?: string, block?: number}")
        ws = ls.require_ws()
        target = ls.rel_for(arg["uri"]) if isinstance(arg.get("uri"), str) else None
        symbol = arg.get("symbol") if isinstance(arg.get("symbol"), str) else None
        block = arg.get("block") if isinstance(arg.get("block"), int) else None
        try:
            proposal = propose(
                answer,
                Workspace.of(ws.root),
                reader=review.reader_for(ls),
                target=target,
                symbol=symbol,
                block=block,
            )
        except EditRefused as exc:
            return _tell(ls, review.Outcome("", False, "refused", str(exc), exc.choices))
        return _tell(ls, await review.present(ls, proposal))

    @server.feature(types.WORKSPACE_TEXT_DOCUMENT_CONTENT, types.TextDocumentContentOptions(schemes=[PROPOSAL_SCHEME]))
    def proposal_document(ls: SpliceServer, params: types.TextDocumentContentParams) -> types.TextDocumentContentResult:
        """``splice-proposal:/<path>?id=<id>``: the proposed text of one file, for a diff view."""
        parsed = urlparse(params.uri)
        pid = (parse_qs(unquote(parsed.query)).get("id") or [""])[0]  # VS Code may send ?id%3D…
        path = unquote(parsed.path).lstrip("/")  # VS Code percent-encodes spaces and non-ASCII
        proposal = review.store_of(ls).require(pid)
        for change in proposal.changes:
            if path in (change.path, change.new_path):
                return types.TextDocumentContentResult(text=change.new_text or "")
        raise ValueError(f"proposal {pid} does not change {path}")


def _tell(ls: SpliceServer, outcome: review.Outcome) -> dict[str, Any]:
    kind = types.MessageType.Info if outcome.applied or outcome.status != "refused" else types.MessageType.Warning
    ls.window_show_message(types.ShowMessageParams(type=kind, message=printable(f"Splice: {outcome.message}")))
    return outcome.to_json()
