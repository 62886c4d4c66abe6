"""Splice's custom LSP surface, declared once (mirrored by client-vscode/src/protocol.ts), and the protocol class
that fixes two pygls behaviours: requests whose params fail to deserialize get an error reply instead of silence,
and the ``workspace.textDocumentContent`` capability is advertised for proposal documents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification

log = logging.getLogger(__name__)


class Commands:
    """workspace/executeCommand names (package.json contributes the palette entries)."""

    GENERATE = "splice.generate"
    EXPLAIN_ERROR = "splice.explainError"
    SHOW_CONTEXT = "splice.showContext"
    APPLY_PROPOSAL = "splice.applyProposal"
    REJECT_PROPOSAL = "splice.rejectProposal"
    UNDO = "splice.undo"
    REINDEX = "splice.reindex"
    USAGE = "splice.usage"
    PROPOSE_EDIT = "splice.proposeEdit"
    """Turn a model answer the user pasted (from any chat) into a reviewed proposal, like ``splice edit``."""


class Methods:
    """Custom requests and notifications (all under ``splice/``)."""

    PROPOSAL = "splice/proposal"
    """Request ``{id}`` → the proposal with per-hunk ids and original/proposed text."""
    PROPOSAL_READY = "splice/proposalReady"
    """Notification ``{id, title, review}``: a proposal is waiting for the client's inline review."""
    INDEX_STATUS = "splice/indexStatus"
    """Notification ``{state, done, total, message}``; state ∈ starting | indexing | ready | error."""
    USAGE = "splice/usage"
    """Notification ``{todayCost, model}`` after each model call."""


PROPOSAL_SCHEME = "splice-proposal"
"""Virtual documents ``splice-proposal:/<path>?id=<proposal id>`` hold proposed text for diff views."""

_INVALID = JsonRPCNotification(method="$/splice/invalid", jsonrpc="invalid", params=None)


class SpliceProtocol(LanguageServerProtocol):
    on_message: Callable[[], None] | None = None
    """Called for every message from the client (the server's idle tracking)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Deserialize, but answer a malformed *request* with an error instead of dropping it (pygls would log and
        forget it, leaving the client waiting forever)."""
        if self.on_message is not None:
            self.on_message()
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" in data and "id" in data and "method" in data:
                error = exc if isinstance(exc, JsonRpcInvalidParams | JsonRpcInternalError) else JsonRpcInternalError()
                log.warning("request %r (%s) has invalid params; replied with an error", data["id"], data["method"])
                self._send_response(
                    data["id"],
                    error=types.ResponseError(
                        code=error.code, message=f"Invalid params for {data['method']}: {exc.message or exc}"
                    ),
                )
                return _INVALID
            raise

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        """pygls computes capabilities without ``workspace.textDocumentContent``; add it for proposal documents."""
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        workspace = result.capabilities.workspace or types.WorkspaceOptions()
        workspace.text_document_content = types.TextDocumentContentOptions(schemes=[PROPOSAL_SCHEME])
        result.capabilities.workspace = workspace
        return result
